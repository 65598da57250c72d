import { afterEach, describe, expect, it, vi } from 'vitest';
import { consoleBaseUrlFromEnv, createConsoleClient, DEFAULT_CONSOLE_BASE_URL } from '#lib/console/client.ts';
import {
  backupFixture,
  clusterFixture,
  empty,
  fakeTokenSource,
  json,
  parametersFixture,
  rejectionOf,
  testClient,
  text,
} from '#test/unit/console/fakes.ts';

const createBody = { name: 'n', planTypeId: 'p', channelId: 'c', generationId: 'g', regionId: 'r' };

describe('lenient responses', () => {
  it('keeps fields it does not know, and does not need the ones it does not act on', async () => {
    // Prepare: an extra future field, and most spec-required fields missing
    const future = { ...clusterFixture, futureField: { nested: true } };
    const minimal = { uuid: 'c-2', name: 'minimal', status: { ready: 'Creating' } };
    const { client } = testClient([() => json([future, minimal])]);

    // Act
    const clusters = await client.listClusters();

    // Assess
    expect(clusters).toEqual([future, minimal]);
    expect(clusters[0]).toHaveProperty('futureField', { nested: true });
  });

  it('accepts a status.ready value the spec does not list yet', async () => {
    // Prepare
    const cluster = { ...clusterFixture, status: { ready: 'Hibernating' } };
    const { client } = testClient([() => json(cluster)]);

    // Act
    const result = await client.getCluster('c-1');

    // Assess
    expect(result?.status.ready).toBe('Hibernating');
  });

  it.each([
    ['uuid', { ...clusterFixture, uuid: undefined }, 'cluster[0].uuid is missing'],
    ['name', { ...clusterFixture, name: 42 }, 'cluster[0].name is missing'],
    ['status', { ...clusterFixture, status: undefined }, 'cluster[0].status is not an object'],
    [
      'status.ready',
      { ...clusterFixture, status: { zeebeStatus: 'Healthy' } },
      'cluster[0].status.ready is missing',
    ],
  ])('rejects a cluster without %s as invalid-response', async (_field, cluster, detail) => {
    // Prepare
    const { client, http } = testClient([() => json([cluster])]);

    // Act
    const error = await rejectionOf(client.listClusters());

    // Assess
    expect(error).toMatchObject({ code: 'invalid-response', status: 200, attempts: 1 });
    expect(error.message).toContain(detail);
    expect(http.requests).toHaveLength(1);
  });

  it.each([
    ['uuid', { ...backupFixture, uuid: undefined }],
    ['status', { ...backupFixture, status: undefined }],
    ['created', { ...backupFixture, created: undefined }],
    ['a parseable created', { ...backupFixture, created: 'yesterday-ish' }],
  ])('rejects a backup without %s', async (_field, backup) => {
    // Prepare
    const { client } = testClient([() => json([backup])]);

    // Act
    const error = await rejectionOf(client.listBackups('c-1'));

    // Assess
    expect(error.code).toBe('invalid-response');
  });

  it('accepts a backup with only the acted-on fields', async () => {
    // Prepare
    const backup = { uuid: 'b-1', status: 'In progress', created: '2026-01-15T10:00:00Z' };
    const { client } = testClient([() => json(backup)]);

    // Act
    const result = await client.createBackup('c-1');

    // Assess
    expect(result).toEqual(backup);
  });

  it('rejects a create-cluster answer without clusterId, flagged maybeApplied', async () => {
    // Prepare
    const { client } = testClient([() => json({ uuid: 'c-new' })]);

    // Act
    const error = await rejectionOf(client.createCluster(createBody));

    // Assess
    expect(error).toMatchObject({ code: 'invalid-response', maybeApplied: true });
  });

  it.each(['channels', 'clusterPlanTypes', 'regions'])(
    'rejects parameters whose %s is not an array',
    async (key) => {
      // Prepare
      const { client } = testClient([() => json({ ...parametersFixture, [key]: {} })]);

      // Act
      const error = await rejectionOf(client.getParameters());

      // Assess
      expect(error.code).toBe('invalid-response');
      expect(error.message).toContain(`parameters.${key}`);
    },
  );

  it('rejects a schedule answer without schedule', async () => {
    // Prepare
    const { client } = testClient([() => json({ name: 'daily' })]);

    // Act
    const error = await rejectionOf(client.putBackupSchedule('c-1', '0 2 * * *'));

    // Assess
    expect(error.code).toBe('invalid-response');
  });

  it('rejects ip ranges without a web-modeler list', async () => {
    // Prepare
    const { client } = testClient([() => json({ modeler: [] })]);

    // Act
    const error = await rejectionOf(client.getIpRanges());

    // Assess
    expect(error.code).toBe('invalid-response');
  });

  it('rejects text/plain where JSON was expected, with the text as excerpt', async () => {
    // Prepare
    const { client } = testClient([() => text('Service temporarily degraded', 200)]);

    // Act
    const error = await rejectionOf(client.listClusters());

    // Assess
    expect(error).toMatchObject({ code: 'invalid-response', bodyExcerpt: 'Service temporarily degraded' });
    expect(error.message).toContain('not JSON');
  });

  it('rejects an empty body where a list was expected', async () => {
    // Prepare
    const { client } = testClient([() => empty(200)]);

    // Act
    const error = await rejectionOf(client.listClusters());

    // Assess
    expect(error.code).toBe('invalid-response');
  });

  it('ignores bodies of calls whose answer it does not act on (204 or not)', async () => {
    // Prepare
    const { client } = testClient([() => empty(204), () => text('ok', 200), () => json(backupFixture)]);

    // Act
    const results = [
      await client.putIpAllowlist('c-1', [{ ip: '10.0.0.0/8', description: 'office' }]),
      await client.wakeCluster('c-1'),
      await client.deleteBackup('c-1', 'b-1'),
    ];

    // Assess
    expect(results).toEqual([undefined, undefined, 'deleted']);
  });
});

