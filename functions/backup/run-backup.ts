// The backup job's use case. Manual mode: create one backup per eligible cluster (never a duplicate, never
// more than the Console allows) and report what happened to earlier backups. Native mode: keep Camunda's
// own server-side schedule equal to the policy's cron. Dependencies come in as ports; the run engine
// (`executeRun`) supplies claims, concurrency, the time budget and error capture through `scope`.

import { selectClusters } from '#lib/config/selector.ts';
import type { BackupPolicy } from '#lib/config/types.ts';
import type { Backup, Cluster } from '#lib/console/client.ts';
import { ConsoleApiError } from '#lib/console/errors.ts';
import { errorText, type RunBody, type RunScope } from '#lib/jobs/engine.ts';
import type { BackupTrackingState, JobDeps } from '#lib/jobs/ports.ts';
import type { ClusterOutcome } from '#lib/jobs/types.ts';
import { publishClusterAge } from './cluster-metrics.ts';
import { assessRecoveryPoint, fleetFigures, type RecoveryPoint, targetFor } from './recovery-point.ts';

export type BackupDeps = Pick<JobDeps, 'console' | 'backupTracking' | 'clock' | 'log'> &
  Partial<Pick<JobDeps, 'metrics'>>;

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

/** What goes through `scope.forEachCluster` (only the two fields an outcome carries). */
interface Target {
  clusterId: string;
  clusterName: string;
}

/** A backup as the summary reports it. */
export interface BackupRef {
  backupId: string;
  name?: string;
  created: string;
  completed?: string;
  incidentLink?: string;
}

/** What the job learned about a cluster's backups since it last looked. */
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

/**
 * Runs the backup job over the clusters `policy.selector` picks (narrowed to `request.clusterIds`). Returns
 * one outcome per selected cluster; unselected clusters are not reported.
 */
export async function runBackup(deps: BackupDeps, scope: RunScope, policy: BackupPolicy): Promise<RunBody> {
  const notes: string[] = [];
  if (!policy.enabled) return { clusters: [], notes: ['backup policy is disabled; nothing done'] };
  const nativeCron = policy.nativeCron === undefined ? undefined : normalizeCron(policy.nativeCron);
  if (policy.mode === 'native' && !nativeCron) {
    return { clusters: [], notes: ['backup policy mode is native but nativeCron is not set'], failRun: true };
  }

  let clusters: Cluster[];
  try {
    clusters = await deps.console.listClusters();
  } catch (err) {
    return { clusters: [], notes: [`could not list clusters: ${errorText(err)}`], failRun: true };
  }
  const requested = scope.request.clusterIds ?? [];
  const selected = selectClusters(clusters, policy.selector, requested);
  const unmatched = requested.filter((id) => !selected.some((c) => c.uuid === id));
  if (unmatched.length > 0) {
    notes.push(`requested cluster(s) not selected by the backup policy or unknown: ${unmatched.join(', ')}`);
  }
  if (selected.length === 0) notes.push('no cluster selected');

  const byId = new Map(selected.map((c) => [c.uuid, c]));
  const targets: Target[] = selected.map((c) => ({ clusterId: c.uuid, clusterName: c.name }));
  const points: RecoveryPoint[] = [];
  const outcomes = await scope.forEachCluster(targets, async (target) => {
    const cluster = byId.get(target.clusterId);
    const targetHours = cluster ? targetFor(cluster, policy.targets ?? [])?.maxAgeHours : undefined;
    const outcome =
      policy.mode === 'native' && nativeCron
        ? await nativeCluster(deps, scope, target, nativeCron)
        : await manualCluster(deps, scope, target, cluster, policy);
    const judged = judgeRecoveryPoint(deps, target, outcome, targetHours);
    if (judged.point) points.push(judged.point);
    if (judged.point) publishClusterAge(deps.metrics, policy, target.clusterName, judged.point);
    return judged.outcome;
  });
  if ((policy.targets ?? []).length > 0) publishFleetFigures(deps, points);
  return { clusters: outcomes, notes };
}

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

// ---------------------------------------------------------------------------------------------------
// Manual mode.

