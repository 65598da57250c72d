// runBackup against recovery-point targets: a cluster past its target fails unless this run backs it up.
import { describe, expect, it } from 'vitest';
import { memoryCounters } from '#lib/runtime/metrics.ts';
import { apiError } from '#test/fakes/console.ts';
import { backup, cluster, HOUR } from '#test/unit/backup/fakes.ts';
import { outcome, POST, setup } from '#test/unit/backup/harness.ts';

describe('runBackup, recovery-point targets', () => {
  const TARGETS = [
    { selector: { labels: ['backup'] }, maxAgeHours: 24 },
    { selector: { names: ['prod-*'] }, maxAgeHours: 1 },
  ];

  it('fails a cluster past its strictest target when no backup is under way, with the reason, and counts it', async () => {
    // Prepare
    const { api, run, ago, tracking } = setup();
    api.setClusters([cluster('prod-a', 'Healthy', ['backup']), cluster('stage-b', 'Healthy', ['backup'])]);
    api.addBackup('uuid-prod-a', backup({ uuid: 'a1', status: 'Complete', created: ago(3 * HOUR) }));
    api.addBackup('uuid-stage-b', backup({ uuid: 'b1', status: 'Complete', created: ago(3 * HOUR) }));
    // prod-a's newest backup of ours is recent (interval 6h): this run creates none for it.
    await tracking.put('uuid-prod-a', { pending: [], ours: ['a1'] });
    await tracking.put('uuid-stage-b', { pending: [], ours: ['b1'] });

    // Act
    const summary = await run({ targets: TARGETS });

    // Assess
    const a = outcome(summary, 'prod-a');
    expect(a).toMatchObject({
      status: 'failed',
      error: 'newest Complete backup 3h 0m old, past its 1h target',
      detail: { recoveryPoint: { status: 'past-target', targetHours: 1, newestCompleteBackupId: 'a1' } },
    });
    expect(outcome(summary, 'stage-b')).toMatchObject({
      status: 'skipped',
      detail: { recoveryPoint: { status: 'ok', targetHours: 24, newestCompleteAgeSeconds: 3 * 3600 } },
    });
    expect(summary.failed).toBe(true);
  });

  it('does not fail a cluster past its target while this run creates its backup, but still counts it', async () => {
    // Prepare
    const { api, ago, run } = setup();
    api.setClusters([cluster('prod-a', 'Healthy', ['backup'])]);
    api.addBackup('uuid-prod-a', backup({ uuid: 'a1', status: 'Complete', created: ago(30 * HOUR) }));
    const metrics = memoryCounters();
    const counted = metrics.totals;

    // Act
    const summary = await run({ targets: TARGETS }, { metrics });

    // Assess
    expect(outcome(summary, 'prod-a')).toMatchObject({
      status: 'done',
      action: 'backup-created',
      detail: { recoveryPoint: { status: 'past-target' } },
    });
    expect(counted).toEqual({
      ClustersPastTarget: 1,
      ClustersAtRisk: 0,
      OldestCompleteBackupAgeSeconds: 30 * 3600,
    });
    // And its own age, by name (backup.clusterMetrics defaults to 'targets').
    expect(metrics.clusters).toEqual({ CompleteBackupAgeSeconds: { 'prod-a': 30 * 3600 } });
  });

  it('fails a targeted cluster that has no Complete backup at all and cannot get one now', async () => {
    // Prepare
    const { api, run, ago } = setup();
    api.setClusters([cluster('prod-a', 'Healthy', ['backup'])]);
    api.addBackup('uuid-prod-a', backup({ uuid: 'f1', status: 'Failed', created: ago(2 * HOUR) }));
    api.failNext('createBackup', { error: apiError(POST, { status: 400, body: 'at most once per hour' }) });

    // Act
    const summary = await run({ targets: TARGETS });

    // Assess
    expect(outcome(summary, 'prod-a')).toMatchObject({
      status: 'failed',
      error: 'no Complete backup, target 1h (1 failed)',
    });
  });
});
