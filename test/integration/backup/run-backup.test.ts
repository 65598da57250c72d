// The backup use case end to end over real HTTP: the simulator (Console API), the real Console client,
// the real run engine, and the DynamoDB state stores on the embedded emulator (dynalite). The simulator and the job share one hand-moved clock, so backup progress is
// driven by the test, never by sleeping.
import { beforeEach, describe, expect, it } from 'vitest';
import { runBackup } from '#functions/backup/run-backup.ts';
import type { BackupPolicy } from '#lib/config/types.ts';
import { executeRun } from '#lib/jobs/engine.ts';
import type { ClusterOutcome, JobRequest, RunSummary } from '#lib/jobs/types.ts';
import { recordingLog } from '#local/recording-log.ts';
import { doneAs, outcomeOf } from '#test/helpers/outcomes.ts';
import { simConsoleClient } from '#test/helpers/sim-console.ts';
import { useBackupEnv } from '#test/integration/backup/backup-env.ts';
import { backupPolicy, engineFakes } from '#test/unit/backup/fakes.ts';

const POST = 'POST /clusters/{clusterUuid}/backups';
const INCIDENT = 'https://camunda.slack.com/archives/C0BACKUPFAIL';

// Every Enterprise cluster on a generation that supports backups, plus one Starter cluster (403).
const MANUAL: BackupPolicy = backupPolicy({
  selector: { names: ['prod-*', 'test-*', 'stage-payments', 'dev-payments'] },
});

const outcome = outcomeOf;

function detailOf(o: ClusterOutcome): Record<string, unknown> | undefined {
  return 'detail' in o ? o.detail : undefined;
}

