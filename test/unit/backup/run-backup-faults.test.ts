// runBackup in manual mode when the Console fails or refuses: a POST that may have been applied is never
// sent twice, 429s are re-read, 4xx answers skip or fail the cluster, an unreadable list fails only its cluster.
import { describe, expect, it } from 'vitest';
import { MAX_THROTTLED_CREATES } from '#functions/backup/manual.ts';
import { apiError, refusal } from '#test/fakes/console.ts';
import { backup, cluster, HOUR } from '#test/unit/backup/fakes.ts';
import { LIST, outcome, POST, setup } from '#test/unit/backup/harness.ts';

describe('runBackup, manual mode: failed and refused creates', () => {
  it('reports the backup a failed POST did create, without sending a second POST', async () => {
    // Prepare
    const { api, tracking, run } = setup();
    api.setClusters([cluster('prod-a', 'Healthy', ['backup'])]);
    api.failNext('createBackup', {
      error: apiError(POST, { status: 502, maybeApplied: true }),
      applied: true,
    });

    // Act
    const summary = await run();

    // Assess
    expect(api.count('createBackup')).toBe(1);
    const list = api.backups.get('uuid-prod-a') ?? [];
    expect(list).toHaveLength(1);
    const a = outcome(summary, 'prod-a');
    expect(a).toMatchObject({
      status: 'done',
      action: 'backup-created',
      detail: { backupId: list[0]?.uuid },
    });
    expect(api.count('listBackups')).toBe(2);
    expect((await tracking.get('uuid-prod-a')).pending).toEqual([list[0]?.uuid]);
  });

  it('fails a cluster whose POST may have been applied when no new backup appears', async () => {
    // Prepare
    const { api, run, ago } = setup();
    api.setClusters([cluster('prod-a', 'Healthy', ['backup'])]);
    api.addBackup('uuid-prod-a', backup({ uuid: 'old', status: 'Complete', created: ago(7 * HOUR) }));
    api.failNext('createBackup', {
      error: apiError(POST, { maybeApplied: true, code: 'timeout' }),
    });

    // Act
    const summary = await run();

    // Assess
    const a = outcome(summary, 'prod-a');
    expect(a.status).toBe('failed');
    expect(a.status === 'failed' && a.error).toContain('no new backup appeared');
    expect(api.count('createBackup')).toBe(1);
    expect(summary.failed).toBe(true);
  });

  it('sends the POST again after a 429 the re-read shows was not applied, creating one backup', async () => {
    // Prepare: the Console throttles the first POST without creating anything
    const { api, run } = setup();
    api.setClusters([cluster('prod-a', 'Healthy', ['backup'])]);
    api.failNext('createBackup', { error: apiError(POST, { status: 429, maybeApplied: true }) });

    // Act
    const summary = await run();

    // Assess
    const a = outcome(summary, 'prod-a');
    expect(a).toMatchObject({ status: 'done', action: 'backup-created' });
    expect(api.count('createBackup')).toBe(2);
    expect(api.backups.get('uuid-prod-a')).toHaveLength(1);
    // inspect, then the re-read after the 429
    expect(api.count('listBackups')).toBe(2);
  });

  it('does not send the POST again after a 429 that did create the backup', async () => {
    // Prepare
    const { api, run } = setup();
    api.setClusters([cluster('prod-a', 'Healthy', ['backup'])]);
    api.failNext('createBackup', {
      error: apiError(POST, { status: 429, maybeApplied: true }),
      applied: true,
    });

    // Act
    const summary = await run();

    // Assess
    expect(outcome(summary, 'prod-a')).toMatchObject({ status: 'done', action: 'backup-created' });
    expect(api.count('createBackup')).toBe(1);
    expect(api.backups.get('uuid-prod-a')).toHaveLength(1);
  });

  it(`fails after ${MAX_THROTTLED_CREATES} POSTs all answered 429, and does not resend after a timeout`, async () => {
    // Prepare
    const { api, run } = setup();
    api.setClusters([cluster('prod-a', 'Healthy', ['backup']), cluster('prod-b', 'Healthy', ['backup'])]);
    for (let i = 0; i < MAX_THROTTLED_CREATES; i++) {
      api.failNext(
        'createBackup',
        { error: apiError(POST, { status: 429, maybeApplied: true }) },
        'uuid-prod-a',
      );
    }
    api.failNext(
      'createBackup',
      { error: apiError(POST, { maybeApplied: true, code: 'timeout' }) },
      'uuid-prod-b',
    );

    // Act
    const summary = await run();

    // Assess
    const a = outcome(summary, 'prod-a');
    expect(a.status === 'failed' && a.error).toContain('no new backup appeared');
    expect(api.count('createBackup', 'uuid-prod-a')).toBe(MAX_THROTTLED_CREATES);
    expect(outcome(summary, 'prod-b').status).toBe('failed');
    expect(api.count('createBackup', 'uuid-prod-b')).toBe(1);
    expect(api.backups.get('uuid-prod-a') ?? []).toHaveLength(0);
  });

  it('fails without re-reading on an error that proves nothing was created', async () => {
    // Prepare
    const { api, run } = setup();
    api.setClusters([cluster('prod-a', 'Healthy', ['backup'])]);
    api.failNext('createBackup', refusal(POST, 409, 'Cluster is Updating'));

    // Act
    const summary = await run();

    // Assess
    const a = outcome(summary, 'prod-a');
    expect(a.status === 'failed' && a.error).toContain('409');
    expect(api.count('listBackups')).toBe(1);
  });

  it('skips on 403 (plan or scope) instead of failing', async () => {
    // Prepare
    const { api, run } = setup();
    api.setClusters([cluster('prod-a', 'Healthy', ['backup']), cluster('prod-b', 'Healthy', ['backup'])]);
    api.failNext('listBackups', refusal(LIST, 403, 'Backups are not available on this plan'), 'uuid-prod-a');
    api.failNext('createBackup', refusal(POST, 403, 'Forbidden'), 'uuid-prod-b');

    // Act
    const summary = await run();

    // Assess
    const a = outcome(summary, 'prod-a');
    expect(a.status).toBe('skipped');
    expect(a.status === 'skipped' && a.reason).toContain('Backups are not available on this plan');
    expect(outcome(summary, 'prod-b')).toMatchObject({ status: 'skipped' });
    expect(summary.failed).toBe(false);
  });

  it('skips on the once-an-hour 400 but fails on any other 400', async () => {
    // Prepare
    const { api, run } = setup();
    api.setClusters([cluster('prod-a', 'Healthy', ['backup']), cluster('prod-b', 'Healthy', ['backup'])]);
    const onceAnHour = refusal(POST, 400, 'a manual backup can be created at most once per hour');
    api.failNext('createBackup', onceAnHour, 'uuid-prod-a');
    api.failNext('createBackup', refusal(POST, 400, 'Backups need generation 8.2.4 or later'), 'uuid-prod-b');

    // Act
    const summary = await run();

    // Assess
    const a = outcome(summary, 'prod-a');
    expect(a.status === 'skipped' && a.reason).toContain('at most once per hour');
    const b = outcome(summary, 'prod-b');
    expect(b.status === 'failed' && b.error).toContain('generation 8.2.4');
  });

  it('fails only the cluster whose backups cannot be read; the others carry on', async () => {
    // Prepare
    const { api, run } = setup();
    api.setClusters([cluster('prod-a', 'Healthy', ['backup']), cluster('prod-b', 'Healthy', ['backup'])]);
    api.failNext('listBackups', refusal(LIST, 500, 'boom'), 'uuid-prod-a');

    // Act
    const summary = await run();

    // Assess
    const a = outcome(summary, 'prod-a');
    expect(a.status === 'failed' && a.error).toContain('could not read backups');
    expect(api.count('createBackup', 'uuid-prod-a')).toBe(0);
    expect(outcome(summary, 'prod-b')).toMatchObject({ status: 'done', action: 'backup-created' });
  });

  it('fails the run with a note when clusters cannot be listed', async () => {
    // Prepare
    const { api, run } = setup();
    api.failNext('listClusters', refusal('GET /clusters', 503));

    // Act
    const summary = await run();

    // Assess
    expect(summary.failed).toBe(true);
    expect(summary.clusters).toEqual([]);
    expect(summary.notes.join(' ')).toContain('could not list clusters');
  });
});
