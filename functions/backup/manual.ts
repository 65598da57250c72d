// Manual mode: this job creates one backup per eligible cluster, never a duplicate and never more than the
// Console allows (its once-an-hour rule, our minimum interval). A POST that may have been applied is never
// replayed: the list is re-read instead.
import type { BackupPolicy } from '#lib/config/types.ts';
import type { Backup, Cluster } from '#lib/console/client.ts';
import { ConsoleApiError } from '#lib/console/errors.ts';
import { errorText, type RunScope } from '#lib/jobs/engine.ts';
import { done, failed, type OutcomeSubject, skipped } from '#lib/jobs/outcomes.ts';
import type { ClusterOutcome } from '#lib/jobs/types.ts';
import type { BackupDeps } from './deps.ts';
import { combine, type Inspection, inspect, saveTracking } from './inspection.ts';
import { withBackups } from './recovery-judgement.ts';
import { skipReason } from './skip-reasons.ts';

const MINUTE_MS = 60 * 1000;
/** How many ids of the backups this project created are remembered per cluster (Camunda keeps a few). */
export const OURS_KEPT = 20;

/** The minimum interval between two backups this job creates for one cluster, in minutes (>= 15). */
export function minIntervalMinutes(
  policy: Pick<BackupPolicy, 'minIntervalMinutes' | 'minIntervalHours'>,
): number {
  const minutes = policy.minIntervalMinutes ?? (policy.minIntervalHours ?? 1) * 60;
  return Math.max(15, minutes);
}
/**
 * How far the Console's clock may be behind ours when we look for the backup a failed POST may have
 * created: a backup stamped up to this long before the attempt started still counts as the attempt's.
 */
export const CLOCK_SKEW_TOLERANCE_MS = 5 * 60 * 1000;

/** POSTs per cluster and run when the Console keeps answering 429 (each one re-read before the next). */
export const MAX_THROTTLED_CREATES = 3;
/** `recoverCreate` found no backup the failed POST could have created. */
const NOT_APPLIED = Symbol('not applied');

/** Camunda backups need generation 8.2.4 or later. */
export const MIN_BACKUP_GENERATION = [8, 2, 4] as const;

/** True when a generation name (e.g. '8.2.0', '8.1.12-rc1') is older than 8.2.4; unparseable → false (the API decides). */
export function isBelowMinimumGeneration(name: string): boolean {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(name.trim());
  if (!m) return false;
  const v = [Number(m[1]), Number(m[2]), Number(m[3])];
  for (let i = 0; i < 3; i++) {
    const a = v[i] ?? 0;
    const b = MIN_BACKUP_GENERATION[i] ?? 0;
    if (a !== b) return a < b;
  }
  return false;
}

export async function manualCluster(
  deps: BackupDeps,
  scope: RunScope,
  target: OutcomeSubject,
  cluster: Cluster | undefined,
  policy: BackupPolicy,
): Promise<ClusterOutcome> {
  const ready = cluster?.status?.ready;
  if (ready !== 'Healthy') return skipped(target, `cluster is ${ready ?? 'in an unknown state'}`);
  const generation = cluster?.generation?.name;
  if (generation && isBelowMinimumGeneration(generation)) {
    return skipped(
      target,
      `generation ${generation} is older than ${MIN_BACKUP_GENERATION.join('.')}, which backups need`,
    );
  }

  const inspected = await inspect(deps, target);
  if (!('backups' in inspected)) return inspected;

  const decided = await decide(deps, scope, target, policy, inspected);
  const pending = [...inspected.stillPending];
  if (decided.createdBackupId && !pending.includes(decided.createdBackupId))
    pending.push(decided.createdBackupId);
  const ours = [...(inspected.state.ours ?? [])];
  if (decided.createdBackupId && !ours.includes(decided.createdBackupId)) ours.push(decided.createdBackupId);
  const trackingError = await saveTracking(deps, scope, target, {
    ...inspected.state,
    lastCheckedAt: inspected.checkedAt,
    pending,
    ours: ours.slice(-OURS_KEPT),
  });
  return withBackups(combine(target, inspected, decided.outcome, trackingError), inspected.backups);
}

interface Decision {
  outcome: ClusterOutcome;
  /** Set when this run created a backup (or found the one its failed POST created). */
  createdBackupId?: string;
}

