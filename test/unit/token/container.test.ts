// The token provider inside one container, over its own memory store (no table; and, with the opt-in
// 'local-auth', while the table is down). Each case pins a rule that mutation testing found unguarded:
// expiry of the held token, one acquisition per container, the credentials re-read after a rotation,
// the refresh ahead of expiry, and the pacing of auth calls while there is no fleet store.
import { describe, expect, it } from 'vitest';
import { TokenError } from '#lib/token/errors.ts';
import { memoryTokenStore } from '#lib/token/memory-store.ts';
import { AuthCallError } from '#lib/token/oauth.ts';
import type { TokenStore } from '#lib/token/shared-store.ts';
import { countingStore, KEY, settled, T0, tokenHarness } from '#test/helpers/token/harness.ts';

/** A store whose every call fails as a throttled DynamoDB would (the boundary this file owns). */
function throttledStore(): TokenStore & { calls: number } {
  const fail = async (): Promise<never> => {
    store.calls++;
    const err = new Error('Rate of requests exceeds the allowed throughput');
    err.name = 'ThrottlingException';
    throw err;
  };
  const store = {
    scope: 'fleet' as const,
    calls: 0,
    read: fail,
    tryLease: fail,
    publish: fail,
    publishLate: fail,
    recordBlocked: fail,
    recordRejected: fail,
    invalidate: fail,
  };
  return store;
}

