// The run engine every job shares (executeRun, RunScope.forEachCluster) over the in-memory state stores,
// a hand-moved clock and a recording log: idempotency, claims, concurrency, the time budget, failure
// capture, the summary and what is reported from it.
import { beforeEach, describe, expect, it } from 'vitest';
import { ConsoleApiError } from '#lib/console/errors.ts';
import {
  actionMetricName,
  errorText,
  executeRun,
  type RunBody,
  type RunEngineDeps,
  type RunScope,
  type RunSettings,
} from '#lib/jobs/engine.ts';
import { done as doneOutcome, skipped } from '#lib/jobs/outcomes.ts';
import type { EventPublisher } from '#lib/jobs/ports.ts';
import type { ClusterOutcome, Delivery, JobRequest } from '#lib/jobs/types.ts';
import { memoryPublisher } from '#lib/runtime/events.ts';
import { memoryCounters } from '#lib/runtime/metrics.ts';
import { recordingLog } from '#local/recording-log.ts';
import { type ManualClock, manualClock } from '#test/fakes/clock.ts';
import { createMemoryStores, type MemoryStores } from '#test/fakes/state.ts';

interface Item {
  clusterId: string;
  clusterName: string;
}

const REQUEST: JobRequest = { job: 'backup', action: 'run' };

let clock: ManualClock;
let stores: MemoryStores;
let log: ReturnType<typeof recordingLog>;
let counters: ReturnType<typeof memoryCounters>;
let events: ReturnType<typeof memoryPublisher>;
let deps: RunEngineDeps;

beforeEach(() => {
  clock = manualClock('2026-11-27T02:00:00Z');
  stores = createMemoryStores(clock);
  log = recordingLog();
  counters = memoryCounters();
  events = memoryPublisher();
  deps = { ledger: stores.ledger, claims: stores.claims, clock, log, metrics: counters, events };
});

function delivery(
  key = 'backup:run:2026-11-27T02:00:00Z',
  source: Delivery['source'] = 'schedule',
): Delivery {
  return { source, idempotencyKey: key, at: '2026-11-27T02:00:00Z' };
}

function settings(overrides: Partial<RunSettings> = {}): RunSettings {
  return {
    dryRun: false,
    concurrency: 4,
    timeMarginMs: 1_000,
    leaseMs: 60_000,
    retryFailed: true,
    ...overrides,
  };
}

function items(n: number): Item[] {
  return Array.from({ length: n }, (_, i) => ({ clusterId: `c${i + 1}`, clusterName: `cluster-${i + 1}` }));
}

function done(item: Item, action = 'backup-created'): ClusterOutcome {
  return doneOutcome(item, action);
}

/** A body that runs `work` over `list` and reports its outcomes. */
function over(list: Item[], work: (item: Item) => Promise<ClusterOutcome>) {
  return async (scope: RunScope): Promise<RunBody> => ({ clusters: await scope.forEachCluster(list, work) });
}

/** A work function that records which clusters it was called for. */
function recorder(outcome: (item: Item) => ClusterOutcome = (item) => done(item)) {
  const calls: string[] = [];
  const work = async (item: Item) => {
    calls.push(item.clusterId);
    return outcome(item);
  };
  return { calls, work };
}

