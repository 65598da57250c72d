// runTeardown: snapshot first, the blast-radius guard, the re-check right before each delete, dry runs, and
// deletes that fail or err after they happened.
import { describe, expect, it } from 'vitest';
import { apiError } from '#test/fakes/console.ts';
import {
  cluster,
  HOUR,
  harness,
  keepAliveFor,
  NOW,
  outcomes,
  policy,
  REF,
} from '#test/fakes/teardown-scenario.ts';

describe('runTeardown', () => {
  it('saves a snapshot of each candidate before deleting it, then deletes it', async () => {
    // Prepare
    const h = harness([
      cluster('dev-a', {
        description: 'team a',
        labels: ['nightly-off', 'team-a'],
        planType: { ...REF.enterprise },
        backupRegion: { ...REF.euBackups },
        generation: { ...REF.g869 },
        ipallowlist: [{ description: 'office', ip: '203.0.113.0/24' }],
      }),
      cluster('dev-b', { ipwhitelist: [{ description: 'legacy', ip: '10.0.0.0/8' }] }),
      cluster('prod-x', { labels: ['env-prod'] }),
    ]);
    const savedAtDelete: Record<string, string | undefined> = {};
    h.console.beforeDelete = async (id) => {
      const name = h.console.clusters.get(id)?.name ?? '';
      savedAtDelete[name] = (await h.stores.snapshots.get(name))?.status;
    };

    // Act
    const summary = await h.run('run', policy(), { key: 'teardown:run:night-1' });

    // Assess
    expect(outcomes(summary)).toEqual({ 'dev-a': 'done:cluster-deleted', 'dev-b': 'done:cluster-deleted' });
    expect(summary.failed).toBe(false);
    expect(savedAtDelete).toEqual({ 'dev-a': 'deleted', 'dev-b': 'deleted' });
    expect(h.console.deleted.sort()).toEqual(['uuid-dev-a', 'uuid-dev-b']);
    expect(h.console.clusters.has('uuid-prod-x')).toBe(true);
    const a = await h.stores.snapshots.get('dev-a');
    expect(a).toMatchObject({
      clusterId: 'uuid-dev-a',
      name: 'dev-a',
      description: 'team a',
      labels: ['nightly-off', 'team-a'],
      planType: REF.enterprise,
      region: REF.eu,
      channel: REF.stable,
      generation: REF.g869,
      backupRegion: REF.euBackups,
      allowlist: [{ description: 'office', ip: '203.0.113.0/24' }],
      takenAt: new Date(NOW).toISOString(),
      teardownKey: 'teardown:run:night-1',
      status: 'deleted',
    });
    expect(a?.note).toMatch(/^deleted by teardown teardown:run:night-1/);
    expect((await h.stores.snapshots.get('dev-b'))?.allowlist).toEqual([
      { description: 'legacy', ip: '10.0.0.0/8' },
    ]);
  });

  it('trips the blast-radius guard: more candidates than the cap deletes none and fails the run', async () => {
    // Prepare
    const h = harness([
      cluster('dev-a'),
      cluster('dev-b'),
      cluster('dev-c'),
      cluster('dev-young', { daysOld: 0 }),
    ]);

    // Act
    const summary = await h.run('run', policy({ maxDeletionsPerRun: 2 }));

    // Assess
    expect(h.console.deleted).toEqual([]);
    expect(h.console.calls.filter((c) => c.startsWith('deleteCluster'))).toEqual([]);
    expect(await h.stores.snapshots.list()).toEqual([]);
    expect(outcomes(summary)).toEqual({
      'dev-a': 'skipped:blast-radius guard: 3 candidates > max 2',
      'dev-b': 'skipped:blast-radius guard: 3 candidates > max 2',
      'dev-c': 'skipped:blast-radius guard: 3 candidates > max 2',
      'dev-young': 'skipped:younger than 24 h',
    });
    expect(summary.failed).toBe(true);
    expect(summary.notes.join('\n')).toContain('blast-radius guard: 3 candidates > max 2: nothing deleted');
  });

  it('deletes exactly the cap when candidates equal it', async () => {
    // Prepare
    const h = harness([cluster('dev-a'), cluster('dev-b')]);

    // Act
    const summary = await h.run('run', policy({ maxDeletionsPerRun: 2 }));

    // Assess
    expect(summary.counts).toMatchObject({ done: 2, failed: 0 });
    expect(h.console.deleted).toHaveLength(2);
  });

  it('re-checks each cluster right before deleting: a keep-alive that arrived since planning wins', async () => {
    // Prepare
    const h = harness([cluster('dev-a'), cluster('dev-b')]);
    h.console.beforeGet = (id) => {
      if (id !== 'uuid-dev-a') return;
      void h.stores.keepAlives.put(keepAliveFor('dev-a', 2, 'alice', 'late request'));
    };

    // Act
    const summary = await h.run('run', policy());

    // Assess
    expect(outcomes(summary)['dev-a']).toMatch(/^skipped:keep-alive until .* by alice \(late request\)$/);
    expect(h.console.deleted).toEqual(['uuid-dev-b']);
    expect(await h.stores.snapshots.get('dev-a')).toBeUndefined();
  });

  it('re-checks status, selection, protection and presence at the re-read', async () => {
    // Prepare
    const h = harness([
      cluster('dev-updating'),
      cluster('dev-relabelled'),
      cluster('dev-gone'),
      cluster('dev-renamed'),
    ]);
    h.console.beforeGet = (id) => {
      const c = h.console.clusters.get(id);
      if (!c) return;
      if (c.name === 'dev-updating') c.status = { ready: 'Updating' };
      if (c.name === 'dev-relabelled') c.labels = ['env-dev'];
      if (c.name === 'dev-gone') h.console.clusters.delete(id);
      if (c.name === 'dev-renamed') c.name = 'dev-renamed-2';
    };

    // Act
    const summary = await h.run('run', policy());

    // Assess
    expect(outcomes(summary)).toEqual({
      'dev-updating': 'skipped:status Updating',
      'dev-relabelled': 'skipped:no longer selected',
      'dev-gone': 'skipped:already gone',
      'dev-renamed': 'skipped:renamed to dev-renamed-2 since planning',
    });
    expect(h.console.calls.filter((c) => c.startsWith('deleteCluster'))).toEqual([]);
    expect(await h.stores.snapshots.list()).toEqual([]);
  });

  it('in a dry run reports would-delete-cluster, saves no snapshot and deletes nothing', async () => {
    // Prepare
    const h = harness([cluster('dev-a'), cluster('dev-b')]);

    // Act
    const summary = await h.run('run', policy({ dryRun: true }));

    // Assess
    expect(outcomes(summary)).toEqual({
      'dev-a': 'done:would-delete-cluster',
      'dev-b': 'done:would-delete-cluster',
    });
    expect(h.console.calls.filter((c) => c.startsWith('deleteCluster'))).toEqual([]);
    expect(await h.stores.snapshots.list()).toEqual([]);
    expect(summary.dryRun).toBe(true);
  });

  it('does not delete a cluster whose snapshot could not be saved', async () => {
    // Prepare
    const h = harness([cluster('dev-a')]);
    h.stores.fail('snapshots.save');

    // Act
    const summary = await h.run('run', policy());

    // Assess
    expect(summary.clusters[0]).toMatchObject({ status: 'failed' });
    expect(outcomes(summary)['dev-a']).toContain('snapshot not saved, cluster not deleted');
    expect(h.console.calls.filter((c) => c.startsWith('deleteCluster'))).toEqual([]);
    expect(summary.failed).toBe(true);
  });

  it('refuses to delete what it cannot snapshot whole', async () => {
    // Prepare
    const h = harness([cluster('dev-a', { channel: undefined })]);

    // Act
    const summary = await h.run('run', policy());

    // Assess
    expect(outcomes(summary)['dev-a']).toContain(
      'cannot snapshot cluster dev-a: channel missing; not deleted',
    );
    expect(h.console.calls.filter((c) => c.startsWith('deleteCluster'))).toEqual([]);
  });

  it('a delete that fails while the cluster still exists is a failed outcome; the snapshot says so', async () => {
    // Prepare
    const h = harness([cluster('dev-a')]);
    h.console.failDelete = () => ({
      error: apiError('DELETE /clusters/{clusterUuid}', { status: 500 }),
      applied: false,
    });

    // Act
    const summary = await h.run('run', policy());

    // Assess
    expect(outcomes(summary)['dev-a']).toMatch(/^failed:delete failed \(cluster still exists\)/);
    expect(summary.failed).toBe(true);
    expect(h.console.clusters.has('uuid-dev-a')).toBe(true);
    expect((await h.stores.snapshots.get('dev-a'))?.note).toMatch(/^delete failed \(cluster still exists\)/);
  });

  it('a delete that errs but happened (the cluster is gone at the re-read) counts as deleted', async () => {
    // Prepare
    const h = harness([cluster('dev-a')]);
    h.console.failDelete = () => ({ error: apiError('DELETE /clusters/{clusterUuid}'), applied: true });

    // Act
    const summary = await h.run('run', policy());

    // Assess
    expect(outcomes(summary)).toEqual({ 'dev-a': 'done:cluster-deleted' });
    expect(summary.clusters[0]).toMatchObject({ detail: { confirmedBy: 're-read after an error' } });
    expect((await h.stores.snapshots.get('dev-a'))?.status).toBe('deleted');
  });

  it('reports a cluster that vanished between the re-read and the delete as already gone, keeping its snapshot', async () => {
    // Prepare
    const h = harness([cluster('dev-a')]);
    h.console.beforeDelete = (id) => {
      h.console.clusters.delete(id);
    };

    // Act
    const summary = await h.run('run', policy());

    // Assess
    expect(outcomes(summary)).toEqual({ 'dev-a': 'done:already-gone' });
    expect((await h.stores.snapshots.get('dev-a'))?.status).toBe('deleted');
  });

  it('keeps the allowlist and labels of a recreated cluster whose allowlist was not re-applied yet', async () => {
    // Prepare: last night's dev-a came back as new-dev-a this morning, allowlist still pending.
    const h = harness([
      cluster('dev-a', {
        uuid: 'new-dev-a',
        labels: undefined,
        ipallowlist: [],
        planType: { ...REF.enterprise },
      }),
    ]);
    await h.stores.snapshots.save({
      clusterId: 'uuid-dev-a',
      name: 'dev-a',
      labels: ['nightly-off', 'team-a'],
      planType: { ...REF.enterprise },
      region: { ...REF.eu },
      channel: { ...REF.stable },
      generation: { ...REF.g872 },
      allowlist: [{ description: 'office', ip: '203.0.113.0/24' }],
      takenAt: new Date(NOW - 20 * HOUR).toISOString(),
      teardownKey: 'night-0',
      status: 'recreated',
      newClusterId: 'new-dev-a',
      updatedAt: new Date(NOW - 10 * HOUR).toISOString(),
    });

    // Act
    const summary = await h.run('run', policy({ selector: { names: ['dev-*'] } }), { key: 'night-1' });

    // Assess
    expect(outcomes(summary)).toEqual({ 'dev-a': 'done:cluster-deleted' });
    expect(await h.stores.snapshots.get('dev-a')).toMatchObject({
      clusterId: 'new-dev-a',
      teardownKey: 'night-1',
      status: 'deleted',
      labels: ['nightly-off', 'team-a'],
      allowlist: [{ description: 'office', ip: '203.0.113.0/24' }],
    });
  });
});
