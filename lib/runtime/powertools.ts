// Powertools Logger and Metrics, created once per container (module scope), as Powertools recommends.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Log } from './log.ts';
import { METRICS_NAMESPACE } from './metrics.ts';

export const SERVICE_NAME = 'camunda-console-automation';

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAME });
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAME,
});

/** The `Log` port over a Powertools Logger. */
export function powertoolsLog(l: Logger = logger): Log {
  return {
    debug: (message, data) => (data ? l.debug(message, data) : l.debug(message)),
    info: (message, data) => (data ? l.info(message, data) : l.info(message)),
    warn: (message, data) => (data ? l.warn(message, data) : l.warn(message)),
    error: (message, data) => (data ? l.error(message, data) : l.error(message)),
  };
}
