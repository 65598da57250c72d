// How the use cases' unit tests drive the real run engine (`executeRun`) over the in-memory state stores:
// one runner per test world that makes a fresh delivery for every run (so no run is answered from the ledger
// unless a test asks for a key again), with the settings of that world, and the engine's other ports.
import { executeRun, type RunBody, type RunScope, type RunSettings } from '#lib/jobs/engine.ts';
import type { Clock, EventPublisher, RunMetrics } from '#lib/jobs/ports.ts';
import type { JobName, JobRequest, RunSummary, TriggerSource } from '#lib/jobs/types.ts';
import type { Log } from '#lib/log/log.ts';
import type { MemoryStores } from '#test/fakes/state.ts';

export interface PublishedEvent {
  detailType: string;
  detail: Record<string, unknown>;
}

/** The ports `executeRun` needs besides the state stores: a recording event bus and no-op metrics. */
export function engineFakes() {
  const published: PublishedEvent[] = [];
  const events: EventPublisher = {
    async publish(detailType, detail) {
      published.push({ detailType, detail });
    },
  };
  const metrics: RunMetrics = { count() {} };
  return { events, metrics, published };
}

/** The settings of a test run: no time margin (a test's clock only moves by hand), a lease of a minute. */
export const TEST_RUN_SETTINGS: RunSettings = {
  dryRun: false,
  concurrency: 2,
  timeMarginMs: 0,
  leaseMs: 60_000,
  retryFailed: true,
};

/** The delivery of one run: by default a fresh key, the world's default source and the clock's now. */
export interface DeliveryOptions {
  dryRun?: boolean;
  key?: string;
  source?: TriggerSource;
  at?: string;
}

export interface RunnerWorld {
  stores: Pick<MemoryStores, 'ledger' | 'claims'>;
  clock: Clock;
  log: Log;
  /** Default: metrics that count nothing. */
  metrics?: RunMetrics;
  /** Default: an event bus that keeps nothing. */
  events?: EventPublisher;
}

export interface RunnerDefaults {
  /** Replaces TEST_RUN_SETTINGS' values (dryRun comes from each run's options). */
  settings?: Partial<RunSettings>;
  /** The trigger of a run that names none (default 'direct'). */
  source?: TriggerSource;
}

/**
 * Runs `body` for `job` through the real engine. Each run without a `key` gets the next one of
 * `job:action:n`, so repeated runs are new deliveries.
 */
export function engineRunner(job: JobName, world: RunnerWorld, defaults: RunnerDefaults = {}) {
  const quiet = engineFakes();
  const engine = {
    ledger: world.stores.ledger,
    claims: world.stores.claims,
    clock: world.clock,
    log: world.log,
    metrics: world.metrics ?? quiet.metrics,
    events: world.events ?? quiet.events,
  };
  const settings = { ...TEST_RUN_SETTINGS, ...defaults.settings };
  let runs = 0;
  return (
    request: Omit<JobRequest, 'job'>,
    body: (scope: RunScope) => Promise<RunBody>,
    options: DeliveryOptions = {},
  ): Promise<RunSummary> => {
    runs += 1;
    return executeRun(
      engine,
      { job, ...request },
      {
        source: options.source ?? defaults.source ?? 'direct',
        idempotencyKey: options.key ?? `${job}:${request.action}:${runs}`,
        at: options.at ?? new Date(world.clock.now()).toISOString(),
      },
      { ...settings, dryRun: options.dryRun ?? false },
      body,
    );
  };
}