describe('backup job against the simulator', () => {
  const env = useBackupEnv('2026-03-01T03:00:00.000Z', { backupDurationMs: 50 });
  let runs: number;
  let log: ReturnType<typeof recordingLog>;

  const idOf = (name: string): string => env.sim.state.cluster(name).uuid;
  const posts = (name?: string): number =>
    env.sim.requestLog.filter(
      (r) => r.route === POST && (name === undefined || r.path === `/clusters/${idOf(name)}/backups`),
    ).length;

  const run = (policy: BackupPolicy = MANUAL, request: Partial<JobRequest> = {}): Promise<RunSummary> => {
    runs += 1;
    const api = simConsoleClient(env.sim);
    return executeRun(
      { ...engineFakes(), ledger: env.stores.ledger, claims: env.stores.claims, clock: env.clock, log },
      { job: 'backup', action: 'run', ...request },
      {
        source: 'schedule',
        idempotencyKey: `backup:run:${runs}`,
        at: new Date(env.clock.now()).toISOString(),
      },
      { dryRun: false, concurrency: 4, timeMarginMs: 0, leaseMs: 60_000, retryFailed: true },
      (scope) =>
        runBackup(
          { console: api, backupTracking: env.stores.backupTracking, clock: env.clock, log },
          scope,
          policy,
        ),
    );
  };

  beforeEach(async () => {
    log = recordingLog();
    runs = 0;
  });

  it('backs up the eligible clusters once, then skips them while in progress and while younger than the interval', async () => {
    // Prepare
    const ordersBefore = env.sim.state.backupsOf('prod-orders').length;
    // prod-analytics has a 2-hour-old backup this project did not create: not ours, so it does not count for
    // the interval (Camunda's own 400 would refuse a backup that is too soon).
    const eligible = [
      'test-payments',
      'stage-payments',
      'prod-payments',
      'prod-orders',
      'prod-billing',
      'prod-analytics',
    ];

    // Act
    const first = await run();
    const second = await run();
    env.clock.advance(60_000);
    const third = await run();

    // Assess: first run
    expect(first.clusters.map((c) => c.clusterName).sort()).toEqual(
      [...eligible, 'test-orders', 'dev-payments'].sort(),
    );
    for (const name of eligible) {
      expect(outcome(first, name)).toMatchObject({ status: 'done', action: 'backup-created' });
      expect(posts(name)).toBe(1);
    }
    expect(posts()).toBe(eligible.length);
    expect(outcome(first, 'test-orders')).toMatchObject({
      status: 'skipped',
      reason: 'cluster is Unhealthy',
    });
    const starter = outcome(first, 'dev-payments');
    expect(starter.status === 'skipped' && starter.reason).toContain('403');
    expect(first.failed).toBe(false);
    // The seeded failure of prod-orders predates the job's first look: history, not news.
    expect(env.sim.state.backupsOf('prod-orders')).toHaveLength(ordersBefore + 1);
    expect(outcome(first, 'prod-orders')).toMatchObject({ status: 'done' });
    const created = detailOf(outcome(first, 'prod-payments'))?.backupId;
    expect(typeof created).toBe('string');

    // Assess: right after, the backups are still running
    for (const name of eligible) {
      expect(outcome(second, name)).toMatchObject({
        status: 'skipped',
        reason: 'backup in progress',
        detail: { backupId: detailOf(outcome(first, name))?.backupId },
      });
    }
    expect(posts()).toBe(eligible.length);

    // Assess: a minute later they are complete, younger than the interval, and reported as completed
    for (const name of eligible) {
      const o = outcome(third, name);
      expect(o.status === 'skipped' && o.reason).toContain('minimum interval 6h');
      expect(detailOf(o)?.completedBackups).toEqual([
        expect.objectContaining({ backupId: detailOf(outcome(first, name))?.backupId }),
      ]);
    }
    expect(posts()).toBe(eligible.length);
    expect(env.sim.state.backupsOf('prod-payments').find((b) => b.uuid === created)?.status).toBe('Complete');
    expect((await env.stores.backupTracking.get(idOf('prod-payments'))).pending).toEqual([]);
  });

  it('reports a backup that failed since the last run, with its incident link', async () => {
    // Prepare
    env.sim.state.failNextBackups('prod-orders', { incidentLink: INCIDENT });
    const first = await run(MANUAL, { clusterIds: [idOf('prod-orders')] });
    const failedId = detailOf(outcome(first, 'prod-orders'))?.backupId;
    env.clock.advance(60_000);

    // Act
    const second = await run(MANUAL, { clusterIds: [idOf('prod-orders')] });

    // Assess
    const o = outcome(second, 'prod-orders');
    expect(o.status).toBe('failed');
    expect(o.status === 'failed' && o.error).toContain(INCIDENT);
    expect(o.status === 'failed' && o.error).toContain(String(failedId));
    expect(detailOf(o)?.failedBackups).toEqual([
      expect.objectContaining({ backupId: failedId, incidentLink: INCIDENT }),
    ]);
    // A failed attempt does not count for the hourly limit: this run created the replacement.
    expect(detailOf(o)?.thisRun).toMatchObject({ status: 'done', action: 'backup-created' });
    expect(posts('prod-orders')).toBe(2);
    expect(second.failed).toBe(true);
  });

  it('creates no duplicate when the POST fails after the backup was created', async () => {
    // Prepare
    const before = env.sim.state.backupsOf('prod-billing').length;
    env.sim.faults.add({ route: POST, kind: 'status', status: 502, afterCommit: true, times: 1 });

    // Act
    const summary = await run(MANUAL, { clusterIds: [idOf('prod-billing')] });

    // Assess
    const after = env.sim.state.backupsOf('prod-billing');
    expect(after).toHaveLength(before + 1);
    expect(posts('prod-billing')).toBe(1);
    const o = outcome(summary, 'prod-billing');
    expect(o).toMatchObject({ status: 'done', action: 'backup-created' });
    expect(detailOf(o)?.backupId).toBe(after.at(-1)?.uuid);
    expect(String(detailOf(o)?.recoveredFrom)).toContain('502');
    expect((await env.stores.backupTracking.get(idOf('prod-billing'))).pending).toEqual([after.at(-1)?.uuid]);
    const warned = log.lines.filter((l) => l.level === 'warn').map((l) => JSON.stringify(l));
    expect(warned.join('\n')).toContain('backup request may have been applied');
    expect(JSON.stringify(log.lines)).not.toMatch(/eyJ|Bearer /);
  });

  it('native mode sets and fixes the server-side schedule, then leaves it alone', async () => {
    // Prepare
    const native: BackupPolicy = {
      ...MANUAL,
      mode: 'native',
      nativeCron: '30 1 * * *',
      selector: { names: ['prod-payments', 'prod-orders', 'dev-payments'] },
    };
    const drifted = env.sim.state.schedules.get(idOf('prod-payments'))?.schedule;

    // Act
    const first = await run(native);
    const second = await run(native);

    // Assess
    expect(drifted).toBe('0 2 * * *');
    expect(outcome(first, 'prod-payments')).toMatchObject(
      doneAs('schedule-updated', { from: '0 2 * * *', to: '30 1 * * *' }),
    );
    expect(outcome(first, 'prod-orders')).toMatchObject(
      doneAs('schedule-set', { from: null, to: '30 1 * * *' }),
    );
    expect(outcome(first, 'dev-payments')).toMatchObject({ status: 'skipped' });
    expect(env.sim.state.schedules.get(idOf('prod-payments'))?.schedule).toBe('30 1 * * *');
    expect(env.sim.state.schedules.get(idOf('prod-orders'))?.schedule).toBe('30 1 * * *');
    for (const name of ['prod-payments', 'prod-orders']) {
      expect(outcome(second, name)).toMatchObject({ status: 'skipped', reason: 'schedule already matches' });
    }
    expect(posts()).toBe(0);
  });
});
