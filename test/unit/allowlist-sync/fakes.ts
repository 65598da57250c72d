// The allowlist-sync unit tests' world: the shared fake Console client (test/fakes/console.ts) and in-memory
// state stores (test/fakes/state.ts), so the tests drive the real `executeRun`.

import { runSync } from '#functions/allowlist-sync/sync.ts';
import type { AllowlistEntryConfig, AllowlistPolicy } from '#lib/config/types.ts';
import type { Cluster } from '#lib/console/client.ts';
import { ConsoleApiError } from '#lib/console/errors.ts';
import type { AllowlistSource } from '#lib/jobs/ports.ts';
import { recordingLog } from '#local/recording-log.ts';
import { manualClock } from '#test/fakes/clock.ts';
import { fakeConsole } from '#test/fakes/console.ts';
import { engineRunner } from '#test/fakes/engine.ts';
import { createMemoryStores, type MemoryStores } from '#test/fakes/state.ts';

export const NOW = Date.parse('2026-03-02T02:00:00.000Z');

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

/**
 * A small world for one test: the fake Console over `clusters`, the in-memory state stores (ledger, claims,
 * allowlist sources) seeded with `stored` sources, and a runner that drives the real `executeRun`.
 */
export async function world(clusters: Cluster[], stored: Record<string, AllowlistEntryConfig[]> = {}) {
  const clock = manualClock(NOW);
  const stores: MemoryStores = createMemoryStores(clock);
  for (const [name, entries] of Object.entries(stored)) {
    await stores.allowlistSources.put(name, entries, 'seed', clock.now());
  }
  const seeded = Object.keys(stored).length;
  const console = fakeConsole(clusters, clock);
  const log = recordingLog();
  const deps = { console, allowlistSources: stores.allowlistSources, clock, log };
  const run = engineRunner('allowlist-sync', { stores, clock, log });
  /** Source puts made by the code under test (the seeding ones not counted). */
  const sourcePuts = (): number => (stores.calls['allowlistSources.put'] ?? 0) - seeded;
  const source = async (name: string): Promise<AllowlistSource | undefined> =>
    (await stores.allowlistSources.list()).find((s) => s.name === name);
  return { clock, stores, console, log, deps, run, sourcePuts, source };
}

/** What the sync jobs' test policies share: enabled, not dry, hourly, for clusters named `prod-*` and `stage-*`. */
export function hourlyForProdAndStage() {
  return {
    enabled: true,
    dryRun: false,
    schedule: 'rate(1 hour)',
    selector: { names: ['prod-*', 'stage-*'] },
  };
}

/** A policy selecting clusters named `prod-*` and `stage-*`, with one office entry for all. */
export function policy(overrides: Partial<AllowlistPolicy> = {}): AllowlistPolicy {
  return {
    ...hourlyForProdAndStage(),
    static: [{ cidr: '203.0.113.0/24', description: 'office' }],
    sources: {},
    allowCatchAll: false,
    allowEmpty: false,
    maxEntries: 50,
    maxDescriptionLength: 100,
    ...overrides,
  };
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
