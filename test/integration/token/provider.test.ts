// The shared token provider against a real DynamoDB wire protocol (dynalite), with the auth call
// replaced at its boundary by a controllable function, and a fake clock.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CredentialsSource } from '#lib/token/credentials.ts';
import { TokenError } from '#lib/token/errors.ts';
import { AuthCallError, type Credentials, type IssuedToken, type requestToken } from '#lib/token/oauth.ts';
import { SharedTokenProvider, type TokenMetricName, type TokenProviderTuning } from '#lib/token/provider.ts';
import { dynamoTokenStore, type TokenStore, tokenItemKey } from '#lib/token/shared-store.ts';
import { type EmbeddedDynamo, LOCAL_AWS, startDynalite } from '#local/dynalite.ts';
import { type DynamoProxy, startDynamoProxy } from '#local/dynamo-proxy.ts';
import { recordingLog } from '#local/recording-log.ts';

const OAUTH = { tokenUrl: 'http://auth.invalid/oauth/token', audience: 'api.cloud.camunda.io' };
const T0 = Date.parse('2026-11-27T02:00:00Z');

let db: EmbeddedDynamo;
beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => {
  await db.close();
});

interface Harness {
  clock: { t: number };
  store: TokenStore;
  auth: ReturnType<typeof fakeAuth>;
  secret: { value: string };
  provider(overrides?: Partial<TokenProviderTuning>): SharedTokenProvider;
  metrics: TokenMetricName[];
  log: ReturnType<typeof recordingLog>;
  sleeps: number[];
}

type AuthBehaviour = (call: number, credentials: Credentials) => Promise<IssuedToken>;

function fakeAuth(clock: { t: number }) {
  const state = {
    calls: 0,
    lifetimeMs: 300_000,
    behaviour: undefined as AuthBehaviour | undefined,
  };
  const fn: typeof requestToken = async (_settings, credentials) => {
    state.calls++;
    if (state.behaviour) return state.behaviour(state.calls, credentials);
    return { accessToken: `token-${state.calls}`, expiresAt: clock.t + state.lifetimeMs };
  };
  return Object.assign(state, { fn });
}

async function harness(tuning: Partial<TokenProviderTuning> = {}): Promise<Harness> {
  const tableName = await db.createTable();
  const clock = { t: T0 };
  const auth = fakeAuth(clock);
  const store = dynamoTokenStore(db.client, tableName);
  const secret = { value: 'secret-1' };
  const credentials: CredentialsSource = {
    describe: 'test credentials',
    get: async () => ({ clientId: 'client-a', clientSecret: secret.value }),
    reload: async () => ({ clientId: 'client-a', clientSecret: secret.value }),
  };
  const metrics: TokenMetricName[] = [];
  const log = recordingLog();
  const sleeps: number[] = [];
  return {
    clock,
    store,
    auth,
    secret,
    metrics,
    log,
    sleeps,
    provider: (overrides = {}) =>
      new SharedTokenProvider({
        credentials,
        oauth: OAUTH,
        store,
        requestToken: auth.fn,
        now: () => clock.t,
        // Waiting advances the fake clock, then yields so other instances progress.
        sleep: async (ms) => {
          sleeps.push(ms);
          clock.t += ms;
          await new Promise((r) => setTimeout(r, 1));
        },
        log,
        metrics: { count: (name) => metrics.push(name) },
        tuning: { ...tuning, ...overrides },
      }),
  };
}

const KEY = tokenItemKey('client-a', OAUTH.audience, OAUTH.tokenUrl);

