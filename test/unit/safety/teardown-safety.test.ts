// Teardown safety at scale (more than 10,000 generated orgs, policies and nights): the use cases with the
// in-memory fakes (test/fakes/teardown-scenario.ts, teardown-orgs.ts, state.ts), the real run engine. Extends
// test/unit/teardown/properties.test.ts with what changes between planning and the delete (a keep-alive
// arriving, a protect label, a rename, a status change, someone else's delete), state-store faults, dry runs
// asked for by the request, two overlapping runs, and several nights of teardown and recreate with faults and
// redeliveries. The rules are restated here, checked at the moment of every delete:
//  - a protected, kept-alive, too young or non-deletable cluster is never deleted; only selected ones are;
//  - its snapshot is saved before the delete; deletions never exceed the cap; a dry run deletes nothing;
//  - a recreate never makes a second cluster of a name; a summary accounts for every cluster it owes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TeardownPolicy } from '#lib/config/types.ts';
import type { Cluster } from '#lib/console/client.ts';
import type { KeepAlive } from '#lib/jobs/ports.ts';
import type { RunSummary } from '#lib/jobs/types.ts';
import type { StateOperation } from '#lib/state/errors.ts';
import {
  buildOrg,
  createFaultsOnce,
  DELETABLE,
  deleteFaults,
  orgClusterFields,
  orgFields,
  orgPolicy,
  placeSquatters,
  seedOrg,
} from '#test/fakes/teardown-orgs.ts';
import { type Harness, HOUR, harness } from '#test/fakes/teardown-scenario.ts';
import { assertAccounted } from '#test/helpers/faults-accounting.ts';
import { reportRow } from '#test/helpers/faults-report.ts';
import { propertyParams, runs } from '#test/helpers/property.ts';

const SINGLE_RUNS = runs(4_500);
const OVERLAP_RUNS = runs(2_500);
const NIGHT_RUNS = runs(3_500);

const ACTIVE = ['deleted', 'recreating', 'recreated'] as const;

const midRunChange = fc.constantFrom(
  'none',
  'none',
  'none',
  'keep-alive-arrives',
  'protect-label-added',
  'renamed',
  'status-creating',
  'deleted-by-someone',
  'recreated-young',
);

const clusterSpec = fc.record({ ...orgClusterFields, change: midRunChange });

const STORE_FAULTS: Array<StateOperation | 'none'> = [
  'none',
  'none',
  'none',
  'snapshots.save',
  'keepAlives.active',
  'claims.claim',
  'ledger.recordOutcome',
  'snapshots.transition',
  'snapshots.list',
];

