// `backup.check`: the readiness check. Per cluster a recovery-point target applies to (or the backup policy
// selects), the age of the newest Complete backup against the target; the last restore drill. It changes
// nothing and costs one `GET /clusters` plus one `GET …/backups` per selected cluster (no claims, no per-cluster
// ledger writes: a retry simply checks again).
import { matchesSelector } from '#lib/config/selector.ts';
import type { BackupPolicy } from '#lib/config/types.ts';
import type { Cluster } from '#lib/console/client.ts';
import { errorText, type RunBody, type RunScope } from '#lib/jobs/engine.ts';
import { deferred, done, failed, skipped, subjectOf } from '#lib/jobs/outcomes.ts';
import type { DrillRecord } from '#lib/jobs/ports.ts';
import type { ClusterOutcome } from '#lib/jobs/types.ts';
import { type BackupDeps, listOrFail } from './deps.ts';
import { publishFleetFigures } from './recovery-judgement.ts';
import { assessRecoveryPoint, formatDuration, type RecoveryPoint, targetFor } from './recovery-point.ts';
import { skipReason } from './skip-reasons.ts';

/** The clusters the check looks at: the backup selector's and every target's. */
export function checkedClusters(clusters: readonly Cluster[], policy: BackupPolicy): Cluster[] {
  return clusters.filter(
    (c) =>
      matchesSelector(c, policy.selector) ||
      (policy.targets ?? []).some((t) => matchesSelector(c, t.selector)),
  );
}

export async function runCheck(
  deps: BackupDeps,
  scope: RunScope,
  policy: BackupPolicy,
  concurrency = 4,
): Promise<RunBody> {
  const listing = await listOrFail(deps);
  if ('refused' in listing) return listing.refused;
  const { clusters } = listing;
  const requested = scope.request.clusterIds ?? [];
  const selected = checkedClusters(clusters, policy).filter(
    (c) => requested.length === 0 || requested.includes(c.uuid),
  );
  const notes: string[] = [];
  if (selected.length === 0)
    notes.push('no cluster selected by the backup policy or a recovery-point target');

  const drill = await lastDrill(deps, clusters, policy);
  const points: RecoveryPoint[] = [];
  const outcomes: ClusterOutcome[] = new Array(selected.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      const cluster = selected[i];
      if (cluster === undefined) return;
      const item = subjectOf(cluster);
      if (!scope.hasTime()) {
        outcomes[i] = deferred(item, 'time budget of this invocation used up');
        continue;
      }
      const targetHours = targetFor(cluster, policy.targets ?? [])?.maxAgeHours;
      let backups: Awaited<ReturnType<BackupDeps['console']['listBackups']>>;
      try {
        backups = await deps.console.listBackups(cluster.uuid);
      } catch (err) {
        const skip = skipReason(err, 'list');
        outcomes[i] = skip ? skipped(item, skip) : failed(item, `could not read backups: ${errorText(err)}`);
        continue;
      }
      const point = assessRecoveryPoint(backups, deps.clock.now(), targetHours);
      points.push(point);
      const detail: Record<string, unknown> = { recoveryPoint: point };
      if (drill && drill.clusterId === cluster.uuid) detail.lastDrill = drill.record;
      outcomes[i] = outcomeOf(item, point, detail);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, selected.length)) }, worker));

  if ((policy.targets ?? []).length > 0) publishFleetFigures(deps, points);
  const count = (s: RecoveryPoint['status']) => points.filter((p) => p.status === s).length;
  notes.push(
    `recovery points: ${count('ok')} within target, ${count('at-risk')} at risk, ` +
      `${count('past-target') + count('no-complete-backup')} past target, ${count('no-target')} without a target`,
  );
  if (drill) notes.push(`last restore drill on ${drill.clusterName}: ${describeDrill(drill.record)}`);
  else if (policy.drill.enabled) notes.push('no restore drill recorded yet');
  return { clusters: outcomes, notes };
}

function outcomeOf(
  item: { clusterId: string; clusterName: string },
  point: RecoveryPoint,
  detail: Record<string, unknown>,
): ClusterOutcome {
  switch (point.status) {
    case 'no-target':
      return skipped(item, `no recovery-point target matches (${point.text})`, detail);
    case 'past-target':
    case 'no-complete-backup':
      return failed(item, point.text, detail);
    case 'at-risk':
      return done(item, 'recovery-point-at-risk', detail);
    case 'ok':
      return done(item, 'recovery-point-ok', detail);
  }
}

/** The drill cluster's record (one state read), when a drill cluster is configured and exists. */
async function lastDrill(
  deps: BackupDeps,
  clusters: readonly Cluster[],
  policy: BackupPolicy,
): Promise<{ clusterId: string; clusterName: string; record: DrillRecord } | undefined> {
  const ref = policy.drill.cluster;
  if (ref === undefined) return undefined;
  const cluster = clusters.find((c) => c.uuid === ref) ?? clusters.find((c) => c.name === ref);
  if (!cluster) return undefined;
  try {
    const state = await deps.backupTracking.get(cluster.uuid);
    return state.drill
      ? { clusterId: cluster.uuid, clusterName: cluster.name, record: state.drill }
      : undefined;
  } catch (err) {
    deps.log.warn('drill record not read', { clusterId: cluster.uuid, error: errorText(err) });
    return undefined;
  }
}

/** `healthy 2026-03-01T04:12:00Z, recovery time 6m` / `failed: restore FAILED` / `in progress (restore-requested)`. */
export function describeDrill(d: DrillRecord): string {
  switch (d.step) {
    case 'healthy':
      return `succeeded ${d.healthyAt ?? d.updatedAt}, recovery time ${formatDuration((d.recoverySeconds ?? 0) * 1000)}`;
    case 'failed':
      return `failed ${d.updatedAt}: ${d.reason ?? 'no reason recorded'}`;
    case 'not-available':
      return `not available: ${d.reason ?? ''}`;
    default:
      return `in progress since ${d.startedAt} (${d.step})`;
  }
}
