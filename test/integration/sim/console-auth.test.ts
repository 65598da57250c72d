import { describe, expect, it } from 'vitest';
import { manualClock } from '#local/sim/index.ts';
import { call, idOf, simulatorsPerTest, withCluster } from '#test/integration/sim/http.ts';

const start = simulatorsPerTest();

describe('simulator: Console bearer check', () => {
  it('accepts a token the simulator issued', async () => {
    // Prepare
    const s = await start();

    // Act
    const res = await call(s, 'GET', '/clusters', { token: s.issueToken() });

    // Assess
    expect(res.status).toBe(200);
    expect(res.json).toEqual(expect.any(Array));
  });

  it.each([
    ['a missing token', null],
    ['a token that is not a JWT', 'not-a-jwt'],
    ['a tampered token', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl'],
  ])('answers 401 text/plain to %s', async (_name, token) => {
    // Prepare
    const s = await start();

    // Act
    const res = await call(s, 'GET', '/clusters', { token });

    // Assess
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(s.stats.console.unauthorized).toBe(1);
  });

  it('answers 401 to a token signed by another simulator (bad signature)', async () => {
    // Prepare
    const s = await start();
    const other = await start();

    // Act
    const res = await call(s, 'GET', '/clusters', { token: other.issueToken() });

    // Assess
    expect(res.status).toBe(401);
  });

  it('answers 401 once the token has expired', async () => {
    // Prepare
    const clock = manualClock();
    const s = await start({ now: clock.now });
    const token = s.issueToken(undefined, 60);

    // Act
    const before = await call(s, 'GET', '/clusters', { token });
    clock.advance(61_000);
    const after = await call(s, 'GET', '/clusters', { token });

    // Assess
    expect(before.status).toBe(200);
    expect(after.status).toBe(401);
  });

  it('answers 401 to every token after revokeAllTokens, and accepts new ones', async () => {
    // Prepare
    const s = await start();
    const token = s.issueToken();

    // Act
    s.revokeAllTokens();
    const revoked = await call(s, 'GET', '/clusters', { token });
    const fresh = await call(s, 'GET', '/clusters', { token: s.issueToken() });

    // Assess
    expect(revoked.status).toBe(401);
    expect(fresh.status).toBe(200);
  });

  it('answers 401 to a token for another audience', async () => {
    // Prepare
    const s = await start();

    // Act
    const res = await call(s, 'GET', '/clusters', {
      token: s.issueToken('sim-client', 300, 'zeebe.camunda.io'),
    });

    // Assess
    expect(res.status).toBe(401);
  });

  it('serves GET /meta/ip-ranges without a token', async () => {
    // Prepare
    const s = await start();

    // Act
    const res = await call(s, 'GET', '/meta/ip-ranges', { token: null });

    // Assess
    expect(res.status).toBe(200);
    expect((res.json as Record<string, unknown>)['web-modeler']).toEqual(s.state.ipRanges['web-modeler']);
  });
});

describe('simulator: Console routing and spec validation', () => {
  it('answers 404 to an unknown path, 405 to a wrong method and 501 to a spec operation it does not implement', async () => {
    // Prepare
    const s = await start();

    // Act
    const unknown = await call(s, 'GET', '/nothing-here');
    const wrongMethod = await call(s, 'POST', `/clusters/${idOf(s, 'prod-payments')}`);
    const members = await call(s, 'GET', '/members');

    // Assess
    expect(unknown.status).toBe(404);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toContain('GET');
    expect(members.status).toBe(501);
    expect(members.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(s.stats.console.byRoute).toEqual({ 'GET /members': 1 });
  });

  it('rejects a create body that misses required fields, with the reason as text', async () => {
    // Prepare
    const s = await start();

    // Act
    const res = await call(s, 'POST', '/clusters', { body: { name: 'dev-x' } });

    // Assess
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(res.text).toContain('planTypeId');
    expect(s.state.clusters.size).toBe(12);
  });

  it('rejects unknown properties and wrong types the schema forbids', async () => {
    // Prepare
    const { s, id } = await withCluster(start(), 'prod-payments');

    // Act
    const extra = await call(s, 'PUT', `/clusters/${id}/backups/schedule`, {
      body: { schedule: '0 2 * * *', timezone: 'UTC' },
    });
    const wrongType = await call(s, 'PUT', `/clusters/${id}/ipallowlist`, { body: { ipallowlist: 'x' } });
    const missingField = await call(s, 'PUT', `/clusters/${id}/ipallowlist`, {
      body: { ipallowlist: [{ ip: '10.0.0.0/8' }] },
    });

    // Assess
    expect(extra.status).toBe(400);
    expect(extra.text).toContain("'timezone'");
    expect(wrongType.status).toBe(400);
    expect(missingField.status).toBe(400);
    expect(missingField.text).toContain('description');
    expect(s.state.schedules.get(id)?.schedule).toBe('0 2 * * *');
  });

  it('rejects a body on an operation that takes none, malformed JSON and a non-JSON content type', async () => {
    // Prepare
    const { s, id } = await withCluster(start(), 'prod-orders');
    const before = s.state.backups.get(id)?.length;

    // Act
    const withBody = await call(s, 'POST', `/clusters/${id}/backups`, { body: {} });
    const malformed = await call(s, 'PUT', `/clusters/${id}/backups/schedule`, { body: '{"schedule":' });
    const plainText = await call(s, 'PUT', `/clusters/${id}/backups/schedule`, {
      body: '{"schedule":"0 2 * * *"}',
      headers: { 'content-type': 'text/plain' },
    });

    // Assess
    expect(withBody.status).toBe(400);
    expect(withBody.text).toContain('takes no body');
    expect(malformed.status).toBe(400);
    expect(plainText.status).toBe(415);
    expect(s.state.backups.get(id)?.length).toBe(before);
  });
});