describe('executeRun: delivery idempotency', () => {
  it('answers a completed delivery with its stored summary and does no work', async () => {
    // Prepare
    const { calls, work } = recorder();
    const first = await executeRun(deps, REQUEST, delivery(), settings(), over(items(3), work));
    // Act
    const again = await executeRun(deps, REQUEST, delivery(), settings(), over(items(3), work));
    // Assess
    expect(calls).toEqual(['c1', 'c2', 'c3']);
    expect(again.replayed).toBe(true);
    expect(first.replayed).toBeUndefined();
    expect(again.clusters).toEqual(first.clusters);
    expect(again.counts).toEqual(first.counts);
    expect(counters.totals.RedeliveriesIgnored).toBe(1);
    expect(counters.totals.Runs).toBe(1);
    expect(events.events).toHaveLength(1);
    expect(log.lines.some((l) => l.message === 'delivery already handled')).toBe(true);
  });

  it('does no work for a delivery another invocation is running, and leaves its record alone', async () => {
    // Prepare: another invocation holds the key.
    const key = 'backup:run:2026-11-27T02:00:00Z';
    await stores.ledger.start(key, 'backup', 'run', { leaseMs: 60_000, retryFailed: true });
    const { calls, work } = recorder();
    // Act
    const summary = await executeRun(deps, REQUEST, delivery(key), settings(), over(items(2), work));
    // Assess
    expect(calls).toEqual([]);
    expect(summary.replayed).toBe(true);
    expect(summary.failed).toBe(false);
    expect(summary.clusters).toEqual([]);
    expect(summary.notes[0]).toContain('already running (since 2026-11-27T02:00:00.000Z)');
    expect(stores.inspect.run(key)?.status).toBe('running');
    expect(events.events).toEqual([]);
    expect(counters.totals.RedeliveriesIgnored).toBe(1);
  });

  it('a retry of a failed delivery (retryFailed) redoes only the failed clusters', async () => {
    // Prepare: c2 fails the first time.
    let failing = true;
    const { calls, work } = recorder((item) => {
      if (item.clusterId === 'c2' && failing) throw new Error('boom');
      return done(item);
    });
    const first = await executeRun(deps, REQUEST, delivery(), settings(), over(items(3), work));
    failing = false;
    calls.length = 0;
    // Act
    const retry = await executeRun(deps, REQUEST, delivery(), settings(), over(items(3), work));
    // Assess
    expect(first.failed).toBe(true);
    expect(calls).toEqual(['c2']);
    expect(retry.replayed).toBeUndefined();
    expect(retry.failed).toBe(false);
    expect(retry.clusters).toEqual([
      done(items(3)[0] as Item),
      done(items(3)[1] as Item),
      done(items(3)[2] as Item),
    ]);
    expect(stores.inspect.run('backup:run:2026-11-27T02:00:00Z')?.attempts).toBe(2);
  });

  it('gives a retry the outcomes of the earlier attempt in scope.previous', async () => {
    // Prepare
    const work = async (item: Item) => {
      if (item.clusterId === 'c1') throw new Error('boom');
      return done(item);
    };
    await executeRun(deps, REQUEST, delivery(), settings(), over(items(2), work));
    let seen: ReadonlyMap<string, ClusterOutcome> | undefined;
    // Act
    await executeRun(deps, REQUEST, delivery(), settings(), async (scope) => {
      seen = scope.previous;
      return { clusters: [] };
    });
    // Assess
    expect(seen?.get('c1')).toMatchObject({ status: 'failed', error: 'Error: boom' });
    expect(seen?.get('c2')).toEqual(done(items(2)[1] as Item));
  });

  it('a webhook redelivery (retryFailed false) answers the first, failed summary and does no work', async () => {
    // Prepare
    const { calls, work } = recorder((item) => {
      if (item.clusterId === 'c1') throw new Error('boom');
      return done(item);
    });
    const hook = delivery('webhook:msg_1', 'webhook');
    const first = await executeRun(
      deps,
      REQUEST,
      hook,
      settings({ retryFailed: false }),
      over(items(2), work),
    );
    calls.length = 0;
    // Act
    const again = await executeRun(
      deps,
      REQUEST,
      hook,
      settings({ retryFailed: false }),
      over(items(2), work),
    );
    // Assess
    expect(first.failed).toBe(true);
    expect(calls).toEqual([]);
    expect(again.replayed).toBe(true);
    expect(again.failed).toBe(true);
    expect(again.clusters).toEqual(first.clusters);
  });
});

