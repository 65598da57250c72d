// The run engine's shared test world. The engine tests import it whole (`import * as world from …`) and call
// `beforeEach(world.resetEngineWorld)`: the setup is one line and each use reads as part of this world.
import {
  executeRun,
  type RunBody,
  type RunEngineDeps,
  type RunScope,
  type RunSettings,
} from '#lib/jobs/engine.ts';
import { done as doneOutcome } from '#lib/jobs/outcomes.ts';
import type { ClusterOutcome, Delivery, JobRequest, RunSummary } from '#lib/jobs/types.ts';
import { memoryPublisher } from '#lib/runtime/events.ts';
import { memoryCounters } from '#lib/runtime/metrics.ts';
import { recordingLog } from '#local/recording-log.ts';
import { type ManualClock, manualClock } from '#test/fakes/clock.ts';
import { createMemoryStores, type MemoryStores } from '#test/fakes/state.ts';

export interface Item {
  clusterId: string;
  clusterName: string;
}

export const REQUEST: JobRequest = { job: 'backup', action: 'run' };

export let clock: ManualClock;
export let stores: MemoryStores;
export let log: ReturnType<typeof recordingLog>;
export let counters: ReturnType<typeof memoryCounters>;
export let events: ReturnType<typeof memoryPublisher>;
export let deps: RunEngineDeps;

/** A fresh world; each test file calls it before every test. */
export function resetEngineWorld(): void {
  clock = manualClock('2026-11-27T02:00:00Z');
  stores = createMemoryStores(clock);
  log = recordingLog();
  counters = memoryCounters();
  events = memoryPublisher();
  deps = { ledger: stores.ledger, claims: stores.claims, clock, log, metrics: counters, events };
}

export function delivery(
  key = 'backup:run:2026-11-27T02:00:00Z',
  source: Delivery['source'] = 'schedule',
): Delivery {
  return { source, idempotencyKey: key, at: '2026-11-27T02:00:00Z' };
}

export function settings(overrides: Partial<RunSettings> = {}): RunSettings {
  return {
    dryRun: false,
    concurrency: 4,
    timeMarginMs: 1_000,
    leaseMs: 60_000,
    retryFailed: true,
    ...overrides,
  };
}

export function items(n: number): Item[] {
  return Array.from({ length: n }, (_, i) => ({ clusterId: `c${i + 1}`, clusterName: `cluster-${i + 1}` }));
}

export function done(item: Item, action = 'backup-created'): ClusterOutcome {
  return doneOutcome(item, action);
}

/** A body that runs `work` over `list` and reports its outcomes. */
export function over(list: Item[], work: (item: Item) => Promise<ClusterOutcome>) {
  return async (scope: RunScope): Promise<RunBody> => ({ clusters: await scope.forEachCluster(list, work) });
}

/** A work function that records which clusters it was called for. */
export function recorder(outcome: (item: Item) => ClusterOutcome = (item) => done(item)) {
  const calls: string[] = [];
  const work = async (item: Item) => {
    calls.push(item.clusterId);
    return outcome(item);
  };
  return { calls, work };
}

/** One run of `work` over `count` items: the backup request, these settings, the delivery (default: the schedule's). */
export function runItems(
  count: number,
  work: (item: Item) => Promise<ClusterOutcome>,
  overrides: Partial<RunSettings> = {},
  at: Delivery = delivery(),
): Promise<RunSummary> {
  return runBody(over(items(count), work), overrides, at);
}

/** One run of `body` for the backup request: these settings, the delivery (default: the schedule's). */
export function runBody(
  body: (scope: RunScope) => Promise<RunBody>,
  overrides: Partial<RunSettings> = {},
  at: Delivery = delivery(),
): Promise<RunSummary> {
  return executeRun(deps, REQUEST, at, settings(overrides), body);
}
