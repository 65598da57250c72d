// Native mode: Camunda's own server-side backup schedule is kept equal to the policy's cron; failures of the
// backups it takes are reported as in manual mode.
import { errorText, type RunScope } from '#lib/jobs/engine.ts';
import { done, failed, type OutcomeSubject, outcomePart, skipped } from '#lib/jobs/outcomes.ts';
import type { ClusterOutcome } from '#lib/jobs/types.ts';
import type { BackupDeps } from './deps.ts';
import { combine, inspect, saveTracking } from './inspection.ts';
import { withBackups } from './recovery-judgement.ts';
import { skipReason } from './skip-reasons.ts';

export async function nativeCluster(
  deps: BackupDeps,
  scope: RunScope,
  target: OutcomeSubject,
  cron: string,
): Promise<ClusterOutcome> {
  const schedule = await reconcileSchedule(deps, scope, target, cron);
  if (!schedule.reachable) return schedule.outcome;

  // Failures of the backups Camunda's schedule takes are reported the same way as in manual mode.
  const inspected = await inspect(deps, target);
  if (!('backups' in inspected)) {
    if (inspected.status !== 'failed') return schedule.outcome;
    const errors = [inspected.error];
    if (schedule.outcome.status === 'failed') errors.push(schedule.outcome.error);
    return failed(target, errors.join('; '), { thisRun: outcomePart(schedule.outcome) });
  }
  const trackingError = await saveTracking(deps, scope, target, {
    ...inspected.state,
    lastCheckedAt: inspected.checkedAt,
    pending: inspected.stillPending,
  });
  return withBackups(combine(target, inspected, schedule.outcome, trackingError), inspected.backups);
}

/** `reachable` is false when the Console refused the cluster's backup endpoints (403/404). */
async function reconcileSchedule(
  deps: BackupDeps,
  scope: RunScope,
  target: OutcomeSubject,
  cron: string,
): Promise<{ outcome: ClusterOutcome; reachable: boolean }> {
  let current: string | undefined;
  try {
    const schedule = await deps.console.getBackupSchedule(target.clusterId);
    current = schedule === undefined ? undefined : normalizeCron(schedule.schedule);
  } catch (err) {
    const skip = skipReason(err, 'schedule');
    if (skip) return { outcome: skipped(target, skip), reachable: false };
    return {
      outcome: failed(target, `could not read the backup schedule: ${errorText(err)}`),
      reachable: true,
    };
  }
  if (current === cron) {
    return { outcome: skipped(target, 'schedule already matches'), reachable: true };
  }

  const detail = { from: current ?? null, to: cron };
  const verb = current === undefined ? 'set' : 'update';
  if (scope.dryRun) return { outcome: done(target, `would-${verb}-schedule`, detail), reachable: true };
  try {
    await deps.console.putBackupSchedule(target.clusterId, cron);
  } catch (err) {
    const skip = skipReason(err, 'schedule');
    if (skip) return { outcome: skipped(target, skip), reachable: false };
    return {
      outcome: failed(target, `could not ${verb} the backup schedule: ${errorText(err)}`),
      reachable: true,
    };
  }
  deps.log.info('backup schedule reconciled', { clusterId: target.clusterId, from: detail.from, to: cron });
  return {
    outcome: done(target, verb === 'set' ? 'schedule-set' : 'schedule-updated', detail),
    reachable: true,
  };
}

/** One space between the five fields, so `0  2 * * *` equals `0 2 * * *`. */
export function normalizeCron(cron: string): string {
  return cron.trim().split(/\s+/).join(' ');
}
