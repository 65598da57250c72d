// What every step of one recreate run shares: its dependencies, scope and policy, the create parameters
// (read once, on first use), and the snapshot moves every step makes.
import type { TeardownPolicy } from '#lib/config/types.ts';
import type { Cluster, ClusterParameters } from '#lib/console/client.ts';
import type { RunScope } from '#lib/jobs/engine.ts';
import type { OutcomeDetail, OutcomeSubject } from '#lib/jobs/outcomes.ts';
import type { ClusterSnapshot, SnapshotStatus } from '#lib/jobs/ports.ts';
import type { TeardownDeps } from './plan.ts';

export interface RecreateRun {
  deps: TeardownDeps;
  scope: RunScope;
  policy: TeardownPolicy;
  /** `GET /clusters/parameters`, read at most once per run. */
  parameters: () => Promise<ClusterParameters>;
  /** Waits between two looks at a cluster (the deps' sleep, or a real timer). */
  sleep: (ms: number) => Promise<void>;
}

/** The cluster a snapshot was recreated as: its uuid, whether this run created it, the detail so far. */
export interface NewCluster {
  newClusterId: string;
  createdNow: boolean;
  base: OutcomeDetail;
}

/** The snapshots a recreate works on: deleted last night, or left half-way by an earlier run. */
export const ACTIVE: SnapshotStatus[] = ['deleted', 'recreating', 'recreated'];

export function recreateRun(deps: TeardownDeps, scope: RunScope, policy: TeardownPolicy): RecreateRun {
  let parameters: Promise<ClusterParameters> | undefined;
  return {
    deps,
    scope,
    policy,
    parameters: () => {
      parameters ??= deps.console.getParameters();
      return parameters;
    },
    sleep: deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
  };
}

/** The cluster a snapshot's outcome is about: the original cluster's id and the name it is recreated under. */
export function snapshotSubject(s: ClusterSnapshot): OutcomeSubject {
  return { clusterId: s.clusterId, clusterName: s.name };
}

export function isoNow(run: RecreateRun): string {
  return new Date(run.deps.clock.now()).toISOString();
}

/** Moves the snapshot from `from` (conditional); false when another run moved it first. */
export function move(
  run: RecreateRun,
  s: ClusterSnapshot,
  from: SnapshotStatus,
  change: Parameters<TeardownDeps['snapshots']['transition']>[2],
): Promise<boolean> {
  return run.deps.snapshots.transition(s.name, from, change, run.deps.clock.now());
}

/** Marks the snapshot failed (not in a dry run); the outcome is reported by the caller. */
export async function markFailed(
  run: RecreateRun,
  s: ClusterSnapshot,
  from: SnapshotStatus,
  note: string,
): Promise<void> {
  if (run.scope.dryRun) return;
  if (!(await move(run, s, from, { status: 'failed', note }))) {
    run.deps.log.warn('snapshot not marked failed: it moved', { name: s.name, from });
  }
}

/** The clusters the Console lists under the snapshot's name. */
export async function sameName(run: RecreateRun, s: ClusterSnapshot): Promise<Cluster[]> {
  return (await run.deps.console.listClusters()).filter((c) => c.name === s.name);
}
