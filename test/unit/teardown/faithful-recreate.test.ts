// The faithful teardown → recreate cycle (issue #11): what a delete loses is snapshotted first (secret values
// sealed), what cannot come back is refused, and the recreate finishes the new cluster — current desired
// allowlist first, then secrets, clients with new published credentials, the ready event — before the
// sealed values are dropped. Crashes between the steps are finished by the next run without duplicates.
import { describe, expect, it } from 'vitest';
import { READY_EVENT } from '#functions/teardown/recreate.ts';
import { PLACEHOLDER_ENTRY } from '#functions/teardown/restore.ts';
import type { TeardownPolicy } from '#lib/config/types.ts';
import { apiError } from '#test/fakes/console.ts';
import {
  cluster,
  type Harness,
  harness,
  outcomeOf,
  outcomes,
  policy,
} from '#test/fakes/teardown-scenario.ts';

const OFFICE = { description: 'office', ip: '203.0.113.0/24' };
const VPN = { description: 'vpn', ip: '198.51.100.7/32' };
const SECRET_VALUE = 'sk-live-not-for-logs-4711';

function live(overrides: Partial<TeardownPolicy['recreate']> = {}): TeardownPolicy {
  const p = policy();
  return { ...p, recreate: { ...p.recreate, waitForHealthySeconds: 600, ...overrides } };
}

/** dev-a with two secrets, two clients and an allowlist, torn down; Healthy 90 s after a create. */
async function tornDown(options: { createMs?: number } = {}): Promise<Harness> {
  const h = harness([
    cluster('dev-a', {
      ipallowlist: [OFFICE, VPN],
      autoUpdate: false,
      encryption: { type: 'Hardware' },
    } as never),
  ]);
  h.console.secrets.set('uuid-dev-a', { API_KEY: SECRET_VALUE, SMTP: 'smtp-pass' });
  h.console.apiClients.set('uuid-dev-a', [
    { name: 'worker', clientId: 'old-w', permissions: ['Zeebe'], clientSecret: 'old-secret-w' },
    { name: 'ci', clientId: 'old-c', permissions: ['Zeebe', 'Operate'], clientSecret: 'old-secret-c' },
  ]);
  const run = await h.run('run', live());
  expect(outcomes(run)).toEqual({ 'dev-a': 'done:cluster-deleted' });
  const createMs = options.createMs ?? 90_000;
  h.hooks.onSleep = () => {
    for (const c of h.console.clusters.values()) {
      if (c.status.ready === 'Creating' && h.clock.now() - Date.parse(c.created ?? '') >= createMs)
        h.console.healthy(c.uuid);
    }
  };
  return h;
}

const everything = (h: Harness): string => JSON.stringify([h.log.lines, h.events, h.counted, h.stores]);

