// Small fakes for the backup use case: cluster and backup builders, and the event bus and metrics the real
// run engine needs. The Console client is the shared fake (test/fakes/console.ts). State stores come from test/fakes/state.ts (`createMemoryStores`).
import { resolveConfig } from '#lib/config/load.ts';
import type { BackupPolicy } from '#lib/config/types.ts';
import type { Backup, BackupStatus, Cluster } from '#lib/console/client.ts';
import type { EventPublisher, RunMetrics } from '#lib/jobs/ports.ts';

export const HOUR = 60 * 60 * 1000;

export function fakeClock(start = Date.parse('2026-03-01T03:00:00.000Z')) {
  let t = start;
  return {
    now: () => t,
    advance(ms: number) {
      t += ms;
    },
  };
}

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

/** The ports `executeRun` needs besides the state stores: a recording event bus and no-op metrics. */
export function engineFakes() {
  const published: Array<{ detailType: string; detail: Record<string, unknown> }> = [];
  const events: EventPublisher = {
    async publish(detailType, detail) {
      published.push({ detailType, detail });
    },
  };
  const metrics: RunMetrics = { count() {} };
  return { events, metrics, published };
}

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
