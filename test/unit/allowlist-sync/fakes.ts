// Small fakes for the allowlist-sync unit tests: the Console methods the job uses, plus the shared in-memory
// state stores (test/fakes/state.ts), so the tests drive the real `executeRun`.

import type { AllowlistEntryConfig, AllowlistPolicy } from '#lib/config/types.ts';
import type { Cluster, ConsoleClient, IpAllowlistEntry } from '#lib/console/client.ts';
import { executeRun, type RunBody, type RunScope, type RunSettings } from '#lib/jobs/engine.ts';
import type { AllowlistSource, Clock, EventPublisher, RunMetrics } from '#lib/jobs/ports.ts';
import type { ClusterOutcome, JobRequest, RunSummary } from '#lib/jobs/types.ts';
import { recordingLog } from '#local/recording-log.ts';
import { createMemoryStores, type MemoryStores } from '#test/fakes/state.ts';

export const NOW = Date.parse('2026-03-02T02:00:00.000Z');

export function fixedClock(at = NOW): Clock {
  return { now: () => at };
}

/** A cluster as the Console API lists it; `ipallowlist` / `ipwhitelist` only when given. */
export function cluster(
  name: string,
  extra: Partial<Omit<Cluster, 'status'>> & { ready?: Cluster['status']['ready'] } = {},
): Cluster {
  const { ready = 'Healthy', ...rest } = extra;
  return {
    uuid: `uuid-${name}`,
    name,
    status: { ready },
    planType: { uuid: 'plan-ent', name: 'Enterprise S' },
    ...rest,
  };
}

export interface FakeConsole extends ConsoleClient {
  clusters: Map<string, Cluster>;
  puts: Array<{ clusterId: string; entries: IpAllowlistEntry[]; allowEmpty: boolean }>;
  calls: string[];
  /** Return an error to make the PUT for that cluster fail (once per returned error). */
  failPut?: (clusterId: string) => Error | undefined;
}

/**
 * The Console methods the allowlist job uses. A PUT replaces `ipallowlist` and drops `ipwhitelist`,
 * as the real API does; every other method fails the test if called.
 */
export function fakeConsole(clusters: Cluster[]): FakeConsole {
  const byId = new Map(clusters.map((c) => [c.uuid, structuredClone(c)]));
  const unused = (name: string) => async (): Promise<never> => {
    throw new Error(`fake console: ${name} is not expected in the allowlist job`);
  };
  const fake: FakeConsole = {
    clusters: byId,
    puts: [],
    calls: [],
    async listClusters() {
      fake.calls.push('listClusters');
      return [...byId.values()].map((c) => structuredClone(c));
    },
    async getCluster(clusterId) {
      fake.calls.push(`getCluster ${clusterId}`);
      const found = byId.get(clusterId);
      return found ? structuredClone(found) : undefined;
    },
    async putIpAllowlist(clusterId, entries, options) {
      fake.calls.push(`putIpAllowlist ${clusterId}`);
      if (entries.length === 0 && options?.allowEmpty !== true) throw new RangeError('empty list refused');
      const error = fake.failPut?.(clusterId);
      if (error) throw error;
      fake.puts.push({
        clusterId,
        entries: entries.map((e) => ({ ...e })),
        allowEmpty: options?.allowEmpty ?? false,
      });
      const target = byId.get(clusterId);
      if (target) {
        target.ipallowlist = entries.map((e) => ({ description: e.description, ip: e.ip }));
        delete target.ipwhitelist;
      }
    },
    createCluster: unused('createCluster'),
    deleteCluster: unused('deleteCluster'),
    getParameters: unused('getParameters'),
    wakeCluster: unused('wakeCluster'),
    listBackups: unused('listBackups'),
    createBackup: unused('createBackup'),
    deleteBackup: unused('deleteBackup'),
    getBackupSchedule: unused('getBackupSchedule'),
    putBackupSchedule: unused('putBackupSchedule'),
    deleteBackupSchedule: unused('deleteBackupSchedule'),
    getIpRanges: unused('getIpRanges'),
    restoreBackup: unused('restoreBackup'),
    getRestore: unused('getRestore'),
    getSecrets: unused('getSecrets'),
    createSecret: unused('createSecret'),
    updateSecret: unused('updateSecret'),
    deleteSecret: unused('deleteSecret'),
    listApiClients: unused('listApiClients'),
    createApiClient: unused('createApiClient'),
    deleteApiClient: unused('deleteApiClient'),
  };
  return fake;
}

const quietMetrics: RunMetrics = { count() {} };
const quietEvents: EventPublisher = { async publish() {} };

/**
 * A small world for one test: the fake Console over `clusters`, the in-memory state stores (ledger, claims,
 * allowlist sources) seeded with `stored` sources, and a runner that drives the real `executeRun`.
 */
export async function world(clusters: Cluster[], stored: Record<string, AllowlistEntryConfig[]> = {}) {
  const clock = fixedClock();
  const stores: MemoryStores = createMemoryStores(clock);
  for (const [name, entries] of Object.entries(stored)) {
    await stores.allowlistSources.put(name, entries, 'seed', clock.now());
  }
  const seeded = Object.keys(stored).length;
  const console = fakeConsole(clusters);
  const log = recordingLog();
  const deps = { console, allowlistSources: stores.allowlistSources, clock, log };
  const engine = {
    ledger: stores.ledger,
    claims: stores.claims,
    clock,
    log,
    metrics: quietMetrics,
    events: quietEvents,
  };
  let deliveries = 0;
  /** Runs `body` through the real engine with a fresh delivery. */
  const run = (
    request: Omit<JobRequest, 'job'>,
    body: (scope: RunScope) => Promise<RunBody>,
    options: { dryRun?: boolean } = {},
  ): Promise<RunSummary> => {
    deliveries += 1;
    return executeRun(
      engine,
      { job: 'allowlist-sync', ...request },
      { source: 'direct', idempotencyKey: `test-${deliveries}`, at: new Date(clock.now()).toISOString() },
      { ...SETTINGS, dryRun: options.dryRun ?? false },
      body,
    );
  };
  /** Source puts made by the code under test (the seeding ones not counted). */
  const sourcePuts = (): number => (stores.calls['allowlistSources.put'] ?? 0) - seeded;
  const source = async (name: string): Promise<AllowlistSource | undefined> =>
    (await stores.allowlistSources.list()).find((s) => s.name === name);
  return { clock, stores, console, log, deps, run, sourcePuts, source };
}

export const SETTINGS: RunSettings = {
  dryRun: false,
  concurrency: 2,
  timeMarginMs: 0,
  leaseMs: 60_000,
  retryFailed: true,
};

/** A policy selecting clusters named `prod-*` and `stage-*`, with one office entry for all. */
export function policy(overrides: Partial<AllowlistPolicy> = {}): AllowlistPolicy {
  return {
    enabled: true,
    dryRun: false,
    schedule: 'rate(1 hour)',
    selector: { names: ['prod-*', 'stage-*'] },
    static: [{ cidr: '203.0.113.0/24', description: 'office' }],
    sources: {},
    allowCatchAll: false,
    allowEmpty: false,
    maxEntries: 50,
    maxDescriptionLength: 100,
    ...overrides,
  };
}

/** The outcome of one cluster by name; fails the test when there is none. */
export function outcomeOf(summary: RunSummary, name: string): ClusterOutcome {
  const found = summary.clusters.find((c) => c.clusterName === name);
  if (!found) throw new Error(`no outcome for ${name}: ${JSON.stringify(summary.clusters)}`);
  return found;
}