describe('teardown: snapshot of what a recreate can bring back', () => {
  it('seals connector-secret values, keeps client names and permissions, autoUpdate and encryption', async () => {
    const h = await tornDown();
    const s = await h.stores.snapshots.get('dev-a');
    expect(s).toMatchObject({
      autoUpdate: false,
      encryptionType: 'Hardware',
      secrets: { names: ['API_KEY', 'SMTP'], sealedFor: { clusterId: 'uuid-dev-a', clusterName: 'dev-a' } },
      apiClients: [
        { name: 'worker', permissions: ['Zeebe'] },
        { name: 'ci', permissions: ['Zeebe', 'Operate'] },
      ],
    });
    expect(s?.secrets?.sealed).toBeDefined();
    expect(JSON.stringify(s)).not.toContain(SECRET_VALUE);
    expect(everything(h)).not.toContain(SECRET_VALUE);
  });

  it('does not delete a cluster whose secrets cannot be read', async () => {
    const h = harness([cluster('dev-a')]);
    h.console.getSecrets = async () => {
      throw apiError('GET /clusters/{clusterUuid}/secrets', { status: 403 });
    };
    const run = await h.run('run', live());
    expect(run.clusters[0]?.status).toBe('failed');
    expect(h.console.deleted).toEqual([]);
  });

  it('does not delete a cluster with secrets when no sealer is configured', async () => {
    const h = harness([cluster('dev-a')]);
    h.console.secrets.set('uuid-dev-a', { K: 'v' });
    delete h.deps.sealer;
    const run = await h.run('run', live());
    expect(run.clusters[0]).toMatchObject({ status: 'failed', error: expect.stringContaining('no sealer') });
    expect(h.console.deleted).toEqual([]);
  });

  it('refuses a cluster with External encryption unless the policy says how to recreate it', async () => {
    const ext = () => cluster('dev-x', { encryption: { type: 'External' } } as never);
    const h = harness([ext()]);
    const run = await h.run('run', live());
    expect(outcomeOf(run, 'dev-x')).toMatchObject({ status: 'skipped', reason: 'cannot be recreated' });
    expect(h.console.deleted).toEqual([]);
    const notice = await h.run('notice', live());
    expect(outcomeOf(notice, 'dev-x').status).toBe('skipped');

    const allowed = harness([ext()]);
    await allowed.run('run', live({ externalEncryptionAs: 'Software' }));
    expect(allowed.console.deleted).toEqual(['uuid-dev-x']);
    await allowed.run('recreate', live({ externalEncryptionAs: 'Software', waitForHealthySeconds: 0 }));
    expect(allowed.console.created[0]?.encryption).toBe('Software');
  });

  it('the evening notice lists, per planned cluster, what will not survive', async () => {
    const h = harness([cluster('dev-a')]);
    await h.run('notice', live());
    const notice = h.events.find((e) => e.detailType === 'teardown.notice.sent');
    const planned = (notice?.detail.clusters as Array<{ notRestored: string[] }> | undefined)?.[0];
    expect(planned?.notRestored.join(' ')).toMatch(/process instance data.*backups.*authorizations/s);
  });
});

