// The token provider when its store, the DynamoDB table, cannot be read or is throttled: retried within
// the budget, then a clear error and no auth call; or, with `storeUnavailable: 'local-auth'`, this
// container's own store. DynamoDB faults come from a proxy in front of dynalite.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TokenError } from '#lib/token/errors.ts';
import { AuthCallError, type AuthFailure } from '#lib/token/oauth.ts';
import { dynamoTokenStore, tokenItemKey } from '#lib/token/shared-store.ts';
import { LOCAL_AWS } from '#local/dynalite.ts';
import { type DynamoProxy, startDynamoProxy } from '#local/dynamo-proxy.ts';
import { OAUTH, T0, tokenHarness, useDynalite } from '#test/helpers/token/harness.ts';

const db = useDynalite();

describe('when DynamoDB is unavailable or throttled', () => {
  let proxy: DynamoProxy;
  let client: DynamoDBClient;
  let tableName: string;
  beforeAll(async () => {
    proxy = await startDynamoProxy(db().endpoint);
    client = new DynamoDBClient({ endpoint: proxy.endpoint, ...LOCAL_AWS, maxAttempts: 2 });
    tableName = await db().createTable();
  });
  afterAll(async () => {
    client.destroy();
    await proxy.close();
  });
  beforeEach(() => proxy.clear());

  const C_KEY = tokenItemKey('c', OAUTH.audience, OAUTH.tokenUrl);
  /** A token harness for client `c` on the table behind the proxy. */
  const harness = () => tokenHarness(dynamoTokenStore(client, tableName), { clientId: 'c' });
  /** The opt-in fallback, with no store retries (the table is down for good in these tests). */
  const LOCAL_AUTH = { storeUnavailable: 'local-auth', storeRetryMs: 0 } as const;
  /** Every DynamoDB call fails and every auth call fails with `failure`: the provider on the fallback. */
  function tableDownAuthFailing(failure: AuthFailure) {
    proxy.fail('*', 'internal');
    const h = harness();
    h.auth.behaviour = async () => {
      throw new AuthCallError(failure);
    };
    return { h, provider: h.provider(LOCAL_AUTH) };
  }

  it('a store that stays unreadable: retried with backoff within the budget, then a clear error and no auth call', async () => {
    // Prepare: every DynamoDB call fails (a regional outage); the default policy.
    proxy.fail('*', 'internal');
    const h = harness();
    const provider = h.provider({ storeRetryMs: 3_000 });
    const readsBefore = proxy.calls.GetItem ?? 0;
    // Act
    const err = await provider.getToken().catch((e: unknown) => e);
    const storeCallsFirst = (proxy.calls.GetItem ?? 0) - readsBefore;
    const sleptFirst = h.sleeps.length;
    const again = await provider.getToken().catch((e: unknown) => e);
    // Assess: retried (more than one read, with pauses), within the budget, then given up without h.auth.
    expect(err).toBeInstanceOf(TokenError);
    expect((err as TokenError).code).toBe('store-unavailable');
    expect((err as TokenError).message).toMatch(/token store .*unreachable/);
    expect((err as TokenError).message).toMatch(/not asking Camunda's auth server/);
    expect(h.auth.calls).toBe(0);
    expect(storeCallsFirst).toBeGreaterThan(2);
    expect(sleptFirst).toBeGreaterThan(1);
    expect(h.clock.t - T0).toBeLessThanOrEqual(3_000);
    expect(h.metrics).toContain('SharedCacheUnavailable');
    // While the store stays down the next request fails fast: one more read, no pause, no auth call.
    expect((again as TokenError).code).toBe('store-unavailable');
    expect(h.sleeps.length).toBe(sleptFirst);
    expect(h.auth.calls).toBe(0);
  });

  it('a store error is never retried past the caller’s own wait budget', async () => {
    // Prepare
    proxy.fail('*', 'internal');
    const h = harness();
    const provider = h.provider({ storeRetryMs: 60_000, maxWaitMs: 1_500 });
    // Act
    const err = await provider.getToken().catch((e: unknown) => e);
    // Assess
    expect((err as TokenError).code).toBe('store-unavailable');
    expect(h.clock.t - T0).toBeLessThanOrEqual(1_500);
    expect(h.auth.calls).toBe(0);
  });

  it('a throttled token item is retried with backoff and then served: one auth call, no fallback', async () => {
    // Prepare: the token item's reads and lease writes are throttled a few times (a hot key), then work.
    proxy.fail('GetItem', 'provisioned', 4, C_KEY);
    proxy.fail('UpdateItem', 'throttle', 3, C_KEY);
    const h = harness();
    const provider = h.provider();
    // Act
    const token = await provider.getToken();
    // Assess
    expect(token).toBe('token-1');
    expect(h.auth.calls).toBe(1);
    expect(provider.stats.fallbacks).toBe(0);
    expect(h.sleeps.length).toBeGreaterThan(0);
    expect((await dynamoTokenStore(db().client, tableName).read(C_KEY)).token).toBe('token-1');
  });

  it('a store that refuses the request (no such table) fails at once, without retries or auth', async () => {
    // Prepare: a table that does not exist.
    const h = tokenHarness(dynamoTokenStore(db().client, 'no-such-table'), { clientId: 'c' });
    const provider = h.provider();
    // Act
    const err = await provider.getToken().catch((e: unknown) => e);
    // Assess
    expect((err as TokenError).code).toBe('store-unavailable');
    expect((err as TokenError).message).toMatch(/ResourceNotFoundException/);
    expect(h.clock.t).toBe(T0);
    expect(h.auth.calls).toBe(0);
  });

  describe("with storeUnavailable: 'local-auth' (opt-in)", () => {
    it('falls back to one token per container with a warning and a metric, not an auth call per invocation', async () => {
      // Prepare: every DynamoDB call is throttled.
      proxy.fail('*', 'throttle');
      const h = harness();
      const provider = h.provider({ ...LOCAL_AUTH, storeRetryMs: 500 });
      // Act: 20 invocations in one container.
      const tokens: string[] = [];
      for (let i = 0; i < 20; i++) tokens.push(await provider.getToken());
      // Assess
      expect(h.auth.calls).toBe(1);
      expect(new Set(tokens)).toEqual(new Set(['token-1']));
      expect(provider.stats).toMatchObject({ auth: 1, memory: 19, fallbacks: 1 });
      expect(h.metrics).toContain('SharedCacheUnavailable');
      expect(
        h.log.lines.some((l) => l.level === 'warn' && l.message.includes('shared token cache unavailable')),
      ).toBe(true);
    });

    it('falls back when the table cannot be reached at all', async () => {
      // Prepare: a client pointed at a closed port.
      const dead = new DynamoDBClient({ endpoint: 'http://127.0.0.1:9', ...LOCAL_AWS, maxAttempts: 1 });
      const h = tokenHarness(dynamoTokenStore(dead, tableName), { clientId: 'c' });
      const provider = h.provider(LOCAL_AUTH);
      // Act
      const a = await provider.getToken();
      const b = await provider.getToken();
      // Assess
      expect([a, b]).toEqual(['token-1', 'token-1']);
      expect(h.auth.calls).toBe(1);
      dead.destroy();
    });

    it('while the table is down, an auth server outage is reported as one, not as a 429', async () => {
      // Prepare
      const { h, provider } = tableDownAuthFailing({ kind: 'unavailable', status: 503, detail: 'HTTP 503' });
      // Act
      const first = await provider.getToken().catch((e: unknown) => e);
      h.clock.t += 500;
      const second = await provider.getToken().catch((e: unknown) => e);
      // Assess
      expect((first as TokenError).code).toBe('auth-unavailable');
      expect((second as TokenError).code).toBe('auth-unavailable');
      expect((second as TokenError).message).not.toMatch(/429/);
      expect(h.auth.calls).toBe(1);
    });

    it('keeps its in-container failure memory while the table is down: a 429 blocks the next attempts', async () => {
      // Prepare
      const { h, provider } = tableDownAuthFailing({
        kind: 'rate-limited',
        status: 429,
        retryAfterMs: 30_000,
      });
      // Act
      const first = await provider.getToken().catch((e: unknown) => e);
      h.clock.t += 10_000;
      const second = await provider.getToken().catch((e: unknown) => e);
      // Assess
      expect((first as TokenError).code).toBe('auth-blocked');
      expect((second as TokenError).code).toBe('auth-blocked');
      expect(h.auth.calls).toBe(1);
    });
  });
});