const scenario = fc.record({
  ...orgFields(clusterSpec),
  requestDryRun: fc.constantFrom(false, false, true),
  storeFault: fc.constantFrom(...STORE_FAULTS),
  storeFaultTimes: fc.integer({ min: 1, max: 3 }),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;
type Spec = Scenario['clusters'][number];

function globMatches(glob: string, name: string): boolean {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`).test(name);
}

/** Why the rules forbid deleting this cluster as it is now (undefined: allowed). Restated, not imported. */
function forbidden(
  c: Cluster,
  p: TeardownPolicy,
  keepAlives: readonly KeepAlive[],
  now: number,
): string | undefined {
  if (!(c.labels ?? []).includes('nightly-off')) return 'not selected';
  if (p.protect.ids.includes(c.uuid)) return 'protected id';
  if (p.protect.names.some((g) => globMatches(g, c.name))) return 'protected name';
  if ((c.labels ?? []).some((l) => p.protect.labels.includes(l))) return 'protected label';
  const created = typeof c.created === 'string' ? Date.parse(c.created) : Number.NaN;
  if (!Number.isFinite(created) || now - created < p.minAgeHours * HOUR) return 'too young';
  if (keepAlives.some((k) => (k.cluster === c.uuid || k.cluster === c.name) && Date.parse(k.until) > now)) {
    return 'kept alive';
  }
  if (!DELETABLE.has(c.status.ready)) return `status ${c.status.ready}`;
  return undefined;
}

/**
 * Installs the delete-time oracle and the Console delete faults on a harness. Every delete the job sends is
 * judged against the cluster as the Console holds it at that moment and the snapshot store's content.
 */
function watchDeletes(
  h: Harness,
  p: TeardownPolicy,
  keepAlives: KeepAlive[],
  specs: Map<string, Spec>,
): { violations: string[] } {
  const violations: string[] = [];
  h.console.beforeDelete = async (id) => {
    const live = h.console.clusters.get(id);
    if (!live) return;
    const why = forbidden(live, p, keepAlives, h.clock.now());
    if (why) violations.push(`${id} deleted although ${why}`);
    const snapshot = await h.stores.snapshots.get(live.name);
    if (snapshot?.clusterId !== id || snapshot.status !== 'deleted')
      violations.push(`${id} deleted before its snapshot`);
  };
  h.console.failDelete = deleteFaults(specs);
  return { violations };
}

/** Applies each cluster's mid-run change once, when the job re-reads it right before deleting. */
function changeMidRun(
  h: Harness,
  p: TeardownPolicy,
  specs: Map<string, Spec>,
  keepAlives: KeepAlive[],
): void {
  const applied = new Set<string>();
  h.console.beforeGet = (id) => {
    const spec = specs.get(id);
    const live = h.console.clusters.get(id);
    if (!spec || !live || applied.has(id)) return;
    applied.add(id);
    switch (spec.change) {
      case 'keep-alive-arrives': {
        const k: KeepAlive = {
          cluster: live.name,
          until: new Date(h.clock.now() + 2 * HOUR).toISOString(),
          by: 'late',
          reason: 'arrived mid-run',
          setAt: new Date(h.clock.now()).toISOString(),
        };
        keepAlives.push(k);
        void h.stores.keepAlives.put(k);
        break;
      }
      case 'protect-label-added':
        live.labels = [...(live.labels ?? []), p.protect.labels[0] ?? 'nightly-off'];
        break;
      case 'renamed':
        live.name = `${live.name}-renamed`;
        break;
      case 'status-creating':
        live.status = { ready: 'Creating' };
        break;
      case 'deleted-by-someone':
        h.console.clusters.delete(id);
        break;
      case 'recreated-young':
        live.created = new Date(h.clock.now()).toISOString();
        break;
    }
  };
}

/** A run that failed before it could plan reports no cluster; any other run accounts for every selected one. */
function expectAccounted(summary: RunSummary, selected: readonly string[]): void {
  if (summary.failed && summary.clusters.length === 0) return;
  assertAccounted(summary, selected);
}

const selectedIds = (clusters: Cluster[]) =>
  clusters.filter((c) => (c.labels ?? []).includes('nightly-off')).map((c) => c.uuid);

describe('teardown safety', () => {
  it(`deletes only what the rules allow at the moment of the delete, snapshot first, within the cap (${SINGLE_RUNS} nights)`, {
    timeout: 120_000,
  }, async () => {
    // Prepare
    let deletions = 0;
    let faults = 0;
    // Act / Assess
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        faults +=
          (s.storeFault === 'none' ? 0 : 1) +
          (s.requestDryRun ? 1 : 0) +
          s.clusters.filter((c) => c.deleteFault !== 'none').length +
          s.clusters.filter((c) => c.change !== 'none').length;
        const { h, clusters, specs, keepAlives, policy: p } = await seedOrg(s);
        const { violations } = watchDeletes(h, p, keepAlives, specs);
        changeMidRun(h, p, specs, keepAlives);
        if (s.storeFault !== 'none') h.stores.fail(s.storeFault, 'throttle', s.storeFaultTimes);

        const summary = await h.run('run', p, { dryRun: s.dryRun || s.requestDryRun || undefined });

        expect(violations).toEqual([]);
        const deleted = h.console.deleted;
        deletions += deleted.length;
        expect(deleted.length).toBeLessThanOrEqual(s.max);
        expect(new Set(deleted).size).toBe(deleted.length);
        if (s.dryRun || s.requestDryRun) {
          expect(h.console.calls.filter((c) => c.startsWith('deleteCluster'))).toEqual([]);
          expect(h.stores.calls['snapshots.save'] ?? 0).toBe(0);
          expect(summary.dryRun).toBe(true);
        }
        expectAccounted(summary, selectedIds(clusters));
      }),
      propertyParams(SINGLE_RUNS),
    );
    expect(deletions).toBeGreaterThan(0);
    reportRow({
      group: 'teardown safety',
      row: 'deletes only what the rules allow at delete time (faults, mid-run changes, dry runs)',
      cases: SINGLE_RUNS,
      faults,
      duplicates: 0,
      losses: 0,
    });
  });

  it(`two overlapping runs never delete a cluster twice or more than the cap (${OVERLAP_RUNS} nights)`, {
    timeout: 120_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        // Prepare
        const { h, clusters, specs, keepAlives, policy: p } = await seedOrg({ ...s, dryRun: false });
        const { violations } = watchDeletes(h, p, keepAlives, specs);
        // Act
        const [a, b] = await Promise.all([
          h.run('run', p, { key: 'teardown:run:a' }),
          h.run('run', p, { key: 'teardown:run:b' }),
        ]);
        // Assess
        expect(violations).toEqual([]);
        const deleted = h.console.deleted;
        expect(new Set(deleted).size).toBe(deleted.length);
        expect(deleted.length).toBeLessThanOrEqual(s.max);
        const doneA = new Set(a.clusters.filter((c) => c.status === 'done').map((c) => c.clusterId));
        expect(b.clusters.filter((c) => c.status === 'done' && doneA.has(c.clusterId))).toEqual([]);
        expectAccounted(a, selectedIds(clusters));
        expectAccounted(b, selectedIds(clusters));
      }),
      propertyParams(OVERLAP_RUNS),
    );
    reportRow({
      group: 'teardown safety',
      row: 'two overlapping teardown runs',
      cases: OVERLAP_RUNS,
      faults: OVERLAP_RUNS,
      duplicates: 0,
      losses: 0,
    });
  });

  it(`nights of teardown and recreate with faults and redeliveries never make a second cluster of a name (${NIGHT_RUNS} weeks)`, {
    timeout: 120_000,
  }, async () => {
    let recreated = 0;
    let faults = 0;
    await fc.assert(
      fc.asyncProperty(
        scenario,
        fc.array(fc.constantFrom('none', 'none', 'taken'), { minLength: 10, maxLength: 10 }),
        fc.integer({ min: 1, max: 3 }),
        async (s, squatters, nights) => {
          // Prepare
          const { clusters, specs } = buildOrg({ ...s, dryRun: false });
          faults += s.clusters.filter((c) => c.createFault !== 'none').length + nights;
          const h = harness(clusters);
          const p = orgPolicy({ ...s, dryRun: false }, clusters, specs, {
            protect: { ids: [], names: [], labels: [] },
            maxDeletionsPerRun: 50,
          });
          h.console.failCreate = createFaultsOnce(
            (name) =>
              [...specs.entries()].find(([id]) => clusters.find((c) => c.uuid === id)?.name === name)?.[1]
                .createFault,
          );
          // Act: each night a teardown (delivered twice), each morning a recreate redelivered until it succeeds.
          for (let night = 0; night < nights; night++) {
            const teardownKey = `teardown:run:night-${night}`;
            await h.run('run', p, { key: teardownKey });
            await h.run('run', p, { key: teardownKey });
            if (night === 0) {
              const snaps = await h.stores.snapshots.list(['deleted']);
              placeSquatters(h, snaps, squatters);
            }
            h.clock.advance(10 * HOUR);
            const owed = (await h.stores.snapshots.list([...ACTIVE])).map((snap) => snap.clusterId);
            const recreateKey = `teardown:recreate:morning-${night}`;
            for (let attempt = 0; attempt < 3; attempt++) {
              const summary = await h.run('recreate', p, { key: recreateKey });
              // Every attempt of the delivery accounts for every snapshot owed when the morning began.
              expect(summary.replayed ?? false).toBe(false);
              assertAccounted(summary, owed);
              if (!summary.failed) break;
            }
            for (const c of h.console.clusters.values()) c.status = { ready: 'Healthy' };
            await h.run('recreate', p, { key: `${recreateKey}:later` });
            h.clock.advance(14 * HOUR);
          }
          // Assess
          expect(h.console.duplicateCreates).toEqual([]);
          const names = new Map<string, number>();
          for (const c of h.console.clusters.values()) names.set(c.name, (names.get(c.name) ?? 0) + 1);
          const before = new Map<string, number>();
          for (const c of clusters) before.set(c.name, (before.get(c.name) ?? 0) + 1);
          // Never more clusters of a name than the org had (or one): a squatter's name is not recreated.
          for (const [name, n] of names)
            expect(n, name).toBeLessThanOrEqual(Math.max(1, before.get(name) ?? 0));
          for (const put of h.console.puts) expect(put.entries.length).toBeGreaterThan(0);
          recreated += h.console.created.length;
        },
      ),
      propertyParams(NIGHT_RUNS),
    );
    expect(recreated).toBeGreaterThan(0);
    reportRow({
      group: 'teardown safety',
      row: 'nights of teardown + recreate with create faults and redeliveries',
      cases: NIGHT_RUNS,
      faults,
      duplicates: 0,
      losses: 0,
    });
  });
});
