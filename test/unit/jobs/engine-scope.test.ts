// RunScope.forEachCluster over the run engine's shared world: claims, concurrency, the time budget and
// failure capture, and how errors are turned into text.
import { beforeEach, describe, expect, it } from 'vitest';
import { ConsoleApiError } from '#lib/console/errors.ts';
import { errorText } from '#lib/jobs/engine.ts';
import { skipped } from '#lib/jobs/outcomes.ts';
import type { ClusterOutcome } from '#lib/jobs/types.ts';
import * as world from '#test/unit/jobs/engine-harness.ts';

beforeEach(world.resetEngineWorld);

describe('RunScope.forEachCluster', () => {
  it('never runs more than `concurrency` works at once, and does use that many', async () => {
    // Prepare
    let active = 0;
    let peak = 0;
    const work = async (item: world.Item) => {
      active++;
      peak = Math.max(peak, active);
      await new Promise<void>((resolve) => setImmediate(resolve));
      active--;
      return world.done(item);
    };
    // Act
    const summary = await world.runItems(10, work, { concurrency: 3 });
    // Assess
    expect(peak).toBe(3);
    expect(summary.counts.done).toBe(10);
    // Outcomes in the order of the items, whatever order they finished in.
    expect(summary.clusters.map((c) => c.clusterId)).toEqual(world.items(10).map((i) => i.clusterId));
  });

  it('defers the clusters it has no time for, never drops one, and records only what ran', async () => {
    // Prepare: each cluster costs 3 s of a 10 s budget with a 1 s margin.
    let left = 10_000;
    const { calls, work } = world.recorder((item) => {
      left -= 3_000;
      return world.done(item);
    });
    // Act
    const summary = await world.runItems(5, work, {
      concurrency: 1,
      timeMarginMs: 1_000,
      remainingTimeMs: () => left,
    });
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
    expect(world.stores.inspect.run(summary.idempotencyKey)?.outcomes.map((o) => o.clusterId)).toEqual([
      'c1',
      'c2',
      'c3',
    ]);
    expect(world.counters.totals.ClustersDeferred).toBe(2);
    // A deferred cluster was never claimed.
    expect(world.stores.calls['claims.claim']).toBe(3);
  });

  it('tells the body whether there is time left', async () => {
    // Prepare
    let left = 5_000;
    const seen: boolean[] = [];
    // Act
    await world.runBody(
      async (scope) => {
        seen.push(scope.hasTime());
        left = 1_000;
        seen.push(scope.hasTime());
        return { clusters: [] };
      },
      { timeMarginMs: 1_000, remainingTimeMs: () => left },
    );
    // Assess
    expect(seen).toEqual([true, false]);
  });

  it('skips a cluster another run holds the claim of, and releases its own claims', async () => {
    // Prepare
    await world.stores.claims.claim('backup', 'c2', 'backup:run:other#owner', 60_000);
    const { calls, work } = world.recorder();
    // Act
    const summary = await world.runItems(3, work);
    // Assess
    expect(calls.sort()).toEqual(['c1', 'c3']);
    expect(summary.clusters[1]).toEqual({
      clusterId: 'c2',
      clusterName: 'cluster-2',
      status: 'skipped',
      reason: 'another run of this job is working on this cluster',
    });
    expect(world.stores.inspect.claim('backup', 'c1')).toBeUndefined();
    expect(world.stores.inspect.claim('backup', 'c2')?.owner).toBe('backup:run:other#owner');
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
    const { calls, work } = world.recorder((item) => {
      if (item.clusterId === 'c2') throw new TypeError('cannot read x');
      if (item.clusterId === 'c3') throw consoleError;
      return world.done(item);
    });
    // Act
    const summary = await world.runItems(4, work, { concurrency: 1 });
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
    expect(world.log.lines.filter((l) => l.message === 'cluster work failed')).toHaveLength(2);
    // The failure is recorded, so a retry knows to redo it; the claim was released all the same.
    expect(
      world.stores.inspect.run(summary.idempotencyKey)?.outcomes.find((o) => o.clusterId === 'c2')?.status,
    ).toBe('failed');
    expect(world.stores.inspect.claim('backup', 'c2')).toBeUndefined();
  });

  it('fails a cluster whose claim cannot be taken, with only the outcome fields', async () => {
    // Prepare: the claims table is throttled; items carry extra fields a use case works with.
    world.stores.fail('claims.claim', 'throttle', 1);
    const list = world
      .items(2)
      .map((i) => ({ ...i, cluster: { uuid: i.clusterId, secretish: 'x'.repeat(50) } }));
    const calls: string[] = [];
    // Act
    const summary = await world.runBody(
      async (scope) => ({
        clusters: await scope.forEachCluster(list, async (item) => {
          calls.push(item.clusterId);
          return world.done(item);
        }),
      }),
      { concurrency: 1 },
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
    const first = async (item: world.Item): Promise<ClusterOutcome> => {
      if (item.clusterId === 'c2') return skipped(item, 'in sync');
      if (item.clusterId === 'c3') throw new Error('boom');
      return world.done(item);
    };
    await world.runItems(3, first);
    const claimsBefore = world.stores.calls['claims.claim'] ?? 0;
    const { calls, work } = world.recorder();
    // Act
    const retry = await world.runItems(3, work);
    // Assess
    expect(calls).toEqual(['c3']);
    expect(world.stores.calls['claims.claim']).toBe(claimsBefore + 1);
    expect(retry.clusters[1]).toEqual(skipped(world.items(3)[1] as world.Item, 'in sync'));
  });

  it('keeps going when an outcome cannot be recorded or a claim not released', async () => {
    // Prepare
    world.stores.fail('ledger.recordOutcome', 'reset');
    world.stores.fail('claims.release', 'throttle');
    const { work } = world.recorder();
    // Act
    const summary = await world.runItems(2, work);
    // Assess
    expect(summary.counts.done).toBe(2);
    expect(summary.failed).toBe(false);
    expect(world.log.lines.filter((l) => l.message === 'outcome not recorded')).toHaveLength(2);
    expect(world.log.lines.filter((l) => l.message === 'cluster claim not released')).toHaveLength(2);
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
