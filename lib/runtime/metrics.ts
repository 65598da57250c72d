// Metrics: Powertools Metrics (CloudWatch EMF) behind the small counter ports the jobs and the token
// provider use, so tests and local runs can count without printing EMF.
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { RunMetrics } from '#lib/jobs/ports.ts';
import type { TokenMetrics } from '#lib/token/provider.ts';

export const METRICS_NAMESPACE = 'CamundaConsoleAutomation';

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
