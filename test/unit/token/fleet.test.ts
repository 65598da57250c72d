// The token provider across containers, with the fleet's store played by the memory store (which keeps
// the DynamoDB item's rules: test/integration/token/store-contract.test.ts): what each container keeps in
// memory and how the refresh ahead of expiry picks up another container's work.
import { describe, expect, it } from 'vitest';
import { countingStore, KEY, T0, tokenHarness } from '#test/helpers/token/harness.ts';

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
    const during = await b.getToken();
    await b.settle();
    const after = await b.getToken();
    // Assess
    expect(during).toBe('token-1');
    expect(after).toBe('token-2');
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
    const first = await cold.getToken();
    await cold.settle();
    const next = await cold.getToken();
    // Assess
    expect(first).toBe('token-1');
    expect(next).toBe('token-2');
    expect(h.auth.calls).toBe(2);
    expect(cold.stats).toMatchObject({ shared: 1, memory: 1 });
  });

  it('an item written without a refresh point is refreshed a fixed window before its expiry', async () => {
    // Prepare: a token stored by a writer that set no refresh point.
    const store = countingStore('fleet');
    const owner = 'old-writer';
    await store.tryLease(KEY, {
      owner,
      now: T0,
      leaseMs: 6_000,
      refreshBefore: T0,
      fingerprint: 'x',
      lastAuthBefore: T0,
    });
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