async function decide(
  deps: BackupDeps,
  scope: RunScope,
  target: OutcomeSubject,
  policy: BackupPolicy,
  inspected: Inspection,
): Promise<Decision> {
  const running = inspected.backups.find((b) => b.status === 'In progress');
  if (running) {
    return {
      outcome: skipped(target, 'backup in progress', { backupId: running.uuid }),
    };
  }

  const now = deps.clock.now();
  const intervalMinutes = minIntervalMinutes(policy);
  const newest = newestOurs(inspected.backups, inspected.state.ours ?? []);
  if (newest) {
    const age = now - Date.parse(newest.created);
    if (age < intervalMinutes * MINUTE_MS) {
      const reason = `newest backup this job created is ${formatAge(age)} old (minimum interval ${formatInterval(intervalMinutes)})`;
      return {
        outcome: skipped(target, reason, {
          backupId: newest.uuid,
          created: newest.created,
          ageMinutes: Math.floor(age / 60_000),
        }),
      };
    }
  }

  if (scope.dryRun) return { outcome: done(target, 'would-create-backup') };

  for (let attempt = 1; ; attempt++) {
    const attemptStartedAt = deps.clock.now();
    try {
      const backup = await deps.console.createBackup(target.clusterId);
      deps.log.info('backup created', { clusterId: target.clusterId, backupId: backup.uuid });
      return {
        outcome: done(target, 'backup-created', { backupId: backup.uuid }),
        createdBackupId: backup.uuid,
      };
    } catch (err) {
      const skip = skipReason(err, 'create');
      if (skip) return { outcome: skipped(target, skip) };
      if (!(err instanceof ConsoleApiError && err.maybeApplied))
        return { outcome: failed(target, errorText(err)) };
      const recovered = await recoverCreate(deps, target, inspected, attemptStartedAt, err);
      // A 429 that the re-read shows was not applied only asked us to slow down: send the POST again (it
      // waits at the client's throttle gate). Should the Console have applied it after all, its
      // once-an-hour rule refuses the second one, which ends in `skipReason`, never in a second backup.
      if (recovered !== NOT_APPLIED) return recovered;
      if (err.status !== 429 || attempt >= MAX_THROTTLED_CREATES) {
        return {
          outcome: failed(target, `backup request failed and no new backup appeared: ${errorText(err)}`),
        };
      }
      deps.log.info('backup request throttled and not applied; sending it again', {
        clusterId: target.clusterId,
        attempt,
      });
    }
  }
}

/**
 * The POST may have reached the Console although it failed (timeout, 5xx, 429): it is never replayed.
 * Re-read the list; a backup that was not there before and was created after the attempt started is ours.
 */
async function recoverCreate(
  deps: BackupDeps,
  target: OutcomeSubject,
  inspected: Inspection,
  attemptStartedAt: number,
  cause: ConsoleApiError,
): Promise<Decision | typeof NOT_APPLIED> {
  deps.log.warn('backup request may have been applied; re-reading backups', {
    clusterId: target.clusterId,
    error: errorText(cause),
  });
  let after: Backup[];
  try {
    after = await deps.console.listBackups(target.clusterId);
  } catch (err) {
    return {
      outcome: failed(
        target,
        `backup request failed (${errorText(cause)}) and the backups could not be re-read: ${errorText(err)}`,
      ),
    };
  }
  const known = new Set(inspected.backups.map((b) => b.uuid));
  const ours = after
    .filter((b) => !known.has(b.uuid) && Date.parse(b.created) >= attemptStartedAt - CLOCK_SKEW_TOLERANCE_MS)
    .sort((a, b) => Date.parse(b.created) - Date.parse(a.created))[0];
  if (!ours) return NOT_APPLIED;
  deps.log.info('backup found after a failed request', { clusterId: target.clusterId, backupId: ours.uuid });
  return {
    outcome: done(target, 'backup-created', {
      backupId: ours.uuid,
      recoveredFrom: errorText(cause),
    }),
    createdBackupId: ours.uuid,
  };
}

/**
 * The newest Complete backup among those this project created (`ours`, recorded in the state table). A
 * backup's kind is never guessed from its name: `BackupDto` has no kind field, and names are free text.
 */
function newestOurs(backups: readonly Backup[], ours: readonly string[]): Backup | undefined {
  const mine = new Set(ours);
  let newest: Backup | undefined;
  for (const b of backups) {
    if (b.status !== 'Complete' || !mine.has(b.uuid)) continue;
    if (!newest || Date.parse(b.created) > Date.parse(newest.created)) newest = b;
  }
  return newest;
}

/** `15m`, `2h`, `1h 30m`. */
function formatInterval(minutes: number): string {
  if (minutes < 60) return `${minutes}m`;
  const h = Math.floor(minutes / 60);
  const m = Math.round(minutes % 60);
  return m === 0 ? `${h}h` : `${h}h ${m}m`;
}

/** `45m`, `2h 5m`, `3d 4h`. */
export function formatAge(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h ${minutes % 60}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}
