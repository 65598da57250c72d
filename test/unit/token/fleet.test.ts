// The token provider across containers, with the fleet's store played by the memory store (which keeps
// the DynamoDB item's rules: test/integration/token/store-contract.test.ts): what each container keeps in
// memory and how the refresh ahead of expiry picks up another container's work.
import { describe, expect, it } from 'vitest';
import type { TokenError } from '#lib/token/errors.ts';
import { AuthCallError, type IssuedToken } from '#lib/token/oauth.ts';
import { countingStore, KEY, leaseTakenBy, settled, T0, tokenHarness } from '#test/helpers/token/harness.ts';

describe('containers sharing the fleet store', () => {
  it('a container keeps the token it read from the store and hands it out from memory afterwards', async () => {
    // Prepare
    const store = countingStore('fleet');
    const h = tokenHarness(store);
    await h.provider().getToken();
    const other = h.provider();
    // Act
    const first = await other.getToken();
    const readsAfterFirst = store.reads;
    const second = await other.getToken();
    // Assess
    expect([first, second]).toEqual(['token-1', 'token-1']);
    expect(store.reads).toBe(readsAfterFirst);
    expect(other.stats).toMatchObject({ shared: 1, memory: 1, auth: 0 });
    expect(other.lastOrigin).toBe('memory');
  });

  it("a background refresh takes another container's newer token instead of asking the auth server", async () => {
    // Prepare: A and B hold token-1; A refreshes first, inside the window.
    const h = tokenHarness(countingStore('fleet'));
    const a = h.provider({ skewMs: 0 });
    const b = h.provider({ skewMs: 0 });
    await a.getToken();
    await b.getToken();
    h.clock.t = T0 + 250_000;
    await a.getToken();
    await a.settle();
    expect(h.auth.calls).toBe(2);
    // Act: B's refresh point has come too; its background read finds token-2.
    const [during, after] = await h.acrossRefresh(b);
    // Assess
    expect([during, after]).toEqual(['token-1', 'token-2']);
    expect(h.auth.calls).toBe(2);
    expect(b.stats.auth).toBe(0);
  });

  it('a token read from the store already inside its refresh window is handed out and refreshed in the background', async () => {
    // Prepare: A got token-1; a cold container arrives inside the refresh window.
    const h = tokenHarness(countingStore('fleet'));
    await h.provider({ skewMs: 0 }).getToken();
    h.clock.t = T0 + 250_000;
    const cold = h.provider({ skewMs: 0 });
    // Act
    const [first, next] = await h.acrossRefresh(cold);
    // Assess
    expect([first, next]).toEqual(['token-1', 'token-2']);
    expect(h.auth.calls).toBe(2);
    expect(cold.stats).toMatchObject({ shared: 1, memory: 1 });
  });

  it('an item written without a refresh point is refreshed a fixed window before its expiry', async () => {
    // Prepare: a token stored by a writer that set no refresh point.
    const store = countingStore('fleet');
    const owner = 'old-writer';
    await leaseTakenBy(store, owner, 6_000);
    await store.publish(KEY, owner, 'token-old', T0 + 300_000, T0);
    const h = tokenHarness(store);
    const p = h.provider({ refreshWindowMs: 60_000 });
    // Act
    h.clock.t = T0 + 240_000 - 1;
    const before = await p.getToken();
    await p.settle();
    const callsBefore = h.auth.calls;
    h.clock.t = T0 + 240_000;
    await p.getToken();
    await p.settle();
    // Assess
    expect(before).toBe('token-old');
    expect(callsBefore).toBe(0);
    expect(h.auth.calls).toBe(1);
    expect((await store.read(KEY)).token).toBe('token-1');
  });
});

