import { describe, expect, it } from 'vitest';
import { decodeJwt, manualClock } from '#local/sim/index.ts';
import { call, requestToken, simulatorsPerTest } from '#test/integration/sim/http.ts';

const start = simulatorsPerTest({ seed: 'empty' });

describe('simulator: OAuth token endpoint', () => {
  it('issues a token for a form-encoded client-credentials request', async () => {
    // Prepare
    const s = await start();

    // Act
    const res = await requestToken(s, { encoding: 'form' });

    // Assess
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.json).toMatchObject({ token_type: 'Bearer', expires_in: 300 });
    expect((res.json as { scope?: unknown }).scope).toEqual(expect.any(String));
    expect(s.stats.auth).toMatchObject({ requests: 1, issued: 1, rejected: 0 });
  });

  it('issues a token for a JSON request body and the token works on the Console API', async () => {
    // Prepare
    const s = await start();

    // Act
    const res = await requestToken(s, { encoding: 'json' });
    const token = (res.json as { access_token: string }).access_token;
    const clusters = await call(s, 'GET', '/clusters', { token });

    // Assess
    expect(res.status).toBe(200);
    expect(clusters.status).toBe(200);
  });

  it('signs a JWT whose claims carry sub, aud, iat, exp = iat + lifetime and a unique jti', async () => {
    // Prepare
    const clock = manualClock(Date.UTC(2026, 0, 15, 10, 0, 0));
    const s = await start({ now: clock.now, tokenLifetimeSec: 120 });

    // Act
    const first = await requestToken(s);
    const second = await requestToken(s);

    // Assess
    const a = decodeJwt((first.json as { access_token: string }).access_token);
    const b = decodeJwt((second.json as { access_token: string }).access_token);
    expect(a).toMatchObject({ sub: 'sim-client', aud: 'api.cloud.camunda.io', iss: `${s.url}/` });
    expect(a.iat).toBe(Math.floor(clock.now() / 1000));
    expect(a.exp).toBe(Number(a.iat) + 120);
    expect((first.json as { expires_in: number }).expires_in).toBe(120);
    expect(a.jti).not.toBe(b.jti);
  });

  it('answers a wrong secret with 401 only after the tar pit', async () => {
    // Prepare
    const s = await start({ tarPitMs: 250 });
    const started = performance.now();

    // Act
    const res = await requestToken(s, { clientSecret: 'wrong' });

    // Assess
    expect(performance.now() - started).toBeGreaterThanOrEqual(240);
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ error: 'access_denied', error_description: 'Unauthorized' });
    expect(s.stats.auth.rejected).toBe(1);
  });

  it('answers an unknown client id with 401 too', async () => {
    // Prepare
    const s = await start();

    // Act
    const res = await requestToken(s, { clientId: 'nobody' });

    // Assess
    expect(res.status).toBe(401);
    expect(s.stats.auth.issued).toBe(0);
  });

  it('rejects another audience, another grant type and an unsupported content type', async () => {
    // Prepare
    const s = await start();

    // Act
    const audience = await requestToken(s, { audience: 'zeebe.camunda.io' });
    const grant = await requestToken(s, { grantType: 'password' });
    const plain = await fetch(s.oauthUrl, { method: 'POST', body: 'grant_type=client_credentials' });

    // Assess
    expect(audience.status).toBe(401);
    expect(audience.json).toMatchObject({ error: 'access_denied' });
    expect(grant.status).toBe(400);
    expect(grant.json).toMatchObject({ error: 'unsupported_grant_type' });
    expect(plain.status).toBe(400);
    expect(s.stats.auth.rejected).toBe(3);
  });

  it('rate-limits a source: the second request in a second gets 429 and blocks the source for blockMs', async () => {
    // Prepare
    const clock = manualClock();
    const s = await start({ now: clock.now, authRateLimit: { perSecond: 1, blockMs: 10_000 } });

    // Act
    const first = await requestToken(s);
    const second = await requestToken(s);
    clock.advance(5_000);
    const duringBlock = await requestToken(s);
    clock.advance(5_001);
    const afterBlock = await requestToken(s);

    // Assess
    expect(first.status).toBe(200);
    expect(second.status).toBe(429);
    expect(second.json).toMatchObject({ error: 'too_many_requests' });
    expect(second.headers.get('retry-after')).toBeNull();
    expect(duringBlock.status).toBe(429);
    expect(afterBlock.status).toBe(200);
    expect(s.stats.auth).toMatchObject({ requests: 4, issued: 2, rateLimited: 2 });
    expect(s.stats.auth.bySource['127.0.0.1']).toBe(4);
  });

  it('counts failed token requests against the limit', async () => {
    // Prepare
    const clock = manualClock();
    const s = await start({ now: clock.now, authRateLimit: { perSecond: 1, blockMs: 1_000 } });

    // Act
    const failed = await requestToken(s, { clientSecret: 'wrong' });
    const good = await requestToken(s);

    // Assess
    expect(failed.status).toBe(401);
    expect(good.status).toBe(429);
    expect(s.authBlockedUntil()).toBe(clock.now() + 1_000);
  });

  it('keeps separate budgets per source and sends Retry-After when asked to', async () => {
    // Prepare
    const clock = manualClock();
    const s = await start({
      now: clock.now,
      authRateLimit: { perSecond: 2, blockMs: 3_000, retryAfter: true },
    });

    // Act
    const a1 = await requestToken(s, { source: 'nat-a' });
    const a2 = await requestToken(s, { source: 'nat-a' });
    const a3 = await requestToken(s, { source: 'nat-a' });
    const b1 = await requestToken(s, { source: 'nat-b' });

    // Assess
    expect([a1.status, a2.status, a3.status, b1.status]).toEqual([200, 200, 429, 200]);
    expect(a3.headers.get('retry-after')).toBe('3');
    expect(s.stats.auth.bySource).toEqual({ 'nat-a': 3, 'nat-b': 1 });
  });

  it('serves the cached, part-way used token to repeat requests when serveCachedToken is on', async () => {
    // Prepare
    const clock = manualClock(Date.UTC(2026, 0, 15, 10, 0, 0));
    const s = await start({ now: clock.now, serveCachedToken: true, tokenLifetimeSec: 300 });

    // Act
    const first = await requestToken(s);
    clock.advance(100_000);
    const second = await requestToken(s);
    clock.advance(200_000);
    const third = await requestToken(s);

    // Assess
    const t1 = first.json as { access_token: string; expires_in: number };
    const t2 = second.json as { access_token: string; expires_in: number };
    const t3 = third.json as { access_token: string; expires_in: number };
    expect(t2.access_token).toBe(t1.access_token);
    expect(t2.expires_in).toBe(200);
    expect(t3.access_token).not.toBe(t1.access_token);
    expect(t3.expires_in).toBe(300);
    expect(s.stats.auth).toMatchObject({ issued: 3, cached: 1 });
  });

  it('mints a new token for every request when serveCachedToken is off', async () => {
    // Prepare
    const s = await start();

    // Act
    const first = await requestToken(s);
    const second = await requestToken(s);

    // Assess
    expect((first.json as { access_token: string }).access_token).not.toBe(
      (second.json as { access_token: string }).access_token,
    );
    expect(s.stats.auth.cached).toBe(0);
  });

  it('rejects the old secret after setCredentials rotated it', async () => {
    // Prepare
    const s = await start();
    const oldSecret = s.clientSecret;

    // Act
    s.setCredentials('sim-client', 'rotated-secret');
    const withOld = await requestToken(s, { clientSecret: oldSecret });
    const withNew = await requestToken(s, { clientSecret: 'rotated-secret' });

    // Assess
    expect(withOld.status).toBe(401);
    expect(withNew.status).toBe(200);
    expect(s.clientSecret).toBe('rotated-secret');
  });

  it('never stores the client secret or the authorization header in the request log', async () => {
    // Prepare
    const s = await start();

    // Act
    const token = await requestToken(s, { encoding: 'json' });
    await call(s, 'GET', '/clusters', { token: (token.json as { access_token: string }).access_token });

    // Assess
    const logged = JSON.stringify(s.requestLog);
    expect(logged).not.toContain(s.clientSecret);
    expect(logged).not.toContain((token.json as { access_token: string }).access_token);
    expect(s.requestLog[0]).toMatchObject({
      route: 'oauth',
      status: 200,
      body: { client_secret: '[redacted]' },
    });
  });
});

describe('simulator: OAuth client authentication by HTTP Basic', () => {
  it('accepts client_secret_basic credentials as Auth0 does', async () => {
    // Prepare
    const s = await start();
    const basic = Buffer.from(`${s.clientId}:${s.clientSecret}`).toString('base64');

    // Act
    const ok = await fetch(s.oauthUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` },
      body: new URLSearchParams({ grant_type: 'client_credentials', audience: s.audience }).toString(),
    });
    const wrong = await fetch(s.oauthUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${s.clientId}:nope`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', audience: s.audience }).toString(),
    });

    // Assess
    expect(ok.status).toBe(200);
    expect(wrong.status).toBe(401);
  });
});
