// The backup readiness part of the observability: the recovery-point and restore-drill alarms and widgets.
// Fleet metrics only (see functions/backup/run-backup.ts `publishFleetFigures`): ClustersPastTarget,
// ClustersAtRisk and OldestCompleteBackupAgeSeconds from every backup run and check, BackupDrillRecoverySeconds
// and BackupDrillsFailed from the drill. Per-cluster ages are in the run summaries and result events, not in
// metrics (a per-cluster dimension would cost $0.30 a month per cluster).
import { Duration } from 'aws-cdk-lib';
import {
  type Alarm,
  type Dashboard,
  GraphWidget,
  type IMetric,
  Metric,
  SingleValueWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import { ENVIRONMENT_DIMENSION, METRICS_NAMESPACE, SERVICE_DIMENSION } from '#lib/runtime/metrics.ts';

export interface ReadinessHooks {
  envName: string;
  dashboard: Dashboard;
  alarm: (alarmId: string, description: string, metric: IMetric, threshold?: number) => Alarm;
}

/** A backup metric of this environment; `Maximum` over the hour (the check runs hourly by default). */
export function backupMetric(envName: string, name: string, statistic = 'Maximum', label = name): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { [SERVICE_DIMENSION]: 'backup', [ENVIRONMENT_DIMENSION]: envName },
    statistic,
    period: Duration.hours(1),
    label,
  });
}

/** How many alarms `addBackupReadiness` adds. */
export const BACKUP_READINESS_ALARMS = 3;

export function addBackupReadiness(hooks: ReadinessHooks): void {
  const { envName, dashboard, alarm } = hooks;
  alarm(
    'BackupClustersPastTarget',
    'backup: a cluster has no Complete backup younger than its recovery-point target (see the backup.check summary)',
    backupMetric(envName, 'ClustersPastTarget'),
  );
  alarm(
    'BackupClustersAtRisk',
    'backup: backups keep failing after a cluster’s last good one, which will pass its target soon',
    backupMetric(envName, 'ClustersAtRisk'),
  );
  alarm(
    'BackupDrillFailed',
    'backup: a restore drill failed (the backup, the restore or the return to Healthy)',
    backupMetric(envName, 'BackupDrillsFailed', 'Sum'),
  );
  dashboard.addWidgets(
    new GraphWidget({
      title: 'Backup readiness: clusters past target / at risk',
      left: [
        backupMetric(envName, 'ClustersPastTarget', 'Maximum', 'past target'),
        backupMetric(envName, 'ClustersAtRisk', 'Maximum', 'at risk'),
      ],
      width: 8,
    }),
    new GraphWidget({
      title: 'Oldest newest-Complete backup (hours)',
      left: [
        new Metric({
          namespace: METRICS_NAMESPACE,
          metricName: 'OldestCompleteBackupAgeSeconds',
          dimensionsMap: { [SERVICE_DIMENSION]: 'backup', [ENVIRONMENT_DIMENSION]: envName },
          statistic: 'Maximum',
          period: Duration.hours(1),
          label: 'seconds',
        }),
      ],
      width: 8,
    }),
    new SingleValueWidget({
      title: 'Last restore drill: recovery time (s)',
      metrics: [backupMetric(envName, 'BackupDrillRecoverySeconds', 'Maximum', 'recovery time')],
      period: Duration.days(7),
      width: 8,
    }),
  );
}
