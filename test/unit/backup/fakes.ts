// Small fakes for the backup use case: cluster, backup and policy builders. The Console client is the shared
// fake (test/fakes/console.ts), the engine's ports come from test/fakes/engine.ts and the state stores from
// test/fakes/state.ts (`createMemoryStores`).
import { resolveConfig } from '#lib/config/load.ts';
import type { BackupPolicy } from '#lib/config/types.ts';
import type { Backup, BackupStatus, Cluster } from '#lib/console/client.ts';

export const HOUR = 60 * 60 * 1000;

export function cluster(
  name: string,
  ready: Cluster['status']['ready'] = 'Healthy',
  labels: string[] = [],
): Cluster {
  return { uuid: `uuid-${name}`, name, status: { ready }, labels };
}

export function backup(
  init: Partial<Backup> & { uuid: string; status: BackupStatus; created: string },
): Backup {
  return { name: `manual-${init.uuid}`, ...init };
}

// The integration tests of the backup job take the engine's ports from here too.
export { engineFakes } from '#test/fakes/engine.ts';

/** A manual backup policy every six hours for clusters labelled `backup`, drills off. */
export function backupPolicy(overrides: Partial<BackupPolicy> = {}): BackupPolicy {
  return {
    enabled: true,
    schedule: 'rate(6 hours)',
    dryRun: false,
    mode: 'manual',
    minIntervalHours: 6,
    selector: { labels: ['backup'] },
    targets: [],
    checkSchedule: 'rate(1 hour)',
    // The config's drill defaults (off): test/unit/config/schema.test.ts pins them.
    drill: { ...resolveConfig({}).backup.drill },
    ...overrides,
  };
}
