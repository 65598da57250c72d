// The Console client over real HTTP against the simulator (local/sim/): real fetch, real timers.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createConsoleClient, type MeteredConsoleClient } from '#lib/console/client.ts';
import { ORG_CLUSTERS, type RunningSimulator, startSimulator } from '#local/sim/index.ts';
import { simTokenSource } from '#test/helpers/sim-console.ts';
import { rejectionOf } from '#test/unit/console/fakes.ts';

describe('console client against the simulator', () => {
  let sim: RunningSimulator;
  let tokens: ReturnType<typeof simTokenSource>;
  let client: MeteredConsoleClient;
  const idOf = (name: string): string => sim.state.cluster(name).uuid;

  beforeEach(async () => {
    sim = await startSimulator({ seed: 'org' });
    tokens = simTokenSource(sim);
    client = createConsoleClient({ tokenSource: tokens, baseUrl: sim.url, timeoutMs: 2_000 });
  });

  afterEach(async () => {
    await sim.close();
  });

  it('lists and gets clusters, keeping fields it does not know', async () => {
    // Act
    const clusters = await client.listClusters();
    const one = await client.getCluster(idOf('prod-payments'));
    const missing = await client.getCluster('00000000-0000-0000-0000-000000000000');

    // Assess
    expect(clusters.map((c) => c.name).sort()).toEqual([...ORG_CLUSTERS].sort());
    expect(one).toMatchObject({
      uuid: idOf('prod-payments'),
      name: 'prod-payments',
      status: { ready: 'Healthy' },
    });
    expect(one).toEqual(clusters.find((c) => c.name === 'prod-payments'));
    expect(Object.keys(one ?? {}).length).toBeGreaterThan(5);
    expect(missing).toBeUndefined();
  });

  it('creates a cluster from the parameters, then deletes it', async () => {
    // Prepare
    const parameters = await client.getParameters();
    const channel = parameters.channels.find((c) => c.name === 'Stable');
    const plan = parameters.clusterPlanTypes[0];
    const region = parameters.regions[0];
    if (!channel || !plan || !region) throw new Error('simulator parameters are incomplete');

    // Act
    const created = await client.createCluster({
      name: 'it-console-client',
      planTypeId: plan.uuid,
      channelId: channel.uuid,
      generationId: channel.defaultGeneration.uuid,
      regionId: region.uuid,
      description: 'created by the integration test',
      stageLabel: 'dev',
    });
    const fetched = await client.getCluster(created.clusterId);
    const deleted = await client.deleteCluster(created.clusterId);
    const again = await client.deleteCluster(created.clusterId);

    // Assess
    expect(fetched).toMatchObject({ uuid: created.clusterId, name: 'it-console-client' });
    expect(deleted).toBe('deleted');
    expect(again).toBe('not-found');
    expect(sim.state.clusters.has(created.clusterId)).toBe(false);
  });

  it('wakes a suspended cluster', async () => {
    // Prepare
    const id = idOf('dev-sandbox-bob');

    // Act
    await client.wakeCluster(id);
    const after = await client.getCluster(id);

    // Assess
    expect(after?.status.ready).not.toBe('Suspended');
  });

  it('lists, creates and deletes backups', async () => {
    // Prepare
    const payments = idOf('prod-payments');
    const orders = idOf('prod-orders');

    // Act
    const listed = await client.listBackups(payments);
    const created = await client.createBackup(orders);
    const target = listed[0];
    if (!target) throw new Error('prod-payments has no backups');
    const deleted = await client.deleteBackup(payments, target.uuid);
    const deletedAgain = await client.deleteBackup(payments, target.uuid);
    const after = await client.listBackups(payments);

    // Assess
    expect(listed).toHaveLength(3);
    expect(listed.every((b) => b.status === 'Complete' && Number.isFinite(Date.parse(b.created)))).toBe(true);
    expect(created.status).toBe('In progress');
    expect(created).toHaveProperty('futureField');
    expect(deleted).toBe('deleted');
    expect(deletedAgain).toBe('not-found');
    expect(after.map((b) => b.uuid)).not.toContain(target.uuid);
  });

  it('reads, replaces and deletes the backup schedule', async () => {
    // Prepare
    const id = idOf('prod-payments');

    // Act
    const before = await client.getBackupSchedule(id);
    const put = await client.putBackupSchedule(id, '30 3 * * *');
    const read = await client.getBackupSchedule(id);
    const deleted = await client.deleteBackupSchedule(id);
    const gone = await client.getBackupSchedule(id);

    // Assess
    expect(before?.schedule).toBe('0 2 * * *');
    expect(put.schedule).toBe('30 3 * * *');
    expect(read?.schedule).toBe('30 3 * * *');
    expect(deleted).toBe('deleted');
    expect(gone).toBeUndefined();
  });

  it('puts the ip allowlist and reads it back from the cluster', async () => {
    // Prepare
    const id = idOf('stage-payments');
    const entries = [
      { description: 'office', ip: '203.0.113.0/24' },
      { description: 'vpn egress', ip: '198.51.100.10/32,198.51.100.11/32' },
    ];

    // Act
    await client.putIpAllowlist(id, entries);
    const cluster = await client.getCluster(id);

    // Assess
    expect(cluster?.ipallowlist).toEqual(entries);
    expect(cluster?.ipwhitelist).toBeUndefined();
    expect(sim.state.allowlistOf(id)).toEqual(entries);
    expect(sim.requestLog.filter((e) => /ipwhitelist/i.test(e.path))).toEqual([]);
  });

  it('reads the ip ranges without a token', async () => {
    // Act
    const ranges = await client.getIpRanges();

    // Assess
    expect(ranges['web-modeler']).toEqual(sim.state.ipRanges['web-modeler']);
    expect(tokens.minted).toHaveLength(0);
  });

  it('retries a 429 after its Retry-After', async () => {
    // Prepare
    sim.faults.add({ route: 'GET /clusters', kind: 'status', status: 429, retryAfter: '1', times: 1 });
    const started = Date.now();

    // Act
    const clusters = await client.listClusters();

    // Assess
    expect(clusters).toHaveLength(ORG_CLUSTERS.length);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(sim.stats.console.byRoute['GET /clusters']).toBe(2);
    expect(client.stats).toMatchObject({ throttled: 1, retries: 1 });
  });

  it('retries a reset connection and a hanging answer on GET', async () => {
    // Prepare
    sim.faults.add({ route: 'GET /clusters/{clusterUuid}', kind: 'reset', times: 1 });
    sim.faults.add({ route: 'GET /clusters/parameters', kind: 'hang', times: 1 });
    const quick = createConsoleClient({ tokenSource: tokens, baseUrl: sim.url, timeoutMs: 300 });

    // Act
    const cluster = await quick.getCluster(idOf('prod-orders'));
    const parameters = await quick.getParameters();

    // Assess
    expect(cluster?.name).toBe('prod-orders');
    expect(parameters.regions.length).toBeGreaterThan(0);
    expect(sim.stats.console.byRoute['GET /clusters/{clusterUuid}']).toBe(2);
    expect(sim.stats.console.byRoute['GET /clusters/parameters']).toBe(2);
  });

  it('does not replay a POST whose answer failed after the server acted, and flags maybeApplied', async () => {
    // Prepare
    const id = idOf('prod-orders');
    const before = await client.listBackups(id);
    sim.faults.add({
      route: 'POST /clusters/{clusterUuid}/backups',
      kind: 'status',
      status: 503,
      afterCommit: true,
      times: 1,
    });

    // Act
    const error = await rejectionOf(client.createBackup(id));
    const after = await client.listBackups(id);

    // Assess: one POST only; the backup exists, so the caller's re-read finds it
    expect(error).toMatchObject({ status: 503, maybeApplied: true, attempts: 1 });
    expect(sim.stats.console.byRoute['POST /clusters/{clusterUuid}/backups']).toBe(1);
    expect(after).toHaveLength(before.length + 1);
  });

  it('does not replay a POST whose connection was reset', async () => {
    // Prepare
    sim.faults.add({
      route: 'POST /clusters/{clusterUuid}/backups',
      kind: 'reset',
      afterCommit: true,
      times: 1,
    });

    // Act
    const error = await rejectionOf(client.createBackup(idOf('prod-analytics')));

    // Assess
    expect(error).toMatchObject({ code: 'network', maybeApplied: true, attempts: 1 });
    expect(sim.stats.console.byRoute['POST /clusters/{clusterUuid}/backups']).toBe(1);
  });

  it('refreshes the token once after revokeAllTokens', async () => {
    // Prepare
    await client.listClusters();
    const [first] = tokens.minted;
    sim.revokeAllTokens();

    // Act
    const clusters = await client.listClusters();

    // Assess
    expect(clusters).toHaveLength(ORG_CLUSTERS.length);
    expect(tokens.invalidated).toEqual([first]);
    expect(tokens.minted).toHaveLength(2);
    expect(sim.stats.console.unauthorized).toBe(1);
    expect(client.stats.tokenRefreshes).toBe(1);
  });

  it('fails with 401 when the fresh token is rejected too', async () => {
    // Prepare: a token source whose tokens the simulator never accepts
    const bad = createConsoleClient({
      tokenSource: { getToken: async () => 'not-a-valid-token-0123456789', invalidate: async () => {} },
      baseUrl: sim.url,
    });

    // Act
    const error = await rejectionOf(bad.listClusters());

    // Assess
    expect(error).toMatchObject({ status: 401, attempts: 2 });
    expect(JSON.stringify(error)).not.toContain('not-a-valid-token-0123456789');
    expect(sim.stats.console.unauthorized).toBe(2);
  });
});