describe('404 conventions', () => {
  it('getCluster and getBackupSchedule give undefined for 404', async () => {
    // Prepare
    const { client, http } = testClient([() => text('Not Found', 404)]);

    // Act
    const cluster = await client.getCluster('gone');
    const schedule = await client.getBackupSchedule('c-1');

    // Assess
    expect(cluster).toBeUndefined();
    expect(schedule).toBeUndefined();
    expect(http.requests).toHaveLength(2);
  });

  it('deletes answer deleted for 2xx and not-found for 404', async () => {
    // Prepare
    const { client } = testClient([
      () => empty(204),
      () => text('Not Found', 404),
      () => json(backupFixture),
      () => text('Not Found', 404),
      () => empty(204),
      () => text('Not Found', 404),
    ]);

    // Act
    const outcomes = [
      await client.deleteCluster('c-1'),
      await client.deleteCluster('c-1'),
      await client.deleteBackup('c-1', 'b-1'),
      await client.deleteBackup('c-1', 'b-1'),
      await client.deleteBackupSchedule('c-1'),
      await client.deleteBackupSchedule('c-1'),
    ];

    // Assess
    expect(outcomes).toEqual(['deleted', 'not-found', 'deleted', 'not-found', 'deleted', 'not-found']);
  });

  it('listBackups and wakeCluster throw on 404', async () => {
    // Prepare
    const { client } = testClient([() => text('Not Found', 404)]);

    // Act
    const errors = [
      await rejectionOf(client.listBackups('gone')),
      await rejectionOf(client.wakeCluster('gone')),
    ];

    // Assess
    expect(errors.map((e) => e.status)).toEqual([404, 404]);
  });
});

