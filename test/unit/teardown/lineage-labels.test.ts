// A recreated cluster has no labels (the Console API cannot set them): the teardown selects and protects it by
// the labels of its lineage, the snapshot whose newClusterId is its uuid.
import { describe, expect, it } from 'vitest';
import { planTeardown } from '#functions/teardown/plan.ts';
import type { ClusterSnapshot } from '#lib/jobs/ports.ts';
import { cluster, harness, outcomeOf, policy, snapshotOf } from '#test/fakes/teardown-scenario.ts';

function lineage(name: string, newClusterId: string, labels: string[]): ClusterSnapshot {
  return snapshotOf(name, {
    clusterId: `old-${name}`,
    labels,
    teardownKey: 'night-0',
    status: 'done',
    newClusterId,
  });
}

describe('labels by lineage', () => {
  it('a recreated cluster (no labels) is selected by a label selector through its snapshot, and deleted', async () => {
    // Prepare
    const h = harness([cluster('dev-re', { labels: [] }), cluster('stranger', { labels: [] })]);
    await h.stores.snapshots.save(lineage('dev-re', 'uuid-dev-re', ['dev']));

    // Act
    const plan = await planTeardown(h.deps, policy({ selector: { labels: ['dev'] } }));
    const summary = await h.run('run', policy({ selector: { labels: ['dev'] } }));

    // Assess
    expect(plan.candidates.map((c) => c.name)).toEqual(['dev-re']);
    expect(plan.labelsByLineage.get('uuid-dev-re')).toEqual(['dev']);
    expect(h.console.deleted).toEqual(['uuid-dev-re']);
    expect(outcomeOf(summary, 'dev-re')).toMatchObject({
      status: 'done',
      action: 'cluster-deleted',
      detail: { labelsByLineage: ['dev'] },
    });
    // The new snapshot keeps the lineage labels for the next morning and night.
    expect((await h.stores.snapshots.get('dev-re'))?.labels).toEqual(['dev']);
  });

  it('a recreated cluster is protected by a label protection through its snapshot', async () => {
    // Prepare
    const h = harness([cluster('dev-re', { labels: [] })]);
    await h.stores.snapshots.save(lineage('dev-re', 'uuid-dev-re', ['dev', 'keep']));
    const p = policy({
      selector: { labels: ['dev'] },
      protect: { ids: [], names: [], labels: ['keep'] },
    });

    // Act
    const plan = await planTeardown(h.deps, p);
    const summary = await h.run('run', p);

    // Assess
    expect(plan.candidates).toEqual([]);
    expect(plan.excluded.map((e) => [e.cluster.name, e.reason, e.detail])).toEqual([
      ['dev-re', 'protected', { protectedBy: 'label keep', labelsByLineage: ['dev', 'keep'] }],
    ]);
    expect(h.console.deleted).toEqual([]);
    expect(outcomeOf(summary, 'dev-re')).toMatchObject({ status: 'skipped', reason: 'protected' });
  });

  it('labels the live cluster shows win over its lineage', async () => {
    // Prepare
    const h = harness([cluster('dev-re', { labels: ['other'] })]);
    await h.stores.snapshots.save(lineage('dev-re', 'uuid-dev-re', ['dev']));

    // Act
    const plan = await planTeardown(h.deps, policy({ selector: { labels: ['dev'] } }));

    // Assess
    expect(plan.candidates).toEqual([]);
    expect(plan.labelsByLineage.size).toBe(0);
  });
});