async function manualCluster(
  deps: BackupDeps,
  scope: RunScope,
  target: Target,
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
  target: Target,
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
  target: Target,
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

/** Merges what happened to earlier backups into the outcome of this run's decision. */
function combine(
  target: Target,
  inspected: Inspection,
  outcome: ClusterOutcome,
  trackingError: string | undefined,
): ClusterOutcome {
  const extra: Record<string, unknown> = {};
  if (inspected.completed.length > 0) extra.completedBackups = inspected.completed;
  if (inspected.vanished.length > 0) extra.vanishedBackups = inspected.vanished;
  if (trackingError) extra.trackingNotSaved = trackingError;

  if (inspected.failed.length > 0) {
    const thisRun = thisRunOf(outcome);
    const errors = [describeFailures(inspected.failed)];
    if (outcome.status === 'failed') errors.push(outcome.error);
    return failed(target, errors.join('; '), { failedBackups: inspected.failed, thisRun, ...extra });
  }
  if (Object.keys(extra).length === 0 || outcome.status === 'deferred') return outcome;
  return { ...outcome, detail: { ...outcome.detail, ...extra } };
}

/** An outcome's own part (without the cluster), to nest in another outcome's detail. */
function thisRunOf(outcome: ClusterOutcome): Record<string, unknown> {
  switch (outcome.status) {
    case 'done':
      return { status: 'done', action: outcome.action, ...outcome.detail };
    case 'failed':
      return { status: 'failed', error: outcome.error, ...outcome.detail };
    case 'skipped':
      return { status: 'skipped', reason: outcome.reason, ...outcome.detail };
    case 'deferred':
      return { status: 'deferred', reason: outcome.reason };
  }
}

function describeFailures(failures: readonly BackupRef[]): string {
  const parts = failures.map((f) => {
    const label = f.name && f.name !== f.backupId ? `${f.name} (${f.backupId})` : f.backupId;
    return f.incidentLink ? `${label}, incident ${f.incidentLink}` : label;
  });
  return `${failures.length} backup(s) failed since the last run: ${parts.join('; ')}`;
}

// ---------------------------------------------------------------------------------------------------
// Native mode.

async function nativeCluster(
  deps: BackupDeps,
  scope: RunScope,
  target: Target,
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
    return failed(target, errors.join('; '), { thisRun: thisRunOf(schedule.outcome) });
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
  target: Target,
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

// ---------------------------------------------------------------------------------------------------
// Between runs: what became of earlier backups.

/** Reads the cluster's backups and its tracking state; an outcome when the cluster cannot be inspected. */
async function inspect(deps: BackupDeps, target: Target): Promise<Inspection | ClusterOutcome> {
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
async function saveTracking(
  deps: BackupDeps,
  scope: RunScope,
  target: Target,
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

// ---------------------------------------------------------------------------------------------------
// Helpers.

/**
 * A Console answer that means "nothing to do here" rather than a failure: 403 (not an Enterprise plan, or
 * the API client lacks the Backups scope), 404 (the cluster is gone), and on create the once-an-hour rule.
 */
export function skipReason(err: unknown, what: 'list' | 'create' | 'schedule'): string | undefined {
  if (!(err instanceof ConsoleApiError)) return undefined;
  const said = err.bodyExcerpt ? `: ${err.bodyExcerpt}` : '';
  if (err.status === 403) {
    return `backups not permitted (403${said}); needs an Enterprise plan and an API client with the Backups scope`;
  }
  if (err.status === 404 && what !== 'schedule') return `cluster no longer exists (404${said})`;
  if (err.status === 400 && what === 'create' && HOURLY_LIMIT.test(err.bodyExcerpt)) {
    return `backup limit reached (400${said})`;
  }
  return undefined;
}

const HOURLY_LIMIT = /\bhour|at most once|too (?:many|often|frequent)|rate.?limit/i;

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

// ---------------------------------------------------------------------------------------------------
// Recovery-point targets.

/** The backup list a cluster's outcome was judged on, carried to `judgeRecoveryPoint` (not reported). */
const BACKUPS = Symbol('backups');
type WithBackups = ClusterOutcome & { [BACKUPS]?: Backup[] };

function withBackups(outcome: ClusterOutcome, backups: Backup[]): ClusterOutcome {
  return Object.assign(outcome, { [BACKUPS]: backups }) as ClusterOutcome;
}

/**
 * Adds the cluster's recovery point to its outcome. A cluster past its target (or without any Complete
 * backup) fails with the reason, unless a backup is under way for it right now (created by this run, or in
 * progress): then the outcome stays and the recovery point says it is past target, which the
 * `ClustersPastTarget` metric (and its alarm) counts.
 */
function judgeRecoveryPoint(
  deps: BackupDeps,
  target: Target,
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
        ...(outcome.status === 'failed' ? detail : { thisRun: thisRunOf(outcome) }),
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

function ref(b: Backup): BackupRef {
  const out: BackupRef = { backupId: b.uuid, created: b.created };
  if (b.name) out.name = b.name;
  if (b.completed) out.completed = b.completed;
  if (b.incidentLink) out.incidentLink = b.incidentLink;
  return out;
}

/** One space between the five fields, so `0  2 * * *` equals `0 2 * * *`. */
export function normalizeCron(cron: string): string {
  return cron.trim().split(/\s+/).join(' ');
}

/** `45m`, `2h 5m`, `3d 4h`. */
export function formatAge(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h ${minutes % 60}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

export function done(target: Target, action: string, detail?: Record<string, unknown>): ClusterOutcome {
  const outcome: ClusterOutcome = {
    clusterId: target.clusterId,
    clusterName: target.clusterName,
    status: 'done',
    action,
  };
  return detail ? { ...outcome, detail } : outcome;
}

export function skipped(target: Target, reason: string, detail?: Record<string, unknown>): ClusterOutcome {
  const outcome: ClusterOutcome = {
    clusterId: target.clusterId,
    clusterName: target.clusterName,
    status: 'skipped',
    reason,
  };
  return detail ? { ...outcome, detail } : outcome;
}

export function failed(target: Target, error: string, detail?: Record<string, unknown>): ClusterOutcome {
  const outcome: ClusterOutcome = {
    clusterId: target.clusterId,
    clusterName: target.clusterName,
    status: 'failed',
    error,
  };
  return detail ? { ...outcome, detail } : outcome;
}
