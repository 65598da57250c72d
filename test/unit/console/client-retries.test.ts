import { describe, expect, it } from 'vitest';
import {
  backupFixture,
  clusterFixture,
  empty,
  fakeClock,
  hang,
  json,
  rejectionOf,
  reset,
  testClient,
  text,
} from '#test/unit/console/fakes.ts';

describe('retries of replayable calls (GET, PUT, DELETE)', () => {
  it.each([429, 500, 502, 503, 504])(
    'retries a GET after %i and returns the later answer',
    async (status) => {
      // Prepare
      const { client, http } = testClient([() => text('busy', status), () => json([clusterFixture])]);

      // Act
      const clusters = await client.listClusters();

      // Assess
      expect(clusters).toEqual([clusterFixture]);
      expect(http.requests).toHaveLength(2);
      expect(client.stats.retries).toBe(1);
    },
  );

  it('retries a PUT after a 503 and a DELETE after a 502', async () => {
    // Prepare
    const { client, http } = testClient([
      () => text('unavailable', 503),
      () => empty(204),
      () => text('bad gateway', 502),
      () => empty(204),
    ]);

    // Act
    await client.wakeCluster('c-1');
    const outcome = await client.deleteCluster('c-1');

    // Assess
    expect(outcome).toBe('deleted');
    expect(http.requests.map((r) => r.method)).toEqual(['PUT', 'PUT', 'DELETE', 'DELETE']);
  });

  it('retries after a connection error', async () => {
    // Prepare
    const { client, http } = testClient([reset, () => json([backupFixture])]);

    // Act
    const backups = await client.listBackups('c-1');

    // Assess
    expect(backups).toEqual([backupFixture]);
    expect(http.requests).toHaveLength(2);
  });

  it('waits with exponential backoff and full jitter between attempts, then gives up after maxAttempts', async () => {
    // Prepare
    const { client, http, clock } = testClient([() => text('down', 500)]);

    // Act
    const error = await rejectionOf(client.getCluster('c-1'));

    // Assess: random() = 0.5 → half of 250, 500, 1000, 2000
    expect(http.requests).toHaveLength(5);
    expect(clock.sleeps).toEqual([125, 250, 500, 1_000]);
    expect(error).toMatchObject({
      code: 'http',
      status: 500,
      attempts: 5,
      bodyExcerpt: 'down',
      maybeApplied: false,
    });
  });

  it('gives up on connection errors with code network and keeps the cause', async () => {
    // Prepare
    const { client, http } = testClient([reset], { retry: { maxAttempts: 3 } });

    // Act
    const error = await rejectionOf(client.listClusters());

    // Assess
    expect(http.requests).toHaveLength(3);
    expect(error).toMatchObject({ code: 'network', status: undefined, attempts: 3 });
    expect(error.cause).toBeInstanceOf(TypeError);
    expect(error.message).toBe(
      'console api GET /clusters failed: network (connection failed: ECONNRESET) after 3 attempts',
    );
  });

  it('times out a hanging attempt through AbortSignal, retries, then fails with code timeout', async () => {
    // Prepare
    const { client, http } = testClient([hang], { timeoutMs: 15, retry: { maxAttempts: 2 } });

    // Act
    const error = await rejectionOf(client.listClusters());

    // Assess
    expect(http.requests).toHaveLength(2);
    expect(http.requests.every((r) => r.signal?.aborted)).toBe(true);
    expect(error).toMatchObject({ code: 'timeout', status: undefined, attempts: 2 });
    expect(error.message).toContain('timed out after 15 ms');
  });

  it('recovers when only the first attempt times out', async () => {
    // Prepare
    const { client } = testClient([hang, () => json([clusterFixture])], { timeoutMs: 15 });

    // Act
    const clusters = await client.listClusters();

    // Assess
    expect(clusters).toHaveLength(1);
  });

  it('does not retry other 4xx answers', async () => {
    // Prepare
    const { client, http } = testClient([() => text('Forbidden: missing scope Backups', 403)]);

    // Act
    const error = await rejectionOf(client.listBackups('c-1'));

    // Assess
    expect(http.requests).toHaveLength(1);
    expect(error).toMatchObject({
      code: 'http',
      status: 403,
      attempts: 1,
      bodyExcerpt: 'Forbidden: missing scope Backups',
    });
  });
});