describe('containers sharing the fleet store while the auth server fails', () => {
  it("an outage whose pause ends within the caller's budget is waited out, then retried once", async () => {
    // Prepare: the first auth call fails (503), the next works.
    const h = tokenHarness(countingStore('fleet'));
    h.auth.behaviour = async (call) => {
      if (call === 1) throw new AuthCallError({ kind: 'unavailable', status: 503, detail: 'HTTP 503' });
      return { accessToken: `token-${call}`, expiresAt: h.clock.t + 300_000 };
    };
    const p = h.provider({ unavailableFloorMs: 2_000, maxWaitMs: 15_000 });
    // Act
    const token = await p.getToken();
    // Assess
    expect(token).toBe('token-2');
    expect(h.auth.calls).toBe(2);
    expect(h.auth.callTimes[1]).toBeGreaterThanOrEqual(T0 + 2_000);
    expect(p.stats.waits).toBeGreaterThan(0);
  });

  it("another container's outage pause is waited out; one too long for the budget fails at once", async () => {
    // Prepare: the first container's auth call fails and records a 2 s pause.
    const h = tokenHarness(countingStore('fleet'));
    h.auth.behaviour = async () => {
      throw new AuthCallError({ kind: 'unavailable', status: 503, detail: 'HTTP 503' });
    };
    await settled(h.provider({ unavailableFloorMs: 2_000, maxWaitMs: 0 }).getToken());
    h.auth.behaviour = undefined;
    // Act
    const short = await settled(h.provider({ maxWaitMs: 1_000 }).getToken());
    const waiting = h.provider({ maxWaitMs: 15_000 });
    const token = await waiting.getToken();
    // Assess
    expect((short as TokenError).code).toBe('auth-unavailable');
    expect((short as TokenError).retryAt).toBe(T0 + 2_000);
    expect(token).toBe('token-2');
    expect(h.auth.callTimes[1]).toBeGreaterThanOrEqual(T0 + 2_000);
  });

  it('while waiting out a pause the wait-timeout names the outage it waited for', async () => {
    // Prepare: a pause after an outage that ends after the budget of a patient-looking caller.
    const h = tokenHarness(countingStore('fleet'));
    h.auth.behaviour = async () => {
      throw new AuthCallError({ kind: 'unavailable', status: 503, detail: 'HTTP 503' });
    };
    const p = h.provider({ unavailableFloorMs: 5_000, maxWaitMs: 5_000, pollInitialMs: 400, pollMaxMs: 400 });
    // Act
    const err = (await settled(p.getToken())) as TokenError;
    // Assess: the pause ends exactly at the deadline, so the caller waits, then runs out of budget.
    expect(err.code).toBe('wait-timeout');
    expect(err.message).toMatch(
      /the auth server failed to answer \(unavailable\); waiting for a late answer or the retry after the shared pause$/,
    );
    expect(h.auth.calls).toBe(1);
  });

  it("a late answer the store would not keep is handed to this container's waiting callers from memory", async () => {
    // Prepare: the auth call times out; its late answer arrives while the caller waits; the store refuses it.
    let deliver: (token: IssuedToken) => void = () => {};
    const late = new Promise<IssuedToken>((resolve) => {
      deliver = resolve;
    });
    const store = countingStore('fleet');
    const h = tokenHarness({ ...store, publishLate: async () => undefined });
    h.auth.behaviour = async () => {
      setTimeout(() => deliver({ accessToken: 'token-late', expiresAt: h.clock.t + 300_000 }), 5);
      throw new AuthCallError({ kind: 'unavailable', detail: 'timed out' }, { late });
    };
    const p = h.provider({ authLateMs: 4_000, maxWaitMs: 15_000 });
    // Act
    const token = await p.getToken();
    // Assess
    expect(token).toBe('token-late');
    expect(p.lastOrigin).toBe('memory');
    expect(h.auth.calls).toBe(1);
  });

  it('an already aborted caller starts no acquisition', async () => {
    // Prepare
    const h = tokenHarness(countingStore('fleet'));
    const p = h.provider();
    const aborted = AbortSignal.abort(new Error('gone'));
    // Act
    const err = await settled(p.getToken(aborted));
    // Assess
    expect((err as Error).message).toBe('gone');
    expect(h.credentials.gets).toBe(0);
    expect(h.auth.calls).toBe(0);
  });
});
