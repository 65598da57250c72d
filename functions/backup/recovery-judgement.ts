// Recovery-point targets applied to a run: each cluster's outcome is judged against its target (a cluster
// past it fails, unless a backup is under way), and the fleet figures the alarm watches are published.
import type { Backup } from '#lib/console/client.ts';
import { failed, type OutcomeSubject, outcomePart } from '#lib/jobs/outcomes.ts';
import type { JobDeps } from '#lib/jobs/ports.ts';
import type { ClusterOutcome } from '#lib/jobs/types.ts';
import type { BackupDeps } from './deps.ts';
import { assessRecoveryPoint, fleetFigures, type RecoveryPoint } from './recovery-point.ts';

/** The backup list a cluster's outcome was judged on, carried to `judgeRecoveryPoint` (not reported). */
const BACKUPS = Symbol('backups');
type WithBackups = ClusterOutcome & { [BACKUPS]?: Backup[] };

export function withBackups(outcome: ClusterOutcome, backups: Backup[]): ClusterOutcome {
  return Object.assign(outcome, { [BACKUPS]: backups }) as ClusterOutcome;
}

/**
 * Adds the cluster's recovery point to its outcome. A cluster past its target (or without any Complete
 * backup) fails with the reason, unless a backup is under way for it right now (created by this run, or in
 * progress): then the outcome stays and the recovery point says it is past target, which the
 * `ClustersPastTarget` metric (and its alarm) counts.
 */
export function judgeRecoveryPoint(
  deps: BackupDeps,
  target: OutcomeSubject,
  outcome: ClusterOutcome,
  targetHours: number | undefined,
): { outcome: ClusterOutcome; point?: RecoveryPoint } {
  const backups = (outcome as WithBackups)[BACKUPS];
  if (backups === undefined) return { outcome };
  delete (outcome as WithBackups)[BACKUPS];
  if (targetHours === undefined) return { outcome };
  const point = assessRecoveryPoint(backups, deps.clock.now(), targetHours);
  const breached = point.status === 'past-target' || point.status === 'no-complete-backup';
  const underway =
    backups.some((b) => b.status === 'In progress') ||
    (outcome.status === 'done' && /backup-created|would-create-backup/.test(outcome.action));
  if (breached && !underway) {
    const error = outcome.status === 'failed' ? `${outcome.error}; ${point.text}` : point.text;
    const detail = 'detail' in outcome ? outcome.detail : undefined;
    return {
      outcome: failed(target, error, {
        ...(outcome.status === 'failed' ? detail : { thisRun: outcomePart(outcome) }),
        recoveryPoint: point,
      }),
      point,
    };
  }
  if (outcome.status === 'deferred') return { outcome, point };
  return { outcome: { ...outcome, detail: { ...outcome.detail, recoveryPoint: point } }, point };
}

/**
 * Two fleet metrics instead of one per cluster (a per-cluster dimension would cost $0.30 a month per cluster):
 * `ClustersPastTarget` (alarmed) and `OldestCompleteBackupAgeSeconds`, plus `ClustersAtRisk`. Per-cluster
 * ages are in the summary and its result event.
 */
export function publishFleetFigures(
  deps: Partial<Pick<JobDeps, 'metrics'>>,
  points: readonly RecoveryPoint[],
): void {
  if (!deps.metrics) return;
  const figures = fleetFigures(points);
  deps.metrics.count('ClustersPastTarget', figures.pastTarget);
  deps.metrics.count('ClustersAtRisk', figures.atRisk);
  deps.metrics.count('OldestCompleteBackupAgeSeconds', figures.oldestAgeSeconds);
}
