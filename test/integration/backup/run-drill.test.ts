// The restore drill end to end over real HTTP: the simulator (backups and restores), the real Console client,
// the real run engine and the DynamoDB stores on dynalite. One hand-moved clock drives the simulator, the job
// and the drill's waits (its `sleep` advances the clock), so nothing sleeps for real.
import { beforeEach, describe, expect, it } from 'vitest';
import { runDrill } from '#functions/backup/run-drill.ts';
import type { BackupPolicy } from '#lib/config/types.ts';
import { executeRun } from '#lib/jobs/engine.ts';
import type { ClusterOutcome, RunSummary } from '#lib/jobs/types.ts';
import { memoryCounters } from '#lib/runtime/metrics.ts';
import { recordingLog } from '#local/recording-log.ts';
import { simConsoleClient } from '#test/helpers/sim-console.ts';
import { drilledPolicy, useBackupEnv } from '#test/integration/backup/backup-env.ts';
import { engineFakes } from '#test/unit/backup/fakes.ts';

const RESTORE = 'POST /clusters/{clusterUuid}/backups/{backupId}/restore';
const BACKUP_POST = 'POST /clusters/{clusterUuid}/backups';

const POLICY: BackupPolicy = drilledPolicy({ selector: { names: ['prod-*'] } });

