// The simulator's connector secrets, API clients, cluster creation and allowlist-while-Creating knob, as
// FACTS.md describes the real API; and every answer it gives validates against the committed spec.
import { afterEach, describe, expect, it } from 'vitest';
import { SECRET_CHANGE_IN_PROGRESS } from '#local/sim/console-writes.ts';
import { type RunningSimulator, startSimulator } from '#local/sim/index.ts';
import type { SimOptions } from '#local/sim/types.ts';
import { call, idOf, withCluster } from '#test/integration/sim/http.ts';

let sim: RunningSimulator | undefined;
let t = Date.parse('2026-11-30T07:00:00Z');
async function start(options: SimOptions = {}): Promise<RunningSimulator> {
  t = Date.parse('2026-11-30T07:00:00Z');
  sim = await startSimulator({ tarPitMs: 0, authRateLimit: false, now: () => t, ...options });
  return sim;
}
afterEach(async () => {
  // Every answer of every test validated against the spec's response schemas.
  expect(sim?.stats.console.specViolations ?? []).toEqual([]);
  await sim?.close();
  sim = undefined;
});

const CREATE = (s: RunningSimulator) => {
  const p = s.state.parameters;
  const channel = p.channels[0];
  return {
    name: 'dev-fresh',
    planTypeId: s.state.planType('Enterprise S').uuid,
    channelId: channel?.uuid ?? '',
    generationId: channel?.defaultGeneration.uuid ?? '',
    regionId: p.regions[0]?.uuid ?? '',
  };
};

describe('simulator: connector secrets', () => {
  it('returns the seeded secrets of a torn-down candidate with their values', async () => {
    const s = await start();
    const res = await call(s, 'GET', `/clusters/${idOf(s, 'dev-payments')}/secrets`);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      PAYMENT_API_KEY: 'sim-not-a-real-key-payments',
      WEBHOOK_TOKEN: 'sim-not-a-real-token',
    });
  });

  it('creates, updates and deletes a secret; a duplicate name is 409', async () => {
    const { s, id } = await withCluster(start(), 'prod-orders');
    const path = `/clusters/${id}/secrets`;
    expect((await call(s, 'POST', path, { body: { secretName: 'A', secretValue: 'one' } })).status).toBe(204);
    expect((await call(s, 'POST', path, { body: { secretName: 'A', secretValue: 'two' } })).status).toBe(409);
    expect((await call(s, 'PUT', `${path}/A`, { body: { secretValue: 'three' } })).status).toBe(204);
    expect((await call(s, 'GET', path)).json).toEqual({ A: 'three' });
    expect((await call(s, 'PUT', `${path}/B`, { body: { secretValue: 'x' } })).status).toBe(404);
    expect((await call(s, 'DELETE', `${path}/A`)).status).toBe(204);
    expect((await call(s, 'GET', path)).json).toEqual({});
  });

  it('refuses a name of 50 characters or more with 400', async () => {
    const s = await start();
    const path = `/clusters/${idOf(s, 'prod-orders')}/secrets`;
    const res = await call(s, 'POST', path, { body: { secretName: 'N'.repeat(50), secretValue: 'v' } });
    expect(res.status).toBe(400);
  });

  it('answers 409 "change in progress" while another secret write is in progress, then accepts', async () => {
    const s = await start({ secretChangeMs: 2_000 });
    const path = `/clusters/${idOf(s, 'prod-orders')}/secrets`;
    expect((await call(s, 'POST', path, { body: { secretName: 'A', secretValue: '1' } })).status).toBe(204);
    const busy = await call(s, 'POST', path, { body: { secretName: 'B', secretValue: '2' } });
    expect(busy.status).toBe(409);
    expect(busy.text).toBe(SECRET_CHANGE_IN_PROGRESS);
    t += 2_000;
    expect((await call(s, 'POST', path, { body: { secretName: 'B', secretValue: '2' } })).status).toBe(204);
    expect((await call(s, 'GET', path)).json).toEqual({ A: '1', B: '2' });
  });
});

describe('simulator: API clients', () => {
  it('lists clients without their secret; the secret is only in the create answer', async () => {
    const { s, id } = await withCluster(start(), 'dev-payments');
    const listed = (await call(s, 'GET', `/clusters/${id}/clients`)).json as Array<Record<string, unknown>>;
    expect(listed.map((c) => [c.name, c.permissions])).toEqual([
      ['payments-worker', ['Zeebe']],
      ['payments-ci', ['Zeebe', 'Operate']],
    ]);
    for (const c of listed) expect(Object.keys(c).sort()).toEqual(['clientId', 'name', 'permissions']);

    const created = await call(s, 'POST', `/clusters/${id}/clients`, {
      body: { clientName: 'new-worker', permissions: ['Zeebe'] },
    });
    expect(created.status).toBe(200);
    const body = created.json as Record<string, unknown>;
    expect(body.clientSecret).toEqual(expect.any(String));
    expect(body.links).toMatchObject({ zeebe: expect.stringContaining(id) });
    const again = (await call(s, 'GET', `/clusters/${id}/clients`)).json as Array<Record<string, unknown>>;
    expect(again.find((c) => c.name === 'new-worker')).toEqual({
      name: 'new-worker',
      clientId: body.clientId,
      permissions: ['Zeebe'],
    });
    const details = await call(s, 'GET', `/clusters/${id}/clients/${String(body.clientId)}`);
    expect(details.status).toBe(200);
    expect(JSON.stringify(details.json)).not.toContain(String(body.clientSecret));
  });

  it('refuses a second client of the same name with 400 and creates nothing', async () => {
    const { s, id } = await withCluster(start(), 'dev-payments');
    const res = await call(s, 'POST', `/clusters/${id}/clients`, { body: { clientName: 'payments-worker' } });
    expect(res.status).toBe(400);
    expect(s.state.cluster(id).apiClients).toHaveLength(2);
  });

  it('gives every permission when the create names none', async () => {
    const { s, id } = await withCluster(start(), 'prod-orders');
    const res = await call(s, 'POST', `/clusters/${id}/clients`, { body: { clientName: 'all' } });
    expect((res.json as { permissions: string[] }).permissions).toEqual([
      'Zeebe',
      'Operate',
      'Tasklist',
      'Optimize',
      'Secrets',
    ]);
  });
});

