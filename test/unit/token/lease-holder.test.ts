// The lease holder's auth call and what follows it, seen through the provider: what the auth call is
// asked with, an answer that expires at once, an error that is not the auth server's, the token
// published (retried within the store budget, no false "lease lost"), failures that cannot be shared
// logged with their error, and a late answer (ignored when already expired, recorded when adopted).
import { describe, expect, it } from 'vitest';
import type { TokenError } from '#lib/token/errors.ts';
import { memoryTokenStore } from '#lib/token/memory-store.ts';
import { AuthCallError, type IssuedToken, type requestToken } from '#lib/token/oauth.ts';
import type { TokenStore } from '#lib/token/shared-store.ts';
import { fleetWith, KEY, settled, storeError, T0, tokenHarness } from '#test/helpers/token/harness.ts';

/**
 * A container over `store` whose first auth call timed out; `deliver` hands in the call's late answer and
 * waits for it to be handled.
 */
async function afterTimedOutCall(store: TokenStore) {
  let answer: (token: IssuedToken) => void = () => {};
  const late = new Promise<IssuedToken>((resolve) => {
    answer = resolve;
  });
  const h = tokenHarness(store);
  h.auth.behaviour = async () => {
    throw new AuthCallError({ kind: 'unavailable', detail: 'timed out' }, { late });
  };
  const p = h.provider({ authLateMs: 4_000 });
  await settled(p.getToken());
  const deliver = async (token: IssuedToken) => {
    answer(token);
    await new Promise((resolve) => setTimeout(resolve, 5));
  };
  return { h, p, deliver };
}

describe('the auth call', () => {
  it('is made with the tuned timeout and late window, the clock and the injected fetch', async () => {
    // Prepare
    const seen: Parameters<typeof requestToken>[2][] = [];
    const fetchImpl = (async () => new Response()) as typeof fetch;
    const h = tokenHarness(fleetWith());
    const p = h.provider(
      { authTimeoutMs: 1_234, authLateMs: 5_678 },
      {
        fetch: fetchImpl,
        requestToken: async (settings, credentials, options) => {
          seen.push(options);
          return h.auth.fn(settings, credentials, options);
        },
      },
    );
    // Act
    await p.getToken();
    // Assess
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ timeoutMs: 1_234, lateMs: 5_678, fetch: fetchImpl });
    expect(seen[0]?.now?.()).toBe(T0);
  });

  it('an answer that expires at once is a bad response: counted as unavailable, logged by kind, no token', async () => {
    // Prepare
    const h = tokenHarness(memoryTokenStore());
    h.auth.behaviour = async () => ({ accessToken: 'token-dead', expiresAt: h.clock.t });
    const p = h.provider();
    // Act
    const err = (await settled(p.getToken())) as TokenError;
    // Assess
    expect(err.code).toBe('auth-bad-response');
    expect(p.stats.unavailable).toBe(1);
    expect(h.metrics).toContain('AuthUnavailable');
    expect(h.log.lines).toContainEqual({
      level: 'warn',
      message: 'auth server refused a token',
      data: { failure: 'bad-response' },
    });
    expect(JSON.stringify(h.log.lines)).not.toContain('token-dead');
  });

  it("an error that is not the auth server's answer reaches the caller as it is, counted as no refusal", async () => {
    // Prepare
    const bug = new RangeError('a bug in the request code');
    const h = tokenHarness(fleetWith());
    h.auth.behaviour = async () => {
      throw bug;
    };
    const p = h.provider();
    // Act
    const err = await settled(p.getToken());
    // Assess
    expect(err).toBe(bug);
    expect(p.stats).toMatchObject({ blocked: 0, rejected: 0, unavailable: 0 });
    expect(h.log.lines.map((l) => l.message)).not.toContain('auth server refused a token');
  });
});

describe('publishing the token', () => {
  it('a publish that fails once is retried within the store budget; a published token claims no lost lease', async () => {
    // Prepare
    const inner = fleetWith();
    let publishes = 0;
    const h = tokenHarness({
      ...inner,
      publish: (...args) => {
        publishes++;
        if (publishes === 1) return Promise.reject(storeError('InternalServerError'));
        return inner.publish(...args);
      },
    });
    const p = h.provider({ storeRetryMs: 5_000 });
    // Act
    const token = await p.getToken();
    // Assess
    expect(token).toBe('token-1');
    expect(publishes).toBe(2);
    expect((await h.store.read(KEY)).token).toBe('token-1');
    expect(h.log.lines.filter((l) => l.level === 'warn')).toEqual([]);
  });

  it('a pause or a rejection that cannot be shared is logged with the store error', async () => {
    // Prepare
    const broken = async (): Promise<never> => {
      throw storeError('InternalServerError');
    };
    const h = tokenHarness(fleetWith({ recordBlocked: broken, recordRejected: broken }));
    const error = 'InternalServerError: InternalServerError happened';
    // Act
    h.auth.behaviour = async () => {
      throw new AuthCallError({ kind: 'rate-limited', status: 429 });
    };
    await settled(h.provider().getToken());
    h.auth.behaviour = async () => {
      throw new AuthCallError({ kind: 'rejected', status: 401 });
    };
    h.clock.t += 60_000;
    await settled(h.provider().getToken());
    // Assess
    expect(h.log.lines).toContainEqual({
      level: 'warn',
      message: 'could not share the auth block',
      data: { error },
    });
    expect(h.log.lines).toContainEqual({
      level: 'warn',
      message: 'could not share the credentials rejection',
      data: { error },
    });
  });
});

describe('a late answer', () => {
  it('that is already expired is ignored', async () => {
    // Prepare
    const { h, deliver } = await afterTimedOutCall(memoryTokenStore());
    // Act
    await deliver({ accessToken: 'token-late', expiresAt: h.clock.t });
    // Assess
    expect(h.log.lines.map((l) => l.message)).not.toContain(
      'a timed-out token request was answered late; its token is used',
    );
    expect((await h.store.read(KEY)).token).toBeUndefined();
  });

  it('that is adopted is recorded, so that a Console 401 invalidates it in the store', async () => {
    // Prepare
    const { h, p, deliver } = await afterTimedOutCall(memoryTokenStore());
    await deliver({ accessToken: 'token-late', expiresAt: h.clock.t + 300_000 });
    const token = await p.getToken();
    // Act
    await p.invalidate(token);
    // Assess
    expect(token).toBe('token-late');
    expect((await h.store.read(KEY)).token).toBeUndefined();
    expect(h.log.lines).toContainEqual({ level: 'info', message: 'token invalidated', data: { version: 1 } });
  });

  it('that the store refuses is logged with the store error', async () => {
    // Prepare
    const { h, deliver } = await afterTimedOutCall({
      ...memoryTokenStore(),
      publishLate: async () => {
        throw storeError('InternalServerError');
      },
    });
    // Act
    await deliver({ accessToken: 'token-late', expiresAt: h.clock.t + 300_000 });
    // Assess
    expect(h.log.lines).toContainEqual({
      level: 'warn',
      message: 'late token not shared',
      data: { error: 'InternalServerError: InternalServerError happened' },
    });
  });
});
