// `backup.drill`: a restore drill on the drill cluster. Take a backup (or use the newest Complete one), restore
// it, follow the restore to its end, wait for the cluster to be Healthy, and report the recovery time (restore
// requested → Healthy).
//
// - Never on production: the drill cluster is refused when `backup.productionSelector` matches the LIVE cluster
//   (labels, plan, region included) or no production scope is configured.
// - Never twice at once: the drill runs inside the engine's claim on the cluster (job `backup`), so a second
//   drill — or a backup run — skips the cluster while this one holds it.
// - Resumable: the drill record (lib/jobs/ports.ts `DrillRecord`) is saved in the cluster's backup-tracking
//   item after every step. An invocation that runs out of time leaves it there, reports the drill `deferred`
//   and publishes a `backup.drill` request so the next invocation resumes from the recorded step; a drill not
//   Healthy `maxMinutes` after it started is failed.
// - A POST is never replayed: a restore request that failed in a way that may have been applied is followed by
//   a `GET …/restore`; a 409 (a restore in flight) adopts the backup's restore when it started after ours.
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { matchesSelector } from '#lib/config/selector.ts';
import type { BackupPolicy } from '#lib/config/types.ts';
import type { Backup, Cluster, Restore } from '#lib/console/client.ts';
import { ConsoleApiError } from '#lib/console/errors.ts';
import { errorText, type RunBody, type RunScope } from '#lib/jobs/engine.ts';
import { deferred, done, failed, type OutcomeSubject, skipped } from '#lib/jobs/outcomes.ts';
import type { BackupTrackingState, DrillRecord, JobDeps } from '#lib/jobs/ports.ts';
import type { ClusterOutcome } from '#lib/jobs/types.ts';
import type { BackupDeps } from './deps.ts';
import { formatDuration } from './recovery-point.ts';

export type DrillDeps = BackupDeps &
  Partial<Pick<JobDeps, 'events'>> & {
    /** Waits between two looks (default: a real timer). Tests pass one that moves their clock. */
    sleep?: (ms: number) => Promise<void>;
  };

const FINAL_STEPS: ReadonlySet<DrillRecord['step']> = new Set(['healthy', 'failed', 'not-available']);

export function isDrillFinished(record: DrillRecord | undefined): boolean {
  return record === undefined || FINAL_STEPS.has(record.step);
}

export async function runDrill(deps: DrillDeps, scope: RunScope, policy: BackupPolicy): Promise<RunBody> {
  const ref = policy.drill.cluster;
  if (ref === undefined) {
    return { clusters: [], notes: ['no drill cluster configured (backup.drill.cluster); nothing done'] };
  }
  let clusters: Cluster[];
  try {
    clusters = await deps.console.listClusters();
  } catch (err) {
    return { clusters: [], notes: [`could not list clusters: ${errorText(err)}`], failRun: true };
  }
  const cluster = clusters.find((c) => c.uuid === ref) ?? clusters.find((c) => c.name === ref);
  if (!cluster) {
    return { clusters: [], notes: [`drill cluster '${ref}' does not exist`], failRun: true };
  }
  const target = { clusterId: cluster.uuid, clusterName: cluster.name };
  const refusal = productionRefusal(cluster, policy);
  if (refusal) return { clusters: [failed(target, refusal)], notes: [refusal] };

  const [outcome] = await scope.forEachCluster([target], () => drillCluster(deps, scope, policy, target));
  const notes: string[] = [];
  if (outcome?.status === 'deferred') {
    notes.push('the drill continues in the next invocation (a backup.drill request was published)');
  }
  return { clusters: outcome ? [outcome] : [], notes };
}

/** Why the drill must not run on this cluster, or undefined. */
export function productionRefusal(cluster: Cluster, policy: BackupPolicy): string | undefined {
  if (policy.productionSelector === undefined) {
    return 'refused: backup.productionSelector is not set, so the drill cannot tell production clusters apart';
  }
  if (matchesSelector(cluster, policy.productionSelector)) {
    return `refused: ${cluster.name} is matched by backup.productionSelector; a drill never restores onto a production cluster`;
  }
  return undefined;
}

