import { describe, expect, it } from 'vitest';
import { formatAge, isBelowMinimumGeneration, MAX_THROTTLED_CREATES } from '#functions/backup/manual.ts';
import { normalizeCron } from '#functions/backup/native.ts';
import { runBackup } from '#functions/backup/run-backup.ts';
import type { BackupPolicy } from '#lib/config/types.ts';
import { executeRun } from '#lib/jobs/engine.ts';
import type { ClusterOutcome, JobRequest, RunSummary } from '#lib/jobs/types.ts';
import { memoryCounters } from '#lib/runtime/metrics.ts';
import { recordingLog } from '#local/recording-log.ts';
import { createMemoryStores } from '#test/fakes/state.ts';
import {
  apiError,
  backup,
  cluster,
  engineFakes,
  FakeConsole,
  fakeClock,
  HOUR,
} from '#test/unit/backup/fakes.ts';

const POLICY: BackupPolicy = {
  enabled: true,
  schedule: 'rate(6 hours)',
  dryRun: false,
  mode: 'manual',
  minIntervalHours: 6,
  selector: { labels: ['backup'] },
  targets: [],
  checkSchedule: 'rate(1 hour)',
  drill: {
    enabled: false,
    schedule: 'cron(0 4 ? * SUN *)',
    useExisting: false,
    maxMinutes: 120,
    pollSeconds: 15,
  },
};

const POST = 'POST /clusters/{clusterUuid}/backups';
const LIST = 'GET /clusters/{clusterUuid}/backups';

function setup() {
  const clock = fakeClock();
  const api = new FakeConsole(clock.now);
  const stores = createMemoryStores(clock);
  const tracking = stores.backupTracking;
  const log = recordingLog();
  const engine = { ...engineFakes(), ledger: stores.ledger, claims: stores.claims };
  const trackingPuts = () => stores.calls['backupTracking.put'] ?? 0;
  let runs = 0;
  const iso = (ms: number) => new Date(ms).toISOString();
  const ago = (ms: number) => iso(clock.now() - ms);
  const run = (
    policy: Partial<BackupPolicy> = {},
    options: { dryRun?: boolean; request?: Partial<JobRequest> } = {},
  ): Promise<RunSummary> => {
    runs += 1;
    return executeRun(
      { ...engine, clock, log },
      { job: 'backup', action: 'run', ...options.request },
      { source: 'direct', idempotencyKey: `backup:run:${runs}`, at: iso(clock.now()) },
      {
        dryRun: options.dryRun ?? false,
        concurrency: 3,
        timeMarginMs: 0,
        leaseMs: 60_000,
        retryFailed: true,
      },
      (scope) =>
        runBackup({ console: api.client, backupTracking: tracking, clock, log }, scope, {
          ...POLICY,
          ...policy,
        }),
    );
  };
  return { clock, api, stores, tracking, trackingPuts, log, engine, run, ago, iso };
}

function outcome(summary: RunSummary, name: string): ClusterOutcome {
  const found = summary.clusters.find((c) => c.clusterName === name);
  if (!found) throw new Error(`no outcome for ${name} in ${JSON.stringify(summary.clusters)}`);
  return found;
}

function detailOf(o: ClusterOutcome): Record<string, unknown> | undefined {
  return 'detail' in o ? o.detail : undefined;
}

