// The token provider across a fleet of containers sharing the DynamoDB item (dynalite): one auth call for
// many cold instances, the lease and its takeover, the refresh ahead of expiry, the wait budget, Console
// 401s, and abort signals.
import { describe, expect, it } from 'vitest';
import { TokenError } from '#lib/token/errors.ts';
import { AuthCallError, type requestToken } from '#lib/token/oauth.ts';
import type { TokenStore } from '#lib/token/shared-store.ts';
import { gate, KEY, leaseTakenBy, T0, useDynamoHarness } from '#test/helpers/token/harness.ts';

/** The current test's harness (a fresh table each test). */
const h = useDynamoHarness();

describe('a fleet sharing one token item', () => {
  it('fetches once, then serves other instances from the table and itself from memory', async () => {
    // Prepare
    const first = h().provider();
    const second = h().provider();
    // Act
    const a = await first.getToken();
    const b = await second.getToken();
    const c = await first.getToken();
    // Assess
    expect([a, b, c]).toEqual(['token-1', 'token-1', 'token-1']);
    expect(h().auth.calls).toBe(1);
    expect(first.stats).toMatchObject({ auth: 1, memory: 1, shared: 0 });
    expect(second.stats).toMatchObject({ shared: 1, auth: 0 });
    expect(second.lastOrigin).toBe('shared');
  });

  it('makes one auth call when 50 cold instances ask at once', async () => {
    // Prepare
    const release = h().holdAuth();
    const instances = Array.from({ length: 50 }, () => h().provider());
    // Act
    const pending = instances.map((p) => p.getToken());
    await new Promise((r) => setTimeout(r, 50));
    release();
    const tokens = await Promise.all(pending);
    // Assess
    expect(h().auth.calls).toBe(1);
    expect(new Set(tokens)).toEqual(new Set(['token-1']));
  });

  it('an instance that read "no token" cannot take the lease once another one has published (no second auth call)', async () => {
    // Prepare: B reads the empty item, then, before B asks for the lease, A fetches and publishes a token.
    const a = h().provider();
    const racingStore: TokenStore = {
      ...h().store,
      async tryLease(key, request) {
        await a.getToken();
        return h().store.tryLease(key, request);
      },
    };
    // No floor between auth calls: only the needs-refresh condition can stop B.
    const b = h().provider({ minAuthIntervalMs: 0 }, { store: racingStore });
    // Act
    const token = await b.getToken();
    // Assess: the lease condition saw that the stored token no longer needs refreshing.
    expect(token).toBe('token-1');
    expect(h().auth.calls).toBe(1);
    expect(b.stats).toMatchObject({ auth: 0, shared: 1 });
  });

  it('stores the expiry minus the skew margin and treats an expired shared token as absent', async () => {
    // Prepare
    const p = h().provider({ skewMs: 30_000 });
    await p.getToken();
    // Act
    const stored = await h().store.read(KEY);
    h().clock.t = T0 + 300_000 - 29_000; // inside the skew margin: expired for us
    const fresh = await h().provider().getToken();
    // Assess
    expect(stored.expiresAt).toBe(T0 + 300_000 - 30_000);
    expect(fresh).toBe('token-2');
    expect(h().auth.calls).toBe(2);
  });

  it('refreshes ahead in one instance while every caller keeps using the valid token', async () => {
    // Prepare: 50 warm instances holding token-1, then time moves into the refresh window.
    const instances = Array.from({ length: 50 }, () => h().provider({ refreshWindowMs: 60_000, skewMs: 0 }));
    for (const p of instances) await p.getToken();
    expect(h().auth.calls).toBe(1);
    const release = h().holdAuth();
    h().clock.t = T0 + 300_000 - 30_000;
    // Act: every caller gets an answer while the refresh is still blocked in the auth call.
    const during = await Promise.all(instances.map((p) => p.getToken()));
    await new Promise((r) => setTimeout(r, 100));
    release();
    await Promise.all(instances.map((p) => p.settle()));
    // Each warm instance picks the new token up from the table in its own background read.
    h().clock.t += 1_500;
    await Promise.all(instances.map((p) => p.getToken()));
    await Promise.all(instances.map((p) => p.settle()));
    const after = await Promise.all(instances.map((p) => p.getToken()));
    // Assess
    expect(new Set(during)).toEqual(new Set(['token-1']));
    expect(h().sleeps).toEqual([]);
    expect(h().auth.calls).toBe(2);
    expect(new Set(after)).toEqual(new Set(['token-2']));
    expect(instances.reduce((n, p) => n + p.stats.auth, 0)).toBe(2);
  });

  it('lets another instance take over a lease whose holder died, once the lease expires', async () => {
    // Prepare: a holder took the lease and never came back.
    const dead = await leaseTakenBy(h().store, 'dead-instance', 6_000);
    expect(dead).toBeDefined();
    const p = h().provider({ leaseMs: 6_000, maxWaitMs: 20_000, minAuthIntervalMs: 0 });
    // Act
    const token = await p.getToken();
    // Assess
    expect(token).toBe('token-1');
    expect(h().clock.t - T0).toBeGreaterThanOrEqual(6_000);
    expect(p.stats.takeovers).toBe(1);
    expect(p.stats.waits).toBeGreaterThan(0);
    expect(h().metrics).toContain('LeaseTakeovers');
    // The dead holder cannot publish any more: its lease is fenced off.
    expect(
      await h().store.publish(KEY, 'dead-instance', 'stale', h().clock.t + 1e6, h().clock.t),
    ).toBeUndefined();
    expect((await h().store.read(KEY)).token).toBe('token-1');
  });

  it('gives up waiting before the function runs out of time', async () => {
    // Prepare: a live lease held by somebody else, and 3 s left in the invocation.
    await leaseTakenBy(h().store, 'other', 60_000);
    const started = h().clock.t;
    const p = h().provider(
      { deadlineMarginMs: 1_000, maxWaitMs: 60_000 },
      { remainingTimeMs: () => 3_000 - (h().clock.t - started) },
    );
    // Act
    const err = await p.getToken().catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(TokenError);
    expect((err as TokenError).code).toBe('wait-timeout');
    expect(h().clock.t - started).toBeLessThanOrEqual(2_000);
    expect(h().auth.calls).toBe(0);
    // The message states the wait that really happened (about 2 s here), not a figure of 0–1 s.
    const stated = Number(/after waiting ([\d.]+) s/.exec((err as TokenError).message)?.[1]);
    expect(stated).toBeCloseTo((h().clock.t - started) / 1000, 1);
    expect(stated).toBeGreaterThan(1.5);
  });

  // When the Console rejects every token (a wrong CAMUNDA_CONSOLE_OAUTH_AUDIENCE, or a client the Console
  // revoked while the auth server still issues tokens), each Console call would invalidate the shared token
  // and the next would fetch a new one: the whole IP's auth budget for as long as jobs run. Shared
  // invalidations are capped at one per `invalidationIntervalMs` (30 s) per credential.
  it('a Console that rejects every token does not turn each Console call into an auth call', async () => {
    // Prepare
    const instances = Array.from({ length: 3 }, () => h().provider());
    // Act: 60 Console calls over a minute, each answered 401, each followed by the client's one refresh.
    for (let i = 0; i < 20; i++) {
      for (const p of instances) {
        const token = await p.getToken();
        await p.invalidate(token);
        await p.getToken();
      }
      h().clock.t += 3_000;
    }
    // Assess
    expect(h().auth.calls).toBeLessThanOrEqual(5);
  });

  it('a Console 401 invalidates only that token version and leads to one refresh, not one per instance', async () => {
    // Prepare
    const instances = Array.from({ length: 10 }, () => h().provider({ minAuthIntervalMs: 1_000 }));
    const tokens = await Promise.all(instances.map((p) => p.getToken()));
    expect(h().auth.calls).toBe(1);
    h().clock.t += 2_000;
    // Act: every instance gets a 401 for token-1 at once.
    await Promise.all(instances.map((p, i) => p.invalidate(tokens[i] ?? '')));
    const fresh = await Promise.all(instances.map((p) => p.getToken()));
    // A late 401 for the old token must not delete the new one.
    await instances[0]?.invalidate('token-1');
    const survivor = await h().store.read(KEY);
    // Assess
    expect(h().auth.calls).toBe(2);
    expect(new Set(fresh)).toEqual(new Set(['token-2']));
    expect(survivor.token).toBe('token-2');
  });

  it("one caller's abort neither fails the other callers sharing the token request nor records an auth outage", async () => {
    // Prepare: the auth call behaves like fetch: it ends early with 'unavailable' when its signal aborts.
    const answer = gate();
    let calls = 0;
    const abortable: typeof requestToken = async (_settings, _credentials, options) => {
      calls++;
      await new Promise<void>((resolve, reject) => {
        options?.signal?.addEventListener('abort', () =>
          reject(new AuthCallError({ kind: 'unavailable', detail: 'connection failed: aborted' })),
        );
        void answer.opened.then(resolve);
      });
      return { accessToken: 'token-shared', expiresAt: h().clock.t + 300_000 };
    };
    const p = h().provider({}, { requestToken: abortable });
    const impatient = new AbortController();
    // Act
    const first = p.getToken(impatient.signal).catch((e: unknown) => e);
    const second = p.getToken().catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 20));
    impatient.abort(new Error('caller gave up'));
    const firstResult = await first;
    answer.open();
    const secondResult = await second;
    const shared = await h().store.read(KEY);
    // Assess
    expect((firstResult as Error).message).toBe('caller gave up');
    expect(secondResult).toBe('token-shared');
    expect(calls).toBe(1);
    expect(shared.blockedUntil).toBeUndefined();
    expect(shared.token).toBe('token-shared');
    expect(h().metrics).not.toContain('AuthUnavailable');
  });
});
