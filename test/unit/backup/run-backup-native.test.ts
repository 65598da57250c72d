// runBackup in native mode (the Console's own schedule), and the helpers both modes use.
import { describe, expect, it } from 'vitest';
import { formatAge, isBelowMinimumGeneration } from '#functions/backup/manual.ts';
import { normalizeCron } from '#functions/backup/native.ts';
import type { BackupPolicy } from '#lib/config/types.ts';
import { refusal } from '#test/fakes/console.ts';
import { doneAs } from '#test/helpers/outcomes.ts';
import { backup, cluster, HOUR } from '#test/unit/backup/fakes.ts';
import { detailOf, outcome, setup } from '#test/unit/backup/harness.ts';

describe('runBackup, native mode', () => {
  const NATIVE: Partial<BackupPolicy> = { mode: 'native', nativeCron: '0 2 * * *' };
  const SCHEDULE = '/clusters/{clusterUuid}/backups/schedule';

  it('sets a missing schedule, fixes a drifted one and leaves a matching one alone', async () => {
    // Prepare
    const { api, run } = setup();
    api.setClusters([
      cluster('prod-none', 'Healthy', ['backup']),
      cluster('prod-drift', 'Healthy', ['backup']),
      cluster('prod-ok', 'Healthy', ['backup']),
    ]);
    api.schedules.set('uuid-prod-drift', '0 4 * * *');
    api.schedules.set('uuid-prod-ok', ' 0  2 * * * ');

    // Act
    const summary = await run(NATIVE);

    // Assess
    expect(outcome(summary, 'prod-none')).toMatchObject(
      doneAs('schedule-set', { from: null, to: '0 2 * * *' }),
    );
    expect(outcome(summary, 'prod-drift')).toMatchObject(
      doneAs('schedule-updated', { from: '0 4 * * *', to: '0 2 * * *' }),
    );
    expect(outcome(summary, 'prod-ok')).toMatchObject({
      status: 'skipped',
      reason: 'schedule already matches',
    });
    expect(api.schedules.get('uuid-prod-none')).toBe('0 2 * * *');
    expect(api.schedules.get('uuid-prod-drift')).toBe('0 2 * * *');
    expect(api.count('putBackupSchedule')).toBe(2);
    expect(api.count('createBackup')).toBe(0);
  });

  it('changes nothing in a dry run', async () => {
    // Prepare
    const { api, trackingPuts, run } = setup();
    api.setClusters([
      cluster('prod-none', 'Healthy', ['backup']),
      cluster('prod-drift', 'Healthy', ['backup']),
    ]);
    api.schedules.set('uuid-prod-drift', '0 4 * * *');

    // Act
    const summary = await run(NATIVE, { dryRun: true });

    // Assess
    expect(outcome(summary, 'prod-none')).toMatchObject({ status: 'done', action: 'would-set-schedule' });
    expect(outcome(summary, 'prod-drift')).toMatchObject({
      status: 'done',
      action: 'would-update-schedule',
      detail: { from: '0 4 * * *', to: '0 2 * * *' },
    });
    expect(api.count('putBackupSchedule')).toBe(0);
    expect(api.schedules.get('uuid-prod-drift')).toBe('0 4 * * *');
    expect(trackingPuts()).toBe(0);
  });

  it('skips on 403 and fails on other schedule errors', async () => {
    // Prepare
    const { api, run } = setup();
    api.setClusters([cluster('starter', 'Healthy', ['backup']), cluster('prod-x', 'Healthy', ['backup'])]);
    api.failNext('getBackupSchedule', refusal(`GET ${SCHEDULE}`, 403), 'uuid-starter');
    api.failNext('putBackupSchedule', refusal(`PUT ${SCHEDULE}`, 400, 'invalid cron'), 'uuid-prod-x');

    // Act
    const summary = await run(NATIVE);

    // Assess
    expect(outcome(summary, 'starter')).toMatchObject({ status: 'skipped' });
    expect(api.count('listBackups', 'uuid-starter')).toBe(0);
    const x = outcome(summary, 'prod-x');
    expect(x.status === 'failed' && x.error).toContain('invalid cron');
  });

  it('reports scheduled backups that failed since the last run', async () => {
    // Prepare
    const { api, tracking, run, ago } = setup();
    api.setClusters([cluster('prod-a', 'Healthy', ['backup'])]);
    api.schedules.set('uuid-prod-a', '0 2 * * *');
    await tracking.put('uuid-prod-a', { lastCheckedAt: ago(6 * HOUR), pending: [] });
    api.addBackup(
      'uuid-prod-a',
      backup({
        uuid: 'sched-bad',
        name: 'scheduled-20260301T0200Z',
        status: 'Failed',
        created: ago(HOUR),
        incidentLink: 'https://camunda.slack.com/archives/C0SCHED',
      }),
    );

    // Act
    const summary = await run(NATIVE);

    // Assess
    const a = outcome(summary, 'prod-a');
    expect(a.status === 'failed' && a.error).toContain('https://camunda.slack.com/archives/C0SCHED');
    expect(detailOf(a)?.thisRun).toMatchObject({ status: 'skipped', reason: 'schedule already matches' });
  });

  it('fails the run when native mode has no cron', async () => {
    // Prepare
    const { api, run } = setup();
    api.setClusters([cluster('prod-a', 'Healthy', ['backup'])]);

    // Act
    const summary = await run({ mode: 'native' });

    // Assess
    expect(summary.failed).toBe(true);
    expect(summary.notes.join(' ')).toContain('nativeCron');
    expect(api.count('listClusters')).toBe(0);
  });
});

describe('helpers', () => {
  it('formats ages and normalises cron spacing', () => {
    // Prepare / Act / Assess
    expect(formatAge(45 * 60_000)).toBe('45m');
    expect(formatAge(2 * HOUR + 5 * 60_000)).toBe('2h 5m');
    expect(formatAge(76 * HOUR)).toBe('3d 4h');
    expect(normalizeCron('  0   2 * *  * ')).toBe('0 2 * * *');
  });
});

describe('isBelowMinimumGeneration', () => {
  it('compares numerically against 8.2.4 and leaves unparseable names to the API', () => {
    const below = ['8.2.0', '8.2.3-rc1', '7.99.99'];
    const notBelow = ['8.2.4', '8.10.0', 'Camunda 8.7+gen3'];
    // Each list names the generations it got wrong (none).
    expect(below.filter((g) => !isBelowMinimumGeneration(g))).toEqual([]);
    expect(notBelow.filter((g) => isBelowMinimumGeneration(g))).toEqual([]);
  });
});
