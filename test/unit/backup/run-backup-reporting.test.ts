// runBackup between runs: failures and completions since the last look are reported once.
import { describe, expect, it } from 'vitest';
import { backup, cluster, HOUR } from '#test/unit/backup/fakes.ts';
import { detailOf, outcome, setup } from '#test/unit/backup/harness.ts';

describe('runBackup, reporting between runs', () => {
  it('reports a backup that failed since the last run, with its incident link, even when a new one is created', async () => {
    // Prepare
    const { api, tracking, run, ago, iso, clock } = setup();
    api.setClusters([cluster('prod-a', 'Healthy', ['backup'])]);
    await tracking.put('uuid-prod-a', { lastCheckedAt: ago(6 * HOUR), pending: [] });
    api.addBackup(
      'uuid-prod-a',
      backup({
        uuid: 'bad',
        name: 'manual-bad',
        status: 'Failed',
        created: ago(5 * HOUR),
        completed: ago(5 * HOUR - 60_000),
        incidentLink: 'https://camunda.slack.com/archives/C0INCIDENT',
      }),
    );
    api.addBackup(
      'uuid-prod-a',
      backup({ uuid: 'older-bad', status: 'Failed', created: ago(9 * HOUR), completed: ago(8 * HOUR) }),
    );

    // Act
    const summary = await run();

    // Assess
    const a = outcome(summary, 'prod-a');
    expect(a.status).toBe('failed');
    expect(a.status === 'failed' && a.error).toContain('manual-bad (bad)');
    expect(a.status === 'failed' && a.error).toContain('https://camunda.slack.com/archives/C0INCIDENT');
    expect(a.status === 'failed' && a.error).not.toContain('older-bad');
    expect(detailOf(a)?.failedBackups).toEqual([
      expect.objectContaining({
        backupId: 'bad',
        incidentLink: 'https://camunda.slack.com/archives/C0INCIDENT',
      }),
    ]);
    const created = api.backups.get('uuid-prod-a')?.find((b) => b.status === 'In progress')?.uuid;
    expect(created).toBeDefined();
    expect(detailOf(a)?.thisRun).toMatchObject({
      status: 'done',
      action: 'backup-created',
      backupId: created,
    });
    expect(summary.failed).toBe(true);
    expect(await tracking.get('uuid-prod-a')).toEqual({
      lastCheckedAt: iso(clock.now()),
      pending: [created],
      ours: [created],
    });
  });

  it('does not report the same failure twice', async () => {
    // Prepare
    const { api, tracking, run, ago, clock } = setup();
    api.setClusters([cluster('prod-a', 'Healthy', ['backup'])]);
    await tracking.put('uuid-prod-a', { lastCheckedAt: ago(6 * HOUR), pending: [] });
    api.addBackup(
      'uuid-prod-a',
      backup({ uuid: 'bad', status: 'Failed', created: ago(5 * HOUR), completed: ago(5 * HOUR) }),
    );
    await run();
    clock.advance(6 * HOUR);
    for (const b of api.backups.get('uuid-prod-a') ?? []) {
      if (b.status === 'In progress') api.setStatus('uuid-prod-a', b.uuid, 'Complete');
    }

    // Act
    const second = await run();

    // Assess
    const a = outcome(second, 'prod-a');
    expect(a).toMatchObject({ status: 'done', action: 'backup-created' });
    expect(detailOf(a)?.failedBackups).toBeUndefined();
  });

  it('treats failures it finds on its first look as history, not news', async () => {
    // Prepare
    const { api, tracking, run, ago, iso, clock } = setup();
    api.setClusters([cluster('prod-a', 'Healthy', ['backup'])]);
    api.addBackup('uuid-prod-a', backup({ uuid: 'bad', status: 'Failed', created: ago(30 * HOUR) }));

    // Act
    const summary = await run();

    // Assess
    expect(outcome(summary, 'prod-a')).toMatchObject({ status: 'done', action: 'backup-created' });
    expect((await tracking.get('uuid-prod-a')).lastCheckedAt).toBe(iso(clock.now()));
  });

  it('reports pending backups that completed, and keeps only what is still running', async () => {
    // Prepare
    const { api, tracking, run, ago } = setup();
    api.setClusters([cluster('prod-a', 'Healthy', ['backup'])]);
    api.addBackup(
      'uuid-prod-a',
      backup({ uuid: 'ours', status: 'Complete', created: ago(7 * HOUR), completed: ago(7 * HOUR - 60_000) }),
    );
    await tracking.put('uuid-prod-a', { lastCheckedAt: ago(7 * HOUR), pending: ['ours', 'gone'] });

    // Act
    const summary = await run();

    // Assess
    const a = outcome(summary, 'prod-a');
    expect(a).toMatchObject({ status: 'done', action: 'backup-created' });
    expect(detailOf(a)?.completedBackups).toEqual([expect.objectContaining({ backupId: 'ours' })]);
    expect(detailOf(a)?.vanishedBackups).toEqual(['gone']);
    const created = api.backups.get('uuid-prod-a')?.find((b) => b.status === 'In progress')?.uuid;
    expect((await tracking.get('uuid-prod-a')).pending).toEqual([created]);
  });

  it('reports a pending backup that failed even when it started before the last look', async () => {
    // Prepare
    const { api, tracking, run, ago } = setup();
    api.setClusters([cluster('prod-a', 'Healthy', ['backup'])]);
    api.addBackup('uuid-prod-a', backup({ uuid: 'ours', status: 'Failed', created: ago(7 * HOUR) }));
    await tracking.put('uuid-prod-a', { lastCheckedAt: ago(6 * HOUR), pending: ['ours'] });

    // Act
    const summary = await run();

    // Assess
    const a = outcome(summary, 'prod-a');
    expect(a.status).toBe('failed');
    expect(detailOf(a)?.failedBackups).toEqual([expect.objectContaining({ backupId: 'ours' })]);
    expect((await tracking.get('uuid-prod-a')).pending).not.toContain('ours');
  });

  it('keeps a pending backup that is still in progress and skips the cluster', async () => {
    // Prepare
    const { api, tracking, run, ago } = setup();
    api.setClusters([cluster('prod-a', 'Healthy', ['backup'])]);
    api.addBackup('uuid-prod-a', backup({ uuid: 'ours', status: 'In progress', created: ago(HOUR) }));
    await tracking.put('uuid-prod-a', { lastCheckedAt: ago(HOUR), pending: ['ours'] });

    // Act
    const summary = await run();

    // Assess
    expect(outcome(summary, 'prod-a')).toMatchObject({ status: 'skipped', reason: 'backup in progress' });
    expect((await tracking.get('uuid-prod-a')).pending).toEqual(['ours']);
  });

  it('reports but does not fail the cluster when the tracking state cannot be saved', async () => {
    // Prepare
    const { api, stores, run, log } = setup();
    api.setClusters([cluster('prod-a', 'Healthy', ['backup'])]);
    stores.fail('backupTracking.put');

    // Act
    const summary = await run();

    // Assess
    const a = outcome(summary, 'prod-a');
    expect(a).toMatchObject({ status: 'done', action: 'backup-created' });
    expect(String(detailOf(a)?.trackingNotSaved)).toContain('backupTracking.put');
    expect(log.lines.some((l) => l.level === 'warn' && l.message === 'backup tracking state not saved')).toBe(
      true,
    );
  });
});