describe('Retry-After and the total retry budget', () => {
  it('honours Retry-After in seconds', async () => {
    // Prepare
    const { client, clock } = testClient([() => text('later', 503, { 'retry-after': '3' }), () => json([])]);

    // Act
    await client.listClusters();

    // Assess
    expect(clock.sleeps).toEqual([3_000]);
  });

  it('honours Retry-After as an HTTP date, beyond maxDelayMs', async () => {
    // Prepare
    const start = Date.parse('2026-01-15T10:00:00.000Z');
    const clock = fakeClock(start);
    const { client, http } = testClient(
      [() => text('slow down', 429, { 'retry-after': 'Thu, 15 Jan 2026 10:00:12 GMT' }), () => json([])],
      { clock },
    );

    // Act
    await client.listClusters();

    // Assess
    expect(clock.sleeps).toEqual([12_000]);
    expect(http.requests[1]?.at).toBe(start + 12_000);
  });

  it('stops when the next Retry-After would overrun maxTotalMs, and reports the wait asked for', async () => {
    // Prepare
    const { client, http, clock } = testClient([() => text('later', 503, { 'retry-after': '20' })]);

    // Act
    const error = await rejectionOf(client.listClusters());

    // Assess: 20 s fits in 30 s, a second 20 s would not
    expect(clock.sleeps).toEqual([20_000]);
    expect(http.requests).toHaveLength(2);
    expect(error).toMatchObject({ status: 503, retryAfterMs: 20_000, attempts: 2 });
  });

  it('caps the total time of backoff waits too', async () => {
    // Prepare
    const { client, http, clock } = testClient([() => text('down', 500)], {
      random: () => 0.999,
      retry: { baseDelayMs: 400, maxTotalMs: 1_000 },
    });

    // Act
    const error = await rejectionOf(client.listClusters());

    // Assess: waits 399 then 799 would end at 1198 > 1000, so only one retry
    expect(clock.sleeps).toEqual([399]);
    expect(http.requests).toHaveLength(2);
    expect(error.attempts).toBe(2);
  });

  it('counts time spent in attempts against the budget', async () => {
    // Prepare: each attempt takes 9 s of (fake) time before the server answers 500
    const clock = fakeClock();
    const { client, http } = testClient(
      [
        () => {
          clock.advance(9_000);
          return text('down', 500);
        },
      ],
      { clock, random: () => 0 },
    );

    // Act
    await rejectionOf(client.listClusters());

    // Assess: attempts end at 9, 18, 27, 36 s; after the fourth the budget (30 s) is spent, not maxAttempts (5)
    expect(http.requests.map((r) => r.at)).toEqual([0, 9_000, 18_000, 27_000]);
  });
});

