// Powertools Logger and Metrics, created once per container (module scope), as Powertools recommends.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Log } from '#lib/log/log.ts';
import { ENVIRONMENT_DIMENSION, METRICS_NAMESPACE, metricsEnvironment } from './metrics.ts';

export const SERVICE_NAME = 'camunda-console-automation';

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAME });
export const metrics = createMetrics();

/**
 * Powertools Metrics configured by a function's environment: namespace, `service` = POWERTOOLS_SERVICE_NAME (the
 * job) and the default dimension `environment` = AUTOMATION_ENV. Default dimensions go on every metric, the
 * cold-start one included (its single-metric copy inherits them and adds `function_name`), so two environments
 * in one account and region never share a metric.
 */
export function createMetrics(env: Record<string, string | undefined> = process.env): Metrics {
  return new Metrics({
    namespace: env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
    serviceName: env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAME,
    defaultDimensions: { [ENVIRONMENT_DIMENSION]: metricsEnvironment(env) },
  });
}

/** The `Log` port over a Powertools Logger. */
export function powertoolsLog(l: Logger = logger): Log {
  return {
    debug: (message, data) => (data ? l.debug(message, data) : l.debug(message)),
    info: (message, data) => (data ? l.info(message, data) : l.info(message)),
    warn: (message, data) => (data ? l.warn(message, data) : l.warn(message)),
    error: (message, data) => (data ? l.error(message, data) : l.error(message)),
  };
}
