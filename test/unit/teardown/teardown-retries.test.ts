// runTeardown redelivered: earlier deletions of the same delivery count against the cap, and a retry finishes
// or confirms what an attempt that could not finish its accounting left.
import { describe, expect, it } from 'vitest';
import { NOTE_DELETE_PENDING } from '#functions/teardown/snapshot.ts';
import { apiError } from '#test/fakes/console.ts';
import {
  cluster,
  type Harness,
  harness,
  outcomes,
  policy,
  snapshotOf,
} from '#test/fakes/teardown-scenario.ts';

/** The Console answers 500 to the DELETE of `id` (not applied) until the test clears `failDelete`. */
function refuseDeleteOf(h: Harness, id: string): void {
  h.console.failDelete = (deleting) =>
    deleting === id
      ? { error: apiError('DELETE /clusters/{clusterUuid}', { status: 500 }), applied: false }
      : undefined;
}

describe('runTeardown retried in the same delivery', () => {
  it('a retry of the same delivery counts earlier deletions against the cap', async () => {
    // Prepare: the first attempt deletes two of three (cap 3) and fails on the third.
    const h = harness([cluster('dev-a'), cluster('dev-b'), cluster('dev-c')]);
    refuseDeleteOf(h, 'uuid-dev-c');
    const first = await h.run('run', policy({ maxDeletionsPerRun: 3 }), { key: 'night-1' });
    h.console.failDelete = undefined;
    // Two more clusters appear before the retry: 2 deleted earlier + 3 candidates > 3.
    h.console.clusters.set('uuid-dev-d', cluster('dev-d'));
    h.console.clusters.set('uuid-dev-e', cluster('dev-e'));

    // Act
    const retry = await h.run('run', policy({ maxDeletionsPerRun: 3 }), { key: 'night-1' });

    // Assess
    expect(first.failed).toBe(true);
    expect(h.console.deleted.sort()).toEqual(['uuid-dev-a', 'uuid-dev-b']);
    expect(retry.failed).toBe(true);
    expect(outcomes(retry)).toMatchObject({
      'dev-a': 'done:cluster-deleted',
      'dev-b': 'done:cluster-deleted',
      'dev-c': 'skipped:blast-radius guard: 5 candidates (2 already deleted by this delivery) > max 3',
      'dev-d': 'skipped:blast-radius guard: 5 candidates (2 already deleted by this delivery) > max 3',
    });
  });

  it('a retry within the cap finishes only what the first attempt left', async () => {
    // Prepare
    const h = harness([cluster('dev-a'), cluster('dev-b'), cluster('dev-c')]);
    refuseDeleteOf(h, 'uuid-dev-c');
    await h.run('run', policy({ maxDeletionsPerRun: 3 }), { key: 'night-1' });
    h.console.failDelete = undefined;
    const deletesBefore = h.console.calls.filter((c) => c.startsWith('deleteCluster')).length;

    // Act
    const retry = await h.run('run', policy({ maxDeletionsPerRun: 3 }), { key: 'night-1' });

    // Assess
    expect(retry.failed).toBe(false);
    expect(outcomes(retry)).toEqual({
      'dev-a': 'done:cluster-deleted',
      'dev-b': 'done:cluster-deleted',
      'dev-c': 'done:cluster-deleted',
    });
    expect(h.console.calls.filter((c) => c.startsWith('deleteCluster')).length - deletesBefore).toBe(1);
    expect(h.console.clusters.size).toBe(0);
  });

  it('counts a crash between snapshot and outcome (a snapshot under this key) as an earlier deletion', async () => {
    // Prepare: the earlier attempt saved dev-a's snapshot and deleted it, then died before recording.
    const h = harness([cluster('dev-b'), cluster('dev-c')]);
    await h.stores.snapshots.save(snapshotOf('dev-a', { note: NOTE_DELETE_PENDING }));

    // Act
    const summary = await h.run('run', policy({ maxDeletionsPerRun: 2 }), { key: 'night-1' });

    // Assess
    expect(h.console.deleted).toEqual([]);
    expect(summary.failed).toBe(true);
    expect(outcomes(summary)['dev-b']).toBe(
      'skipped:blast-radius guard: 3 candidates (1 already deleted by this delivery) > max 2',
    );
  });
});

describe('runTeardown retried after an attempt that could not finish its accounting', () => {
  it('a retry confirms a delete whose outcome the first attempt could not tell: the cluster is gone, the run succeeds', async () => {
    // Prepare: the DELETE times out although applied, and the re-read fails too: outcome unknown.
    const h = harness([cluster('dev-a'), cluster('dev-b')]);
    h.console.failDelete = (id) =>
      id === 'uuid-dev-a' ? { error: apiError('DELETE /clusters/{clusterUuid}'), applied: true } : undefined;
    h.console.beforeGet = (id) => {
      if (!h.console.clusters.has(id)) throw apiError('GET /clusters/{clusterUuid}');
    };
    const first = await h.run('run', policy(), { key: 'night-1' });
    h.console.failDelete = undefined;
    h.console.beforeGet = undefined;

    // Act
    const retry = await h.run('run', policy(), { key: 'night-1' });

    // Assess
    expect(outcomes(first)['dev-a']).toMatch(/^failed:delete failed \(delete outcome unknown\)/);
    expect(first.failed).toBe(true);
    expect(h.console.deleted.sort()).toEqual(['uuid-dev-a', 'uuid-dev-b']);
    expect(outcomes(retry)).toEqual({ 'dev-a': 'done:cluster-deleted', 'dev-b': 'done:cluster-deleted' });
    expect(retry.failed).toBe(false);
    expect(h.console.calls.filter((c) => c.startsWith('deleteCluster'))).toHaveLength(2);
  });

  it("a retry's summary includes a deletion the earlier attempt made without recording its outcome", async () => {
    // Prepare: the earlier attempt of night-1 saved dev-a's snapshot, deleted it, and died before recording.
    const h = harness([cluster('dev-b')]);
    await h.stores.snapshots.save(snapshotOf('dev-a', { note: NOTE_DELETE_PENDING }));

    // Act
    const summary = await h.run('run', policy({ maxDeletionsPerRun: 2 }), { key: 'night-1' });

    // Assess
    expect(h.console.deleted).toEqual(['uuid-dev-b']);
    expect(outcomes(summary)).toEqual({ 'dev-a': 'done:cluster-deleted', 'dev-b': 'done:cluster-deleted' });
    expect(summary.counts.done).toBe(2);
    expect(summary.failed).toBe(false);
  });
});