describe('RunScope.forEachCluster', () => {
  it('never runs more than `concurrency` works at once, and does use that many', async () => {
    // Prepare
    let active = 0;
    let peak = 0;
    const work = async (item: Item) => {
      active++;
      peak = Math.max(peak, active);
      await new Promise<void>((resolve) => setImmediate(resolve));
      active--;
      return done(item);
    };
    // Act
    const summary = await executeRun(
      deps,
      REQUEST,
      delivery(),
      settings({ concurrency: 3 }),
      over(items(10), work),
    );
    // Assess
    expect(peak).toBe(3);
    expect(summary.counts.done).toBe(10);
    // Outcomes in the order of the items, whatever order they finished in.
    expect(summary.clusters.map((c) => c.clusterId)).toEqual(items(10).map((i) => i.clusterId));
  });

  it('defers the clusters it has no time for, never drops one, and records only what ran', async () => {
    // Prepare: each cluster costs 3 s of a 10 s budget with a 1 s margin.
    let left = 10_000;
    const { calls, work } = recorder((item) => {
      left -= 3_000;
      return done(item);
    });
    const run = settings({ concurrency: 1, timeMarginMs: 1_000, remainingTimeMs: () => left });
    // Act
    const summary = await executeRun(deps, REQUEST, delivery(), run, over(items(5), work));
    // Assess
    expect(calls).toEqual(['c1', 'c2', 'c3']);
    expect(summary.clusters.map((c) => [c.clusterId, c.status])).toEqual([
      ['c1', 'done'],
      ['c2', 'done'],
      ['c3', 'done'],
      ['c4', 'deferred'],
      ['c5', 'deferred'],
    ]);
    expect(summary.clusters[3]).toMatchObject({ reason: 'time budget of this invocation used up' });
    expect(summary.counts).toEqual({ done: 3, skipped: 0, failed: 0, deferred: 2 });
    expect(summary.failed).toBe(false);
    expect(stores.inspect.run(summary.idempotencyKey)?.outcomes.map((o) => o.clusterId)).toEqual([
      'c1',
      'c2',
      'c3',
    ]);
    expect(counters.totals.ClustersDeferred).toBe(2);
    // A deferred cluster was never claimed.
    expect(stores.calls['claims.claim']).toBe(3);
  });

  it('tells the body whether there is time left', async () => {
    // Prepare
    let left = 5_000;
    const seen: boolean[] = [];
    // Act
    await executeRun(
      deps,
      REQUEST,
      delivery(),
      settings({ timeMarginMs: 1_000, remainingTimeMs: () => left }),
      async (scope) => {
        seen.push(scope.hasTime());
        left = 1_000;
        seen.push(scope.hasTime());
        return { clusters: [] };
      },
    );
    // Assess
    expect(seen).toEqual([true, false]);
  });

  it('skips a cluster another run holds the claim of, and releases its own claims', async () => {
    // Prepare
    await stores.claims.claim('backup', 'c2', 'backup:run:other#owner', 60_000);
    const { calls, work } = recorder();
    // Act
    const summary = await executeRun(deps, REQUEST, delivery(), settings(), over(items(3), work));
    // Assess
    expect(calls.sort()).toEqual(['c1', 'c3']);
    expect(summary.clusters[1]).toEqual({
      clusterId: 'c2',
      clusterName: 'cluster-2',
      status: 'skipped',
      reason: 'another run of this job is working on this cluster',
    });
    expect(stores.inspect.claim('backup', 'c1')).toBeUndefined();
    expect(stores.inspect.claim('backup', 'c2')?.owner).toBe('backup:run:other#owner');
  });

  it('turns a throwing work into a failed outcome with the error text and carries on with the others', async () => {
    // Prepare
    const consoleError = new ConsoleApiError({
      method: 'POST',
      path: '/clusters/c3/backups',
      route: 'POST /clusters/{clusterUuid}/backups',
      status: 500,
      code: 'http',
      attempts: 1,
    });
    const { calls, work } = recorder((item) => {
      if (item.clusterId === 'c2') throw new TypeError('cannot read x');
      if (item.clusterId === 'c3') throw consoleError;
      return done(item);
    });
    // Act
    const summary = await executeRun(
      deps,
      REQUEST,
      delivery(),
      settings({ concurrency: 1 }),
      over(items(4), work),
    );
    // Assess
    expect(calls).toEqual(['c1', 'c2', 'c3', 'c4']);
    expect(summary.clusters[1]).toEqual({
      clusterId: 'c2',
      clusterName: 'cluster-2',
      status: 'failed',
      error: 'TypeError: cannot read x',
    });
    expect(summary.clusters[2]).toMatchObject({
      status: 'failed',
      error: 'console api POST /clusters/c3/backups failed: 500',
    });
    expect(summary.counts).toEqual({ done: 2, skipped: 0, failed: 2, deferred: 0 });
    expect(summary.failed).toBe(true);
    expect(log.lines.filter((l) => l.message === 'cluster work failed')).toHaveLength(2);
    // The failure is recorded, so a retry knows to redo it; the claim was released all the same.
    expect(
      stores.inspect.run(summary.idempotencyKey)?.outcomes.find((o) => o.clusterId === 'c2')?.status,
    ).toBe('failed');
    expect(stores.inspect.claim('backup', 'c2')).toBeUndefined();
  });

  it('fails a cluster whose claim cannot be taken, with only the outcome fields', async () => {
    // Prepare: the claims table is throttled; items carry extra fields a use case works with.
    stores.fail('claims.claim', 'throttle', 1);
    const list = items(2).map((i) => ({ ...i, cluster: { uuid: i.clusterId, secretish: 'x'.repeat(50) } }));
    const calls: string[] = [];
    // Act
    const summary = await executeRun(
      deps,
      REQUEST,
      delivery(),
      settings({ concurrency: 1 }),
      async (scope) => ({
        clusters: await scope.forEachCluster(list, async (item) => {
          calls.push(item.clusterId);
          return done(item);
        }),
      }),
    );
    // Assess
    expect(calls).toEqual(['c2']);
    expect(summary.clusters[0]).toEqual({
      clusterId: 'c1',
      clusterName: 'cluster-1',
      status: 'failed',
      error: expect.stringContaining('could not claim cluster'),
    });
    expect(summary.failed).toBe(true);
  });

  it('answers an earlier done or skipped outcome without working or claiming again', async () => {
    // Prepare: the first attempt did c1, skipped c2, failed c3.
    const first = async (item: Item): Promise<ClusterOutcome> => {
      if (item.clusterId === 'c2') return skipped(item, 'in sync');
      if (item.clusterId === 'c3') throw new Error('boom');
      return done(item);
    };
    await executeRun(deps, REQUEST, delivery(), settings(), over(items(3), first));
    const claimsBefore = stores.calls['claims.claim'] ?? 0;
    const { calls, work } = recorder();
    // Act
    const retry = await executeRun(deps, REQUEST, delivery(), settings(), over(items(3), work));
    // Assess
    expect(calls).toEqual(['c3']);
    expect(stores.calls['claims.claim']).toBe(claimsBefore + 1);
    expect(retry.clusters[1]).toEqual(skipped(items(3)[1] as Item, 'in sync'));
  });

  it('keeps going when an outcome cannot be recorded or a claim not released', async () => {
    // Prepare
    stores.fail('ledger.recordOutcome', 'reset');
    stores.fail('claims.release', 'throttle');
    const { work } = recorder();
    // Act
    const summary = await executeRun(deps, REQUEST, delivery(), settings(), over(items(2), work));
    // Assess
    expect(summary.counts.done).toBe(2);
    expect(summary.failed).toBe(false);
    expect(log.lines.filter((l) => l.message === 'outcome not recorded')).toHaveLength(2);
    expect(log.lines.filter((l) => l.message === 'cluster claim not released')).toHaveLength(2);
  });
});