describe('simulator: create and the allowlist while Creating', () => {
  it('creates a new cluster: new uuid and links, no secrets, no clients, Creating until clusterCreateMs', async () => {
    const s = await start({ clusterCreateMs: 90_000 });
    const res = await call(s, 'POST', '/clusters', { body: CREATE(s) });
    expect(res.status).toBe(200);
    const id = (res.json as { clusterId: string }).clusterId;
    const got = (await call(s, 'GET', `/clusters/${id}`)).json as {
      status: { ready: string };
      links: { zeebe: string };
    };
    expect(got.status.ready).toBe('Creating');
    expect(got.links.zeebe).toContain(id);
    expect((await call(s, 'GET', `/clusters/${id}/secrets`)).json).toEqual({});
    expect((await call(s, 'GET', `/clusters/${id}/clients`)).json).toEqual([]);
    t += 90_000;
    expect(
      (
        (await call(s, 'GET', `/clusters/${id}`)).json as {
          status: { ready: string };
          links: { zeebe: string };
        }
      ).status.ready,
    ).toBe('Healthy');
  });

  it('refuses an allowlist while Creating by default (409), accepts it once Healthy', async () => {
    const s = await start({ clusterCreateMs: 60_000 });
    const id = ((await call(s, 'POST', '/clusters', { body: CREATE(s) })).json as { clusterId: string })
      .clusterId;
    const body = { ipallowlist: [{ description: 'office', ip: '203.0.113.0/24' }] };
    expect((await call(s, 'PUT', `/clusters/${id}/ipallowlist`, { body })).status).toBe(409);
    t += 60_000;
    expect((await call(s, 'PUT', `/clusters/${id}/ipallowlist`, { body })).status).toBe(204);
  });

  it('accepts an allowlist while Creating when the knob says so', async () => {
    const s = await start({ clusterCreateMs: 60_000, allowlistWhileCreating: true });
    const id = ((await call(s, 'POST', '/clusters', { body: CREATE(s) })).json as { clusterId: string })
      .clusterId;
    const body = { ipallowlist: [{ description: 'office', ip: '203.0.113.0/24' }] };
    expect((await call(s, 'PUT', `/clusters/${id}/ipallowlist`, { body })).status).toBe(204);
    expect(s.state.allowlistOf(id)).toEqual(body.ipallowlist);
  });
});

describe('simulator: every answer validates against the spec', () => {
  it('an "In progress" backup carries the required `completed`', async () => {
    const { s, id } = await withCluster(start({ backupDurationMs: 60_000 }), 'prod-orders');
    const res = await call(s, 'POST', `/clusters/${id}/backups`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: 'In progress', completed: '' });
    // afterEach asserts stats.console.specViolations is empty
  });

  it('every seeded cluster, backup, schedule, secret list and client list answers per the spec', async () => {
    const s = await start();
    expect((await call(s, 'GET', '/clusters')).status).toBe(200);
    expect((await call(s, 'GET', '/clusters/parameters')).status).toBe(200);
    expect((await call(s, 'GET', '/meta/ip-ranges', { token: null })).status).toBe(200);
    for (const c of s.state.clusters.values()) {
      await call(s, 'GET', `/clusters/${c.uuid}`);
      await call(s, 'GET', `/clusters/${c.uuid}/backups`);
      await call(s, 'GET', `/clusters/${c.uuid}/backups/schedule`);
      await call(s, 'GET', `/clusters/${c.uuid}/secrets`);
      await call(s, 'GET', `/clusters/${c.uuid}/clients`);
    }
    expect(s.stats.console.requests).toBeGreaterThan(50);
  });

  it('records an answer the spec does not allow (the check can fail)', async () => {
    const { s, id } = await withCluster(start(), 'prod-orders');
    s.state.updateCluster(id, { name: 42 as unknown as string });
    await call(s, 'GET', `/clusters/${id}`);
    expect(s.stats.console.specViolations).toEqual([expect.stringContaining('GetCluster 200')]);
    s.stats.console.specViolations.length = 0;
  });
});
