import { describe, expect, it } from 'vitest';
import { jwtExpiry } from '#lib/token/jwt.ts';
import { AuthCallError, requestToken } from '#lib/token/oauth.ts';
import { oauthSettingsFromEnv } from '#lib/token/settings.ts';

const SETTINGS = { tokenUrl: 'https://login.example/oauth/token', audience: 'api.cloud.camunda.io' };
const CREDS = { clientId: 'id-1', clientSecret: 's3cr3t-value' };
const NOW = 1_800_000_000_000;

function jwt(claims: Record<string, unknown>): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'HS256' })}.${part(claims)}.sig`;
}

function answer(status: number, body: unknown, headers: Record<string, string> = {}) {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const fetch = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers });
  }) as unknown as typeof globalThis.fetch;
  return { fetch, calls };
}

async function failure(p: Promise<unknown>) {
  const err = await p.catch((e: unknown) => e);
  expect(err).toBeInstanceOf(AuthCallError);
  return (err as AuthCallError).failure;
}

describe('jwtExpiry', () => {
  it('reads exp and rejects tokens without a usable one', () => {
    expect(jwtExpiry(jwt({ exp: 1_900_000_000 }))).toBe(1_900_000_000);
    expect(jwtExpiry(jwt({ exp: 'soon' }))).toBeUndefined();
    expect(jwtExpiry('opaque-token')).toBeUndefined();
    expect(jwtExpiry('a.%%%.c')).toBeUndefined();
  });
});

describe('requestToken', () => {
  it('sends a form-encoded client-credentials request with the audience', async () => {
    // Prepare
    const { fetch, calls } = answer(200, { access_token: jwt({ exp: NOW / 1000 + 300 }), expires_in: 86400 });
    // Act
    await requestToken(SETTINGS, CREDS, { fetch, now: () => NOW });
    // Assess
    expect(calls).toHaveLength(1);
    expect(calls[0]?.url).toBe(SETTINGS.tokenUrl);
    expect(new Headers(calls[0]?.init.headers).get('content-type')).toBe('application/x-www-form-urlencoded');
    const form = new URLSearchParams(String(calls[0]?.init.body));
    expect(Object.fromEntries(form)).toEqual({
      grant_type: 'client_credentials',
      client_id: 'id-1',
      client_secret: 's3cr3t-value',
      audience: 'api.cloud.camunda.io',
    });
  });

  it('prefers the exp claim over expires_in (a cached token may be part-way through its life)', async () => {
    const { fetch } = answer(200, { access_token: jwt({ exp: NOW / 1000 + 120 }), expires_in: 86400 });
    const issued = await requestToken(SETTINGS, CREDS, { fetch, now: () => NOW });
    expect(issued.expiresAt).toBe(NOW + 120_000);
  });

  it('falls back to expires_in for an opaque token, and refuses a token with neither', async () => {
    const ok = answer(200, { access_token: 'opaque', expires_in: '300' });
    expect((await requestToken(SETTINGS, CREDS, { fetch: ok.fetch, now: () => NOW })).expiresAt).toBe(
      NOW + 300_000,
    );
    const bad = answer(200, { access_token: 'opaque' });
    expect(await failure(requestToken(SETTINGS, CREDS, { fetch: bad.fetch, now: () => NOW }))).toMatchObject({
      kind: 'bad-response',
    });
  });

  it('classifies 429 with Retry-After in seconds or as a date', async () => {
    const secs = answer(429, 'slow down', { 'retry-after': '30' });
    expect(await failure(requestToken(SETTINGS, CREDS, { fetch: secs.fetch, now: () => NOW }))).toEqual({
      kind: 'rate-limited',
      status: 429,
      retryAfterMs: 30_000,
    });
    const date = answer(429, '', { 'retry-after': new Date(NOW + 90_000).toUTCString() });
    expect(await failure(requestToken(SETTINGS, CREDS, { fetch: date.fetch, now: () => NOW }))).toMatchObject(
      {
        retryAfterMs: 90_000,
      },
    );
    const none = answer(429, '');
    expect((await failure(requestToken(SETTINGS, CREDS, { fetch: none.fetch, now: () => NOW }))).kind).toBe(
      'rate-limited',
    );
  });

  it('classifies 401 as rejected and 5xx, garbage and connection errors as unavailable or bad', async () => {
    const rejected = answer(401, { error: 'access_denied', error_description: 'Unauthorized' });
    expect(await failure(requestToken(SETTINGS, CREDS, { fetch: rejected.fetch }))).toEqual({
      kind: 'rejected',
      status: 401,
      error: 'access_denied',
    });
    const down = answer(503, 'unavailable');
    expect(await failure(requestToken(SETTINGS, CREDS, { fetch: down.fetch }))).toMatchObject({
      kind: 'unavailable',
      status: 503,
    });
    const html = answer(200, '<html>');
    expect((await failure(requestToken(SETTINGS, CREDS, { fetch: html.fetch }))).kind).toBe('bad-response');
    const reset = (async () => {
      throw new TypeError('fetch failed');
    }) as unknown as typeof fetch;
    expect((await failure(requestToken(SETTINGS, CREDS, { fetch: reset }))).kind).toBe('unavailable');
  });

  it('times out a hanging auth server', async () => {
    const hang = ((_u: string, init: RequestInit) =>
      new Promise((_r, reject) => {
        init.signal?.addEventListener('abort', () => reject(init.signal?.reason));
      })) as unknown as typeof fetch;
    const f = await failure(requestToken(SETTINGS, CREDS, { fetch: hang, timeoutMs: 20 }));
    expect(f).toEqual({ kind: 'unavailable', detail: 'timed out' });
  });

  it('with lateMs, a timed-out request stays open and its late answer is handed over', async () => {
    // Prepare: an auth server that answers only when the test says so (after the timeout).
    let answerNow: () => void = () => {};
    const slow = ((_u: string, init: RequestInit) =>
      new Promise((resolve, reject) => {
        init.signal?.addEventListener('abort', () => reject(init.signal?.reason));
        answerNow = () =>
          resolve(
            new Response(JSON.stringify({ access_token: 'late-token', expires_in: 300 }), { status: 200 }),
          );
      })) as unknown as typeof fetch;
    // Act
    const err = await requestToken(SETTINGS, CREDS, {
      fetch: slow,
      timeoutMs: 20,
      lateMs: 60_000,
      now: () => NOW,
    }).catch((e: unknown) => e);
    answerNow();
    // Assess
    expect(err).toBeInstanceOf(AuthCallError);
    expect((err as AuthCallError).failure).toEqual({ kind: 'unavailable', detail: 'timed out' });
    expect(await (err as AuthCallError).late).toEqual({
      accessToken: 'late-token',
      expiresAt: NOW + 300_000,
    });
  });

  it('without lateMs, a timed-out request is aborted and has no late answer', async () => {
    const hang = ((_u: string, init: RequestInit) =>
      new Promise((_r, reject) => {
        init.signal?.addEventListener('abort', () => reject(init.signal?.reason));
      })) as unknown as typeof fetch;
    const err = await requestToken(SETTINGS, CREDS, { fetch: hang, timeoutMs: 20 }).catch((e: unknown) => e);
    expect((err as AuthCallError).late).toBeUndefined();
  });

  it('never puts the secret in an error', async () => {
    const reset = (async () => {
      throw new TypeError('fetch failed');
    }) as unknown as typeof fetch;
    const err = await requestToken(SETTINGS, CREDS, { fetch: reset }).catch((e: unknown) => e);
    expect(JSON.stringify(err)).not.toContain('s3cr3t-value');
    expect(String((err as Error).message)).not.toContain('s3cr3t-value');
  });
});

describe('oauthSettingsFromEnv', () => {
  it('defaults to Camunda SaaS and takes the SDK env names', () => {
    expect(oauthSettingsFromEnv({})).toEqual({
      tokenUrl: 'https://login.cloud.camunda.io/oauth/token',
      audience: 'api.cloud.camunda.io',
    });
    expect(
      oauthSettingsFromEnv({
        CAMUNDA_OAUTH_URL: 'http://127.0.0.1:1/oauth/token',
        CAMUNDA_CONSOLE_OAUTH_AUDIENCE: 'aud',
      }),
    ).toEqual({ tokenUrl: 'http://127.0.0.1:1/oauth/token', audience: 'aud' });
  });
  it('names the setting when the URL is bad', () => {
    expect(() => oauthSettingsFromEnv({ CAMUNDA_OAUTH_URL: 'ftp://x' })).toThrow(/CAMUNDA_OAUTH_URL/);
    expect(() => oauthSettingsFromEnv({ CAMUNDA_OAUTH_URL: 'not a url' })).toThrow(/CAMUNDA_OAUTH_URL/);
  });
});