/** A `backup.drill` request with `payload: { resume: true }` continues a drill in flight and never starts one. */
function isResumeOnly(scope: RunScope): boolean {
  const payload = scope.request.payload;
  return typeof payload === 'object' && payload !== null && (payload as { resume?: unknown }).resume === true;
}

async function drillCluster(
  deps: DrillDeps,
  scope: RunScope,
  policy: BackupPolicy,
  target: OutcomeSubject,
): Promise<ClusterOutcome> {
  const state = await deps.backupTracking.get(target.clusterId);
  const now = () => deps.clock.now();
  const iso = () => new Date(now()).toISOString();
  const resuming = !isDrillFinished(state.drill);
  if (!resuming && isResumeOnly(scope)) return skipped(target, 'no restore drill in flight to resume');
  if (scope.dryRun) {
    return done(target, resuming ? 'would-resume-drill' : 'would-run-drill', {
      ...(resuming ? { step: state.drill?.step } : {}),
      useExisting: policy.drill.useExisting,
    });
  }
  let record: DrillRecord =
    resuming && state.drill
      ? state.drill
      : { drillId: randomUUID(), step: 'backup-requested', startedAt: iso(), updatedAt: iso() };
  const save = async (change: Partial<DrillRecord>) => {
    record = { ...record, ...change, updatedAt: iso() };
    const next: BackupTrackingState = { ...state, drill: record };
    await deps.backupTracking.put(target.clusterId, next);
  };
  if (resuming) deps.log.info('resuming restore drill', { clusterId: target.clusterId, step: record.step });
  else {
    const start = await startDrill(deps, policy, target);
    if ('outcome' in start) return start.outcome;
    await save(start.change);
  }

  const pollMs = policy.drill.pollSeconds * 1000;
  const deadline = Date.parse(record.startedAt) + policy.drill.maxMinutes * 60_000;
  const sleep = deps.sleep ?? ((ms: number) => delay(ms));
  for (;;) {
    if (FINAL_STEPS.has(record.step)) return finalOutcome(deps, target, record);
    if (now() > deadline) {
      await save({
        step: 'failed',
        reason: `not Healthy ${policy.drill.maxMinutes} minutes after it started (stopped at ${record.step})`,
      });
      continue;
    }
    const change = await advance(deps, target, record);
    if (change) {
      await save(change);
      continue;
    }
    if (!scope.hasTime()) {
      await deps.events?.publish('backup.drill', { payload: { resume: true } }).catch((err: unknown) => {
        deps.log.warn('drill continuation not published', { error: errorText(err) });
      });
      return deferred(target, `restore drill in progress (${record.step})`);
    }
    await sleep(pollMs);
  }
}

/** The first step: a new backup (or the newest Complete one); an outcome when the drill cannot start. */
async function startDrill(
  deps: DrillDeps,
  policy: BackupPolicy,
  target: OutcomeSubject,
): Promise<{ change: Partial<DrillRecord> } | { outcome: ClusterOutcome }> {
  const useNewest = async (why: string) => {
    const backups = await deps.console.listBackups(target.clusterId);
    const newest = newestComplete(backups);
    if (!newest)
      return {
        outcome: failed(target, `restore drill could not start: ${why} and no Complete backup exists`),
      };
    return { change: { step: 'backup-complete' as const, backupId: newest.uuid, backupTaken: false } };
  };
  if (policy.drill.useExisting) return useNewest('useExisting is set');
  try {
    const backup = await deps.console.createBackup(target.clusterId);
    return { change: { step: 'backup-requested', backupId: backup.uuid, backupTaken: true } };
  } catch (err) {
    // Camunda's "too soon" (400): the newest Complete backup is as good for a drill.
    if (err instanceof ConsoleApiError && err.status === 400)
      return useNewest(`no new backup (${errorText(err)})`);
    return { outcome: failed(target, `restore drill could not take a backup: ${errorText(err)}`) };
  }
}

function newestComplete(backups: readonly Backup[]): Backup | undefined {
  return backups
    .filter((b) => b.status === 'Complete')
    .sort((a, b) => Date.parse(b.created) - Date.parse(a.created))[0];
}

