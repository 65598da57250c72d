// Random orgs for the teardown property and safety tests: the fast-check fields of a generated cluster and
// policy, how they become Console clusters, keep-alives and policies on a teardown scenario, and the Console
// faults they ask for. test/unit/teardown/properties.test.ts and test/unit/safety/teardown-safety.test.ts
// extend these fields with their own (mid-run changes, store faults) and keep their oracles to themselves.
import fc from 'fast-check';
import type { TeardownPolicy } from '#lib/config/types.ts';
import type { Cluster, ClusterStatus, CreateClusterBody } from '#lib/console/client.ts';
import type { KeepAlive } from '#lib/jobs/ports.ts';
import { apiError, type FakeFault } from '#test/fakes/console.ts';
import { cluster, type Harness, HOUR, harness, NOW, policy, REF } from '#test/fakes/teardown-scenario.ts';

export const STATUSES: ClusterStatus[] = [
  'Creating',
  'Healthy',
  'Unhealthy',
  'Updating',
  'Resuming',
  'Suspended',
  'WaitingForInput',
  'Maintenance',
];
export const DELETABLE = new Set<ClusterStatus>(['Healthy', 'Unhealthy', 'Suspended']);
export const NAME_GLOBS = ['dev-1*', 'dev-?', 'other-*'] as const;

/** The fields of one generated cluster: name number, labels, status, age, protection, keep-alive, faults. */
export const orgClusterFields = {
  n: fc.integer({ min: 0, max: 14 }),
  labels: fc.subarray(['nightly-off', 'keep', 'team']),
  status: fc.constantFrom(...STATUSES),
  ageHours: fc.option(fc.integer({ min: 0, max: 120 }), { nil: undefined }),
  protectById: fc.boolean(),
  keepAlive: fc.option(
    fc.record({ byName: fc.boolean(), untilHours: fc.integer({ min: -6, max: 20 }).filter((h) => h !== 0) }),
    { nil: undefined },
  ),
  allowlist: fc.boolean(),
  deleteFault: fc.constantFrom('none', 'none', 'none', 'refused', 'applied-then-error'),
  createFault: fc.constantFrom('none', 'none', 'maybe-applied', 'maybe-not-applied', 'refused'),
};

/** The fields of a generated policy, around the given cluster arbitrary. */
export function orgFields<Spec>(clusterSpec: fc.Arbitrary<Spec>) {
  return {
    clusters: fc.array(clusterSpec, { minLength: 0, maxLength: 10 }),
    minAgeHours: fc.integer({ min: 0, max: 72 }),
    max: fc.integer({ min: 0, max: 8 }),
    protectNames: fc.subarray([...NAME_GLOBS]),
    protectLabels: fc.subarray(['keep', 'team']),
    dryRun: fc.boolean(),
  };
}

type FieldValues<F> = { [K in keyof F]: F[K] extends fc.Arbitrary<infer T> ? T : never };
export type OrgSpec = FieldValues<typeof orgClusterFields>;
export type OrgScenario<Spec extends OrgSpec = OrgSpec> = Omit<
  FieldValues<ReturnType<typeof orgFields<Spec>>>,
  'clusters'
> & { clusters: Spec[] };

/** The Console clusters of a scenario (uuid `c-<index>`), and each one's spec by uuid. */
export function buildOrg<Spec extends OrgSpec>(
  s: OrgScenario<Spec>,
): { clusters: Cluster[]; specs: Map<string, Spec> } {
  const clusters: Cluster[] = [];
  const specs = new Map<string, Spec>();
  s.clusters.forEach((spec, i) => {
    const uuid = `c-${i}`;
    specs.set(uuid, spec);
    clusters.push(
      cluster(`dev-${spec.n}`, {
        uuid,
        labels: spec.labels,
        ready: spec.status,
        created: spec.ageHours === undefined ? undefined : new Date(NOW - spec.ageHours * HOUR).toISOString(),
        planType: { ...REF.enterprise },
        ...(spec.allowlist ? { ipallowlist: [{ description: `rule ${i}`, ip: `10.0.${i}.0/24` }] } : {}),
      }),
    );
  });
  return { clusters, specs };
}

