import { describe, expect, it } from 'vitest';
import type { components } from '#lib/console/openapi-types.ts';
import {
  generateOrg,
  type ManualClock,
  manualClock,
  ORG_CLUSTERS,
  type RunningSimulator,
} from '#local/sim/index.ts';
import {
  type ClusterJson,
  call,
  clusterOf,
  idOf,
  simulatorsPerTest,
  withCluster,
} from '#test/integration/sim/http.ts';

type Parameters = components['schemas']['Parameters'];

const start = simulatorsPerTest();

/** The cluster now, and again once the simulator's clock moved `ms` on. */
async function nowAndAfter(
  s: RunningSimulator,
  clock: ManualClock,
  id: string,
  ms: number,
): Promise<[ClusterJson, ClusterJson]> {
  const now = await clusterOf(s, id);
  clock.advance(ms);
  return [now, await clusterOf(s, id)];
}

async function parameters(s: RunningSimulator): Promise<Parameters> {
  return (await call(s, 'GET', '/clusters/parameters')).json as Parameters;
}

async function createBody(s: RunningSimulator, overrides: Record<string, unknown> = {}) {
  const p = await parameters(s);
  const stable = p.channels.find((c) => c.name === 'Stable');
  const enterprise = p.clusterPlanTypes.find((t) => t.name === 'Enterprise S');
  const region = p.regions[0];
  return {
    name: 'dev-new',
    planTypeId: enterprise?.uuid,
    channelId: stable?.uuid,
    generationId: stable?.defaultGeneration.uuid,
    regionId: region?.uuid,
    ...overrides,
  };
}

describe('simulator: seeded organization', () => {
  it('lists the dozen seeded clusters shaped like the spec, plus unknown extra fields', async () => {
    // Prepare
    const s = await start();

    // Act
    const res = await call(s, 'GET', '/clusters');

    // Assess
    const clusters = res.json as ClusterJson[];
    expect(clusters.map((c) => c.name).sort()).toEqual([...ORG_CLUSTERS].sort());
    for (const c of clusters) {
      expect(c).toMatchObject({
        uuid: expect.any(String),
        ownerId: expect.any(String),
        planType: { uuid: expect.any(String), name: expect.any(String) },
        region: { uuid: expect.any(String), name: expect.any(String) },
        generation: { uuid: expect.any(String), name: expect.any(String) },
        channel: { uuid: expect.any(String), name: expect.any(String) },
        autoUpdate: expect.any(Boolean),
        status: { ready: expect.any(String) },
        links: { zeebe: expect.any(String) },
        encryption: { type: expect.any(String) },
        futureField: expect.anything(),
      });
      expect(Number.isNaN(Date.parse(c.created))).toBe(false);
      expect(c).not.toHaveProperty('stageLabel');
    }
    const statuses = clusters.map((c) => c.status.ready);
    expect(statuses.filter((x) => x === 'Healthy').length).toBeGreaterThanOrEqual(9);
    expect(statuses).toContain('Suspended');
    expect(statuses).toContain('Unhealthy');
  });

  it('seeds labels, descriptions, allowlists, legacy ipwhitelist-only clusters and an hour-old cluster', async () => {
    // Prepare
    const s = await start();

    // Act
    const stage = await clusterOf(s, idOf(s, 'stage-payments'));
    const prod = await clusterOf(s, idOf(s, 'prod-payments'));
    const alice = await clusterOf(s, idOf(s, 'dev-sandbox-alice'));

    // Assess
    expect(stage.ipallowlist).toBeUndefined();
    expect(stage.ipwhitelist).toEqual([
      { description: 'corporate networks', ip: '10.0.0.0/8,192.168.1.0/24' },
    ]);
    expect(prod.labels).toEqual(expect.arrayContaining(['env-prod', 'team-payments']));
    expect(prod.description).toBe('Payments production');
    expect(prod.ipallowlist?.length).toBe(2);
    expect(prod.backupRegion).toEqual({ uuid: expect.any(String), name: expect.any(String) });
    expect(Date.now() - Date.parse(alice.created)).toBeLessThan(2 * 60 * 60 * 1000);
    expect(alice.labels).toContain('nightly-off');
  });

  it('offers parameters with Stable and Alpha channels, Enterprise and other plans, regions with backup regions', async () => {
    // Prepare
    const s = await start();

    // Act
    const p = await parameters(s);

    // Assess
    expect(p.channels.map((c) => c.name)).toEqual(['Stable', 'Alpha']);
    expect(p.channels[0]?.allowedGenerations.map((g) => g.name)).toEqual(['8.6.9', '8.7.2']);
    expect(p.clusterPlanTypes.map((t) => t.name)).toEqual(
      expect.arrayContaining(['Starter', 'Enterprise S', 'Enterprise M']),
    );
    expect(p.regions[0]?.backups?.[0]?.regions.length).toBeGreaterThan(0);
  });

  it('generates a large deterministic organization for benchmarks', () => {
    // Prepare
    const now = Date.UTC(2026, 0, 1);

    // Act
    const a = generateOrg(3000, 7, now);
    const b = generateOrg(3000, 7, now);
    const c = generateOrg(3000, 8, now);

    // Assess
    expect(a.clusters.length).toBe(3000);
    expect(new Set(a.clusters.map((x) => x.uuid)).size).toBe(3000);
    expect(a.clusters.map((x) => x.uuid)).toEqual(b.clusters.map((x) => x.uuid));
    expect(a.clusters[0]?.uuid).not.toBe(c.clusters[0]?.uuid);
    expect(a.backups.length).toBeGreaterThan(0);
  });

  it('serves a generated organization when seeded with a cluster count', async () => {
    // Prepare
    const s = await start({ seed: { clusters: 2000, rngSeed: 3 } });

    // Act
    const res = await call(s, 'GET', '/clusters');

    // Assess
    expect((res.json as ClusterJson[]).length).toBe(2000);
  });
});

