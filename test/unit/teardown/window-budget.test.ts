// Issue #10 item 3: the blast-radius guard could be split. maxDeletionsPerRun counted one request's
// candidates only, so several webhook-triggered runs each naming a few clusters deleted more than the limit in
// one night, without the evening notice. Now: a deletion budget per teardown window shared by every run and
// trigger (a conditional reservation before each DELETE), and ad-hoc runs delete only noticed clusters.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { teardownWindowId } from '#functions/teardown/window.ts';
import { cluster, DAY, HOUR, harness, NOW, outcomes, policy } from '#test/fakes/teardown-scenario.ts';

const WINDOW = teardownWindowId(NOW, 'UTC', 12);
const names = (n: number) => Array.from({ length: n }, (_, i) => `dev-${i}`);
const ids = (list: string[]) => list.map((n) => `uuid-${n}`);

describe('deletion budget per teardown window', () => {
  it('counterexample: three webhook runs of two clusters each cannot delete more than the budget (3) in one night', async () => {
    // Prepare: the evening notice listed all six.
    const h = harness(names(6).map((n) => cluster(n)));
    const p = policy({ maxDeletionsPerRun: 3 });
    await h.run('notice', p);
    // Act
    const runs = [];
    for (const pair of [
      ['dev-0', 'dev-1'],
      ['dev-2', 'dev-3'],
      ['dev-4', 'dev-5'],
    ]) {
      runs.push(await h.run('run', p, { source: 'webhook', clusterIds: ids(pair) }));
    }
    // Assess: the first run spends 2 of 3; each later pair would overspend, so it deletes none and fails.
    expect(h.console.deleted).toEqual(ids(['dev-0', 'dev-1']));
    expect((await h.stores.teardownWindows.get(WINDOW)).reserved).toEqual(ids(['dev-0', 'dev-1']));
    expect(runs.map((r) => r.failed)).toEqual([false, true, true]);
    for (const r of runs.slice(1)) {
      expect(r.notes).toContain(
        `deletion budget of teardown window ${WINDOW}: 2 candidates + 2 already reserved > maxDeletionsPerWindow 3: nothing deleted`,
      );
    }
  });

  it('the scheduled run is bounded by the window budget too', async () => {
    // Prepare: an ad-hoc run already spent 2 of 3.
    const h = harness(names(4).map((n) => cluster(n)));
    const p = policy({ maxDeletionsPerRun: 3 });
    await h.run('notice', p);
    await h.run('run', p, { source: 'webhook', clusterIds: ids(['dev-0', 'dev-1']) });
    // Act
    const nightly = await h.run('run', p);
    // Assess
    expect(h.console.deleted).toEqual(ids(['dev-0', 'dev-1']));
    expect(nightly.failed).toBe(true);
    expect(outcomes(nightly)['dev-2']).toMatch(/^skipped:deletion budget of teardown window/);
  });

  it('a retry of the same delivery does not spend twice', async () => {
    // Prepare: the first attempt deletes dev-0, then the delete of dev-1 is refused.
    const h = harness(names(2).map((n) => cluster(n)));
    const p = policy({ maxDeletionsPerRun: 2 });
    let refuse = true;
    h.console.failDelete = (id) =>
      id === 'uuid-dev-1' && refuse ? { error: new Error('503'), applied: false } : undefined;
    const first = await h.run('run', p, { key: 'teardown:run:night' });
    refuse = false;
    // Act
    const retry = await h.run('run', p, { key: 'teardown:run:night' });
    // Assess
    expect(first.failed).toBe(true);
    expect(retry.failed).toBe(false);
    expect(h.console.deleted).toEqual(ids(['dev-0', 'dev-1']));
    expect((await h.stores.teardownWindows.get(WINDOW)).reserved).toEqual(ids(['dev-0', 'dev-1']));
  });

  it('gives the unit back when the delete certainly did not happen', async () => {
    // Prepare
    const h = harness([cluster('dev-0')]);
    h.console.failDelete = () => ({ error: new Error('503'), applied: false });
    // Act
    const summary = await h.run('run', policy());
    // Assess
    expect(summary.failed).toBe(true);
    expect((await h.stores.teardownWindows.get(WINDOW)).reserved).toEqual([]);
  });

  it('a dry run spends nothing', async () => {
    // Prepare
    const h = harness(names(3).map((n) => cluster(n)));
    // Act
    const summary = await h.run('run', policy({ dryRun: true }));
    // Assess
    expect(outcomes(summary)['dev-0']).toBe('done:would-delete-cluster');
    expect((await h.stores.teardownWindows.get(WINDOW)).reserved).toEqual([]);
  });

  it('the next window has a fresh budget', async () => {
    // Prepare
    const h = harness(names(2).map((n) => cluster(n)));
    const p = policy({ maxDeletionsPerRun: 1 });
    await h.run('run', p, { clusterIds: ids(['dev-0']) });
    h.clock.advance(DAY);
    // Act
    const tomorrow = await h.run('run', p, { clusterIds: ids(['dev-1']) });
    // Assess
    expect(tomorrow.failed).toBe(false);
    expect(h.console.deleted).toEqual(ids(['dev-0', 'dev-1']));
  });

  it('property: interleaved ad-hoc runs never delete more than the window budget, and every deletion is reserved', async () => {
    const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.subarray(names(8), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        async (budget, requests, concurrent) => {
          // Prepare
          const h = harness(names(8).map((n) => cluster(n)));
          const p = policy({ maxDeletionsPerRun: Math.min(budget, 4), maxDeletionsPerWindow: budget });
          await h.run('notice', p);
          // Act
          const send = (r: string[]) => h.run('run', p, { source: 'webhook', clusterIds: ids(r) });
          if (concurrent) await Promise.all(requests.map(send));
          else for (const r of requests) await send(r);
          // Assess
          expect(h.console.deleted.length).toBeLessThanOrEqual(budget);
          const reserved = (await h.stores.teardownWindows.get(WINDOW)).reserved;
          expect([...h.console.deleted].sort()).toEqual(reserved);
        },
      ),
      { seed, numRuns: 80 },
    );
  });
});

