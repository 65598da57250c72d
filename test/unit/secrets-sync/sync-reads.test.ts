// The per-cluster reads of the secrets sync: the cluster, its connector secrets and the ownership records are
// read at once (one Console round trip, not two), and what the cluster re-read says still decides: a cluster
// gone, no longer selected, being created or forbidden is skipped with nothing written, whatever the
// secrets read that ran beside it answered.
import { describe, expect, it } from 'vitest';
import {
  CREATING,
  FORBIDDEN,
  GONE,
  NO_LONGER_SELECTED,
  runSecretsSync,
} from '#functions/secrets-sync/sync.ts';
import { apiError } from '#test/fakes/console.ts';
import { cluster, policy, world } from './fakes.ts';

const PAY_KEY = 'pay-key-value-0001';
const SOURCES = { 'camunda/payments/PAYMENT_KEY': { value: PAY_KEY } };
const GET_SECRETS = 'GET /clusters/{clusterUuid}/secrets';

/** Fails every secrets read of `clusterId` with `error` (the other clusters read normally). */
function failSecretsRead(w: ReturnType<typeof world>, clusterId: string, error: Error): void {
  const read = w.console.getSecrets.bind(w.console);
  w.console.getSecrets = async (id) => {
    if (id === clusterId) throw error;
    return read(id);
  };
}

describe('secrets sync: per-cluster reads', () => {
  it('reads a cluster and its connector secrets at once, not one after the other', async () => {
    // Prepare
    const w = world([cluster('prod-a'), cluster('prod-b')], {}, SOURCES);
    const secretsReadsStarted = new Set<string>();
    const overlapped: string[] = [];
    const readSecrets = w.console.getSecrets.bind(w.console);
    w.console.getSecrets = (id) => {
      secretsReadsStarted.add(id);
      return readSecrets(id);
    };
    const readCluster = w.console.getCluster.bind(w.console);
    w.console.getCluster = async (id) => {
      // A macrotask later, a secrets read started beside this one is under way; a sequential one is not.
      await new Promise((resolve) => setImmediate(resolve));
      if (secretsReadsStarted.has(id)) overlapped.push(id);
      return readCluster(id);
    };
    // Act
    const summary = await w.run((scope) => runSecretsSync(w.deps, scope, policy()));
    // Assess
    expect(summary.counts).toMatchObject({ done: 2, failed: 0 });
    expect(overlapped.sort()).toEqual([w.idOf('prod-a'), w.idOf('prod-b')]);
  });

  it('skips a cluster gone since the listing, writing nothing and recording nothing', async () => {
    // Prepare
    const w = world([cluster('prod-a')], {}, SOURCES);
    w.console.beforeGet = (id) => {
      w.console.clusters.delete(id);
    };
    // Act
    const summary = await w.run((scope) => runSecretsSync(w.deps, scope, policy()));
    // Assess
    expect(summary.clusters).toMatchObject([{ clusterName: 'prod-a', status: 'skipped', reason: GONE }]);
    expect(w.console.writes).toEqual([]);
    expect(await w.stores.managedSecrets.list(w.idOf('prod-a'))).toEqual([]);
  });

  it('skips a cluster renamed out of the selector since the listing, even though its secrets were read', async () => {
    // Prepare
    const w = world([cluster('prod-a')], {}, SOURCES);
    w.console.beforeGet = (id) => {
      w.console.clusters.set(id, cluster('dev-a', { uuid: id }));
    };
    // Act
    const summary = await w.run((scope) => runSecretsSync(w.deps, scope, policy()));
    // Assess
    expect(summary.clusters).toMatchObject([{ status: 'skipped', reason: NO_LONGER_SELECTED }]);
    expect(w.console.writes).toEqual([]);
  });

  it('skips a cluster being created whatever its secrets read answered (here a 500)', async () => {
    // Prepare
    const w = world([cluster('prod-a', { ready: 'Creating' })], {}, SOURCES);
    failSecretsRead(w, w.idOf('prod-a'), apiError(GET_SECRETS, { status: 500 }));
    // Act
    const summary = await w.run((scope) => runSecretsSync(w.deps, scope, policy()));
    // Assess
    expect(summary.clusters).toMatchObject([{ status: 'skipped', reason: CREATING }]);
    expect(summary.failed).toBe(false);
    expect(w.console.writes).toEqual([]);
  });

  it('skips a cluster whose secrets the API client may not read (403), and fails one whose read failed otherwise', async () => {
    // Prepare
    const w = world([cluster('prod-a'), cluster('prod-b')], {}, SOURCES);
    failSecretsRead(w, w.idOf('prod-a'), apiError(GET_SECRETS, { status: 403 }));
    failSecretsRead(w, w.idOf('prod-b'), apiError(GET_SECRETS, { status: 503 }));
    // Act
    const summary = await w.run((scope) => runSecretsSync(w.deps, scope, policy()));
    // Assess
    const byName = new Map(summary.clusters.map((c) => [c.clusterName, c]));
    expect(byName.get('prod-a')).toMatchObject({ status: 'skipped', reason: FORBIDDEN });
    expect(byName.get('prod-b')).toMatchObject({ status: 'failed' });
    expect(w.console.writes).toEqual([]);
    expect(await w.stores.managedSecrets.list(w.idOf('prod-b'))).toEqual([]);
  });
});
