// The backup job's use case. Manual mode (manual.ts): create one backup per eligible cluster (never a
// duplicate, never more than the Console allows) and report what happened to earlier backups. Native mode
// (native.ts): keep Camunda's own server-side schedule equal to the policy's cron. Dependencies come in as
// ports; the run engine (`executeRun`) supplies claims, concurrency, the time budget and error capture
// through `scope`.

import type { BackupPolicy } from '#lib/config/types.ts';
import type { RunBody, RunScope } from '#lib/jobs/engine.ts';
import { type OutcomeSubject, subjectOf } from '#lib/jobs/outcomes.ts';
import { selectRequested } from '#lib/jobs/selection.ts';
import { publishClusterAge } from './cluster-metrics.ts';
import { type BackupDeps, listOrFail } from './deps.ts';
import { manualCluster } from './manual.ts';
import { nativeCluster, normalizeCron } from './native.ts';
import { judgeRecoveryPoint, publishFleetFigures } from './recovery-judgement.ts';
import { type RecoveryPoint, targetFor } from './recovery-point.ts';

/**
 * Runs the backup job over the clusters `policy.selector` picks (narrowed to `request.clusterIds`). Returns
 * one outcome per selected cluster; unselected clusters are not reported.
 */
export async function runBackup(deps: BackupDeps, scope: RunScope, policy: BackupPolicy): Promise<RunBody> {
  const notes: string[] = [];
  const nativeCron = policy.nativeCron === undefined ? undefined : normalizeCron(policy.nativeCron);
  if (policy.mode === 'native' && !nativeCron) {
    return { clusters: [], notes: ['backup policy mode is native but nativeCron is not set'], failRun: true };
  }

  const listing = await listOrFail(deps);
  if ('refused' in listing) return listing.refused;
  const { clusters } = listing;
  const { selected, notSelected: unmatched } = selectRequested(
    clusters,
    policy.selector,
    scope.request.clusterIds ?? [],
  );
  if (unmatched.length > 0) {
    notes.push(`requested cluster(s) not selected by the backup policy or unknown: ${unmatched.join(', ')}`);
  }
  if (selected.length === 0) notes.push('no cluster selected');

  const byId = new Map(selected.map((c) => [c.uuid, c]));
  const targets: OutcomeSubject[] = selected.map(subjectOf);
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
