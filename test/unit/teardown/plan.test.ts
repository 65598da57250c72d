import { describe, expect, it } from 'vitest';
import { planTeardown, TeardownError } from '#functions/teardown/plan.ts';
import { cluster, DAY, HOUR, harness, keepAliveFor, NOW, policy } from '#test/fakes/teardown-scenario.ts';

type Plan = Awaited<ReturnType<typeof planTeardown>>;

const reasons = (plan: Plan) => Object.fromEntries(plan.excluded.map((e) => [e.cluster.name, e.reason]));

/** dev-free is the only candidate, and exactly the `protectedNames` are excluded, as protected. */
function expectOnlyFreeLeft(plan: Plan, protectedNames: string[]): void {
  expect(plan.candidates.map((c) => c.name)).toEqual(['dev-free']);
  expect(reasons(plan)).toEqual(Object.fromEntries(protectedNames.map((name) => [name, 'protected'])));
}

describe('planTeardown', () => {
  it('refuses a selector that is empty or selects every cluster', async () => {
    // Prepare
    const h = harness([cluster('dev-a')]);

    // Act
    const empty = planTeardown(h.deps, policy({ selector: {} }));
    const all = planTeardown(h.deps, policy({ selector: { all: true, labels: ['nightly-off'] } }));
    const excludeOnly = planTeardown(h.deps, policy({ selector: { exclude: { names: ['prod-*'] } } }));

    // Assess
    await expect(empty).rejects.toThrow(TeardownError);
    await expect(empty).rejects.toThrow(/teardown\.selector is empty/);
    await expect(all).rejects.toThrow(/selector\.all is refused/);
    await expect(excludeOnly).rejects.toThrow(/teardown\.selector is empty/);
    expect(h.console.calls).toEqual([]);
  });

  it('keeps only selected, old enough, unprotected clusters in a deletable state', async () => {
    // Prepare
    const h = harness([
      cluster('dev-ok'),
      cluster('dev-unhealthy', { ready: 'Unhealthy' }),
      cluster('dev-suspended', { ready: 'Suspended' }),
      cluster('prod-unlabelled', { labels: ['env-prod'] }),
    ]);

    // Act
    const plan = await planTeardown(h.deps, policy());

    // Assess
    expect(plan.candidates.map((c) => c.name).sort()).toEqual(['dev-ok', 'dev-suspended', 'dev-unhealthy']);
    expect(plan.excluded).toEqual([]);
  });

  it('excludes protected clusters by id, name glob and label', async () => {
    // Prepare
    const h = harness([
      cluster('dev-by-id'),
      cluster('dev-keep-me'),
      cluster('dev-labelled', { labels: ['nightly-off', 'keep'] }),
      cluster('dev-free'),
    ]);
    const p = policy({ protect: { ids: ['uuid-dev-by-id'], names: ['*-keep-*'], labels: ['keep'] } });

    // Act
    const plan = await planTeardown(h.deps, p);

    // Assess
    expectOnlyFreeLeft(plan, ['dev-by-id', 'dev-keep-me', 'dev-labelled']);
    expect(plan.excluded.map((e) => e.detail?.protectedBy)).toEqual([
      'id uuid-dev-by-id',
      'name *-keep-*',
      'label keep',
    ]);
  });

  it('protects by name glob and label whatever their case (Prod-db is protected by prod-*)', async () => {
    // Prepare: the selector picks every name by its own (case-sensitive) globs; protection ignores case.
    const h = harness([
      cluster('Prod-db', { labels: ['nightly-off'] }),
      cluster('PROD-cache', { labels: ['nightly-off'] }),
      cluster('dev-labelled', { labels: ['nightly-off', 'Keep'] }),
      cluster('dev-free', { labels: ['nightly-off'] }),
    ]);
    const p = policy({
      selector: { labels: ['nightly-off'] },
      protect: { ids: [], names: ['prod-*'], labels: ['KEEP'] },
    });

    // Act
    const plan = await planTeardown(h.deps, p);

    // Assess
    expectOnlyFreeLeft(plan, ['Prod-db', 'PROD-cache', 'dev-labelled']);
  });

  it('counts a cluster younger than the minimum age, or with no readable creation time, as young', async () => {
    // Prepare
    const h = harness([
      cluster('dev-new', { created: new Date(NOW - 23 * HOUR).toISOString() }),
      cluster('dev-old-enough', { created: new Date(NOW - 25 * HOUR).toISOString() }),
      cluster('dev-no-date', { created: undefined }),
      cluster('dev-bad-date', { created: 'yesterday-ish' }),
      cluster('dev-future', { created: new Date(NOW + DAY).toISOString() }),
    ]);

    // Act
    const plan = await planTeardown(h.deps, policy({ minAgeHours: 24 }));

    // Assess
    expect(plan.candidates.map((c) => c.name)).toEqual(['dev-old-enough']);
    const young = ['dev-new', 'dev-no-date', 'dev-bad-date', 'dev-future'];
    expect(reasons(plan)).toEqual(Object.fromEntries(young.map((name) => [name, 'younger than 24 h'])));
  });

  it('honours an active keep-alive by uuid or exact name, not an expired one', async () => {
    // Prepare
    const h = harness([cluster('dev-a'), cluster('dev-b'), cluster('dev-c'), cluster('dev-c2')]);
    await h.stores.keepAlives.put(keepAliveFor('uuid-dev-a', 5, 'alice', 'demo'));
    await h.stores.keepAlives.put(keepAliveFor('dev-b', 1, 'bob', 'load test'));
    await h.stores.keepAlives.put(keepAliveFor('dev-c', 1, 'carol', 'x'));
    h.clock.advance(30 * 60_000);
    // dev-c's keep-alive was for 'dev-c' exactly: 'dev-c2' is not covered.

    // Act
    const plan = await planTeardown(h.deps, policy());
    h.clock.advance(HOUR);
    const later = await planTeardown(h.deps, policy());

    // Assess
    expect(plan.candidates.map((c) => c.name)).toEqual(['dev-c2']);
    expect(reasons(plan)).toEqual({
      'dev-a': `keep-alive until ${new Date(NOW + 5 * HOUR).toISOString()} by alice (demo)`,
      'dev-b': `keep-alive until ${new Date(NOW + HOUR).toISOString()} by bob (load test)`,
      'dev-c': `keep-alive until ${new Date(NOW + HOUR).toISOString()} by carol (x)`,
    });
    expect(later.candidates.map((c) => c.name).sort()).toEqual(['dev-b', 'dev-c', 'dev-c2']);
  });

  it('leaves clusters that are creating, updating, resuming or in maintenance', async () => {
    // Prepare
    const busy = ['Creating', 'Updating', 'Resuming', 'Maintenance'] as const;
    const nameOf = (ready: string) => `dev-${ready.toLowerCase()}`;
    const h = harness([...busy.map((ready) => cluster(nameOf(ready), { ready })), cluster('dev-healthy')]);

    // Act
    const plan = await planTeardown(h.deps, policy());

    // Assess
    expect(plan.candidates.map((c) => c.name)).toEqual(['dev-healthy']);
    expect(reasons(plan)).toEqual(
      Object.fromEntries(busy.map((ready) => [nameOf(ready), `status ${ready}`])),
    );
  });

  it('excludes clusters whose name another cluster shares (snapshots go by name)', async () => {
    // Prepare
    const h = harness([
      cluster('dev-twin', { uuid: 'twin-1' }),
      cluster('dev-twin', { uuid: 'twin-2', labels: [] }),
      cluster('dev-single'),
    ]);

    // Act
    const plan = await planTeardown(h.deps, policy());

    // Assess
    expect(plan.candidates.map((c) => c.name)).toEqual(['dev-single']);
    expect(plan.excluded.map((e) => [e.cluster.uuid, e.reason])).toEqual([
      ['twin-1', 'name shared by 1 other cluster(s)'],
    ]);
  });

  it('narrows to the requested cluster ids, still within the selector', async () => {
    // Prepare
    const h = harness([cluster('dev-a'), cluster('dev-b'), cluster('prod-x', { labels: [] })]);

    // Act
    const plan = await planTeardown(h.deps, policy(), ['uuid-dev-b', 'uuid-prod-x']);

    // Assess
    expect(plan.candidates.map((c) => c.name)).toEqual(['dev-b']);
  });
});
