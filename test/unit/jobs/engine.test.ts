// The run engine every job shares (executeRun, RunScope.forEachCluster) over the in-memory state stores,
// a hand-moved clock and a recording log: idempotency, claims, concurrency, the time budget, failure
// capture, the summary and what is reported from it.
import { beforeEach, describe, expect, it } from 'vitest';
import { actionMetricName, executeRun, type RunBody, type RunScope } from '#lib/jobs/engine.ts';
import { skipped } from '#lib/jobs/outcomes.ts';
import type { EventPublisher } from '#lib/jobs/ports.ts';
import type { ClusterOutcome } from '#lib/jobs/types.ts';
import * as world from '#test/unit/jobs/engine-harness.ts';

beforeEach(world.resetEngineWorld);

describe('executeRun: delivery idempotency', () => {
  it('answers a completed delivery with its stored summary and does no work', async () => {
    // Prepare
    const { calls, work } = world.recorder();
    const first = await world.runItems(3, work);
    // Act
    const again = await world.runItems(3, work);
    // Assess
    expect(calls).toEqual(['c1', 'c2', 'c3']);
    expect(again.replayed).toBe(true);
    expect(first.replayed).toBeUndefined();
    expect(again.clusters).toEqual(first.clusters);
    expect(again.counts).toEqual(first.counts);
    expect(world.counters.totals.RedeliveriesIgnored).toBe(1);
    expect(world.counters.totals.Runs).toBe(1);
    expect(world.events.events).toHaveLength(1);
    expect(world.log.lines.some((l) => l.message === 'delivery already handled')).toBe(true);
  });

  it('does no work for a delivery another invocation is running, and leaves its record alone', async () => {
    // Prepare: another invocation holds the key.
    const key = 'backup:run:2026-11-27T02:00:00Z';
    await world.stores.ledger.start(key, 'backup', 'run', { leaseMs: 60_000, retryFailed: true });
    const { calls, work } = world.recorder();
    // Act
    const summary = await world.runItems(2, work, {}, world.delivery(key));
    // Assess
    expect(calls).toEqual([]);
    expect(summary.replayed).toBe(true);
    expect(summary.failed).toBe(false);
    expect(summary.clusters).toEqual([]);
    expect(summary.notes[0]).toContain('already running (since 2026-11-27T02:00:00.000Z)');
    expect(world.stores.inspect.run(key)?.status).toBe('running');
    expect(world.events.events).toEqual([]);
    expect(world.counters.totals.RedeliveriesIgnored).toBe(1);
  });

  it('a retry of a failed delivery (retryFailed) redoes only the failed clusters', async () => {
    // Prepare: c2 fails the first time.
    let failing = true;
    const { calls, work } = world.recorder((item) => {
      if (item.clusterId === 'c2' && failing) throw new Error('boom');
      return world.done(item);
    });
    const first = await world.runItems(3, work);
    failing = false;
    calls.length = 0;
    // Act
    const retry = await world.runItems(3, work);
    // Assess
    expect(first.failed).toBe(true);
    expect(calls).toEqual(['c2']);
    expect(retry.replayed).toBeUndefined();
    expect(retry.failed).toBe(false);
    expect(retry.clusters).toEqual([
      world.done(world.items(3)[0] as world.Item),
      world.done(world.items(3)[1] as world.Item),
      world.done(world.items(3)[2] as world.Item),
    ]);
    expect(world.stores.inspect.run('backup:run:2026-11-27T02:00:00Z')?.attempts).toBe(2);
  });

  it('gives a retry the outcomes of the earlier attempt in scope.previous', async () => {
    // Prepare
    const work = async (item: world.Item) => {
      if (item.clusterId === 'c1') throw new Error('boom');
      return world.done(item);
    };
    await world.runItems(2, work);
    let seen: ReadonlyMap<string, ClusterOutcome> | undefined;
    // Act
    await world.runBody(async (scope) => {
      seen = scope.previous;
      return { clusters: [] };
    });
    // Assess
    expect(seen?.get('c1')).toMatchObject({ status: 'failed', error: 'Error: boom' });
    expect(seen?.get('c2')).toEqual(world.done(world.items(2)[1] as world.Item));
  });

  it('a webhook redelivery (retryFailed false) answers the first, failed summary and does no work', async () => {
    // Prepare
    const { calls, work } = world.recorder((item) => {
      if (item.clusterId === 'c1') throw new Error('boom');
      return world.done(item);
    });
    const hook = world.delivery('webhook:msg_1', 'webhook');
    const first = await world.runItems(2, work, { retryFailed: false }, hook);
    calls.length = 0;
    // Act
    const again = await world.runItems(2, work, { retryFailed: false }, hook);
    // Assess
    expect(first.failed).toBe(true);
    expect(calls).toEqual([]);
    expect(again.replayed).toBe(true);
    expect(again.failed).toBe(true);
    expect(again.clusters).toEqual(first.clusters);
  });
});