describe('one container, without a table', () => {
  it('never hands out a held token at or past its expiry', async () => {
    // Prepare
    const h = tokenHarness(memoryTokenStore());
    const p = h.provider({ skewMs: 0 });
    expect(await p.getToken()).toBe('token-1');
    // Act
    h.clock.t = T0 + 300_000; // the expiry itself: no longer usable
    const after = await p.getToken();
    // Assess
    expect(after).toBe('token-2');
    expect(h.auth.calls).toBe(2);
    expect(p.stats).toMatchObject({ auth: 2, memory: 0 });
  });

  it('concurrent callers share one acquisition: one store read, one auth call, nobody waits', async () => {
    // Prepare: the auth answer is held back until both callers are in.
    const store = countingStore();
    const h = tokenHarness(store);
    const release = h.holdAuth();
    const p = h.provider();
    // Act
    const both = [p.getToken(), p.getToken(), p.getToken()];
    await new Promise((resolve) => setTimeout(resolve, 5));
    release();
    const tokens = await Promise.all(both);
    // Assess
    expect(tokens).toEqual(['token-1', 'token-1', 'token-1']);
    expect(h.auth.calls).toBe(1);
    expect(store.reads).toBe(1);
    expect(p.stats).toMatchObject({ auth: 1, waits: 0, shared: 0, memory: 0 });
    expect(h.sleeps).toEqual([]);
  });

  it('keeps rejected credentials until the recheck interval, then re-reads them and uses a rotated secret', async () => {
    // Prepare: the auth server rejects secret-1.
    const h = tokenHarness(memoryTokenStore());
    h.rejectSecret('secret-1');
    const p = h.provider({ credentialsRecheckMs: 30_000 });
    const first = await settled(p.getToken());
    // Act: the secret is rotated; this container still holds the old one until it re-reads.
    h.secret.value = 'secret-2';
    h.clock.t = T0 + 29_999;
    const early = await settled(p.getToken());
    const reloadsEarly = h.credentials.reloads;
    h.clock.t = T0 + 30_000;
    const later = await p.getToken();
    // Assess
    expect((first as TokenError).code).toBe('credentials-rejected');
    expect((early as TokenError).code).toBe('credentials-rejected');
    expect(reloadsEarly).toBe(0);
    expect(later).toBe('token-2');
    expect(h.credentials.reloads).toBe(1);
    expect(h.auth.secrets).toEqual(['secret-1', 'secret-2']);
  });

  it('an unchanged secret is not tried again after a recheck', async () => {
    // Prepare
    const h = tokenHarness(memoryTokenStore());
    h.auth.behaviour = async () => {
      throw new AuthCallError({ kind: 'rejected', status: 401 });
    };
    const p = h.provider({ credentialsRecheckMs: 1_000 });
    await settled(p.getToken());
    // Act
    h.clock.t += 5_000;
    const again = await settled(p.getToken());
    // Assess: re-read, found unchanged, refused without an auth call.
    expect((again as TokenError).code).toBe('credentials-rejected');
    expect(h.credentials.reloads).toBe(1);
    expect(h.auth.calls).toBe(1);
    expect(JSON.stringify(h.log.lines)).not.toContain('secret-1');
  });

  it('in the refresh window: the caller gets the current token at once, one background refresh replaces it', async () => {
    // Prepare: a token refreshed 60 s before its (skew-free) end.
    const h = tokenHarness(memoryTokenStore());
    const p = h.provider({ skewMs: 0, refreshWindowMs: 60_000 });
    await p.getToken();
    // Act
    h.clock.t = T0 + 240_000 - 1;
    const before = await p.getToken();
    await p.settle();
    const callsBefore = h.auth.calls;
    h.clock.t = T0 + 240_000;
    const during = await p.getToken();
    const [duringAgain, after] = await h.acrossRefresh(p);
    // Assess
    expect([before, during, duringAgain]).toEqual(['token-1', 'token-1', 'token-1']);
    expect(callsBefore).toBe(1);
    expect(h.auth.calls).toBe(2);
    expect(after).toBe('token-2');
    expect(h.sleeps).toEqual([]);
  });

  it('a failed background refresh leaves the token in use and is not retried before backgroundRetryMs', async () => {
    // Prepare: the auth server fails from the refresh window on.
    const store = countingStore();
    const h = tokenHarness(store);
    const p = h.provider({ skewMs: 0, backgroundRetryMs: 1_000, unavailableFloorMs: 10 });
    await p.getToken();
    h.auth.behaviour = async () => {
      throw new AuthCallError({ kind: 'unavailable', status: 503, detail: 'HTTP 503' });
    };
    h.clock.t = T0 + 250_000;
    // Act
    expect(await p.getToken()).toBe('token-1');
    await p.settle();
    const readsAfterFirst = store.reads;
    h.clock.t += 999;
    expect(await p.getToken()).toBe('token-1');
    await p.settle();
    const readsInside = store.reads;
    h.clock.t += 1;
    expect(await p.getToken()).toBe('token-1');
    await p.settle();
    // Assess: one background attempt per second, each a store read; the second finds the pause the first
    // recorded (at least the floor between auth calls) and makes no auth call.
    expect(readsInside).toBe(readsAfterFirst);
    expect(store.reads).toBe(readsAfterFirst + 1);
    expect(h.auth.calls).toBe(2);
    const warned = h.log.lines.filter(
      (l) => l.level === 'warn' && l.message.includes('background token refresh failed'),
    );
    expect(warned).toHaveLength(1);
  });

  it('paces auth calls: a token invalidated at once is replaced no sooner than minAuthIntervalMs later', async () => {
    // Prepare
    const h = tokenHarness(memoryTokenStore());
    const p = h.provider({ minAuthIntervalMs: 1_100 });
    const first = await p.getToken();
    // Act
    await p.invalidate(first);
    const second = await p.getToken();
    // Assess
    expect(second).toBe('token-2');
    expect((h.auth.callTimes[1] ?? 0) - (h.auth.callTimes[0] ?? 0)).toBeGreaterThanOrEqual(1_100);
    expect(p.stats.waits).toBeGreaterThan(0);
  });

  it("an auth outage fails at once with the time of the next attempt: nobody else would answer the container's wait", async () => {
    // Prepare
    const h = tokenHarness(memoryTokenStore());
    h.auth.behaviour = async () => {
      throw new AuthCallError({ kind: 'unavailable', status: 503, detail: 'HTTP 503' });
    };
    const p = h.provider({ unavailableFloorMs: 2_000, maxWaitMs: 60_000 });
    // Act
    const err = await settled(p.getToken());
    // Assess
    expect(err).toBeInstanceOf(TokenError);
    expect((err as TokenError).code).toBe('auth-unavailable');
    expect((err as TokenError).retryAt).toBe(T0 + 2_000);
    expect(h.auth.calls).toBe(1);
    expect(h.sleeps).toEqual([]);
  });

  it('counts a token read back from its own store as one from memory, not from the fleet', async () => {
    // Prepare: a token handed out, then invalidated in this container only (the store keeps it).
    const store = memoryTokenStore();
    const h = tokenHarness(store);
    const p = h.provider();
    const token = await p.getToken();
    const q = h.provider();
    // Act
    const read = await q.getToken();
    // Assess
    expect(read).toBe(token);
    expect(q.stats).toMatchObject({ memory: 1, shared: 0, auth: 0 });
    expect(q.lastOrigin).toBe('memory');
  });
});