describe('runBackup, manual mode', () => {
  it('creates exactly one backup per eligible cluster and reports only selected clusters', async () => {
    // Prepare
    const { api, tracking, run } = setup();
    api.clusters = [
      cluster('prod-a', 'Healthy', ['backup']),
      cluster('prod-b', 'Healthy', ['backup']),
      cluster('prod-sleepy', 'Suspended', ['backup']),
      cluster('dev-x', 'Healthy', []),
    ];

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
    api.clusters = [cluster('prod-a', 'Healthy', ['backup']), cluster('prod-b', 'Healthy', ['backup'])];

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
    api.clusters = [cluster('prod-a', 'Healthy', ['backup']), cluster('prod-b', 'Healthy', ['backup'])];

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
    api.clusters = [cluster('prod-a', 'Healthy', ['backup'])];
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
    api.clusters = [cluster('prod-a', 'Healthy', ['backup'])];
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
    api.clusters = [cluster('prod-a', 'Healthy', ['backup'])];
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
    api.clusters = [
      cluster('prod-a', 'Healthy', ['backup']),
      cluster('prod-b', 'Healthy', ['backup']),
      cluster('prod-c', 'Healthy', ['backup']),
    ];
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
    api.clusters = [cluster('prod-a', 'Healthy', ['backup'])];
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

  it('reports the backup a failed POST did create, without sending a second POST', async () => {
    // Prepare
    const { api, tracking, run } = setup();
    api.clusters = [cluster('prod-a', 'Healthy', ['backup'])];
    api.failNext('createBackup', { error: apiError(POST, 502, { maybeApplied: true }), applied: true });

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
    api.clusters = [cluster('prod-a', 'Healthy', ['backup'])];
    api.addBackup('uuid-prod-a', backup({ uuid: 'old', status: 'Complete', created: ago(7 * HOUR) }));
    api.failNext('createBackup', {
      error: apiError(POST, undefined, { maybeApplied: true, code: 'timeout' }),
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
    api.clusters = [cluster('prod-a', 'Healthy', ['backup'])];
    api.failNext('createBackup', { error: apiError(POST, 429, { maybeApplied: true }) });

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
    api.clusters = [cluster('prod-a', 'Healthy', ['backup'])];
    api.failNext('createBackup', { error: apiError(POST, 429, { maybeApplied: true }), applied: true });

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
    api.clusters = [cluster('prod-a', 'Healthy', ['backup']), cluster('prod-b', 'Healthy', ['backup'])];
    for (let i = 0; i < MAX_THROTTLED_CREATES; i++) {
      api.failNext('createBackup', { error: apiError(POST, 429, { maybeApplied: true }) }, 'uuid-prod-a');
    }
    api.failNext(
      'createBackup',
      { error: apiError(POST, undefined, { maybeApplied: true, code: 'timeout' }) },
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
    api.clusters = [cluster('prod-a', 'Healthy', ['backup'])];
    api.failNext('createBackup', { error: apiError(POST, 409, { body: 'Cluster is Updating' }) });

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
    api.clusters = [cluster('prod-a', 'Healthy', ['backup']), cluster('prod-b', 'Healthy', ['backup'])];
    api.failNext(
      'listBackups',
      { error: apiError(LIST, 403, { body: 'Backups are not available on this plan' }) },
      'uuid-prod-a',
    );
    api.failNext('createBackup', { error: apiError(POST, 403, { body: 'Forbidden' }) }, 'uuid-prod-b');

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
    api.clusters = [cluster('prod-a', 'Healthy', ['backup']), cluster('prod-b', 'Healthy', ['backup'])];
    api.failNext(
      'createBackup',
      { error: apiError(POST, 400, { body: 'a manual backup can be created at most once per hour' }) },
      'uuid-prod-a',
    );
    api.failNext(
      'createBackup',
      { error: apiError(POST, 400, { body: 'Backups need generation 8.2.4 or later' }) },
      'uuid-prod-b',
    );

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
    api.clusters = [cluster('prod-a', 'Healthy', ['backup']), cluster('prod-b', 'Healthy', ['backup'])];
    api.failNext('listBackups', { error: apiError(LIST, 500, { body: 'boom' }) }, 'uuid-prod-a');

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
    api.failNext('listClusters', { error: apiError('GET /clusters', 503) });

    // Act
    const summary = await run();

    // Assess
    expect(summary.failed).toBe(true);
    expect(summary.clusters).toEqual([]);
    expect(summary.notes.join(' ')).toContain('could not list clusters');
  });
});

describe('runBackup, reporting between runs', () => {
  it('reports a backup that failed since the last run, with its incident link, even when a new one is created', async () => {
    // Prepare
    const { api, tracking, run, ago, iso, clock } = setup();
    api.clusters = [cluster('prod-a', 'Healthy', ['backup'])];
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
    api.clusters = [cluster('prod-a', 'Healthy', ['backup'])];
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
    api.clusters = [cluster('prod-a', 'Healthy', ['backup'])];
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
    api.clusters = [cluster('prod-a', 'Healthy', ['backup'])];
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
    api.clusters = [cluster('prod-a', 'Healthy', ['backup'])];
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
    api.clusters = [cluster('prod-a', 'Healthy', ['backup'])];
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
    api.clusters = [cluster('prod-a', 'Healthy', ['backup'])];
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

describe('runBackup, recovery-point targets', () => {
  const TARGETS = [
    { selector: { labels: ['backup'] }, maxAgeHours: 24 },
    { selector: { names: ['prod-*'] }, maxAgeHours: 1 },
  ];

  it('fails a cluster past its strictest target when no backup is under way, with the reason, and counts it', async () => {
    // Prepare
    const { api, run, ago, tracking } = setup();
    api.clusters = [cluster('prod-a', 'Healthy', ['backup']), cluster('stage-b', 'Healthy', ['backup'])];
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
    const { api, ago, clock, log, stores } = setup();
    api.clusters = [cluster('prod-a', 'Healthy', ['backup'])];
    api.addBackup('uuid-prod-a', backup({ uuid: 'a1', status: 'Complete', created: ago(30 * HOUR) }));
    const metrics = memoryCounters();
    const counted = metrics.totals;
    const engine = { ...engineFakes(), ledger: stores.ledger, claims: stores.claims };

    // Act
    const summary = await executeRun(
      { ...engine, clock, log },
      { job: 'backup', action: 'run' },
      { source: 'direct', idempotencyKey: 'k-target', at: new Date(clock.now()).toISOString() },
      { dryRun: false, concurrency: 1, timeMarginMs: 0, leaseMs: 60_000, retryFailed: true },
      (scope) =>
        runBackup(
          { console: api.client, backupTracking: stores.backupTracking, clock, log, metrics },
          scope,
          {
            ...POLICY,
            targets: TARGETS,
          },
        ),
    );

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
  });

  it('fails a targeted cluster that has no Complete backup at all and cannot get one now', async () => {
    // Prepare
    const { api, run, ago } = setup();
    api.clusters = [cluster('prod-a', 'Healthy', ['backup'])];
    api.addBackup('uuid-prod-a', backup({ uuid: 'f1', status: 'Failed', created: ago(2 * HOUR) }));
    api.failNext('createBackup', { error: apiError(POST, 400, { body: 'at most once per hour' }) });

    // Act
    const summary = await run({ targets: TARGETS });

    // Assess
    expect(outcome(summary, 'prod-a')).toMatchObject({
      status: 'failed',
      error: 'no Complete backup, target 1h (1 failed)',
    });
  });
});

describe('runBackup, native mode', () => {
  const NATIVE: Partial<BackupPolicy> = { mode: 'native', nativeCron: '0 2 * * *' };

  it('sets a missing schedule, fixes a drifted one and leaves a matching one alone', async () => {
    // Prepare
    const { api, run } = setup();
    api.clusters = [
      cluster('prod-none', 'Healthy', ['backup']),
      cluster('prod-drift', 'Healthy', ['backup']),
      cluster('prod-ok', 'Healthy', ['backup']),
    ];
    api.schedules.set('uuid-prod-drift', '0 4 * * *');
    api.schedules.set('uuid-prod-ok', ' 0  2 * * * ');

    // Act
    const summary = await run(NATIVE);

    // Assess
    expect(outcome(summary, 'prod-none')).toMatchObject({
      status: 'done',
      action: 'schedule-set',
      detail: { from: null, to: '0 2 * * *' },
    });
    expect(outcome(summary, 'prod-drift')).toMatchObject({
      status: 'done',
      action: 'schedule-updated',
      detail: { from: '0 4 * * *', to: '0 2 * * *' },
    });
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
    api.clusters = [
      cluster('prod-none', 'Healthy', ['backup']),
      cluster('prod-drift', 'Healthy', ['backup']),
    ];
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
    api.clusters = [cluster('starter', 'Healthy', ['backup']), cluster('prod-x', 'Healthy', ['backup'])];
    api.failNext(
      'getBackupSchedule',
      { error: apiError('GET /clusters/{clusterUuid}/backups/schedule', 403) },
      'uuid-starter',
    );
    api.failNext(
      'putBackupSchedule',
      { error: apiError('PUT /clusters/{clusterUuid}/backups/schedule', 400, { body: 'invalid cron' }) },
      'uuid-prod-x',
    );

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
    api.clusters = [cluster('prod-a', 'Healthy', ['backup'])];
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
    api.clusters = [cluster('prod-a', 'Healthy', ['backup'])];

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
    expect(isBelowMinimumGeneration('8.2.0')).toBe(true);
    expect(isBelowMinimumGeneration('8.2.3-rc1')).toBe(true);
    expect(isBelowMinimumGeneration('7.99.99')).toBe(true);
    expect(isBelowMinimumGeneration('8.2.4')).toBe(false);
    expect(isBelowMinimumGeneration('8.10.0')).toBe(false);
    expect(isBelowMinimumGeneration('Camunda 8.7+gen3')).toBe(false);
  });
});
