// Metrics: Powertools Metrics (CloudWatch EMF) behind the small counter ports the jobs and the token
// provider use, so tests and local runs can count without printing EMF.
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { RunMetrics } from '#lib/jobs/ports.ts';
import type { TokenMetrics } from '#lib/token/provider.ts';

export const METRICS_NAMESPACE = 'CamundaConsoleAutomation';

/**
 * The dimensions of every metric the functions emit, in one dimension set (EMF): `service` (the job, from
 * POWERTOOLS_SERVICE_NAME, which Powertools adds itself) and `environment` (the deployed environment, from
 * AUTOMATION_ENV). An alarm or graph must name exactly these two, or CloudWatch finds no data.
 */
export const SERVICE_DIMENSION = 'service';
export const ENVIRONMENT_DIMENSION = 'environment';
/** The env var the stack sets to the environment's name (`-c env=<name>`; `default` without one). */
export const ENVIRONMENT_ENV = 'AUTOMATION_ENV';
export const DEFAULT_ENVIRONMENT = 'default';
/**
 * The extra dimension of a per-cluster metric (`RunMetrics.perCluster`): the cluster's NAME, not its uuid —
 * a nightly recreated cluster keeps its name but not its uuid, and each new value would be a new billed metric.
 */
export const CLUSTER_DIMENSION = 'Cluster';

/** The `environment` dimension's value: AUTOMATION_ENV, or `default` when unset or blank. */
export function metricsEnvironment(env: Record<string, string | undefined> = process.env): string {
  return env[ENVIRONMENT_ENV]?.trim() || DEFAULT_ENVIRONMENT;
}

export type CounterPort = RunMetrics & TokenMetrics;

export function powertoolsCounters(metrics: Metrics): CounterPort {
  return {
    count(name: string, value = 1) {
      metrics.addMetric(name, MetricUnit.Count, value);
    },
    perCluster(name, cluster, value, unit) {
      // A single metric is flushed at once with its own dimension set (service, environment, Cluster), so
      // the fleet metrics buffered in `metrics` keep theirs.
      const single = metrics.singleMetric();
      single.addDimension(CLUSTER_DIMENSION, cluster);
      single.addMetric(name, unit === 'Seconds' ? MetricUnit.Seconds : MetricUnit.Count, value);
    },
  };
}

/** Counts in memory; `totals` sums every name; `clusters` keeps each per-cluster metric's latest value. */
export function memoryCounters(): CounterPort & {
  totals: Record<string, number>;
  clusters: Record<string, Record<string, number>>;
} {
  const totals: Record<string, number> = {};
  const clusters: Record<string, Record<string, number>> = {};
  return {
    totals,
    clusters,
    count(name: string, value = 1) {
      totals[name] = (totals[name] ?? 0) + value;
    },
    perCluster(name, cluster, value) {
      clusters[name] = { ...clusters[name], [cluster]: value };
    },
  };
}