describe('requests', () => {
  it('URL-encodes path parameters', async () => {
    // Prepare
    const { client, http } = testClient([() => json(backupFixture)]);

    // Act
    await client.deleteBackup('a/b c', 'x?y#z');

    // Assess
    expect(http.requests[0]?.url).toBe('https://console.test/clusters/a%2Fb%20c/backups/x%3Fy%23z');
  });

  it('sends JSON with content-type only when there is a body, and always accepts JSON', async () => {
    // Prepare
    const { client, http } = testClient([() => json({ name: 'n', schedule: '0 2 * * *' }), () => json([])]);

    // Act
    const schedule = await client.putBackupSchedule('c-1', '0 2 * * *');
    await client.listClusters();

    // Assess
    expect(schedule.schedule).toBe('0 2 * * *');
    const [put, get] = http.requests;
    expect(put?.headers).toMatchObject({ 'content-type': 'application/json', accept: 'application/json' });
    expect(JSON.parse(put?.body ?? 'null')).toEqual({ schedule: '0 2 * * *' });
    expect(get?.headers.accept).toBe('application/json');
    expect(get?.headers).not.toHaveProperty('content-type');
    expect(get?.body).toBeUndefined();
  });

  it('puts the allowlist to /ipallowlist with exactly ip and description', async () => {
    // Prepare
    const { client, http } = testClient([() => empty(204)]);
    const entries = [{ ip: '10.0.0.0/8,192.0.2.0/24', description: 'office', note: 'dropped' }];

    // Act
    await client.putIpAllowlist('c-1', entries);

    // Assess
    expect(http.requests[0]).toMatchObject({ method: 'PUT', pathname: '/clusters/c-1/ipallowlist' });
    expect(JSON.parse(http.requests[0]?.body ?? 'null')).toEqual({
      ipallowlist: [{ description: 'office', ip: '10.0.0.0/8,192.0.2.0/24' }],
    });
  });

  it('refuses an empty allowlist unless allowEmpty is passed', async () => {
    // Prepare
    const { client, http } = testClient([() => empty(204)]);

    // Act
    const refused = await client.putIpAllowlist('c-1', []).catch((e: unknown) => e);
    await client.putIpAllowlist('c-1', [], { allowEmpty: true });

    // Assess
    expect(refused).toBeInstanceOf(RangeError);
    expect(http.requests).toHaveLength(1);
    expect(JSON.parse(http.requests[0]?.body ?? 'null')).toEqual({ ipallowlist: [] });
  });

  it('keeps per-operation counters', async () => {
    // Prepare
    const { client } = testClient([() => text('down', 503), () => json([]), () => text('Not Found', 404)]);

    // Act
    await client.listClusters();
    await client.getCluster('c-1');

    // Assess
    expect(client.stats).toMatchObject({ requests: 3, retries: 1, failures: 0 });
    expect(client.stats.byOperation).toEqual({
      'GET /clusters': { requests: 2, retries: 1, throttled: 0, failures: 0 },
      'GET /clusters/{clusterUuid}': { requests: 1, retries: 0, throttled: 0, failures: 0 },
    });
  });
});

describe('configuration', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.unstubAllEnvs();
  });

  it('reads the base URL from CAMUNDA_CONSOLE_BASE_URL, defaulting to api.cloud.camunda.io', () => {
    // Act + Assess
    expect(DEFAULT_CONSOLE_BASE_URL).toBe('https://api.cloud.camunda.io');
    expect(consoleBaseUrlFromEnv({})).toBe('https://api.cloud.camunda.io');
    expect(consoleBaseUrlFromEnv({ CAMUNDA_CONSOLE_BASE_URL: ' ' })).toBe('https://api.cloud.camunda.io');
    expect(consoleBaseUrlFromEnv({ CAMUNDA_CONSOLE_BASE_URL: 'http://127.0.0.1:4010' })).toBe(
      'http://127.0.0.1:4010',
    );
  });

  it('uses the global fetch looked up at call time, and the env base URL, when none is given', async () => {
    // Prepare
    vi.stubEnv('CAMUNDA_CONSOLE_BASE_URL', 'http://sim.test:4010/');
    const client = createConsoleClient({ tokenSource: fakeTokenSource() });
    const seen: string[] = [];
    vi.stubGlobal('fetch', async (input: string | URL | Request) => {
      seen.push(String(input));
      return json([]);
    });

    // Act
    await client.listClusters();

    // Assess
    expect(seen).toEqual(['http://sim.test:4010/clusters']);
  });

  it('rejects a non-positive timeout', () => {
    // Act + Assess
    expect(() => createConsoleClient({ tokenSource: fakeTokenSource(), timeoutMs: 0 })).toThrow(RangeError);
  });
});