describe('shared token provider', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });

  it('fetches once, then serves other instances from the table and itself from memory', async () => {
    // Prepare
    const first = h.provider();
    const second = h.provider();
    // Act
    const a = await first.getToken();
    const b = await second.getToken();
    const c = await first.getToken();
    // Assess
    expect([a, b, c]).toEqual(['token-1', 'token-1', 'token-1']);
    expect(h.auth.calls).toBe(1);
    expect(first.stats).toMatchObject({ auth: 1, memory: 1, shared: 0 });
    expect(second.stats).toMatchObject({ shared: 1, auth: 0 });
    expect(second.lastOrigin).toBe('shared');
  });

  it('makes one auth call when 50 cold instances ask at once', async () => {
    // Prepare
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    h.auth.behaviour = async (call) => {
      await gate;
      return { accessToken: `token-${call}`, expiresAt: h.clock.t + 300_000 };
    };
    const instances = Array.from({ length: 50 }, () => h.provider());
    // Act
    const pending = instances.map((p) => p.getToken());
    await new Promise((r) => setTimeout(r, 50));
    release();
    const tokens = await Promise.all(pending);
    // Assess
    expect(h.auth.calls).toBe(1);
    expect(new Set(tokens)).toEqual(new Set(['token-1']));
  });

  it('an instance that read "no token" cannot take the lease once another one has published (no second auth call)', async () => {
    // Prepare: B reads the empty item, then, before B asks for the lease, A fetches and publishes a token.
    const a = h.provider();
    const racingStore: TokenStore = {
      ...h.store,
      async tryLease(key, request) {
        await a.getToken();
        return h.store.tryLease(key, request);
      },
    };
    const b = new SharedTokenProvider({
      credentials: {
        describe: 't',
        get: async () => ({ clientId: 'client-a', clientSecret: 'secret-1' }),
        reload: async () => ({ clientId: 'client-a', clientSecret: 'secret-1' }),
      },
      oauth: OAUTH,
      store: racingStore,
      requestToken: h.auth.fn,
      now: () => h.clock.t,
      sleep: async (ms) => {
        h.clock.t += ms;
      },
      // No floor between auth calls: only the needs-refresh condition can stop B.
      tuning: { minAuthIntervalMs: 0 },
    });
    // Act
    const token = await b.getToken();
    // Assess: the lease condition saw that the stored token no longer needs refreshing.
    expect(token).toBe('token-1');
    expect(h.auth.calls).toBe(1);
    expect(b.stats).toMatchObject({ auth: 0, shared: 1 });
  });

  it('stores the expiry minus the skew margin and treats an expired shared token as absent', async () => {
    // Prepare
    const p = h.provider({ skewMs: 30_000 });
    await p.getToken();
    // Act
    const stored = await h.store.read(KEY);
    h.clock.t = T0 + 300_000 - 29_000; // inside the skew margin: expired for us
    const fresh = await h.provider().getToken();
    // Assess
    expect(stored.expiresAt).toBe(T0 + 300_000 - 30_000);
    expect(fresh).toBe('token-2');
    expect(h.auth.calls).toBe(2);
  });

  it('refreshes ahead in one instance while every caller keeps using the valid token', async () => {
    // Prepare: 50 warm instances holding token-1, then time moves into the refresh window.
    const instances = Array.from({ length: 50 }, () => h.provider({ refreshWindowMs: 60_000, skewMs: 0 }));
    for (const p of instances) await p.getToken();
    expect(h.auth.calls).toBe(1);
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    h.auth.behaviour = async (call) => {
      await gate;
      return { accessToken: `token-${call}`, expiresAt: h.clock.t + 300_000 };
    };
    h.clock.t = T0 + 300_000 - 30_000;
    // Act: every caller gets an answer while the refresh is still blocked in the auth call.
    const during = await Promise.all(instances.map((p) => p.getToken()));
    await new Promise((r) => setTimeout(r, 100));
    release();
    await Promise.all(instances.map((p) => p.settle()));
    // Each warm instance picks the new token up from the table in its own background read.
    h.clock.t += 1_500;
    await Promise.all(instances.map((p) => p.getToken()));
    await Promise.all(instances.map((p) => p.settle()));
    const after = await Promise.all(instances.map((p) => p.getToken()));
    // Assess
    expect(new Set(during)).toEqual(new Set(['token-1']));
    expect(h.sleeps).toEqual([]);
    expect(h.auth.calls).toBe(2);
    expect(new Set(after)).toEqual(new Set(['token-2']));
    expect(instances.reduce((n, p) => n + p.stats.auth, 0)).toBe(2);
  });

  it('lets another instance take over a lease whose holder died, once the lease expires', async () => {
    // Prepare: a holder took the lease and never came back.
    const dead = await h.store.tryLease(KEY, {
      owner: 'dead-instance',
      now: h.clock.t,
      leaseMs: 6_000,
      refreshBefore: h.clock.t,
      fingerprint: 'x',
      lastAuthBefore: h.clock.t,
    });
    expect(dead).toBeDefined();
    const p = h.provider({ leaseMs: 6_000, maxWaitMs: 20_000, minAuthIntervalMs: 0 });
    // Act
    const token = await p.getToken();
    // Assess
    expect(token).toBe('token-1');
    expect(h.clock.t - T0).toBeGreaterThanOrEqual(6_000);
    expect(p.stats.takeovers).toBe(1);
    expect(p.stats.waits).toBeGreaterThan(0);
    expect(h.metrics).toContain('LeaseTakeovers');
    // The dead holder cannot publish any more: its lease is fenced off.
    expect(await h.store.publish(KEY, 'dead-instance', 'stale', h.clock.t + 1e6, h.clock.t)).toBeUndefined();
    expect((await h.store.read(KEY)).token).toBe('token-1');
  });

  it('gives up waiting before the function runs out of time', async () => {
    // Prepare: a live lease held by somebody else, and 3 s left in the invocation.
    await h.store.tryLease(KEY, {
      owner: 'other',
      now: h.clock.t,
      leaseMs: 60_000,
      refreshBefore: h.clock.t,
      fingerprint: 'x',
      lastAuthBefore: h.clock.t,
    });
    const started = h.clock.t;
    const p = new SharedTokenProvider({
      credentials: {
        describe: 't',
        get: async () => ({ clientId: 'client-a', clientSecret: 's' }),
        reload: async () => ({ clientId: 'client-a', clientSecret: 's' }),
      },
      oauth: OAUTH,
      store: h.store,
      requestToken: h.auth.fn,
      now: () => h.clock.t,
      sleep: async (ms) => {
        h.clock.t += ms;
      },
      remainingTimeMs: () => 3_000 - (h.clock.t - started),
      tuning: { deadlineMarginMs: 1_000, maxWaitMs: 60_000 },
    });
    // Act
    const err = await p.getToken().catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(TokenError);
    expect((err as TokenError).code).toBe('wait-timeout');
    expect(h.clock.t - started).toBeLessThanOrEqual(2_000);
    expect(h.auth.calls).toBe(0);
    // The message states the wait that really happened (about 2 s here), not a figure of 0–1 s.
    const stated = Number(/after waiting ([\d.]+) s/.exec((err as TokenError).message)?.[1]);
    expect(stated).toBeCloseTo((h.clock.t - started) / 1000, 1);
    expect(stated).toBeGreaterThan(1.5);
  });

  it('an auth answer arriving after the timeout is published and used by every waiting instance', async () => {
    // Prepare: the holder's auth call times out; its answer (a freshly minted token) arrives a moment later.
    let deliver: () => void = () => {};
    const arrived = new Promise<void>((r) => {
      deliver = r;
    });
    h.auth.behaviour = async () => {
      const late = arrived.then(() => ({ accessToken: 'token-late', expiresAt: h.clock.t + 300_000 }));
      throw new AuthCallError({ kind: 'unavailable', detail: 'timed out' }, { late });
    };
    const instances = Array.from({ length: 10 }, () =>
      h.provider({ maxWaitMs: 120_000, authLateMs: 60_000 }),
    );
    // Act: all ask at once; the late answer arrives once the failure is on record, within everybody's budget.
    const pending = instances.map((p) => p.getToken().catch((e: unknown) => e));
    while ((await h.store.read(KEY)).blockedUntil === undefined) await new Promise((r) => setTimeout(r, 2));
    deliver();
    const answers = await Promise.all(pending);
    // Assess
    expect(answers).toEqual(Array.from({ length: 10 }, () => 'token-late'));
    expect(h.auth.calls).toBe(1);
    expect((await h.store.read(KEY)).token).toBe('token-late');
  });

  it('an auth timeout without a late answer: waiters keep waiting, one instance retries after the shared pause', async () => {
    // Prepare: the first auth call times out for good, the second one works.
    h.auth.behaviour = async (call) => {
      if (call === 1) throw new AuthCallError({ kind: 'unavailable', detail: 'timed out' });
      return { accessToken: `token-${call}`, expiresAt: h.clock.t + 300_000 };
    };
    const instances = Array.from({ length: 10 }, () =>
      h.provider({ maxWaitMs: 60_000, unavailableFloorMs: 2_000 }),
    );
    // Act
    const answers = await Promise.all(instances.map((p) => p.getToken().catch((e: unknown) => e)));
    // Assess: nobody failed while it had budget, and the fleet asked twice in all, not once per instance.
    expect(answers).toEqual(Array.from({ length: 10 }, () => 'token-2'));
    expect(h.auth.calls).toBe(2);
  });

  it('an auth outage longer than the wait budget fails fast with the shared pause, not after waiting', async () => {
    // Prepare: the shared pause after the failure ends after every caller's deadline.
    h.auth.behaviour = async () => {
      throw new AuthCallError({ kind: 'unavailable', status: 503, detail: 'HTTP 503' });
    };
    const instances = Array.from({ length: 5 }, () =>
      h.provider({ maxWaitMs: 3_000, unavailableFloorMs: 10_000 }),
    );
    // Act
    const answers = await Promise.all(instances.map((p) => p.getToken().catch((e: unknown) => e)));
    // Assess
    for (const a of answers) expect((a as TokenError).code).toBe('auth-unavailable');
    expect(h.auth.calls).toBe(1);
  });

  it('after a 429 nobody calls the auth server until the block ends; holders of a valid token carry on', async () => {
    // Prepare: one instance holds a token in its refresh window, the auth server starts answering 429.
    const holder = h.provider({ refreshWindowMs: 60_000, skewMs: 0 });
    await holder.getToken();
    h.clock.t = T0 + 300_000 - 20_000;
    h.auth.behaviour = async () => {
      throw new AuthCallError({ kind: 'rate-limited', status: 429, retryAfterMs: 120_000 });
    };
    // Act: the holder's background refresh hits the 429 and records the block.
    expect(await holder.getToken()).toBe('token-1');
    await holder.settle();
    const callsAfterBlock = h.auth.calls;
    h.clock.t += 25_000; // token-1 now expired for everybody
    const cold = Array.from({ length: 20 }, () => h.provider({ skewMs: 0 }));
    const errors = await Promise.all(cold.map((p) => p.getToken().catch((e: unknown) => e)));
    // Assess
    expect(callsAfterBlock).toBe(2);
    expect(h.auth.calls).toBe(2);
    for (const e of errors) {
      expect(e).toBeInstanceOf(TokenError);
      expect((e as TokenError).code).toBe('auth-blocked');
      expect((e as TokenError).retryAt).toBe(T0 + 300_000 - 20_000 + 120_000);
    }
    expect(h.sleeps).toEqual([]);
    // After the block ends, one instance gets a token again.
    h.auth.behaviour = undefined;
    h.clock.t = T0 + 300_000 - 20_000 + 120_001;
    expect(await cold[0]?.getToken()).toBe('token-3');
    expect(h.auth.calls).toBe(3);
  });

  it('backs off exponentially after 429s without Retry-After', async () => {
    // Prepare
    h.auth.behaviour = async () => {
      throw new AuthCallError({ kind: 'rate-limited', status: 429 });
    };
    const p = h.provider({ blockFloorMs: 10_000 });
    // Act
    const first = (await p.getToken().catch((e: unknown) => e)) as TokenError;
    h.clock.t = first.retryAt ?? 0;
    const second = (await p.getToken().catch((e: unknown) => e)) as TokenError;
    // Assess
    expect(first.retryAt).toBe(T0 + 10_000);
    expect(second.retryAt).toBe(T0 + 10_000 + 20_000);
    expect(h.auth.calls).toBe(2);
  });

  it('a short Retry-After on repeated 429s does not stop the backoff from growing', async () => {
    // Prepare: the auth server keeps answering 429 with "Retry-After: 1" (never rely on the header).
    h.auth.behaviour = async () => {
      throw new AuthCallError({ kind: 'rate-limited', status: 429, retryAfterMs: 1_000 });
    };
    const p = h.provider({ blockFloorMs: 10_000 });
    // Act
    const retryAts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const err = (await p.getToken().catch((e: unknown) => e)) as TokenError;
      retryAts.push(err.retryAt ?? 0);
      h.clock.t = err.retryAt ?? h.clock.t;
    }
    // Assess: 10 s, then 20 s, then 40 s; the hint is a minimum, not a replacement for the backoff.
    expect(retryAts).toEqual([T0 + 10_000, T0 + 30_000, T0 + 70_000]);
    expect(h.auth.calls).toBe(3);
  });

  // When the Console rejects every token (a wrong CAMUNDA_CONSOLE_OAUTH_AUDIENCE, or a client the Console
  // revoked while the auth server still issues tokens), each Console call would invalidate the shared token
  // and the next would fetch a new one: the whole IP's auth budget for as long as jobs run. Shared
  // invalidations are capped at one per `invalidationIntervalMs` (30 s) per credential.
  it('a Console that rejects every token does not turn each Console call into an auth call', async () => {
    // Prepare
    const instances = Array.from({ length: 3 }, () => h.provider());
    // Act: 60 Console calls over a minute, each answered 401, each followed by the client's one refresh.
    for (let i = 0; i < 20; i++) {
      for (const p of instances) {
        const token = await p.getToken();
        await p.invalidate(token);
        await p.getToken();
      }
      h.clock.t += 3_000;
    }
    // Assess
    expect(h.auth.calls).toBeLessThanOrEqual(5);
  });

  it('after a 401 no instance tries the same secret again; a changed secret is tried once', async () => {
    // Prepare
    h.auth.behaviour = async (_call, credentials) => {
      if (credentials.clientSecret === 'secret-1') throw new AuthCallError({ kind: 'rejected', status: 401 });
      return { accessToken: 'token-new', expiresAt: h.clock.t + 300_000 };
    };
    // Act
    const firstError = await h
      .provider()
      .getToken()
      .catch((e: unknown) => e);
    const later = await Promise.all(
      Array.from({ length: 20 }, () =>
        h
          .provider()
          .getToken()
          .catch((e: unknown) => e),
      ),
    );
    // Assess
    expect(h.auth.calls).toBe(1);
    expect(firstError).toBeInstanceOf(TokenError);
    expect((firstError as TokenError).code).toBe('credentials-rejected');
    expect((firstError as TokenError).message).toMatch(
      /client id 'client-a'.*Fix the credentials in test credentials/,
    );
    for (const e of later) expect((e as TokenError).code).toBe('credentials-rejected');
    expect(h.sleeps).toEqual([]);
    // The secret is rotated: a fresh container tries the new one, once.
    h.secret.value = 'secret-2';
    h.clock.t += 1_200;
    const tokens = await Promise.all(Array.from({ length: 5 }, () => h.provider().getToken()));
    expect(new Set(tokens)).toEqual(new Set(['token-new']));
    expect(h.auth.calls).toBe(2);
  });

  it('a Console 401 invalidates only that token version and leads to one refresh, not one per instance', async () => {
    // Prepare
    const instances = Array.from({ length: 10 }, () => h.provider({ minAuthIntervalMs: 1_000 }));
    const tokens = await Promise.all(instances.map((p) => p.getToken()));
    expect(h.auth.calls).toBe(1);
    h.clock.t += 2_000;
    // Act: every instance gets a 401 for token-1 at once.
    await Promise.all(instances.map((p, i) => p.invalidate(tokens[i] ?? '')));
    const fresh = await Promise.all(instances.map((p) => p.getToken()));
    // A late 401 for the old token must not delete the new one.
    await instances[0]?.invalidate('token-1');
    const survivor = await h.store.read(KEY);
    // Assess
    expect(h.auth.calls).toBe(2);
    expect(new Set(fresh)).toEqual(new Set(['token-2']));
    expect(survivor.token).toBe('token-2');
  });

  it('never logs the token or the secret', async () => {
    // Prepare
    h.auth.behaviour = async (call) => {
      if (call === 1) throw new AuthCallError({ kind: 'rejected', status: 401 });
      return { accessToken: 'eyJhbGciOi.secret-token-value.sig', expiresAt: h.clock.t + 300_000 };
    };
    // Act
    await h
      .provider()
      .getToken()
      .catch(() => undefined);
    h.secret.value = 'secret-2';
    h.clock.t += 2_000;
    const p = h.provider();
    const token = await p.getToken();
    await p.invalidate(token);
    // Assess
    const logged = JSON.stringify(h.log.lines);
    expect(h.log.lines.length).toBeGreaterThan(2);
    expect(logged).not.toContain('secret-token-value');
    expect(logged).not.toContain('secret-1');
    expect(logged).not.toContain('secret-2');
  });
});

