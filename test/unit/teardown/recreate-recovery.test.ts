// runRecreate when things went wrong: a name already taken, a create that erred (applied or not) or was
// refused, an interrupted attempt to resume or adopt, overlapping runs, and snapshots it must leave alone.
import { describe, expect, it } from 'vitest';
import type { Cluster } from '#lib/console/client.ts';
import type { ClusterSnapshot } from '#lib/jobs/ports.ts';
import { apiError } from '#test/fakes/console.ts';
import { cluster, HOUR, NOW, outcomes, policy } from '#test/fakes/teardown-scenario.ts';
import { doneAs } from '#test/helpers/outcomes.ts';
import { expectGaveUp, OFFICE, snapshot, withSnapshots } from '#test/unit/teardown/recreate-harness.ts';

describe('runRecreate after failures and interruptions', () => {
  it('creates nothing when a cluster with that name exists, and marks the snapshot failed', async () => {
    // Prepare
    const h = await withSnapshots([snapshot('dev-a')], [cluster('dev-a', { uuid: 'someone-elses' })]);

    // Act
    const summary = await h.run('recreate', policy());

    // Assess
    expect(outcomes(summary)).toEqual({ 'dev-a': 'skipped:a cluster named dev-a already exists' });
    expect(h.console.calls.filter((c) => c.startsWith('createCluster'))).toEqual([]);
    expect(await h.stores.snapshots.get('dev-a')).toMatchObject({
      status: 'failed',
      note: 'a cluster named dev-a already exists',
    });
  });

  // Snapshots the recreate gives up on (over the harness's default clusters unless given), and its outcome.
  it.each<[name: string, given: { snapshots: ClusterSnapshot[]; clusters?: Cluster[] }, outcome: string]>([
    [
      'notices a snapshot whose original cluster was never deleted (a teardown crashed before the delete)',
      { snapshots: [snapshot('dev-a')], clusters: [cluster('dev-a')] },
      'skipped:a cluster named dev-a already exists (the original uuid-dev-a: the teardown did not delete it)',
    ],
    [
      'refuses to move backups to another region when the snapshot backup region is gone',
      { snapshots: [snapshot('dev-a', { backupRegion: { uuid: 'gone', name: 'Gone, Nowhere' } })] },
      'failed:cannot recreate: backup region Gone, Nowhere is no longer offered for Belgium, Europe (europe-west1)',
    ],
  ])('%s', async (_name, { snapshots, clusters }, outcome) => {
    // Prepare
    const h = await withSnapshots(snapshots, clusters);

    // Act
    const summary = await h.run('recreate', policy());

    // Assess
    await expectGaveUp(h, summary, 'dev-a', outcome);
  });

  it('after a create that errs but was applied, adopts the cluster instead of creating another', async () => {
    // Prepare
    const h = await withSnapshots([snapshot('dev-a')]);
    h.console.failCreate = () => ({
      error: apiError('POST /clusters', { status: 502, maybeApplied: true }),
      applied: true,
    });

    // Act
    const summary = await h.run('recreate', policy());
    h.console.failCreate = undefined;
    const again = await h.run('recreate', policy());

    // Assess
    const created = h.console.byName('dev-a');
    expect(created).toHaveLength(1);
    expect(h.console.calls.filter((c) => c.startsWith('createCluster'))).toHaveLength(1);
    expect(summary.clusters[0]).toMatchObject(
      doneAs('cluster-recreated', {
        newClusterId: created[0]?.uuid,
        adopted: 'the create answered an error but the cluster exists',
      }),
    );
    expect(outcomes(again)).toEqual({
      'dev-a':
        'skipped:waiting for the recreated cluster to accept its allowlist (status Creating); until then it has none',
    });
    expect(h.console.duplicateCreates).toEqual([]);
  });

  it('after a create that errs and was not applied, goes back to deleted and the next run creates it once', async () => {
    // Prepare
    const h = await withSnapshots([snapshot('dev-a')]);
    h.console.failCreate = () => ({
      error: apiError('POST /clusters', { maybeApplied: true }),
      applied: false,
    });

    // Act
    const first = await h.run('recreate', policy());
    const statusBetween = (await h.stores.snapshots.get('dev-a'))?.status;
    h.console.failCreate = undefined;
    const second = await h.run('recreate', policy());

    // Assess
    expect(outcomes(first)['dev-a']).toMatch(/^failed:create failed and was not applied/);
    expect(first.failed).toBe(true);
    expect(statusBetween).toBe('deleted');
    expect(outcomes(second)).toEqual({ 'dev-a': 'done:cluster-recreated' });
    expect(h.console.byName('dev-a')).toHaveLength(1);
  });

  it('a create the API refuses (400) marks the snapshot failed', async () => {
    // Prepare
    const h = await withSnapshots([snapshot('dev-a')]);
    h.console.failCreate = () => ({ error: apiError('POST /clusters', { status: 400 }), applied: false });

    // Act
    const summary = await h.run('recreate', policy());

    // Assess
    expect(outcomes(summary)['dev-a']).toMatch(
      /^failed:create refused: console api POST \/clusters failed: 400/,
    );
    expect((await h.stores.snapshots.get('dev-a'))?.status).toBe('failed');
  });

  it("resumes a 'recreating' snapshot with a recorded id without creating again", async () => {
    // Prepare
    const h = await withSnapshots(
      [snapshot('dev-a', { status: 'recreating', newClusterId: 'new-dev-a' })],
      [cluster('dev-a', { uuid: 'new-dev-a', labels: undefined, ipallowlist: [] })],
    );

    // Act
    const summary = await h.run('recreate', policy());

    // Assess
    expect(outcomes(summary)).toEqual({ 'dev-a': 'done:cluster-finished' });
    expect(h.console.created).toEqual([]);
    expect(h.console.puts).toEqual([{ clusterId: 'new-dev-a', entries: [OFFICE], allowEmpty: false }]);
    expect((await h.stores.snapshots.get('dev-a'))?.status).toBe('done');
  });

  it("adopts the cluster an interrupted attempt created ('recreating', no id, created after the snapshot moved)", async () => {
    // Prepare
    const movedAt = NOW - HOUR;
    const h = await withSnapshots(
      [snapshot('dev-a', { status: 'recreating', updatedAt: new Date(movedAt).toISOString() })],
      [
        cluster('dev-a', {
          uuid: 'new-dev-a',
          created: new Date(movedAt + 1_000).toISOString(),
          ready: 'Creating',
          ipallowlist: [],
        }),
      ],
    );

    // Act
    const summary = await h.run('recreate', policy());

    // Assess
    expect(h.console.created).toEqual([]);
    expect(outcomes(summary)['dev-a']).toMatch(
      /^skipped:waiting for the recreated cluster to accept its allowlist/,
    );
    expect(await h.stores.snapshots.get('dev-a')).toMatchObject({
      status: 'recreated',
      newClusterId: 'new-dev-a',
    });
  });

  it('does not adopt a same-named cluster that predates the interrupted attempt', async () => {
    // Prepare
    const h = await withSnapshots(
      [snapshot('dev-a', { status: 'recreating', updatedAt: new Date(NOW - HOUR).toISOString() })],
      [cluster('dev-a', { uuid: 'older-dev-a', daysOld: 3 })],
    );

    // Act
    const summary = await h.run('recreate', policy());

    // Assess
    expect(outcomes(summary)).toEqual({ 'dev-a': 'skipped:a cluster named dev-a already exists' });
    expect(h.console.created).toEqual([]);
    expect((await h.stores.snapshots.get('dev-a'))?.status).toBe('failed');
  });

  it("creates once when an interrupted attempt ('recreating', no id) left no cluster", async () => {
    // Prepare
    const h = await withSnapshots([snapshot('dev-a', { status: 'recreating' })]);

    // Act
    const summary = await h.run('recreate', policy());

    // Assess
    expect(outcomes(summary)).toEqual({ 'dev-a': 'done:cluster-recreated' });
    expect(h.console.byName('dev-a')).toHaveLength(1);
  });

  it('only one of two overlapping runs creates the cluster', async () => {
    // Prepare
    const h = await withSnapshots([snapshot('dev-a')]);

    // Act
    const [a, b] = await Promise.all([h.run('recreate', policy()), h.run('recreate', policy())]);

    // Assess
    expect(h.console.byName('dev-a')).toHaveLength(1);
    expect(h.console.duplicateCreates).toEqual([]);
    expect(
      [outcomes(a)['dev-a'], outcomes(b)['dev-a']].filter((o) => o === 'done:cluster-recreated'),
    ).toHaveLength(1);
  });

  it('in a dry run reports would-recreate-cluster and writes nothing', async () => {
    // Prepare
    const h = await withSnapshots([snapshot('dev-a')]);

    // Act
    const summary = await h.run('recreate', policy({ dryRun: true }));

    // Assess
    expect(outcomes(summary)).toEqual({ 'dev-a': 'done:would-recreate-cluster' });
    expect(h.console.calls.filter((c) => /^(createCluster|putIpAllowlist)/.test(c))).toEqual([]);
    expect((await h.stores.snapshots.get('dev-a'))?.status).toBe('deleted');
    expect(h.stores.calls['snapshots.transition'] ?? 0).toBe(0);
  });

  it('leaves done and failed snapshots alone', async () => {
    // Prepare
    const h = await withSnapshots([
      snapshot('dev-a', { status: 'done' }),
      snapshot('dev-b', { status: 'failed' }),
    ]);

    // Act
    const summary = await h.run('recreate', policy());

    // Assess
    expect(summary.clusters).toEqual([]);
    expect(h.console.created).toEqual([]);
  });
});
