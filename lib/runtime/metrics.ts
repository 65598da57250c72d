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
  };
}

/** Counts in memory; `totals` sums every name. */
export function memoryCounters(): CounterPort & { totals: Record<string, number> } {
  const totals: Record<string, number> = {};
  return {
    totals,
    count(name: string, value = 1) {
      totals[name] = (totals[name] ?? 0) + value;
    },
  };
}