describe('executeRun: the summary', () => {
  it('counts every status and carries the delivery, the dry-run flag and the notes', async () => {
    // Prepare
    let left = 10_000;
    const list = items(4);
    const body = async (scope: RunScope): Promise<RunBody> => {
      const clusters = await scope.forEachCluster(list, async (item) => {
        if (item.clusterId === 'c1') return done(item, 'would-create-backup');
        if (item.clusterId === 'c2') return skipped(item, 'not enterprise');
        left = 0;
        throw new Error('boom');
      });
      return { clusters, notes: ['dry run: nothing created'] };
    };
    const run = settings({ dryRun: true, concurrency: 1, remainingTimeMs: () => left });
    // Act
    const summary = await executeRun(deps, REQUEST, delivery('evt-1', 'eventbridge'), run, body);
    // Assess
    expect(summary).toMatchObject({
      job: 'backup',
      action: 'run',
      idempotencyKey: 'evt-1',
      trigger: 'eventbridge',
      dryRun: true,
      counts: { done: 1, skipped: 1, failed: 1, deferred: 1 },
      notes: ['dry run: nothing created'],
      failed: true,
      startedAt: '2026-11-27T02:00:00.000Z',
    });
  });

  it('failRun fails the run even when no cluster failed', async () => {
    // Prepare
    const body = async (): Promise<RunBody> => ({
      clusters: [skipped({ clusterId: 'c1', clusterName: 'cluster-1' }, 'guard')],
      notes: ['blast-radius guard: 9 candidates > max 5'],
      failRun: true,
    });
    // Act
    const summary = await executeRun(deps, REQUEST, delivery(), settings(), body);
    // Assess
    expect(summary.failed).toBe(true);
    expect(summary.counts.failed).toBe(0);
    expect(counters.totals.RunsFailed).toBe(1);
    expect(log.lines.find((l) => l.message === 'run failed')?.level).toBe('error');
    expect(stores.inspect.run(summary.idempotencyKey)).toMatchObject({ status: 'completed', failed: true });
  });

  it('a body that throws fails the run with a note, and keeps the outcomes of the work it did', async () => {
    // Prepare
    const { calls, work } = recorder();
    const body = async (scope: RunScope): Promise<RunBody> => {
      await scope.forEachCluster(items(2), work);
      throw new Error('listing failed');
    };
    // Act
    const summary = await executeRun(deps, REQUEST, delivery(), settings(), body);
    // Assess
    expect(calls).toEqual(['c1', 'c2']);
    expect(summary.failed).toBe(true);
    expect(summary.notes).toEqual(['run failed before finishing: Error: listing failed']);
    // What was done is reported, not silently dropped from the summary and the result event.
    expect(summary.clusters.map((c) => [c.clusterId, c.status])).toEqual([
      ['c1', 'done'],
      ['c2', 'done'],
    ]);
  });

  it('logs one summary line with counts', async () => {
    // Prepare
    const { work } = recorder();
    // Act
    await executeRun(deps, REQUEST, delivery(), settings(), over(items(2), work));
    // Assess
    const finished = log.lines.filter((l) => l.message === 'run finished');
    expect(finished).toHaveLength(1);
    expect(finished[0]?.data).toMatchObject({ job: 'backup', action: 'run', counts: { done: 2 } });
  });

  it('stores the summary in the ledger', async () => {
    // Prepare
    const { work } = recorder();
    // Act
    const summary = await executeRun(deps, REQUEST, delivery(), settings(), over(items(2), work));
    // Assess
    expect(stores.inspect.run(summary.idempotencyKey)?.summary).toEqual(summary);
  });

  it('returns the summary when the ledger cannot store it', async () => {
    // Prepare
    stores.fail('ledger.finish', 'throttle');
    const { work } = recorder();
    // Act
    const summary = await executeRun(deps, REQUEST, delivery(), settings(), over(items(1), work));
    // Assess
    expect(summary.counts.done).toBe(1);
    expect(log.lines.some((l) => l.message === 'run summary not stored')).toBe(true);
  });
});