describe('when DynamoDB is unavailable or throttled', () => {
  let proxy: DynamoProxy;
  let client: DynamoDBClient;
  let tableName: string;
  beforeAll(async () => {
    proxy = await startDynamoProxy(db.endpoint);
    client = new DynamoDBClient({ endpoint: proxy.endpoint, ...LOCAL_AWS, maxAttempts: 2 });
    tableName = await db.createTable();
  });
  afterAll(async () => {
    client.destroy();
    await proxy.close();
  });
  beforeEach(() => proxy.clear());

  function providerVia(
    dynamo: DynamoDBClient,
    auth: ReturnType<typeof fakeAuth>,
    clock: { t: number },
    tuning: Partial<TokenProviderTuning> = {},
  ) {
    const log = recordingLog();
    const metrics: TokenMetricName[] = [];
    const sleeps: number[] = [];
    const provider = new SharedTokenProvider({
      credentials: {
        describe: 't',
        get: async () => ({ clientId: 'c', clientSecret: 's' }),
        reload: async () => ({ clientId: 'c', clientSecret: 's' }),
      },
      oauth: OAUTH,
      store: dynamoTokenStore(dynamo, tableName),
      requestToken: auth.fn,
      now: () => clock.t,
      sleep: async (ms) => {
        sleeps.push(ms);
        clock.t += ms;
      },
      log,
      metrics: { count: (n) => metrics.push(n) },
      tuning,
    });
    return { provider, log, metrics, sleeps };
  }

  const C_KEY = tokenItemKey('c', OAUTH.audience, OAUTH.tokenUrl);

  it('a store that stays unreadable: retried with backoff within the budget, then a clear error and no auth call', async () => {
    // Prepare: every DynamoDB call fails (a regional outage); the default policy.
    proxy.fail('*', 'internal');
    const clock = { t: T0 };
    const auth = fakeAuth(clock);
    const { provider, metrics, sleeps } = providerVia(client, auth, clock, { storeRetryMs: 3_000 });
    const readsBefore = proxy.calls.GetItem ?? 0;
    // Act
    const err = await provider.getToken().catch((e: unknown) => e);
    const storeCallsFirst = (proxy.calls.GetItem ?? 0) - readsBefore;
    const sleptFirst = sleeps.length;
    const again = await provider.getToken().catch((e: unknown) => e);
    // Assess: retried (more than one read, with pauses), within the budget, then given up without auth.
    expect(err).toBeInstanceOf(TokenError);
    expect((err as TokenError).code).toBe('store-unavailable');
    expect((err as TokenError).message).toMatch(/token store .*unreachable/);
    expect((err as TokenError).message).toMatch(/not asking Camunda's auth server/);
    expect(auth.calls).toBe(0);
    expect(storeCallsFirst).toBeGreaterThan(2);
    expect(sleptFirst).toBeGreaterThan(1);
    expect(clock.t - T0).toBeLessThanOrEqual(3_000);
    expect(metrics).toContain('SharedCacheUnavailable');
    // While the store stays down the next request fails fast: one more read, no pause, no auth call.
    expect((again as TokenError).code).toBe('store-unavailable');
    expect(sleeps.length).toBe(sleptFirst);
    expect(auth.calls).toBe(0);
  });

  it('a store error is never retried past the caller’s own wait budget', async () => {
    // Prepare
    proxy.fail('*', 'internal');
    const clock = { t: T0 };
    const auth = fakeAuth(clock);
    const { provider } = providerVia(client, auth, clock, { storeRetryMs: 60_000, maxWaitMs: 1_500 });
    // Act
    const err = await provider.getToken().catch((e: unknown) => e);
    // Assess
    expect((err as TokenError).code).toBe('store-unavailable');
    expect(clock.t - T0).toBeLessThanOrEqual(1_500);
    expect(auth.calls).toBe(0);
  });

  it('a throttled token item is retried with backoff and then served: one auth call, no fallback', async () => {
    // Prepare: the token item's reads and lease writes are throttled a few times (a hot key), then work.
    proxy.fail('GetItem', 'provisioned', 4, C_KEY);
    proxy.fail('UpdateItem', 'throttle', 3, C_KEY);
    const clock = { t: T0 };
    const auth = fakeAuth(clock);
    const { provider, sleeps } = providerVia(client, auth, clock);
    // Act
    const token = await provider.getToken();
    // Assess
    expect(token).toBe('token-1');
    expect(auth.calls).toBe(1);
    expect(provider.stats.fallbacks).toBe(0);
    expect(sleeps.length).toBeGreaterThan(0);
    expect((await dynamoTokenStore(db.client, tableName).read(C_KEY)).token).toBe('token-1');
  });

  it('a store that refuses the request (no such table) fails at once, without retries or auth', async () => {
    // Prepare: a table that does not exist.
    const clock = { t: T0 };
    const auth = fakeAuth(clock);
    const provider = new SharedTokenProvider({
      credentials: {
        describe: 't',
        get: async () => ({ clientId: 'c', clientSecret: 's' }),
        reload: async () => ({ clientId: 'c', clientSecret: 's' }),
      },
      oauth: OAUTH,
      store: dynamoTokenStore(db.client, 'no-such-table'),
      requestToken: auth.fn,
      now: () => clock.t,
      sleep: async (ms) => {
        clock.t += ms;
      },
    });
    // Act
    const err = await provider.getToken().catch((e: unknown) => e);
    // Assess
    expect((err as TokenError).code).toBe('store-unavailable');
    expect((err as TokenError).message).toMatch(/ResourceNotFoundException/);
    expect(clock.t).toBe(T0);
    expect(auth.calls).toBe(0);
  });

  describe("with storeUnavailable: 'local-auth' (opt-in)", () => {
    it('falls back to one token per container with a warning and a metric, not an auth call per invocation', async () => {
      // Prepare: every DynamoDB call is throttled.
      proxy.fail('*', 'throttle');
      const clock = { t: T0 };
      const auth = fakeAuth(clock);
      const { provider, log, metrics } = providerVia(client, auth, clock, {
        storeUnavailable: 'local-auth',
        storeRetryMs: 500,
      });
      // Act: 20 invocations in one container.
      const tokens: string[] = [];
      for (let i = 0; i < 20; i++) tokens.push(await provider.getToken());
      // Assess
      expect(auth.calls).toBe(1);
      expect(new Set(tokens)).toEqual(new Set(['token-1']));
      expect(provider.stats).toMatchObject({ auth: 1, memory: 19, fallbacks: 1 });
      expect(metrics).toContain('SharedCacheUnavailable');
      expect(
        log.lines.some((l) => l.level === 'warn' && l.message.includes('shared token cache unavailable')),
      ).toBe(true);
    });

    it('falls back when the table cannot be reached at all', async () => {
      // Prepare: a client pointed at a closed port.
      const dead = new DynamoDBClient({ endpoint: 'http://127.0.0.1:9', ...LOCAL_AWS, maxAttempts: 1 });
      const clock = { t: T0 };
      const auth = fakeAuth(clock);
      const { provider } = providerVia(dead, auth, clock, {
        storeUnavailable: 'local-auth',
        storeRetryMs: 0,
      });
      // Act
      const a = await provider.getToken();
      const b = await provider.getToken();
      // Assess
      expect([a, b]).toEqual(['token-1', 'token-1']);
      expect(auth.calls).toBe(1);
      dead.destroy();
    });

    it('while the table is down, an auth server outage is reported as one, not as a 429', async () => {
      // Prepare
      proxy.fail('*', 'internal');
      const clock = { t: T0 };
      const auth = fakeAuth(clock);
      auth.behaviour = async () => {
        throw new AuthCallError({ kind: 'unavailable', status: 503, detail: 'HTTP 503' });
      };
      const { provider } = providerVia(client, auth, clock, {
        storeUnavailable: 'local-auth',
        storeRetryMs: 0,
      });
      // Act
      const first = await provider.getToken().catch((e: unknown) => e);
      clock.t += 500;
      const second = await provider.getToken().catch((e: unknown) => e);
      // Assess
      expect((first as TokenError).code).toBe('auth-unavailable');
      expect((second as TokenError).code).toBe('auth-unavailable');
      expect((second as TokenError).message).not.toMatch(/429/);
      expect(auth.calls).toBe(1);
    });

    it('keeps its in-container failure memory while the table is down: a 429 blocks the next attempts', async () => {
      // Prepare
      proxy.fail('*', 'internal');
      const clock = { t: T0 };
      const auth = fakeAuth(clock);
      auth.behaviour = async () => {
        throw new AuthCallError({ kind: 'rate-limited', status: 429, retryAfterMs: 30_000 });
      };
      const { provider } = providerVia(client, auth, clock, {
        storeUnavailable: 'local-auth',
        storeRetryMs: 0,
      });
      // Act
      const first = await provider.getToken().catch((e: unknown) => e);
      clock.t += 10_000;
      const second = await provider.getToken().catch((e: unknown) => e);
      // Assess
      expect((first as TokenError).code).toBe('auth-blocked');
      expect((second as TokenError).code).toBe('auth-blocked');
      expect(auth.calls).toBe(1);
    });
  });
});

describe('tokens handed out with little life left', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });

  /** Five warm instances, each asked for a token once a second; returns what they got. */
  async function runFleet(instances: SharedTokenProvider[], seconds: number): Promise<unknown[]> {
    const answers: unknown[] = [];
    for (let s = 0; s < seconds; s++) {
      for (const p of instances) answers.push(await p.getToken().catch((e: unknown) => e));
      await Promise.all(instances.map((p) => p.settle()));
      h.clock.t += 1_000;
    }
    return answers;
  }

  it('a token whose whole life is shorter than the refresh window is refreshed at half-life, not every second', async () => {
    // Prepare: 80 s tokens, 30 s skew margin: 50 s usable, inside the 60 s refresh window as issued.
    h.auth.lifetimeMs = 80_000;
    const instances = Array.from({ length: 5 }, () =>
      h.provider({ skewMs: 30_000, refreshWindowMs: 60_000 }),
    );
    // Act
    const answers = await runFleet(instances, 120);
    // Assess: one refresh about every 25 s (5 in 120 s), never one per second; nobody waited or failed.
    expect(answers.filter((a) => typeof a !== 'string')).toEqual([]);
    expect(h.auth.calls).toBeLessThanOrEqual(6);
    expect(h.sleeps).toEqual([]);
  });

  it('a cached token handed back part-way through its life keeps the fleet served with few auth calls', async () => {
    // Prepare: an auth server like Camunda's that hands back its cached token while it has ≥ 1 s left.
    let cached: IssuedToken | undefined;
    h.auth.behaviour = async (call) => {
      if (cached && cached.expiresAt - h.clock.t >= 1_000) return cached;
      cached = { accessToken: `token-${call}`, expiresAt: h.clock.t + 300_000 };
      return cached;
    };
    const instances = Array.from({ length: 5 }, () =>
      h.provider({ skewMs: 30_000, refreshWindowMs: 60_000 }),
    );
    // Act: past the end of the first token's life.
    const answers = await runFleet(instances, 400);
    // Assess: no caller ever went without a token (inside the skew margin the cached token is still
    // usable for part of what is left), and the refreshes ahead of expiry thin out instead of hammering.
    expect(answers.filter((a) => typeof a !== 'string')).toEqual([]);
    expect(h.auth.calls).toBeLessThanOrEqual(15);
    expect(new Set(answers)).toEqual(new Set(['token-1', expect.stringMatching(/^token-\d+$/)]));
  });

  it('a token that expires almost at once is reported as a bad answer, not as an auth server outage', async () => {
    // Prepare
    h.auth.behaviour = async () => ({ accessToken: 'nearly-dead', expiresAt: h.clock.t + 500 });
    // Act
    const err = await h
      .provider()
      .getToken()
      .catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(TokenError);
    expect((err as TokenError).code).toBe('auth-bad-response');
    expect((err as TokenError).message).not.toMatch(/failed to answer/);
  });
});

