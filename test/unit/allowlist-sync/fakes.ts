// The allowlist-sync unit tests' world: the shared fake Console client (test/fakes/console.ts) and in-memory
// state stores (test/fakes/state.ts), so the tests drive the real `executeRun`.

import { runSync } from '#functions/allowlist-sync/sync.ts';
import type { AllowlistEntryConfig, AllowlistPolicy } from '#lib/config/types.ts';
import type { Cluster } from '#lib/console/client.ts';
import { ConsoleApiError } from '#lib/console/errors.ts';
import { executeRun, type RunBody, type RunScope, type RunSettings } from '#lib/jobs/engine.ts';
import type { AllowlistSource, Clock, EventPublisher, RunMetrics } from '#lib/jobs/ports.ts';
import type { ClusterOutcome, JobRequest, RunSummary } from '#lib/jobs/types.ts';
import { recordingLog } from '#local/recording-log.ts';
import { fakeConsole } from '#test/fakes/console.ts';
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
  const console = fakeConsole(clusters, clock);
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

export const OFFICE = { description: 'office', ip: '203.0.113.0/24' };

/** A world whose `sync` runs the allowlist sync with a policy (optionally dry, optionally for some clusters). */
export async function syncWorld(clusters: Cluster[], stored: Parameters<typeof world>[1] = {}) {
  const w = await world(clusters, stored);
  const sync = (p: AllowlistPolicy, options: { dryRun?: boolean; clusterIds?: string[] } = {}) =>
    w.run(
      { action: 'sync', ...(options.clusterIds ? { clusterIds: options.clusterIds } : {}) },
      (scope) => runSync(w.deps, scope, p),
      { dryRun: options.dryRun ?? false },
    );
  return { ...w, sync };
}

/** The error the Console client raises when the PUT of `clusterId`'s allowlist fails with `status`. */
export function putError(
  clusterId: string,
  status: number,
  more: { body?: string; attempts?: number } = {},
): ConsoleApiError {
  return new ConsoleApiError({
    method: 'PUT',
    path: `/clusters/${clusterId}/ipallowlist`,
    route: 'PUT /clusters/{clusterUuid}/ipallowlist',
    status,
    code: 'http',
    attempts: 1,
    ...more,
  });
}