describe('executeRun: metrics and the result event', () => {
  it('names one counter per action done, plus run and status counters', async () => {
    // Prepare
    const body = async (scope: RunScope): Promise<RunBody> => ({
      clusters: await scope.forEachCluster(items(3), async (item) =>
        item.clusterId === 'c3' ? skipped(item, 'in sync') : done(item, 'backup-created'),
      ),
    });
    // Act
    await executeRun(deps, REQUEST, delivery(), settings(), body);
    // Assess
    expect(counters.totals).toEqual({
      Runs: 1,
      HeartbeatRun: 1,
      ClustersDone: 2,
      ClustersSkipped: 1,
      BackupCreated: 2,
    });
  });

  it('actionMetricName turns an action into a PascalCase counter name', () => {
    // Assess
    expect(actionMetricName('backup-created')).toBe('BackupCreated');
    expect(actionMetricName('would-delete-cluster')).toBe('WouldDeleteCluster');
    expect(actionMetricName('allowlist_updated')).toBe('AllowlistUpdated');
    expect(actionMetricName('keep-alive-set')).toBe('KeepAliveSet');
  });

  it('publishes one result event carrying the summary', async () => {
    // Prepare
    const { work } = recorder();
    // Act
    const summary = await executeRun(deps, REQUEST, delivery(), settings(), over(items(2), work));
    // Assess
    expect(events.events).toEqual([{ detailType: 'backup.run.result', detail: summary }]);
  });

  it('a result event that cannot be published does not fail the run', async () => {
    // Prepare
    const failing: EventPublisher = {
      async publish() {
        throw new Error('bus unavailable');
      },
    };
    const { work } = recorder();
    // Act
    const summary = await executeRun(
      { ...deps, events: failing },
      REQUEST,
      delivery(),
      settings(),
      over(items(2), work),
    );
    // Assess
    expect(summary.failed).toBe(false);
    expect(counters.totals.ResultEventsFailed).toBe(1);
    expect(log.lines.find((l) => l.message === 'result event not published')?.data).toEqual({
      error: 'Error: bus unavailable',
    });
    // The summary is still stored, so a redelivery is answered from it.
    expect(stores.inspect.run(summary.idempotencyKey)?.status).toBe('completed');
  });
});

describe('errorText', () => {
  it('describes errors briefly: a Console error by its message, others by name and message', () => {
    // Assess
    expect(errorText(new RangeError('too far'))).toBe('RangeError: too far');
    expect(errorText('plain')).toBe('plain');
    expect(
      errorText(
        new ConsoleApiError({
          method: 'GET',
          path: '/clusters',
          route: 'GET /clusters',
          status: 503,
          code: 'http',
          attempts: 3,
        }),
      ),
    ).toBe('console api GET /clusters failed: 503 after 3 attempts');
  });
});