describe('recreate: the same cluster for everyone who uses it', () => {
  it('restores secrets and clients, publishes new credentials, writes the CURRENT desired allowlist, measures the open window', async () => {
    const h = await tornDown();
    // Overnight the VPN address was revoked: the desired state is now the office only.
    h.desired.set('dev-a', [OFFICE]);

    const summary = await h.run('recreate', live({ stageLabels: [{ names: ['dev-*'], stageLabel: 'dev' }] }));

    const [created] = h.console.created;
    expect(created).toMatchObject({
      name: 'dev-a',
      autoUpdate: false,
      encryption: 'Hardware',
      stageLabel: 'dev',
    });
    const newId = h.console.byName('dev-a')[0]?.uuid ?? '';
    expect(outcomes(summary)).toEqual({ 'dev-a': 'done:cluster-recreated' });
    expect(h.console.clusters.get(newId)?.ipallowlist).toEqual([OFFICE]);
    expect(h.console.secrets.get(newId)).toEqual({ API_KEY: SECRET_VALUE, SMTP: 'smtp-pass' });
    const clients = h.console.apiClients.get(newId) ?? [];
    expect(clients.map((c) => [c.name, c.permissions])).toEqual([
      ['worker', ['Zeebe']],
      ['ci', ['Zeebe', 'Operate']],
    ]);
    const worker = h.credentials.secrets.get('camunda-automation/clusters/dev-a/worker');
    expect(worker).toMatchObject({
      CAMUNDA_CLUSTER_ID: newId,
      ZEEBE_CLIENT_ID: clients[0]?.clientId,
      ZEEBE_CLIENT_SECRET: clients[0]?.clientSecret,
    });
    const detail = (outcomeOf(summary, 'dev-a') as { detail?: Record<string, unknown> }).detail ?? {};
    expect(detail).toMatchObject({
      allowlist: 'current desired state',
      connectorSecrets: 2,
      labelsByLineage: ['nightly-off'],
      credentialSecrets: ['camunda-automation/clusters/dev-a/worker', 'camunda-automation/clusters/dev-a/ci'],
    });
    // Healthy after 90 s of simulated creation; the allowlist went in on the first poll that was accepted.
    expect(detail.openWindowSeconds).toBeGreaterThanOrEqual(90);
    expect(detail.openWindowSeconds).toBeLessThan(600);
    expect(h.counted).toContainEqual({ name: 'RecreateOpenWindowSeconds', value: detail.openWindowSeconds });
    expect(h.counted.map((c) => c.name)).not.toContain('RecreateOpenWindowExceeded');
    const ready = h.events.find((e) => e.detailType === READY_EVENT);
    expect(ready?.detail).toMatchObject({ oldClusterId: 'uuid-dev-a', newClusterId: newId });
    // Done: the sealed values are gone from the snapshot; no secret value anywhere it must not be.
    const after = await h.stores.snapshots.get('dev-a');
    expect(after?.status).toBe('done');
    expect(after?.secrets?.sealed).toBeUndefined();
    expect(JSON.stringify(h.events)).not.toContain(clients[0]?.clientSecret ?? 'x');
    expect(JSON.stringify(summary)).not.toContain(SECRET_VALUE);
    expect(JSON.stringify(summary)).not.toContain(clients[0]?.clientSecret ?? 'x');
  });

  it('writes the allowlist while Creating when the API accepts it: the open window is near zero', async () => {
    const h = await tornDown();
    h.console.allowlistWhileCreating = true;
    const summary = await h.run('recreate', live());
    expect(outcomeOf(summary, 'dev-a')).toMatchObject({ detail: { openWindowSeconds: 0 } });
  });

  it('writes a deny-all placeholder where the desired list is unknown, never nothing', async () => {
    const h = await tornDown();
    h.desired.clear();
    const summary = await h.run('recreate', live());
    const newId = h.console.byName('dev-a')[0]?.uuid ?? '';
    expect(h.console.clusters.get(newId)?.ipallowlist).toEqual([PLACEHOLDER_ENTRY]);
    expect(outcomeOf(summary, 'dev-a')).toMatchObject({ detail: { allowlist: 'placeholder (deny-all)' } });
  });

  it('counts an open window past the bound and alarms on it', async () => {
    const h = await tornDown({ createMs: 20 * 60_000 });
    const summary = await h.run('recreate', live({ waitForHealthySeconds: 840, maxOpenWindowMinutes: 10 }));
    expect(outcomeOf(summary, 'dev-a')).toMatchObject({ detail: { allowlist: 'pending' } });
    expect(h.counted.map((c) => c.name)).toContain('RecreateOpenWindowExceeded');
    const next = await (async () => {
      h.clock.advance(10 * 60_000);
      h.hooks.onSleep?.(0);
      return h.run('recreate', live());
    })();
    expect(outcomes(next)).toEqual({ 'dev-a': 'done:cluster-finished' });
    expect(h.counted.filter((c) => c.name === 'RecreateOpenWindowExceeded').length).toBeGreaterThanOrEqual(2);
  });

  it('retries a secret write that meets 409 change-in-progress', async () => {
    const h = await tornDown();
    let conflicts = 1;
    h.console.failSecretWrite = () =>
      conflicts-- > 0
        ? { error: apiError('POST /clusters/{clusterUuid}/secrets', { status: 409 }), applied: false }
        : undefined;
    const summary = await h.run('recreate', live());
    const newId = h.console.byName('dev-a')[0]?.uuid ?? '';
    expect(outcomes(summary)).toEqual({ 'dev-a': 'done:cluster-recreated' });
    expect(h.console.secrets.get(newId)).toEqual({ API_KEY: SECRET_VALUE, SMTP: 'smtp-pass' });
  });

  it('a crash after a client was created but before it was published: the next run replaces it, never a duplicate', async () => {
    const h = await tornDown();
    h.console.failClientCreate = (_id, name) =>
      name === 'ci'
        ? {
            error: apiError('POST /clusters/{clusterUuid}/clients', { status: 503, maybeApplied: true }),
            applied: true,
          }
        : undefined;
    const first = await h.run('recreate', live());
    expect(first.clusters[0]?.status).toBe('failed');
    h.console.failClientCreate = undefined;
    const second = await h.run('recreate', live());
    const newId = h.console.byName('dev-a')[0]?.uuid ?? '';
    expect(outcomes(second)).toEqual({ 'dev-a': 'done:cluster-finished' });
    const clients = h.console.apiClients.get(newId) ?? [];
    expect(clients.map((c) => c.name).sort()).toEqual(['ci', 'worker']);
    expect(h.console.duplicateClients).toEqual([]);
    for (const c of clients) {
      expect(h.credentials.secrets.get(`camunda-automation/clusters/dev-a/${c.name}`)?.ZEEBE_CLIENT_ID).toBe(
        c.clientId,
      );
    }
    expect(h.console.created).toHaveLength(1);
  });
});