describe("one container while the table is down, with 'local-auth'", () => {
  it('paces its own auth calls as the fleet would', async () => {
    // Prepare
    const store = throttledStore();
    const h = tokenHarness(store);
    const p = h.provider({ storeUnavailable: 'local-auth', storeRetryMs: 0, minAuthIntervalMs: 1_100 });
    const first = await p.getToken();
    // Act
    await p.invalidate(first);
    const second = await p.getToken();
    // Assess
    expect([first, second]).toEqual(['token-1', 'token-2']);
    expect((h.auth.callTimes[1] ?? 0) - (h.auth.callTimes[0] ?? 0)).toBeGreaterThanOrEqual(1_100);
    expect(p.stats.fallbacks).toBe(2);
  });

  it('remembers a 429 in the container: no auth call until the block ends, then one', async () => {
    // Prepare
    const h = tokenHarness(throttledStore());
    h.auth.behaviour = async (call) => {
      if (call === 1) throw new AuthCallError({ kind: 'rate-limited', status: 429, retryAfterMs: 30_000 });
      return { accessToken: `token-${call}`, expiresAt: h.clock.t + 300_000 };
    };
    const p = h.provider({ storeUnavailable: 'local-auth', storeRetryMs: 0 });
    // Act
    const blocked = await settled(p.getToken());
    h.clock.t = T0 + 29_999;
    const stillBlocked = await settled(p.getToken());
    h.clock.t = T0 + 30_000;
    const token = await p.getToken();
    // Assess
    expect((blocked as TokenError).code).toBe('auth-blocked');
    expect((blocked as TokenError).retryAt).toBe(T0 + 30_000);
    expect((stillBlocked as TokenError).code).toBe('auth-blocked');
    expect(token).toBe('token-2');
    expect(h.auth.calls).toBe(2);
  });

  it('after the table answers again, the fleet store is used and the retry budget is back', async () => {
    // Prepare: the fleet store fails once for good (one attempt, then the local store), then works.
    const fleet = { ...memoryTokenStore(), scope: 'fleet' as const };
    let down = true;
    const flaky: TokenStore = {
      ...fleet,
      read: async (key) => {
        if (down) {
          const err = new Error('reset');
          err.name = 'TimeoutError';
          throw err;
        }
        return fleet.read(key);
      },
    };
    const h = tokenHarness(flaky);
    const p = h.provider({ storeUnavailable: 'local-auth', storeRetryMs: 0, skewMs: 0 });
    expect(await p.getToken()).toBe('token-1');
    // Act: the held token runs out after the table is back.
    down = false;
    h.clock.t = T0 + 300_000;
    const token = await p.getToken();
    // Assess
    expect(token).toBe('token-2');
    expect((await fleet.read(KEY)).token).toBe('token-2');
    expect(p.stats.fallbacks).toBe(1);
  });
});