/** One look at whatever the current step waits for; the change when the drill moved on, else undefined. */
async function advance(
  deps: DrillDeps,
  target: OutcomeSubject,
  record: DrillRecord,
): Promise<Partial<DrillRecord> | undefined> {
  const at = () => new Date(deps.clock.now()).toISOString();
  const backupId = record.backupId ?? '';
  switch (record.step) {
    case 'backup-requested': {
      const backup = (await deps.console.listBackups(target.clusterId)).find((b) => b.uuid === backupId);
      if (!backup) return { step: 'failed', reason: `the drill's backup ${backupId} disappeared` };
      if (backup.status === 'Failed')
        return { step: 'failed', reason: `the drill's backup ${backupId} failed` };
      return backup.status === 'Complete' ? { step: 'backup-complete' } : undefined;
    }
    case 'backup-complete':
      return requestRestore(deps, target, backupId);
    case 'restore-requested': {
      const restore = await deps.console.getRestore(target.clusterId, backupId);
      if (!restore) return undefined;
      if (restore.state === 'COMPLETED') return { step: 'restore-completed', restoreCompletedAt: at() };
      if (restore.state === 'FAILED' || restore.state === 'ABORTED') {
        return { step: 'failed', reason: `restore ${restore.uuid} ended ${restore.state}` };
      }
      return undefined;
    }
    case 'restore-completed': {
      const cluster = await deps.console.getCluster(target.clusterId);
      if (!cluster) return { step: 'failed', reason: 'the drill cluster disappeared during the drill' };
      if (cluster.status.ready !== 'Healthy') return undefined;
      const healthyAt = deps.clock.now();
      const requested = Date.parse(record.restoreRequestedAt ?? record.startedAt);
      return {
        step: 'healthy',
        healthyAt: new Date(healthyAt).toISOString(),
        recoverySeconds: Math.max(0, Math.round((healthyAt - requested) / 1000)),
      };
    }
    default:
      return undefined;
  }
}

/** `POST …/restore`, never replayed: a failure that may have been applied, or a 409, is re-read. */
async function requestRestore(
  deps: DrillDeps,
  target: OutcomeSubject,
  backupId: string,
): Promise<Partial<DrillRecord>> {
  const requestedAt = deps.clock.now();
  const requested = (restore: Restore): Partial<DrillRecord> => ({
    step: 'restore-requested',
    restoreId: restore.uuid,
    restoreRequestedAt: new Date(requestedAt).toISOString(),
  });
  try {
    return requested(await deps.console.restoreBackup(target.clusterId, backupId));
  } catch (err) {
    if (!(err instanceof ConsoleApiError)) throw err;
    if (err.status === 501) {
      return {
        step: 'not-available',
        reason: `self-service restore is not enabled for this organization (501${err.bodyExcerpt ? `: ${err.bodyExcerpt}` : ''})`,
      };
    }
    if (err.status === 409 || err.maybeApplied) {
      const restore = await deps.console.getRestore(target.clusterId, backupId);
      const started = restore?.startTimestamp === undefined ? Number.NaN : Date.parse(restore.startTimestamp);
      const fresh = restore && (!Number.isFinite(started) || started >= requestedAt - 5 * 60_000);
      if (restore && fresh && !['FAILED', 'ABORTED'].includes(restore.state)) return requested(restore);
    }
    return { step: 'failed', reason: `restore request failed: ${errorText(err)}` };
  }
}

function finalOutcome(deps: DrillDeps, target: OutcomeSubject, record: DrillRecord): ClusterOutcome {
  const detail = { ...record };
  if (record.step === 'healthy') {
    deps.metrics?.count('BackupDrillRecoverySeconds', record.recoverySeconds ?? 0);
    deps.log.info('restore drill succeeded', {
      clusterId: target.clusterId,
      recoverySeconds: record.recoverySeconds,
    });
    return done(target, 'drill-succeeded', {
      ...detail,
      recoveryTime: formatDuration((record.recoverySeconds ?? 0) * 1000),
    });
  }
  if (record.step === 'not-available') {
    return skipped(target, `restore drill not available: ${record.reason ?? ''}`, detail);
  }
  deps.metrics?.count('BackupDrillsFailed');
  return failed(target, `restore drill failed: ${record.reason ?? 'unknown reason'}`, detail);
}
