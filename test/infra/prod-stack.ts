// The `prod` environment of the real automation.config.ts, synthesised once for each test file that asks, with
// the readers the stack tests share.
import { resolveConfig } from '#lib/config/load.ts';
import type { JobName } from '#lib/jobs/types.ts';
import { configFile, logicalId, resourcesOfType, synthBeforeAll } from '#test/infra/harness.ts';

export function useProdStack() {
  const prod = synthBeforeAll({ envName: 'prod' });
  return {
    config: resolveConfig(configFile, 'prod'),
    prod,
    resourcesOf: (type: string) => resourcesOfType(prod().json, type),
    fnId: (job: JobName) => logicalId(prod().stack.functions[job].fn),
  };
}
