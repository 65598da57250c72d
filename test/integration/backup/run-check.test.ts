// `backup.check` end to end over real HTTP against the simulator's seeded org, with the DynamoDB stores on
// dynalite: the per-cluster recovery points, the fleet metrics, and its Console cost (one list of clusters plus
// one backups read per selected cluster).
import { beforeEach, describe, expect, it } from 'vitest';
import { runCheck } from '#functions/backup/run-check.ts';
import type { BackupPolicy } from '#lib/config/types.ts';
import { executeRun } from '#lib/jobs/engine.ts';
import type { RunSummary } from '#lib/jobs/types.ts';
import { memoryCounters } from '#lib/runtime/metrics.ts';
import { recordingLog } from '#local/recording-log.ts';
import { outcomeOf } from '#test/helpers/run-readers.ts';
import { simConsoleClient } from '#test/helpers/sim-console.ts';
import { drilledPolicy, useBackupEnv } from '#test/integration/backup/backup-env.ts';
import { engineFakes } from '#test/unit/backup/fakes.ts';

const HOUR = 3_600_000;
const POLICY: BackupPolicy = drilledPolicy({
  selector: { names: ['stage-payments'] },
  targets: [
    { selector: { names: ['prod-*'] }, maxAgeHours: 25 },
    { selector: { names: ['prod-analytics'] }, maxAgeHours: 1 },
  ],
});

describe('backup.check against the simulator', () => {
  const env = useBackupEnv('2026-03-01T04:00:00.000Z');
  let counters: ReturnType<typeof memoryCounters>;

  const check = (policy: BackupPolicy = POLICY): Promise<RunSummary> => {
    const api = simConsoleClient(env.sim);
    const log = recordingLog();
    return executeRun(
      {
        ...engineFakes(),
        metrics: counters,
        ledger: env.stores.ledger,
        claims: env.stores.claims,
        clock: env.clock,
        log,
      },
      { job: 'backup', action: 'check' },
      {
        source: 'schedule',
        idempotencyKey: `backup:check:${env.clock.now()}`,
        at: new Date(env.clock.now()).toISOString(),
      },
      { dryRun: false, concurrency: 4, timeMarginMs: 0, leaseMs: 60_000, retryFailed: true },
      (scope) =>
        runCheck(
          {
            console: api,
            backupTracking: env.stores.backupTracking,
            clock: env.clock,
            log,
            metrics: counters,
          },
          scope,
          policy,
        ),
    );
  };
  const outcome = outcomeOf;

  beforeEach(async () => {
    counters = memoryCounters();
  });
  it('measures every targeted cluster against its strictest target and fails the ones past it', async () => {
    // Act
    const summary = await check();

    // Assess
    expect(summary.clusters.map((c) => c.clusterName).sort()).toEqual(
      ['prod-analytics', 'prod-billing', 'prod-orders', 'prod-payments', 'stage-payments'].sort(),
    );
    expect(outcome(summary, 'prod-payments')).toMatchObject({
      status: 'done',
      action: 'recovery-point-ok',
      detail: { recoveryPoint: { targetHours: 25, newestCompleteAgeSeconds: 24 * 3600 } },
    });
    expect(outcome(summary, 'prod-orders')).toMatchObject({ status: 'done', action: 'recovery-point-ok' });
    expect(outcome(summary, 'prod-analytics')).toMatchObject({
      status: 'failed',
      error: 'newest Complete backup 2h 0m old, past its 1h target',
    });
    expect(outcome(summary, 'prod-billing')).toMatchObject({
      status: 'failed',
      error: 'no Complete backup, target 25h',
    });
    expect(outcome(summary, 'stage-payments')).toMatchObject({ status: 'skipped' });
    expect(summary.failed).toBe(true);
    expect(counters.totals).toMatchObject({
      ClustersPastTarget: 2,
      ClustersAtRisk: 0,
      OldestCompleteBackupAgeSeconds: 24 * 3600,
    });
    expect(summary.notes).toContain(
      'recovery points: 2 within target, 0 at risk, 2 past target, 1 without a target',
    );
  });

  it("publishes each targeted cluster's backup age as its own metric, and none with clusterMetrics off", async () => {
    // Act
    await check();
    const perCluster = counters.clusters.CompleteBackupAgeSeconds;
    counters = memoryCounters();
    await check({ ...POLICY, clusterMetrics: 'off' });

    // Assess: the targeted clusters with a Complete backup, by name; prod-billing has no Complete backup (no
    // age to give: ClustersPastTarget counts it), stage-payments no target.
    expect(perCluster).toEqual({
      'prod-payments': 24 * 3600,
      'prod-orders': expect.any(Number),
      'prod-analytics': 2 * 3600,
    });
    expect(counters.clusters).toEqual({});
    expect(counters.totals.ClustersPastTarget).toBe(2);
  });

  it('calls out a cluster whose backups keep failing before its last good one passes the target', async () => {
    // Prepare
    env.sim.state.addBackup('prod-payments', { status: 'Failed', created: env.clock.now() - 10 * HOUR });
    env.sim.state.addBackup('prod-payments', { status: 'Failed', created: env.clock.now() - 2 * HOUR });

    // Act
    const summary = await check();

    // Assess
    const o = outcome(summary, 'prod-payments');
    expect(o).toMatchObject({ status: 'done', action: 'recovery-point-at-risk' });
    const point = o.status === 'done' ? (o.detail?.recoveryPoint as { text: string } | undefined) : undefined;
    expect(point?.text).toContain('it passes its target in 1h 0m');
    expect(counters.totals.ClustersAtRisk).toBe(1);
  });

  it('reads the clusters once and each selected cluster’s backups once, and writes nothing to the Console', async () => {
    // Act
    await check();

    // Assess
    const routes = env.sim.requestLog.map((r) => r.route);
    expect(routes.filter((r) => r === 'GET /clusters')).toHaveLength(1);
    expect(routes.filter((r) => r === 'GET /clusters/{clusterUuid}/backups')).toHaveLength(5);
    expect(routes).toHaveLength(6);
  });

  it('shows the last restore drill on the drill cluster row and in the notes', async () => {
    // Prepare
    const testPayments = env.sim.state.cluster('test-payments').uuid;
    await env.stores.backupTracking.put(testPayments, {
      pending: [],
      drill: {
        drillId: 'd-1',
        step: 'healthy',
        startedAt: '2026-02-22T04:00:00.000Z',
        healthyAt: '2026-02-22T04:09:00.000Z',
        recoverySeconds: 420,
        updatedAt: '2026-02-22T04:09:00.000Z',
      },
    });

    // Act
    const summary = await check({ ...POLICY, selector: { names: ['test-payments'] } });

    // Assess
    expect(outcome(summary, 'test-payments')).toMatchObject({
      detail: { lastDrill: { recoverySeconds: 420 } },
    });
    expect(summary.notes).toContain(
      'last restore drill on test-payments: succeeded 2026-02-22T04:09:00.000Z, recovery time 7m',
    );
  });
});
