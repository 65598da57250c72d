// Fault matrix, backups (issue #13): a restore drill whose restore ends FAILED, a Console that answers 501
// (self-service restore not enabled), an invocation ending mid-drill (its time budget used up; the
// continuation it publishes resumes the drill, which reports its recovery time), and a recovery-point
// target breached (backup.check fails the cluster and counts `ClustersPastTarget`). Real handlers through
// the composition root, the simulator and dynalite (test/helpers/faults.ts). No drill ever sends a second
// backup or restore POST.
import { describe, expect, it } from 'vitest';
import type { ClusterOutcome, RunSummary } from '#lib/jobs/types.ts';
import { eventBridgeEvent, minutesAgo, schedulerEvent } from '#local/env.ts';
import { faultSuite } from '#test/helpers/fault-suite.ts';
import type { FaultEnv, FaultEnvOptions } from '#test/helpers/faults.ts';

const GROUP = 'backups and restore drills';
const DRILL = 'stage-payments';
const RESTORE_POST = 'POST /clusters/{clusterUuid}/backups/{backupId}/restore';
const BACKUP_POST = 'POST /clusters/{clusterUuid}/backups';

const suite = faultSuite();
const { scanner } = suite;
/** The drill's one-second looks move the shared clock instead of waiting. */
const start = (options: FaultEnvOptions = {}) => suite.start({ warpSleeps: true, ...options });

const drillEvent = () => schedulerEvent('backup', 'drill', minutesAgo(0));
const routeCount = (e: FaultEnv, route: string) => e.sim.requestLog.filter((r) => r.route === route).length;

function drillOutcome(summary: RunSummary | undefined): ClusterOutcome {
  const o = summary?.clusters.find((c) => c.clusterName === DRILL);
  if (!o) throw new Error(`no drill outcome: ${JSON.stringify(summary)}`);
  return o;
}

describe('restore drills under faults', () => {
  it('the restore ends FAILED: the drill fails with the reason, counted, one backup and one restore POST', async () => {
    // Prepare
    const e = await start();
    e.sim.state.restores.failNext(DRILL);
    // Act
    const run = await e.invoke('backup', drillEvent());
    // Assess
    const o = drillOutcome(run.summary);
    expect(o.status).toBe('failed');
    expect(o.status === 'failed' ? o.error : '').toMatch(/restore .* ended FAILED/);
    expect(run.summary?.failed).toBe(true);
    expect(e.counters.totals.BackupDrillsFailed).toBe(1);
    expect(routeCount(e, BACKUP_POST)).toBe(1);
    expect(routeCount(e, RESTORE_POST)).toBe(1);
    e.account(run.summary, [o.clusterId]);
    e.finishRow(GROUP, 'restore drill: the restore ends FAILED', { extraFaults: 1 });
  });

  it('a 501 (restore not enabled): reported "not available" with the reason, the run does not fail', async () => {
    // Prepare
    const e = await start();
    e.sim.state.restores.available = false;
    // Act
    const run = await e.invoke('backup', drillEvent());
    // Assess
    const o = drillOutcome(run.summary);
    expect(o.status).toBe('skipped');
    expect(o.status === 'skipped' ? o.reason : '').toMatch(/not available.*501/);
    expect(run.error).toBeUndefined();
    expect(run.summary?.failed).toBe(false);
    expect(routeCount(e, RESTORE_POST)).toBe(1);
    expect(e.sim.requestLog.filter((r) => r.route === RESTORE_POST).map((r) => r.status)).toEqual([501]);
    e.account(run.summary, [o.clusterId]);
    e.finishRow(GROUP, 'restore drill: 501 restore not available', { extraFaults: 1 });
  });

  it('an invocation ends mid-drill: deferred, the continuation resumes it to Healthy with its recovery time, nothing sent twice', async () => {
    // Prepare: a budget that ends right after the drill started (the margin is 5 s).
    const e = await start();
    // Act
    const first = await e.invoke('backup', drillEvent(), 5_900);
    const continuation = e.events.events.find((x) => x.detailType === 'backup.drill');
    if (!continuation) throw new Error('no backup.drill continuation published');
    const resumes = [];
    for (let i = 0; i < 5; i++) {
      const r = await e.invoke('backup', eventBridgeEvent(continuation.detailType, continuation.detail));
      resumes.push(r);
      if (drillOutcome(r.summary).status !== 'deferred') break;
    }
    // Assess
    const o1 = drillOutcome(first.summary);
    expect(o1.status).toBe('deferred');
    expect(first.error).toBeUndefined();
    const last = resumes[resumes.length - 1];
    const o2 = drillOutcome(last?.summary);
    expect(o2.status).toBe('done');
    expect(o2.status === 'done' ? o2.action : '').toBe('drill-succeeded');
    const recovery =
      (('detail' in o2 ? o2.detail : undefined) as
        | { recoverySeconds?: unknown; recoveryTime?: unknown }
        | undefined) ?? {};
    expect(typeof recovery.recoverySeconds).toBe('number');
    expect(typeof recovery.recoveryTime).toBe('string');
    expect(e.counters.totals.BackupDrillRecoverySeconds).toBe(recovery.recoverySeconds);
    expect(routeCount(e, BACKUP_POST)).toBe(1);
    expect(routeCount(e, RESTORE_POST)).toBe(1);
    e.account(first.summary, [o1.clusterId]);
    for (const r of resumes) e.account(r.summary, [o1.clusterId]);
    e.finishRow(GROUP, 'restore drill: invocation ends mid-drill, resumed', { extraFaults: 1 });
  });
});

describe('recovery-point targets under faults', () => {
  it('a cluster past its target: backup.check fails it with the age and counts ClustersPastTarget', async () => {
    // Prepare: prod-payments' newest Complete backup is made 3 days old (its target is 24 h).
    const e = await start();
    const uuid = e.sim.state.cluster('prod-payments').uuid;
    const old = Date.now() - 3 * 24 * 3_600_000;
    for (const b of e.sim.state.backups.get(uuid) ?? []) b.created = Math.min(b.created, old);
    const expected = e.selected('backup');
    // Act
    const run = await e.invoke('backup', schedulerEvent('backup', 'check', minutesAgo(0)));
    // Assess
    const o = run.summary?.clusters.find((c) => c.clusterId === uuid);
    expect(o?.status).toBe('failed');
    expect(o?.status === 'failed' ? o.error : '').toMatch(/past|older|target/i);
    expect(run.summary?.failed).toBe(true);
    expect(e.counters.totals.ClustersPastTarget).toBeGreaterThanOrEqual(1);
    // The check only reads.
    expect(
      e.sim.requestLog.filter((r) => r.method !== 'GET' && r.route !== 'oauth').map((r) => r.route),
    ).toEqual([]);
    e.account(run.summary, expected);
    e.finishRow(GROUP, 'backup.check: a target breached', { extraFaults: 1 });
  });
});

describe('secrets', () => {
  it('leaks no token, client secret or webhook secret into logs, output, errors or answers', () => {
    scanner.stopOutput();
    expect(scanner.findings()).toEqual([]);
  });
});
