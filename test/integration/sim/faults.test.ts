import { describe, expect, it } from 'vitest';
import { manualClock } from '#local/sim/index.ts';
import { call, idOf, requestToken, simulatorsPerTest, withCluster } from '#test/integration/sim/http.ts';

const BACKUPS = 'POST /clusters/{clusterUuid}/backups';

const start = simulatorsPerTest();

describe('simulator: faults', () => {
  it("delays the matching route's answers with a 'latency' fault", async () => {
    // Prepare
    const s = await start();
    s.faults.add({ route: 'GET /clusters', kind: 'latency', latencyMs: 200 });
    const started = performance.now();

    // Act
    const res = await call(s, 'GET', '/clusters');

    // Assess
    expect(res.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
  });

  it("answers a 'status' fault with its status, Retry-After and text body for the next N requests only", async () => {
    // Prepare
    const s = await start();
    s.faults.add({
      route: 'GET /clusters',
      kind: 'status',
      status: 503,
      retryAfter: '2',
      body: 'busy',
      times: 2,
    });

    // Act
    const first = await call(s, 'GET', '/clusters');
    const second = await call(s, 'GET', '/clusters');
    const third = await call(s, 'GET', '/clusters');
    const otherRoute = await call(s, 'GET', '/clusters/parameters');

    // Assess
    expect([first.status, second.status, third.status, otherRoute.status]).toEqual([503, 503, 200, 200]);
    expect(first.headers.get('retry-after')).toBe('2');
    expect(first.text).toBe('busy');
    expect(first.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(s.requestLog.filter((e) => e.fault === 'status').length).toBe(2);
  });

  it("matches every Console route with '*', but not the token endpoint", async () => {
    // Prepare
    const s = await start();
    s.faults.add({ route: '*', kind: 'status', status: 502 });

    // Act
    const clusters = await call(s, 'GET', '/clusters');
    const meta = await call(s, 'GET', '/meta/ip-ranges', { token: null });
    const token = await requestToken(s);

    // Assess
    expect(clusters.status).toBe(502);
    expect(meta.status).toBe(502);
    expect(token.status).toBe(200);
  });

  it("destroys the socket without an answer with a 'reset' fault", async () => {
    // Prepare
    const s = await start();
    s.faults.add({ route: 'GET /clusters/{clusterUuid}', kind: 'reset', times: 1 });
    const id = idOf(s, 'prod-payments');

    // Act
    const failure = await call(s, 'GET', `/clusters/${id}`).catch((e: unknown) => e);
    const next = await call(s, 'GET', `/clusters/${id}`);

    // Assess
    expect(failure).toBeInstanceOf(TypeError);
    expect(next.status).toBe(200);
    expect(s.requestLog[0]).toMatchObject({
      route: 'GET /clusters/{clusterUuid}',
      status: 0,
      fault: 'reset',
    });
  });

  it("never answers with a 'hang' fault, so the client's timeout fires", async () => {
    // Prepare
    const s = await start();
    s.faults.add({ route: 'GET /clusters', kind: 'hang' });

    // Act
    const failure = await call(s, 'GET', '/clusters', { signal: AbortSignal.timeout(150) }).catch(
      (e: unknown) => e,
    );

    // Assess
    expect((failure as Error).name).toBe('TimeoutError');
    expect(s.requestLog[0]).toMatchObject({ status: 0, fault: 'hang' });
  });

  it('ends hung requests when the simulator closes', async () => {
    // Prepare
    const s = await start();
    s.faults.add({ route: 'GET /clusters', kind: 'hang' });
    const pending = call(s, 'GET', '/clusters').catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));

    // Act
    await s.close();
    const outcome = await pending;

    // Assess
    expect(outcome).toBeInstanceOf(TypeError);
  });

  it('performs the operation before failing the answer with afterCommit (a POST that succeeded on the server)', async () => {
    // Prepare
    const { s, id } = await withCluster(start(), 'prod-analytics');
    s.faults.add({ route: BACKUPS, kind: 'status', status: 500, times: 1, afterCommit: true });
    const before = s.state.backups.get(id)?.length ?? 0;

    // Act
    const res = await call(s, 'POST', `/clusters/${id}/backups`);
    const list = await call(s, 'GET', `/clusters/${id}/backups`);
    const retry = await call(s, 'POST', `/clusters/${id}/backups`);

    // Assess
    expect(res.status).toBe(500);
    expect((list.json as unknown[]).length).toBe(before + 1);
    expect(retry.status).toBe(400);
  });

  it('creates the cluster although the connection was reset with afterCommit', async () => {
    // Prepare
    const s = await start({ seed: 'empty' });
    const p = s.state.parameters;
    s.faults.add({ route: 'POST /clusters', kind: 'reset', afterCommit: true, times: 1 });

    // Act
    const failure = await call(s, 'POST', '/clusters', {
      body: {
        name: 'dev-ghost',
        planTypeId: p.clusterPlanTypes[0]?.uuid,
        channelId: p.channels[0]?.uuid,
        generationId: p.channels[0]?.defaultGeneration.uuid,
        regionId: p.regions[0]?.uuid,
      },
    }).catch((e: unknown) => e);

    // Assess
    expect(failure).toBeInstanceOf(TypeError);
    expect(s.state.clusterByName('dev-ghost')).toBeDefined();
  });

  it("applies faults to the token endpoint with route 'oauth', afterCommit counting the issued token", async () => {
    // Prepare
    const s = await start();
    s.faults.add({ route: 'oauth', kind: 'status', status: 503, times: 1 });
    s.faults.add({ route: 'oauth', kind: 'status', status: 504, times: 1, afterCommit: true });

    // Act
    const first = await requestToken(s);
    const second = await requestToken(s);
    const third = await requestToken(s);

    // Assess
    expect([first.status, second.status, third.status]).toEqual([503, 504, 200]);
    expect(s.stats.auth).toMatchObject({ requests: 3, issued: 2 });
  });

  it('stops a fault when its handle is removed, and rejects a route the spec does not have', async () => {
    // Prepare
    const s = await start();
    const handle = s.faults.add({ route: 'GET /clusters', kind: 'status', status: 500 });

    // Act
    const during = await call(s, 'GET', '/clusters');
    handle.remove();
    const after = await call(s, 'GET', '/clusters');

    // Assess
    expect(during.status).toBe(500);
    expect(after.status).toBe(200);
    expect(() => s.faults.add({ route: 'GET /cluster', kind: 'hang' })).toThrow(/not 'oauth'/);
  });

  it('adds latencyMs to every Console answer', async () => {
    // Prepare
    const s = await start({ latencyMs: 150 });
    const started = performance.now();

    // Act
    const res = await call(s, 'GET', '/nothing');

    // Assess
    expect(res.status).toBe(404);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });
});

describe('simulator: Console rate limit', () => {
  it('answers 429 with Retry-After when the token bucket is empty, and refills over time', async () => {
    // Prepare
    const clock = manualClock();
    const s = await start({ now: clock.now, consoleRateLimit: { perSecond: 2, burst: 2 } });

    // Act
    const a = await call(s, 'GET', '/clusters');
    const b = await call(s, 'GET', '/clusters');
    const c = await call(s, 'GET', '/clusters');
    clock.advance(500);
    const d = await call(s, 'GET', '/clusters');

    // Assess
    expect([a.status, b.status, c.status, d.status]).toEqual([200, 200, 429, 200]);
    expect(c.headers.get('retry-after')).toBe('1');
    expect(s.stats.console.rateLimited).toBe(1);
    expect(s.stats.console.byStatus).toEqual({ 200: 3, 429: 1 });
  });

  it('does not limit the Console API by default', async () => {
    // Prepare
    const s = await start();

    // Act
    const statuses = await Promise.all(
      Array.from({ length: 30 }, () => call(s, 'GET', '/clusters/parameters')),
    );

    // Assess
    expect(statuses.every((r) => r.status === 200)).toBe(true);
  });
});