describe('abort signals', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });

  it("one caller's abort neither fails the other callers sharing the token request nor records an auth outage", async () => {
    // Prepare: the auth call behaves like fetch: it ends early with 'unavailable' when its signal aborts.
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let calls = 0;
    const abortable: typeof requestToken = async (_settings, _credentials, options) => {
      calls++;
      await new Promise<void>((resolve, reject) => {
        options?.signal?.addEventListener('abort', () =>
          reject(new AuthCallError({ kind: 'unavailable', detail: 'connection failed: aborted' })),
        );
        void gate.then(resolve);
      });
      return { accessToken: 'token-shared', expiresAt: h.clock.t + 300_000 };
    };
    const p = new SharedTokenProvider({
      credentials: {
        describe: 't',
        get: async () => ({ clientId: 'client-a', clientSecret: 'secret-1' }),
        reload: async () => ({ clientId: 'client-a', clientSecret: 'secret-1' }),
      },
      oauth: OAUTH,
      store: h.store,
      requestToken: abortable,
      now: () => h.clock.t,
      metrics: { count: (name) => h.metrics.push(name) },
    });
    const impatient = new AbortController();
    // Act
    const first = p.getToken(impatient.signal).catch((e: unknown) => e);
    const second = p.getToken().catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 20));
    impatient.abort(new Error('caller gave up'));
    const firstResult = await first;
    release();
    const secondResult = await second;
    const shared = await h.store.read(KEY);
    // Assess
    expect((firstResult as Error).message).toBe('caller gave up');
    expect(secondResult).toBe('token-shared');
    expect(calls).toBe(1);
    expect(shared.blockedUntil).toBeUndefined();
    expect(shared.token).toBe('token-shared');
    expect(h.metrics).not.toContain('AuthUnavailable');
  });
});