describe('restore drill against the simulator', () => {
  const env = useBackupEnv('2026-03-01T04:00:00.000Z', {
    backupDurationMs: 3_000,
    clusterCreateMs: 1_000,
  });
  let runs: number;
  let engine: ReturnType<typeof engineFakes>;
  let counters: ReturnType<typeof memoryCounters>;

  const routeCount = (route: string) => env.sim.requestLog.filter((r) => r.route === route).length;

  /** One invocation; `looks` limits how many times it may find time left (an invocation ending mid-drill). */
  const drill = (policy: BackupPolicy = POLICY, looks = Number.POSITIVE_INFINITY): Promise<RunSummary> => {
    runs += 1;
    let left = looks;
    const api = simConsoleClient(env.sim);
    const log = recordingLog();
    return executeRun(
      {
        ...engine,
        metrics: counters,
        ledger: env.stores.ledger,
        claims: env.stores.claims,
        clock: env.clock,
        log,
      },
      { job: 'backup', action: 'drill' },
      {
        source: 'schedule',
        idempotencyKey: `backup:drill:${runs}`,
        at: new Date(env.clock.now()).toISOString(),
      },
      {
        dryRun: false,
        concurrency: 1,
        timeMarginMs: 0,
        // The first call is the engine's own check before the cluster work; then one per wait of the drill.
        remainingTimeMs: () => (left-- > 0 ? 60_000 : 0),
        leaseMs: 60_000,
        retryFailed: true,
      },
      (scope) =>
        runDrill(
          {
            console: api,
            backupTracking: env.stores.backupTracking,
            clock: env.clock,
            log,
            metrics: counters,
            events: engine.events,
            sleep: async (ms) => {
              env.clock.advance(ms);
            },
          },
          scope,
          policy,
        ),
    );
  };
  const only = (s: RunSummary): ClusterOutcome => {
    const [o] = s.clusters;
    if (!o || s.clusters.length !== 1) throw new Error(`expected one outcome: ${JSON.stringify(s.clusters)}`);
    return o;
  };

  beforeEach(async () => {
    env.sim.state.restores.durationMs = 10_000;
    env.sim.state.restores.resumeMs = 5_000;
    engine = engineFakes();
    counters = memoryCounters();
    runs = 0;
  });
  it('takes a backup, restores it, waits for Healthy and reports the recovery time', async () => {
    // Act
    const summary = await drill();

    // Assess
    const o = only(summary);
    expect(o).toMatchObject({ status: 'done', action: 'drill-succeeded', clusterName: 'test-payments' });
    const detail = o.status === 'done' ? (o.detail ?? {}) : {};
    // Restore 10 s + resume 5 s, seen by looks one second apart.
    expect(detail.recoverySeconds).toBeGreaterThanOrEqual(15);
    expect(detail.recoverySeconds).toBeLessThanOrEqual(17);
    expect(detail).toMatchObject({ step: 'healthy', backupTaken: true });
    expect(routeCount(BACKUP_POST)).toBe(1);
    expect(routeCount(RESTORE)).toBe(1);
    expect(env.sim.state.cluster('test-payments').status.ready).toBe('Healthy');
    expect(counters.totals.BackupDrillRecoverySeconds).toBe(detail.recoverySeconds);
    expect(summary.failed).toBe(false);
    const saved = await env.stores.backupTracking.get(env.sim.state.cluster('test-payments').uuid);
    expect(saved.drill).toMatchObject({ step: 'healthy', recoverySeconds: detail.recoverySeconds });
  });

  it('uses the newest Complete backup when told to, without taking one', async () => {
    // Prepare
    env.sim.state.addBackup('test-payments', { uuid: 'seeded', created: env.clock.now() - 3_600_000 });

    // Act
    const summary = await drill({ ...POLICY, drill: { ...POLICY.drill, useExisting: true } });

    // Assess
    expect(only(summary)).toMatchObject({
      status: 'done',
      detail: { backupId: 'seeded', backupTaken: false },
    });
    expect(routeCount(BACKUP_POST)).toBe(0);
  });

  it('fails the drill with the reason when the restore ends FAILED', async () => {
    // Prepare
    env.sim.state.restores.failNext('test-payments');

    // Act
    const summary = await drill();

    // Assess
    const o = only(summary);
    expect(o.status).toBe('failed');
    expect(o.status === 'failed' && o.error).toMatch(/^restore drill failed: restore .* ended FAILED$/);
    expect(summary.failed).toBe(true);
  });

  it('reports "not available" with the reason on a 501, and does not fail the run', async () => {
    // Prepare
    env.sim.state.restores.available = false;

    // Act
    const summary = await drill();

    // Assess
    const o = only(summary);
    expect(o.status).toBe('skipped');
    expect(o.status === 'skipped' && o.reason).toMatch(
      /^restore drill not available: self-service restore is not enabled for this organization \(501: /,
    );
    expect(summary.failed).toBe(false);
  });

  it('resumes a drill an invocation left mid-way, without a second backup or restore request', async () => {
    // Act: the first invocation runs out of time after the restore was requested.
    const first = await drill(POLICY, 6);
    const afterFirst = (await env.stores.backupTracking.get(env.sim.state.cluster('test-payments').uuid))
      .drill;
    const second = await drill();

    // Assess
    expect(only(first)).toMatchObject({ status: 'deferred' });
    expect(first.notes.join(' ')).toContain('continues in the next invocation');
    expect(engine.published.some((e) => e.detailType === 'backup.drill')).toBe(true);
    expect(afterFirst?.step).toMatch(/restore-requested|restore-completed/);
    expect(only(second)).toMatchObject({ status: 'done', action: 'drill-succeeded' });
    expect(routeCount(BACKUP_POST)).toBe(1);
    expect(routeCount(RESTORE)).toBe(1);
    const o = only(second);
    expect(o.status === 'done' && o.detail?.drillId).toBe(afterFirst?.drillId);
  });

  it('adopts a restore of its backup already in flight (409) and follows it to Healthy, without a second POST', async () => {
    // Prepare: someone restored the backup the drill will use a moment ago; the restore still runs.
    env.sim.state.addBackup('test-payments', { uuid: 'seeded', created: env.clock.now() - 3_600_000 });
    const cluster = env.sim.state.cluster('test-payments');
    env.sim.state.restores.restore(cluster, 'seeded');
    const inFlight = env.sim.state.restores.records.at(-1);
    env.clock.advance(2_000);

    // Act
    const summary = await drill({ ...POLICY, drill: { ...POLICY.drill, useExisting: true } });

    // Assess: the POST answered 409, the drill followed the running restore to its end and then to Healthy.
    const o = only(summary);
    expect(o).toMatchObject({ status: 'done', action: 'drill-succeeded' });
    const detail = o.status === 'done' ? (o.detail ?? {}) : {};
    expect(detail).toMatchObject({ step: 'healthy', backupId: 'seeded', restoreId: inFlight?.uuid });
    expect(env.sim.requestLog.filter((r) => r.route === RESTORE).map((r) => r.status)).toEqual([409]);
    expect(env.sim.state.restores.records).toHaveLength(1);
    // Measured from the drill's own request: the adopted restore's remaining 8 s + resume 5 s, looks 1 s apart.
    expect(detail.recoverySeconds).toBeGreaterThanOrEqual(13);
    expect(detail.recoverySeconds).toBeLessThanOrEqual(15);
    expect(env.sim.state.cluster('test-payments').status.ready).toBe('Healthy');
  });

  it('does not adopt a restore in flight that started long before its request (409): fails with the reason', async () => {
    // Prepare: a long restore started six minutes before the drill, older than the five minutes of env.clock
    // skew the drill allows for its own request.
    env.sim.state.restores.durationMs = 30 * 60_000;
    env.sim.state.addBackup('test-payments', { uuid: 'seeded', created: env.clock.now() - 3_600_000 });
    env.sim.state.restores.restore(env.sim.state.cluster('test-payments'), 'seeded');
    env.clock.advance(6 * 60_000);

    // Act
    const summary = await drill({ ...POLICY, drill: { ...POLICY.drill, useExisting: true } });

    // Assess
    const o = only(summary);
    expect(o.status === 'failed' && o.error).toMatch(/^restore drill failed: restore request failed: .*409/);
    expect(env.sim.requestLog.filter((r) => r.route === RESTORE).map((r) => r.status)).toEqual([409]);
    expect(env.sim.state.restores.records).toHaveLength(1);
  });

  it('never runs twice at once: a drill finds the cluster claimed and leaves it alone', async () => {
    // Prepare
    await env.stores.claims.claim(
      'backup',
      env.sim.state.cluster('test-payments').uuid,
      'another-drill',
      60_000,
    );

    // Act
    const summary = await drill();

    // Assess
    expect(only(summary)).toMatchObject({
      status: 'skipped',
      reason: 'another run of this job is working on this cluster',
    });
    expect(routeCount(BACKUP_POST) + routeCount(RESTORE)).toBe(0);
  });

  it('refuses a drill cluster the production selector matches on the live cluster (labels too)', async () => {
    // Prepare: the config check cannot see labels; the run re-checks the live cluster.
    env.sim.state.updateCluster('test-payments', { labels: ['prod'] });
    const policy = { ...POLICY, productionSelector: { labels: ['prod'] } };

    // Act
    const summary = await drill(policy);

    // Assess
    const o = only(summary);
    expect(o.status === 'failed' && o.error).toMatch(
      /refused: test-payments is matched by backup.productionSelector/,
    );
    expect(routeCount(BACKUP_POST) + routeCount(RESTORE)).toBe(0);
  });
});
