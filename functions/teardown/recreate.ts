// The morning recreate: brings back the clusters last night's teardown deleted, from their snapshots.
//
// Each snapshot moves 'deleted' → 'recreating' (conditional: one run wins) → 'recreated' (the cluster
// exists, `newClusterId` recorded) → 'done' (Healthy, allowlist re-applied), or to 'failed' with a note.
// Steps 1-2 (create, adopt, resume) are in recreate-cluster.ts, step 3 (allowlist, secrets, clients) in
// recreate-finish.ts; this module lists the snapshots, runs them and sends itself a follow-up while some
// are unfinished.

import type { TeardownPolicy } from '#lib/config/types.ts';
import { errorText, type RunScope } from '#lib/jobs/engine.ts';
import { detailOf, failed } from '#lib/jobs/outcomes.ts';
import type { ClusterSnapshot, UnreadableItem } from '#lib/jobs/ports.ts';
import type { ClusterOutcome } from '#lib/jobs/types.ts';
import { refusingLateDelivery } from './lateness.ts';
import type { TeardownDeps } from './plan.ts';
import { recreateOne } from './recreate-cluster.ts';
import { ACTIVE, recreateRun } from './recreate-run.ts';

export { READY_EVENT } from './recreate-finish.ts';
export { type ResolvedSpec, resolveSpec } from './recreate-spec.ts';

/** The follow-up request a recreate sends itself while clusters are unfinished. */
export const RECREATE_CONTINUATION = 'teardown.recreate';

export const runRecreate = refusingLateDelivery(async function recreate(deps, scope, policy) {
  const { snapshots } = deps;
  const only = scope.request.clusterIds ?? [];
  // An unreadable snapshot fails only its own cluster (reported below), the others proceed.
  const stored = await snapshots.listing(ACTIVE);
  const listed = stored.snapshots.filter(
    (s) =>
      ACTIVE.includes(s.status) &&
      (only.length === 0 ||
        only.includes(s.clusterId) ||
        (s.newClusterId !== undefined && only.includes(s.newClusterId))),
  );
  const run = recreateRun(deps, scope, policy);
  const clusters = await scope.forEachCluster(
    listed.map((s) => ({ clusterId: s.clusterId, clusterName: s.name, snapshot: s })),
    (item) => recreateOne(run, item.snapshot),
  );

  // Outcomes an earlier attempt of this delivery recorded for snapshots it finished (no longer listed):
  // the retried run's summary still accounts for them.
  const listedIds = new Set(listed.map((s) => s.clusterId));
  const earlierOnly = [...scope.previous.values()].filter((o) => !listedIds.has(o.clusterId));

  const notes: string[] = [];
  if (listed.length === 0 && earlierOnly.length === 0) notes.push('no snapshot to recreate');
  const open = clusters.filter(
    (c) =>
      c.status !== 'deferred' && c.detail?.allowlist === 'pending' && (snapshotEntries(listed, c) ?? 0) > 0,
  );
  if (open.length > 0) {
    notes.push(
      `${open.length} recreated cluster(s) not Healthy yet: their allowlist is re-applied by the next recreate run ` +
        `(until then they have none): ${open.map((c) => c.clusterName).join(', ')}`,
    );
  }
  if (scope.dryRun) notes.push('dry run: nothing created, no snapshot changed');
  const continued = scope.dryRun ? clusters : await continueUnfinished(deps, scope, policy, clusters, notes);
  const unreadable = only.length > 0 ? [] : stored.unreadable.map(unreadableSnapshotOutcome);
  return { clusters: [...continued, ...earlierOnly, ...unreadable], notes };
});

/** Still to finish by a later run: out of time, the allowlist not accepted yet, or not Healthy yet. */
export function isUnfinished(c: ClusterOutcome): boolean {
  return c.status === 'deferred' || c.detail?.allowlist === 'pending' || c.detail?.pending !== undefined;
}

/**
 * A run that leaves clusters unfinished sends itself a follow-up (`teardown.recreate` with
 * `payload.continuation`), at once rather than at a fixed later time, at most `maxContinuations` in a row.
 * Past the bound the unfinished clusters fail the run, so the alarm fires instead of a silent open cluster.
 */
async function continueUnfinished(
  deps: TeardownDeps,
  scope: RunScope,
  policy: TeardownPolicy,
  clusters: ClusterOutcome[],
  notes: string[],
): Promise<ClusterOutcome[]> {
  const unfinished = clusters.filter(isUnfinished);
  if (unfinished.length === 0) return clusters;
  const payload = (scope.request as { payload?: { continuation?: number } }).payload;
  const attempt = (payload?.continuation ?? 0) + 1;
  const bound = policy.recreate.maxContinuations;
  const names = unfinished.map((c) => c.clusterName).join(', ');
  if (attempt > bound) {
    const error =
      `still unfinished after ${bound} follow-up run(s) (teardown.recreate.maxContinuations): ` +
      'see the cluster in the Console and finish or delete it';
    notes.push(`follow-ups exhausted: ${names}`);
    return clusters.map((c) =>
      isUnfinished(c) && c.status !== 'failed' ? failed(c, error, detailOf(c)) : c,
    );
  }
  try {
    await deps.events.publish(RECREATE_CONTINUATION, { payload: { continuation: attempt } });
    notes.push(`follow-up ${attempt} of at most ${bound} sent for ${unfinished.length} unfinished: ${names}`);
  } catch (err) {
    deps.log.error('recreate follow-up not sent', { attempt, error: errorText(err) });
    notes.push(
      `follow-up ${attempt} could not be sent (${errorText(err)}); the follow-up schedule is the backstop`,
    );
  }
  return clusters;
}

function unreadableSnapshotOutcome(u: UnreadableItem): ClusterOutcome {
  return failed(
    { clusterId: `snapshot:${u.key}`, clusterName: u.key },
    `snapshot '${u.key}' is unreadable: ${u.reason}; not recreated (fix or delete the item)`,
  );
}

function snapshotEntries(listed: readonly ClusterSnapshot[], c: ClusterOutcome): number | undefined {
  return listed.find((s) => s.clusterId === c.clusterId)?.allowlist.length;
}
