// runBackup in manual mode: which clusters get a backup, when one is skipped, and what is recorded as ours.
import { describe, expect, it } from 'vitest';
import { backup, cluster, HOUR } from '#test/unit/backup/fakes.ts';
import { detailOf, outcome, setup } from '#test/unit/backup/harness.ts';

describe('runBackup, manual mode', () => {
  it('creates exactly one backup per eligible cluster and reports only selected clusters', async () => {
    // Prepare
    const { api, tracking, run } = setup();
    api.setClusters([
      cluster('prod-a', 'Healthy', ['backup']),
      cluster('prod-b', 'Healthy', ['backup']),
      cluster('prod-sleepy', 'Suspended', ['backup']),
      cluster('dev-x', 'Healthy', []),
    ]);

    // Act
    const summary = await run();

    // Assess
    expect(summary.clusters.map((c) => c.clusterName).sort()).toEqual(['prod-a', 'prod-b', 'prod-sleepy']);
    expect(api.count('listClusters')).toBe(1);
    expect(api.count('createBackup', 'uuid-prod-a')).toBe(1);
    expect(api.count('createBackup', 'uuid-prod-b')).toBe(1);
    expect(api.count('createBackup')).toBe(2);
    const a = outcome(summary, 'prod-a');
    expect(a).toMatchObject({ status: 'done', action: 'backup-created' });
    const created = api.backups.get('uuid-prod-a')?.[0]?.uuid;
    expect(a.status === 'done' && detailOf(a)?.backupId).toBe(created);
    expect(outcome(summary, 'prod-sleepy')).toMatchObject({
      status: 'skipped',
      reason: 'cluster is Suspended',
    });
    expect(api.count('listBackups', 'uuid-prod-sleepy')).toBe(0);
    expect(summary.counts).toEqual({ done: 2, skipped: 1, failed: 0, deferred: 0 });
    expect(summary.failed).toBe(false);
    expect((await tracking.get('uuid-prod-a')).pending).toEqual([created]);
  });

  it('creates nothing and writes no tracking state in a dry run', async () => {
    // Prepare
    const { api, trackingPuts, run } = setup();
    api.setClusters([cluster('prod-a', 'Healthy', ['backup']), cluster('prod-b', 'Healthy', ['backup'])]);

    // Act
    const summary = await run({}, { dryRun: true });

    // Assess
    expect(api.count('createBackup')).toBe(0);
    expect(summary.dryRun).toBe(true);
    expect(summary.clusters.map((c) => c.status === 'done' && c.action)).toEqual([
      'would-create-backup',
      'would-create-backup',
    ]);
    expect(trackingPuts()).toBe(0);
  });

  it('narrows the run to the requested clusters and notes ids the policy does not select', async () => {
    // Prepare
    const { api, run } = setup();
    api.setClusters([cluster('prod-a', 'Healthy', ['backup']), cluster('prod-b', 'Healthy', ['backup'])]);

    // Act
    const summary = await run({}, { request: { clusterIds: ['uuid-prod-b', 'uuid-nope'] } });

    // Assess
    expect(summary.clusters.map((c) => c.clusterName)).toEqual(['prod-b']);
    expect(api.count('createBackup', 'uuid-prod-a')).toBe(0);
    expect(summary.notes.join(' ')).toContain('uuid-nope');
  });

  it('skips a cluster with a backup in progress', async () => {
    // Prepare
    const { api, run, ago } = setup();
    api.setClusters([cluster('prod-a', 'Healthy', ['backup'])]);
    api.addBackup('uuid-prod-a', backup({ uuid: 'b-run', status: 'In progress', created: ago(10 * 60_000) }));

    // Act
    const summary = await run();

    // Assess
    expect(outcome(summary, 'prod-a')).toMatchObject({
      status: 'skipped',
      reason: 'backup in progress',
      detail: { backupId: 'b-run' },
    });
    expect(api.count('createBackup')).toBe(0);
  });

  it('skips a cluster whose newest complete backup of ours is younger than the interval, naming its age', async () => {
    // Prepare
    const { api, run, ago, tracking } = setup();
    api.setClusters([cluster('prod-a', 'Healthy', ['backup'])]);
    await tracking.put('uuid-prod-a', { pending: [], ours: ['old', 'recent'] });
    api.addBackup('uuid-prod-a', backup({ uuid: 'old', status: 'Complete', created: ago(30 * HOUR) }));
    api.addBackup(
      'uuid-prod-a',
      backup({ uuid: 'recent', status: 'Complete', created: ago(2 * HOUR + 5 * 60_000) }),
    );

    // Act
    const summary = await run();

    // Assess
    const a = outcome(summary, 'prod-a');
    expect(a).toMatchObject({ status: 'skipped', detail: { backupId: 'recent', ageMinutes: 125 } });
    expect(a.status === 'skipped' && a.reason).toContain('2h 5m');
    expect(api.count('createBackup')).toBe(0);
  });

  it('creates a backup once the newest complete one is older than the interval', async () => {
    // Prepare
    const { api, run, ago } = setup();
    api.setClusters([cluster('prod-a', 'Healthy', ['backup'])]);
    api.addBackup(
      'uuid-prod-a',
      backup({ uuid: 'old', status: 'Complete', created: ago(6 * HOUR + 60_000) }),
    );

    // Act
    const summary = await run();

    // Assess
    expect(outcome(summary, 'prod-a')).toMatchObject({ status: 'done', action: 'backup-created' });
    expect(api.count('createBackup')).toBe(1);
  });

  it('never uses an interval below 15 minutes, and counts only backups it recorded as ours, whatever their names', async () => {
    // Prepare
    const { api, run, ago, tracking } = setup();
    api.setClusters([
      cluster('prod-a', 'Healthy', ['backup']),
      cluster('prod-b', 'Healthy', ['backup']),
      cluster('prod-c', 'Healthy', ['backup']),
    ]);
    api.addBackup('uuid-prod-a', backup({ uuid: 'm', status: 'Complete', created: ago(10 * 60_000) }));
    await tracking.put('uuid-prod-a', { pending: [], ours: ['m'] });
    // Named like a manual backup but not ours (taken by hand or by Camunda's schedule): not our interval.
    api.addBackup(
      'uuid-prod-b',
      backup({ uuid: 's', name: 'manual-20260301T0240Z', status: 'Complete', created: ago(5 * 60_000) }),
    );
    api.addBackup('uuid-prod-c', backup({ uuid: 'c', status: 'Complete', created: ago(20 * 60_000) }));
    await tracking.put('uuid-prod-c', { pending: [], ours: ['c'] });

    // Act
    const summary = await run({ minIntervalHours: undefined, minIntervalMinutes: 5 });

    // Assess
    expect(outcome(summary, 'prod-a')).toMatchObject({ status: 'skipped' });
    expect(outcome(summary, 'prod-a').status === 'skipped' && outcome(summary, 'prod-a')).toMatchObject({
      reason: expect.stringContaining('minimum interval 15m'),
    });
    expect(outcome(summary, 'prod-b')).toMatchObject({ status: 'done', action: 'backup-created' });
    expect(outcome(summary, 'prod-c')).toMatchObject({ status: 'done', action: 'backup-created' });
    expect(api.count('createBackup', 'uuid-prod-a')).toBe(0);
  });

  it('records the ids of the backups it creates as ours, keeping the previous ones and the drill record', async () => {
    // Prepare
    const { api, run, ago, tracking } = setup();
    api.setClusters([cluster('prod-a', 'Healthy', ['backup'])]);
    api.addBackup('uuid-prod-a', backup({ uuid: 'old', status: 'Complete', created: ago(30 * HOUR) }));
    const drill = {
      drillId: 'd-1',
      step: 'healthy' as const,
      startedAt: ago(40 * HOUR),
      recoverySeconds: 300,
      updatedAt: ago(39 * HOUR),
    };
    await tracking.put('uuid-prod-a', { pending: [], ours: ['old'], drill });

    // Act
    const summary = await run();

    // Assess
    const created = outcome(summary, 'prod-a');
    const id = created.status === 'done' ? created.detail?.backupId : undefined;
    expect(typeof id).toBe('string');
    const state = await tracking.get('uuid-prod-a');
    expect(state.ours).toEqual(['old', id]);
    expect(state.drill).toEqual(drill);
  });
});