describe('simulator: cluster lifecycle', () => {
  it('creates a cluster that is Creating, then Healthy after clusterCreateMs, and never returns stageLabel', async () => {
    // Prepare
    const clock = manualClock();
    const s = await start({ seed: 'empty', now: clock.now, clusterCreateMs: 60_000 });
    const body = await createBody(s, { stageLabel: 'dev', description: 'made by a test' });

    // Act
    const created = await call(s, 'POST', '/clusters', { body });
    const id = (created.json as { clusterId: string }).clusterId;
    const [creating, healthy] = await nowAndAfter(s, clock, id, 60_000);

    // Assess
    expect(created.status).toBe(200);
    expect(creating.status.ready).toBe('Creating');
    expect(healthy.status.ready).toBe('Healthy');
    expect(healthy.status.zeebeStatus).toBe('Healthy');
    expect(healthy.description).toBe('made by a test');
    expect(healthy).not.toHaveProperty('stageLabel');
    expect(healthy.ownerId).toBe('sim-client');
    expect(s.state.clusters.get(id)?.stageLabel).toBe('dev');
  });

  it('allows duplicate names', async () => {
    // Prepare
    const s = await start();
    const body = await createBody(s, { name: 'dev-payments' });

    // Act
    const res = await call(s, 'POST', '/clusters', { body });

    // Assess
    expect(res.status).toBe(200);
    const named = [...s.state.clusters.values()].filter((c) => c.name === 'dev-payments');
    expect(named.length).toBe(2);
  });

  it.each([
    ['an unknown plan type', { planTypeId: 'nope' }, 'clusterPlanType'],
    ['an unknown region', { regionId: 'nope' }, 'region'],
    ['an unknown channel', { channelId: 'nope' }, 'channel'],
    ['a generation the channel does not allow', { generationId: 'nope' }, 'generation'],
    ['an unknown backup region', { backupRegionId: 'nope' }, 'backupRegionId'],
    ['a description over 150 characters', { description: 'x'.repeat(151) }, 'Description'],
    ['a name that is too long', { name: 'n'.repeat(51) }, 'Name'],
  ])('rejects %s with 400 and a reason', async (_name, overrides, reason) => {
    // Prepare
    const s = await start({ seed: 'empty' });
    const body = await createBody(s, overrides);

    // Act
    const res = await call(s, 'POST', '/clusters', { body });

    // Assess
    expect(res.status).toBe(400);
    expect(res.text).toContain(reason);
    expect(s.state.clusters.size).toBe(0);
  });

  it('accepts a valid backup region and a description of exactly 150 characters', async () => {
    // Prepare
    const s = await start({ seed: 'empty' });
    const p = await parameters(s);
    const backupRegion = p.regions[0]?.backups?.[0]?.regions[0];
    const body = await createBody(s, { backupRegionId: backupRegion?.id, description: 'd'.repeat(150) });

    // Act
    const res = await call(s, 'POST', '/clusters', { body });

    // Assess
    expect(res.status).toBe(200);
    const id = (res.json as { clusterId: string }).clusterId;
    expect(s.state.clusters.get(id)?.backupRegion).toEqual({
      uuid: backupRegion?.id,
      name: backupRegion?.label,
    });
  });

  it('answers 503 when creation is unavailable', async () => {
    // Prepare
    const s = await start({ seed: 'empty' });
    s.state.creationAvailable = false;

    // Act
    const res = await call(s, 'POST', '/clusters', { body: await createBody(s) });

    // Assess
    expect(res.status).toBe(503);
  });

  it('deletes a cluster with its backups and schedule: 204, then 404', async () => {
    // Prepare
    const { s, id } = await withCluster(start(), 'prod-payments');

    // Act
    const deleted = await call(s, 'DELETE', `/clusters/${id}`);
    const again = await call(s, 'DELETE', `/clusters/${id}`);
    const get = await call(s, 'GET', `/clusters/${id}`);

    // Assess
    expect(deleted.status).toBe(204);
    expect(again.status).toBe(404);
    expect(get.status).toBe(404);
    expect(s.state.backups.has(id)).toBe(false);
    expect(s.state.schedules.has(id)).toBe(false);
  });

  it('updates name and description with PATCH', async () => {
    // Prepare
    const { s, id } = await withCluster(start(), 'dev-orders');

    // Act
    const res = await call(s, 'PATCH', `/clusters/${id}`, {
      body: { name: 'dev-orders-2', description: 'renamed' },
    });

    // Assess
    expect(res.status).toBe(204);
    expect(s.state.clusters.get(id)).toMatchObject({ name: 'dev-orders-2', description: 'renamed' });
  });

  it('wakes a Suspended cluster: Resuming, then Healthy', async () => {
    // Prepare
    const clock = manualClock();
    const { s, id } = await withCluster(start({ now: clock.now, clusterCreateMs: 1_000 }), 'dev-sandbox-bob');

    // Act
    const woke = await call(s, 'PUT', `/clusters/${id}/wake`);
    const [resuming, healthy] = await nowAndAfter(s, clock, id, 1_000);

    // Assess
    expect(woke.status).toBe(204);
    expect(resuming.status.ready).toBe('Resuming');
    expect(healthy.status.ready).toBe('Healthy');
  });

  it('lets tests change the state directly', async () => {
    // Prepare
    const s = await start({ seed: 'empty' });
    const c = s.state.addCluster({ name: 'dev-added', plan: 'Starter', labels: ['nightly-off'] });

    // Act
    s.state.suspend(c.uuid);
    const res = await clusterOf(s, c.uuid);

    // Assess
    expect(res).toMatchObject({ name: 'dev-added', labels: ['nightly-off'], status: { ready: 'Suspended' } });
    expect(res.planType.name).toBe('Starter');
    expect(res).not.toHaveProperty('ipallowlist');
  });
});
