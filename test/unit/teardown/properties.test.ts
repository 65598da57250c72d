// Property checks over random orgs, policies, keep-alives and Console faults: what the teardown may
// never do, whatever the input. The oracle below restates the rules independently of plan.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Cluster } from '#lib/console/client.ts';
import {
  buildOrg,
  createFaultsOnce,
  DELETABLE,
  deleteFaults,
  type NAME_GLOBS,
  orgClusterFields,
  orgFields,
  placeSquatters,
  seedOrg,
} from '#test/fakes/teardown-orgs.ts';
import { harness, policy } from '#test/fakes/teardown-scenario.ts';

const clusterSpec = fc.record(orgClusterFields);
const scenario = fc.record(orgFields(clusterSpec));

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;
type Spec = Scenario['clusters'][number];

function matchesGlob(glob: (typeof NAME_GLOBS)[number], name: string): boolean {
  if (glob === 'dev-1*') return name.startsWith('dev-1');
  if (glob === 'dev-?') return name.length === 5 && name.startsWith('dev-');
  return name.startsWith('other-');
}

/** Why the oracle says this cluster must survive the night (undefined: it may be deleted). */
function mustSurvive(
  c: Cluster,
  spec: Spec,
  s: Scenario,
  nameCount: Map<string, number>,
): string | undefined {
  if (!spec.labels.includes('nightly-off')) return 'not selected';
  if (spec.protectById) return 'protected id';
  if (s.protectNames.some((g) => matchesGlob(g, c.name))) return 'protected name';
  if (spec.labels.some((l) => (s.protectLabels as string[]).includes(l))) return 'protected label';
  if (spec.ageHours === undefined || spec.ageHours < s.minAgeHours) return 'young';
  if (spec.keepAlive && spec.keepAlive.untilHours > 0) return 'kept alive';
  if (!DELETABLE.has(spec.status)) return 'status';
  if ((nameCount.get(c.name) ?? 0) > 1) return 'shared name';
  return undefined;
}

describe('teardown properties', () => {
  it('never deletes a protected, kept-alive or young cluster, never exceeds the cap, never deletes in a dry run', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        // Prepare
        const { h, clusters, specs, policy: p } = await seedOrg(s);
        h.console.failDelete = deleteFaults(specs);
        // A keep-alive by name covers every cluster of that name: the oracle treats the name as kept.
        const keptNames = new Set(
          clusters
            .filter(
              (c) =>
                (specs.get(c.uuid)?.keepAlive?.untilHours ?? 0) > 0 && specs.get(c.uuid)?.keepAlive?.byName,
            )
            .map((c) => c.name),
        );
        const nameCount = new Map<string, number>();
        for (const c of clusters) nameCount.set(c.name, (nameCount.get(c.name) ?? 0) + 1);
        const survivors = new Map<string, string>();
        for (const c of clusters) {
          const spec = specs.get(c.uuid);
          if (!spec) continue;
          const why =
            mustSurvive(c, spec, s, nameCount) ?? (keptNames.has(c.name) ? 'kept alive by name' : undefined);
          if (why) survivors.set(c.uuid, why);
        }
        const candidates = clusters.filter((c) => !survivors.has(c.uuid));

        // Act
        const summary = await h.run('run', p);

        // Assess
        const deleted = h.console.deleted;
        for (const id of deleted) expect(survivors.get(id), `deleted ${id}`).toBeUndefined();
        expect(deleted.length).toBeLessThanOrEqual(s.max);
        if (s.dryRun) {
          expect(h.console.calls.filter((c) => c.startsWith('deleteCluster'))).toEqual([]);
          expect(await h.stores.snapshots.list()).toEqual([]);
        }
        if (candidates.length > s.max) {
          expect(deleted).toEqual([]);
          expect(summary.failed).toBe(true);
        } else if (!s.dryRun) {
          // Every candidate whose delete was not refused is gone.
          const expected = candidates
            .filter((c) => specs.get(c.uuid)?.deleteFault !== 'refused')
            .map((c) => c.uuid);
          expect([...deleted].sort()).toEqual(expected.sort());
        }
        // A deleted cluster always has a snapshot the recreate will act on.
        for (const id of deleted) {
          const name = clusters.find((c) => c.uuid === id)?.name ?? '';
          expect(await h.stores.snapshots.get(name)).toMatchObject({ clusterId: id, status: 'deleted' });
        }
      }),
      { numRuns: 300 },
    );
  });

  it('recreate never creates a second cluster of a name, whatever the faults and however often it runs', async () => {
    await fc.assert(
      fc.asyncProperty(
        scenario,
        fc.array(fc.constantFrom('none', 'taken'), { minLength: 10, maxLength: 10 }),
        async (s, squatters) => {
          // Prepare: tear down live (no keep-alives, cap high enough), then maybe someone takes a name.
          const { clusters, specs } = buildOrg({ ...s, dryRun: false });
          const h = harness(clusters);
          const p = policy({ minAgeHours: s.minAgeHours, maxDeletionsPerRun: 50 });
          await h.run('run', p);
          const snapshots = await h.stores.snapshots.list(['deleted']);
          placeSquatters(h, snapshots, squatters);
          const faultOf = new Map(
            snapshots.map((snap) => [snap.name, specs.get(snap.clusterId)?.createFault ?? 'none']),
          );
          h.console.failCreate = createFaultsOnce((name) => faultOf.get(name));
          const namesBefore = new Map<string, number>();
          for (const c of h.console.clusters.values())
            namesBefore.set(c.name, (namesBefore.get(c.name) ?? 0) + 1);

          // Act: three mornings' worth of runs, clusters turning Healthy in between.
          for (let round = 0; round < 3; round++) {
            await h.run('recreate', p);
            for (const c of h.console.clusters.values()) c.status = { ready: 'Healthy' };
            h.clock.advance(10 * 60_000);
          }

          // Assess
          expect(h.console.duplicateCreates).toEqual([]);
          for (const snap of snapshots) {
            const applied = h.console.created.filter((b) => b.name === snap.name).length;
            expect(applied, snap.name).toBeLessThanOrEqual(1);
            expect(h.console.byName(snap.name).length, snap.name).toBeLessThanOrEqual(
              Math.max(1, namesBefore.get(snap.name) ?? 0),
            );
          }
          // Never an empty allowlist PUT.
          for (const put of h.console.puts) expect(put.entries.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 200 },
    );
  });
});