describe('executeRun: the summary', () => {
  it('counts every status and carries the delivery, the dry-run flag and the notes', async () => {
    // Prepare
    let left = 10_000;
    const list = world.items(4);
    const body = async (scope: RunScope): Promise<RunBody> => {
      const clusters = await scope.forEachCluster(list, async (item) => {
        if (item.clusterId === 'c1') return world.done(item, 'would-create-backup');
        if (item.clusterId === 'c2') return skipped(item, 'not enterprise');
        left = 0;
        throw new Error('boom');
      });
      return { clusters, notes: ['dry run: nothing created'] };
    };
    const run = { dryRun: true, concurrency: 1, remainingTimeMs: () => left };
    // Act
    const summary = await world.runBody(body, run, world.delivery('evt-1', 'eventbridge'));
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
    const summary = await world.runBody(body);
    // Assess
    expect(summary.failed).toBe(true);
    expect(summary.counts.failed).toBe(0);
    expect(world.counters.totals.RunsFailed).toBe(1);
    expect(world.log.lines.find((l) => l.message === 'run failed')?.level).toBe('error');
    expect(world.stores.inspect.run(summary.idempotencyKey)).toMatchObject({
      status: 'completed',
      failed: true,
    });
  });

  it('a body that throws fails the run with a note, and keeps the outcomes of the work it did', async () => {
    // Prepare
    const { calls, work } = world.recorder();
    const body = async (scope: RunScope): Promise<RunBody> => {
      await scope.forEachCluster(world.items(2), work);
      throw new Error('listing failed');
    };
    // Act
    const summary = await world.runBody(body);
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
    const { work } = world.recorder();
    // Act
    await world.runItems(2, work);
    // Assess
    const finished = world.log.lines.filter((l) => l.message === 'run finished');
    expect(finished).toHaveLength(1);
    expect(finished[0]?.data).toMatchObject({ job: 'backup', action: 'run', counts: { done: 2 } });
  });

  it('stores the summary in the ledger', async () => {
    // Prepare
    const { work } = world.recorder();
    // Act
    const summary = await world.runItems(2, work);
    // Assess
    expect(world.stores.inspect.run(summary.idempotencyKey)?.summary).toEqual(summary);
  });

  it('returns the summary when the ledger cannot store it', async () => {
    // Prepare
    world.stores.fail('ledger.finish', 'throttle');
    const { work } = world.recorder();
    // Act
    const summary = await world.runItems(1, work);
    // Assess
    expect(summary.counts.done).toBe(1);
    expect(world.log.lines.some((l) => l.message === 'run summary not stored')).toBe(true);
  });
});

describe('executeRun: metrics and the result event', () => {
  it('names one counter per action done, plus run and status counters', async () => {
    // Prepare
    const body = async (scope: RunScope): Promise<RunBody> => ({
      clusters: await scope.forEachCluster(world.items(3), async (item) =>
        item.clusterId === 'c3' ? skipped(item, 'in sync') : world.done(item, 'backup-created'),
      ),
    });
    // Act
    await world.runBody(body);
    // Assess
    expect(world.counters.totals).toEqual({
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
    const { work } = world.recorder();
    // Act
    const summary = await world.runItems(2, work);
    // Assess
    expect(world.events.events).toEqual([{ detailType: 'backup.run.result', detail: summary }]);
  });

  it('a result event that cannot be published does not fail the run', async () => {
    // Prepare
    const failing: EventPublisher = {
      async publish() {
        throw new Error('bus unavailable');
      },
    };
    const { work } = world.recorder();
    // Act
    const summary = await executeRun(
      { ...world.deps, events: failing },
      world.REQUEST,
      world.delivery(),
      world.settings(),
      world.over(world.items(2), work),
    );
    // Assess
    expect(summary.failed).toBe(false);
    expect(world.counters.totals.ResultEventsFailed).toBe(1);
    expect(world.log.lines.find((l) => l.message === 'result event not published')?.data).toEqual({
      error: 'Error: bus unavailable',
    });
    // The summary is still stored, so a redelivery is answered from it.
    expect(world.stores.inspect.run(summary.idempotencyKey)?.status).toBe('completed');
  });
});