describe('POST is never replayed', () => {
  it.each([
    ['429', () => text('too many', 429)],
    ['500', () => text('boom', 500)],
    ['503', () => text('creation unavailable', 503)],
    ['a connection error', reset],
  ])('throws after one attempt on %s with maybeApplied', async (_label, responder) => {
    // Prepare
    const { client, http } = testClient([responder, () => json(backupFixture)]);

    // Act
    const error = await rejectionOf(client.createBackup('c-1'));

    // Assess
    expect(http.requests).toHaveLength(1);
    expect(error.maybeApplied).toBe(true);
    expect(error.attempts).toBe(1);
  });

  it('throws after one attempt on a timeout with maybeApplied', async () => {
    // Prepare
    const { client, http } = testClient([hang, () => json({ clusterId: 'c-9' })], { timeoutMs: 15 });

    // Act
    const error = await rejectionOf(
      client.createCluster({ name: 'n', planTypeId: 'p', channelId: 'c', generationId: 'g', regionId: 'r' }),
    );

    // Assess
    expect(http.requests).toHaveLength(1);
    expect(error).toMatchObject({ code: 'timeout', maybeApplied: true });
  });

  it('reports maybeApplied false for a 400 (the server refused)', async () => {
    // Prepare
    const { client } = testClient([() => text('name too long', 400)]);

    // Act
    const error = await rejectionOf(
      client.createCluster({ name: 'n', planTypeId: 'p', channelId: 'c', generationId: 'g', regionId: 'r' }),
    );

    // Assess
    expect(error).toMatchObject({ status: 400, maybeApplied: false });
  });

  it('reports maybeApplied false for a failed GET (replayable calls need no re-read)', async () => {
    // Prepare
    const { client } = testClient([() => text('down', 503)], { retry: { maxAttempts: 1 } });

    // Act
    const error = await rejectionOf(client.listClusters());

    // Assess
    expect(error).toMatchObject({ status: 503, maybeApplied: false });
  });
});

describe('caller abort', () => {
  it('stops an in-flight call at once with code aborted and no retry', async () => {
    // Prepare
    const controller = new AbortController();
    const { client, http } = testClient([
      (request) => {
        queueMicrotask(() => controller.abort());
        return hang(request);
      },
      () => json([]),
    ]);

    // Act
    const error = await rejectionOf(client.listClusters({ signal: controller.signal }));

    // Assess
    expect(http.requests).toHaveLength(1);
    expect(http.requests[0]?.signal?.aborted).toBe(true);
    expect(error).toMatchObject({ code: 'aborted', attempts: 1, maybeApplied: false });
    expect(client.stats.retries).toBe(0);
  });

  it('marks an aborted in-flight POST as maybeApplied', async () => {
    // Prepare
    const controller = new AbortController();
    const { client } = testClient([
      (request) => {
        queueMicrotask(() => controller.abort());
        return hang(request);
      },
    ]);

    // Act
    const error = await rejectionOf(client.createBackup('c-1', { signal: controller.signal }));

    // Assess
    expect(error).toMatchObject({ code: 'aborted', maybeApplied: true });
  });

  it('stops during a backoff wait', async () => {
    // Prepare
    const controller = new AbortController();
    const clock = fakeClock();
    const { client, http } = testClient([() => text('down', 500)], {
      clock,
      sleep: async (ms, signal) => {
        controller.abort();
        await clock.sleep(ms, signal);
      },
    });

    // Act
    const error = await rejectionOf(client.listClusters({ signal: controller.signal }));

    // Assess
    expect(http.requests).toHaveLength(1);
    expect(error.code).toBe('aborted');
  });

  it('sends nothing when the signal is already aborted', async () => {
    // Prepare
    const { client, http, tokens } = testClient([() => json([])]);

    // Act
    const error = await rejectionOf(client.listClusters({ signal: AbortSignal.abort() }));

    // Assess
    expect(http.requests).toHaveLength(0);
    expect(tokens.issued).toHaveLength(0);
    expect(error).toMatchObject({ code: 'aborted', attempts: 0 });
  });
});

describe('retry logging', () => {
  it('logs each retry at debug with method, path template, status, attempt and delay', async () => {
    // Prepare
    const { client, log } = testClient([() => text('down', 503), () => json(clusterFixture)]);

    // Act
    await client.getCluster('c-1');

    // Assess
    expect(log.lines).toEqual([
      {
        level: 'debug',
        message: 'console retry',
        data: {
          method: 'GET',
          path: '/clusters/{clusterUuid}',
          status: 503,
          code: 'http',
          attempt: 1,
          delayMs: 125,
        },
      },
    ]);
  });
});
