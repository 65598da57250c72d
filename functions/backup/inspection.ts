// Between runs: what became of the backups earlier runs created or saw (completed, failed, vanished), read
// from the Console and the tracking state, and merged into this run's outcome for the cluster.
import type { Backup } from '#lib/console/client.ts';
import type { RunScope } from '#lib/jobs/engine.ts';
import { errorText } from '#lib/jobs/engine.ts';
import { failed, type OutcomeSubject, outcomePart, skipped } from '#lib/jobs/outcomes.ts';
import type { BackupTrackingState } from '#lib/jobs/ports.ts';
import type { ClusterOutcome } from '#lib/jobs/types.ts';
import type { BackupDeps } from './deps.ts';
import { skipReason } from './skip-reasons.ts';

/** A backup as the summary reports it. */
export interface BackupRef {
  backupId: string;
  name?: string;
  created: string;
  completed?: string;
  incidentLink?: string;
}

export /** What the job learned about a cluster's backups since it last looked. */
interface Inspection {
  backups: Backup[];
  /** The tracking state as read (carried over by the next put: the drill record, our backups). */
  state: BackupTrackingState;
  /** The next run's `lastCheckedAt`: when the list was read (or the latest failure's stamp, if later). */
  checkedAt: string;
  failed: BackupRef[];
  completed: BackupRef[];
  stillPending: string[];
  vanished: string[];
}

/** Reads the cluster's backups and its tracking state; an outcome when the cluster cannot be inspected. */
export async function inspect(
  deps: BackupDeps,
  target: OutcomeSubject,
): Promise<Inspection | ClusterOutcome> {
  const readAt = deps.clock.now();
  let backups: Backup[];
  try {
    backups = await deps.console.listBackups(target.clusterId);
  } catch (err) {
    const skip = skipReason(err, 'list');
    if (skip) return skipped(target, skip);
    return failed(target, `could not read backups: ${errorText(err)}`);
  }
  let state: BackupTrackingState;
  try {
    state = await deps.backupTracking.get(target.clusterId);
  } catch (err) {
    return failed(target, `could not read backup tracking state: ${errorText(err)}`);
  }

  const byId = new Map(backups.map((b) => [b.uuid, b]));
  const pending = new Set(state.pending);
  const since = state.lastCheckedAt === undefined ? undefined : Date.parse(state.lastCheckedAt);
  const failedRefs: BackupRef[] = [];
  const completed: BackupRef[] = [];
  const stillPending: string[] = [];
  const vanished: string[] = [];

  // The watermark for the next run: when the list was read, or the Console's stamp of the latest failure
  // seen if its clock runs ahead of ours (so a failure reported now is never reported again).
  let watermark = readAt;
  for (const b of backups) {
    if (b.status !== 'Failed') continue;
    const endedAt = endedAtOf(b);
    if (endedAt > watermark) watermark = endedAt;
    // Without a `lastCheckedAt` the job has never looked at this cluster: older failures are history,
    // not news. Failures of backups this job created are always news.
    const isNew = pending.has(b.uuid) || (since !== undefined && Number.isFinite(since) && endedAt > since);
    if (isNew) failedRefs.push(ref(b));
  }
  for (const id of state.pending) {
    const b = byId.get(id);
    if (!b) vanished.push(id);
    else if (b.status === 'Complete') completed.push(ref(b));
    else if (b.status !== 'Failed') stillPending.push(id);
  }
  const checkedAt = new Date(watermark).toISOString();
  return { backups, state, checkedAt, failed: failedRefs, completed, stillPending, vanished };
}

/** When a backup ended (`completed`), falling back to when it started. */
function endedAtOf(b: Backup): number {
  const completed = b.completed === undefined ? Number.NaN : Date.parse(b.completed);
  return Number.isFinite(completed) ? completed : Date.parse(b.created);
}

/** Writes the tracking state (never in a dry run); the error text when it could not be saved. */
export async function saveTracking(
  deps: BackupDeps,
  scope: RunScope,
  target: OutcomeSubject,
  state: BackupTrackingState,
): Promise<string | undefined> {
  if (scope.dryRun) return undefined;
  try {
    await deps.backupTracking.put(target.clusterId, state);
    return undefined;
  } catch (err) {
    const text = errorText(err);
    deps.log.warn('backup tracking state not saved', { clusterId: target.clusterId, error: text });
    return text;
  }
}

/** Merges what happened to earlier backups into the outcome of this run's decision. */
export function combine(
  target: OutcomeSubject,
  inspected: Inspection,
  outcome: ClusterOutcome,
  trackingError: string | undefined,
): ClusterOutcome {
  const extra: Record<string, unknown> = {};
  if (inspected.completed.length > 0) extra.completedBackups = inspected.completed;
  if (inspected.vanished.length > 0) extra.vanishedBackups = inspected.vanished;
  if (trackingError) extra.trackingNotSaved = trackingError;

  if (inspected.failed.length > 0) {
    const thisRun = outcomePart(outcome);
    const errors = [describeFailures(inspected.failed)];
    if (outcome.status === 'failed') errors.push(outcome.error);
    return failed(target, errors.join('; '), { failedBackups: inspected.failed, thisRun, ...extra });
  }
  if (Object.keys(extra).length === 0 || outcome.status === 'deferred') return outcome;
  return { ...outcome, detail: { ...outcome.detail, ...extra } };
}

function describeFailures(failures: readonly BackupRef[]): string {
  const parts = failures.map((f) => {
    const label = f.name && f.name !== f.backupId ? `${f.name} (${f.backupId})` : f.backupId;
    return f.incidentLink ? `${label}, incident ${f.incidentLink}` : label;
  });
  return `${failures.length} backup(s) failed since the last run: ${parts.join('; ')}`;
}

function ref(b: Backup): BackupRef {
  const out: BackupRef = { backupId: b.uuid, created: b.created };
  if (b.name) out.name = b.name;
  if (b.completed) out.completed = b.completed;
  if (b.incidentLink) out.incidentLink = b.incidentLink;
  return out;
}