describe('ad-hoc runs delete only what the window notice listed', () => {
  it('without a scheduled notice in the window, an ad-hoc run deletes nothing and says why', async () => {
    // Prepare
    const h = harness([cluster('dev-0')]);
    // Act
    const summary = await h.run('run', policy(), { source: 'webhook' });
    // Assess
    expect(h.console.deleted).toEqual([]);
    expect(outcomes(summary)).toEqual({
      'dev-0': `skipped:not in the notice of teardown window ${WINDOW} (no scheduled notice in this window); an ad-hoc run deletes only noticed clusters (teardown.adHoc is 'noticed-only')`,
    });
  });

  it('a cluster that appeared after the notice is left to the nightly run; noticed ones go', async () => {
    // Prepare
    const h = harness([cluster('dev-0'), cluster('dev-1')]);
    await h.run('notice', policy());
    h.console.clusters.set('uuid-dev-2', cluster('dev-2'));
    // Act
    const summary = await h.run('run', policy(), { source: 'eventbridge' });
    // Assess
    expect(h.console.deleted).toEqual(ids(['dev-0', 'dev-1']));
    expect(outcomes(summary)['dev-2']).toMatch(/^skipped:not in the notice of teardown window/);
  });

  it('an ad-hoc notice (webhook) does not widen what ad-hoc runs may delete', async () => {
    // Prepare
    const h = harness([cluster('dev-0')]);
    await h.run('notice', policy(), { source: 'webhook' });
    // Act
    await h.run('run', policy(), { source: 'webhook' });
    // Assess
    expect(h.console.deleted).toEqual([]);
  });

  it("adHoc: 'any-selected' lets an ad-hoc run delete any selected cluster (still within the budget)", async () => {
    // Prepare
    const h = harness(names(3).map((n) => cluster(n)));
    // Act
    const summary = await h.run('run', policy({ adHoc: 'any-selected', maxDeletionsPerRun: 3 }), {
      source: 'direct',
    });
    // Assess
    expect(summary.failed).toBe(false);
    expect(h.console.deleted).toHaveLength(3);
  });

  it('the notice is recorded for the window even in a dry run, and the scheduled run is not limited by it', async () => {
    // Prepare
    const h = harness([cluster('dev-0')]);
    await h.run('notice', policy({ dryRun: true }));
    h.console.clusters.set('uuid-dev-1', cluster('dev-1'));
    h.clock.advance(HOUR);
    // Act
    await h.run('run', policy());
    // Assess
    expect((await h.stores.teardownWindows.get(WINDOW)).noticed).toEqual(['uuid-dev-0']);
    expect(h.console.deleted).toEqual(ids(['dev-0', 'dev-1']));
  });
});
