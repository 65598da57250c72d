// The per-cluster recovery-point metric: `CompleteBackupAgeSeconds` with a `Cluster` dimension, next to the
// fleet figures (`ClustersPastTarget`, `ClustersAtRisk`, `OldestCompleteBackupAgeSeconds`) that the alarm
// watches. It lets an operator graph one cluster's recovery point; CloudWatch bills each cluster as a metric
// of its own ($0.30 a month), so `backup.clusterMetrics: 'off'` keeps to the fleet figures.
import type { BackupPolicy } from '#lib/config/types.ts';
import type { RunMetrics } from '#lib/jobs/ports.ts';
import type { RecoveryPoint } from './recovery-point.ts';

export const CLUSTER_AGE_METRIC = 'CompleteBackupAgeSeconds';

/**
 * Publishes the age of the cluster's newest Complete backup for a cluster a recovery-point target matches,
 * unless the policy turns per-cluster metrics off. A cluster without a target is not published (nobody
 * promised anything for it, and it would cost as much); one without any Complete backup has no age to give
 * and is counted by `ClustersPastTarget` instead.
 */
export function publishClusterAge(
  metrics: RunMetrics | undefined,
  policy: Pick<BackupPolicy, 'clusterMetrics'>,
  clusterName: string,
  point: RecoveryPoint,
): void {
  if ((policy.clusterMetrics ?? 'targets') === 'off' || !metrics?.perCluster) return;
  if (point.targetHours === undefined || point.newestCompleteAgeSeconds === undefined) return;
  metrics.perCluster(CLUSTER_AGE_METRIC, clusterName, point.newestCompleteAgeSeconds, 'Seconds');
}