/** The scenario's policy: its dry run, age, cap and protections (ids from the specs that ask for it). */
export function orgPolicy<Spec extends OrgSpec>(
  s: OrgScenario<Spec>,
  clusters: Cluster[],
  specs: Map<string, Spec>,
  overrides: Partial<TeardownPolicy> = {},
): TeardownPolicy {
  return policy({
    dryRun: s.dryRun,
    minAgeHours: s.minAgeHours,
    maxDeletionsPerRun: s.max,
    protect: {
      ids: clusters.filter((c) => specs.get(c.uuid)?.protectById).map((c) => c.uuid),
      names: s.protectNames,
      labels: s.protectLabels,
    },
    ...overrides,
  });
}

/** Stores the keep-alives the specs ask for and returns them (an oracle must not read the store under test). */
export async function seedKeepAlives(
  h: Harness,
  clusters: Cluster[],
  specs: Map<string, OrgSpec>,
): Promise<KeepAlive[]> {
  const out: KeepAlive[] = [];
  for (const c of clusters) {
    const k = specs.get(c.uuid)?.keepAlive;
    if (!k) continue;
    const keepAlive: KeepAlive = {
      cluster: k.byName ? c.name : c.uuid,
      until: new Date(NOW + k.untilHours * HOUR).toISOString(),
      by: 'owner',
      reason: 'property',
      setAt: new Date(NOW - 7 * HOUR).toISOString(),
    };
    await h.stores.keepAlives.put(keepAlive);
    out.push(keepAlive);
  }
  return out;
}

/**
 * A scenario's org ready to run: a harness around its clusters with their keep-alives stored, and its policy
 * (`overrides` on top, as in orgPolicy).
 */
export async function seedOrg<Spec extends OrgSpec>(
  s: OrgScenario<Spec>,
  overrides: Partial<TeardownPolicy> = {},
): Promise<{
  h: Harness;
  clusters: Cluster[];
  specs: Map<string, Spec>;
  keepAlives: KeepAlive[];
  policy: TeardownPolicy;
}> {
  const { clusters, specs } = buildOrg(s);
  const h = harness(clusters);
  const keepAlives = await seedKeepAlives(h, clusters, specs);
  return { h, clusters, specs, keepAlives, policy: orgPolicy(s, clusters, specs, overrides) };
}

/** The Console's answer to each DELETE, as the cluster's spec asks (refused, or applied and then an error). */
export function deleteFaults(specs: Map<string, OrgSpec>): (clusterId: string) => FakeFault | undefined {
  return (id) => {
    const kind = specs.get(id)?.deleteFault;
    if (kind === 'refused')
      return { error: apiError('DELETE /clusters/{clusterUuid}', { status: 500 }), applied: false };
    if (kind === 'applied-then-error')
      return { error: apiError('DELETE /clusters/{clusterUuid}'), applied: true };
    return undefined;
  };
}

/** The Console's answer to the first create of each name, as `faultOf(name)` asks; later creates succeed. */
export function createFaultsOnce(
  faultOf: (name: string) => OrgSpec['createFault'] | undefined,
): (body: CreateClusterBody) => FakeFault | undefined {
  const faulted = new Set<string>();
  return (body) => {
    const kind = faultOf(body.name) ?? 'none';
    if (kind === 'none' || faulted.has(body.name)) return undefined;
    faulted.add(body.name);
    if (kind === 'refused') return { error: apiError('POST /clusters', { status: 400 }), applied: false };
    return {
      error: apiError('POST /clusters', { status: 503, maybeApplied: true }),
      applied: kind === 'maybe-applied',
    };
  };
}

/** Someone else takes the name of each deleted cluster whose squatter slot says 'taken'. */
export function placeSquatters(h: Harness, snapshots: Array<{ name: string }>, squatters: string[]): void {
  snapshots.forEach((snap, i) => {
    if (squatters[i] === 'taken')
      h.console.clusters.set(`squat-${i}`, cluster(snap.name, { uuid: `squat-${i}`, labels: [] }));
  });
}
