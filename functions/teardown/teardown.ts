// The nightly teardown: deletes the planned clusters, each after a fresh re-read and re-check, and only
// after its spec is saved as a snapshot so the morning recreate can bring it back.
//
// Snapshot protocol (a crash may fall between any two steps):
//  1. save the snapshot with status 'deleted' and a note saying the delete is not confirmed yet;
//  2. DELETE the cluster;
//  3. confirm: move 'deleted' → 'deleted' with a note naming the run (best effort).
// A crash before 2 leaves a 'deleted' snapshot of a cluster that still exists: a retry of the same
// delivery re-plans and deletes it; otherwise the recreate lists clusters by name before creating,
// finds the original uuid still there, creates nothing and marks the snapshot 'failed' saying so.
// A crash after 2 leaves a correct 'deleted' snapshot. So a deleted cluster always has a snapshot
// the recreate will act on, and a stale 'deleted' snapshot is always caught and reported.

import type { Cluster } from '#lib/console/client.ts';
import type { RunBody } from '#lib/jobs/engine.ts';
import { done, skipped, subjectOf } from '#lib/jobs/outcomes.ts';
import type { ClusterSnapshot } from '#lib/jobs/ports.ts';
import type { ClusterOutcome } from '#lib/jobs/types.ts';
import { type DeletionRun, deleteCluster } from './delete-cluster.ts';
import { refusingLateDelivery } from './lateness.ts';
import { excludedOutcome, guardReason } from './notice.ts';
import { planTeardown, unreadableOutcome } from './plan.ts';
import { teardownWindowId } from './window.ts';

/**
 * What an earlier attempt of this delivery did to clusters this attempt does not work on (no longer
 * selected or listed), so the retry's summary accounts for them. A cluster the Console no longer lists
 * and whose snapshot was saved under this delivery was deleted by it: reported 'cluster-deleted' even when
 * the earlier attempt could not tell (its delete errored and the re-read failed) or died before recording.
 */
function earlierOutcomes(
  previous: ReadonlyMap<string, ClusterOutcome>,
  savedEarlier: ReadonlyMap<string, ClusterSnapshot>,
  workedOn: ReadonlySet<string>,
  listed: ReadonlySet<string>,
): ClusterOutcome[] {
  const gone = (id: string) => !listed.has(id) && savedEarlier.has(id);
  const confirmed = (id: string, name: string, extra: Record<string, unknown>): ClusterOutcome =>
    done({ clusterId: id, clusterName: name }, 'cluster-deleted', {
      snapshot: savedEarlier.get(id)?.name ?? name,
      ...extra,
      confirmedBy: 'no longer listed when this delivery was retried (snapshot saved by an earlier attempt)',
    });
  const out: ClusterOutcome[] = [];
  for (const o of previous.values()) {
    if (workedOn.has(o.clusterId)) continue;
    if (o.status === 'failed' && gone(o.clusterId)) {
      out.push(confirmed(o.clusterId, o.clusterName, { ...o.detail, earlierError: o.error }));
    } else {
      out.push(o);
    }
  }
  for (const [id, s] of savedEarlier) {
    if (previous.has(id) || workedOn.has(id) || !gone(id)) continue;
    out.push(confirmed(id, s.name, {}));
  }
  return out;
}

/** A guard refused the whole run: every candidate skipped with the reason, nothing deleted, the run fails. */
function refuseAll(
  reason: string,
  candidates: readonly Cluster[],
  others: ClusterOutcome[],
  notes: string[],
  dryRun: boolean,
): RunBody {
  notes.push(`${reason}: nothing deleted${dryRun ? ' (dry run)' : ''}`);
  return {
    clusters: [...candidates.map((c) => skipped(subjectOf(c), reason)), ...others],
    notes,
    failRun: true,
  };
}

export const runTeardown = refusingLateDelivery(async function teardown(deps, scope, policy, options = {}) {
  const { snapshots, teardownWindows: windows, clock, log } = deps;
  const key = scope.delivery.idempotencyKey;
  // The window's deletion budget is shared by every run and trigger; see window.ts.
  const windowId = teardownWindowId(clock.now(), options.timeZone ?? 'UTC', policy.windowStartHour);
  const windowLimit = policy.maxDeletionsPerWindow;
  const adHoc = scope.delivery.source !== 'schedule';
  const max =
    Number.isInteger(policy.maxDeletionsPerRun) && policy.maxDeletionsPerRun > 0
      ? policy.maxDeletionsPerRun
      : 0;

  const plan = await planTeardown(deps, policy, scope.request.clusterIds);
  const window = await windows.get(windowId);
  // An ad-hoc run (webhook, event, direct) deletes only what the window's scheduled notice listed, so a
  // held webhook secret cannot delete what nobody was told about.
  let candidates = plan.candidates;
  const unnoticed: ClusterOutcome[] = [];
  if (adHoc && policy.adHoc !== 'any-selected') {
    const noticed = new Set(window.noticed);
    const why =
      window.noticedAt === undefined
        ? 'no scheduled notice in this window'
        : `the notice at ${window.noticedAt} did not list it`;
    const reason =
      `not in the notice of teardown window ${windowId} (${why}); an ad-hoc run deletes only noticed ` +
      `clusters (teardown.adHoc is 'noticed-only')`;
    for (const c of candidates) if (!noticed.has(c.uuid)) unnoticed.push(skipped(subjectOf(c), reason));
    candidates = candidates.filter((c) => noticed.has(c.uuid));
  }
  const candidateIds = new Set(candidates.map((c) => c.uuid));
  const listedIds = new Set([
    ...candidateIds,
    ...unnoticed.map((o) => o.clusterId),
    ...plan.unreadable.map((e) => e.cluster.uuid),
    ...plan.excluded.map((e) => e.cluster.uuid),
  ]);

  // Deletions an earlier attempt of this delivery made (or may have made): recorded outcomes, and
  // snapshots saved under this key (one is saved right before every delete). They count against the cap.
  const deletedEarlier = new Set<string>();
  for (const [id, o] of scope.previous) {
    if (o.status === 'done' && o.action === 'cluster-deleted') deletedEarlier.add(id);
  }
  const savedEarlier = new Map<string, ClusterSnapshot>();
  // An unreadable snapshot cannot say which run saved it: reported, and the cluster of that name fails
  // below (its earlier snapshot cannot be read, so no new one is saved and it is not deleted).
  const stored = await snapshots.listing();
  for (const s of stored.snapshots) {
    if (s.teardownKey !== key) continue;
    deletedEarlier.add(s.clusterId);
    savedEarlier.set(s.clusterId, s);
  }
  for (const id of candidateIds) deletedEarlier.delete(id);

  const notes: string[] = [];
  const excluded = [
    ...plan.unreadable.map(unreadableOutcome),
    ...unnoticed,
    ...plan.excluded.map(excludedOutcome),
  ];
  if (stored.unreadable.length > 0) {
    notes.push(
      `${stored.unreadable.length} unreadable snapshot(s): ${stored.unreadable.map((u) => `${u.key} (${u.reason})`).join(', ')}`,
    );
  }
  const earlierOnly = earlierOutcomes(scope.previous, savedEarlier, listedIds, plan.listedIds);
  if (scope.previous.size > 0)
    notes.push(`retry of delivery ${key}: ${deletedEarlier.size} deletion(s) made earlier`);

  if (candidates.length + deletedEarlier.size > max) {
    const reason = guardReason(candidates.length, max, deletedEarlier.size);
    log.error('teardown blast-radius guard tripped', {
      candidates: candidates.length,
      deletedEarlier: deletedEarlier.size,
      maxDeletionsPerRun: max,
    });
    return refuseAll(reason, candidates, [...excluded, ...earlierOnly], notes, scope.dryRun);
  }

  // The window budget, checked whole before anything is deleted (the conditional reservation before each
  // DELETE below is what holds under concurrency). Reservations of this run's own candidates (a retry) are
  // not counted twice.
  const reservedElsewhere = window.reserved.filter((id) => !candidateIds.has(id)).length;
  if (candidates.length > 0 && candidates.length + reservedElsewhere > windowLimit) {
    const reason =
      `deletion budget of teardown window ${windowId}: ${candidates.length} candidates + ` +
      `${reservedElsewhere} already reserved > maxDeletionsPerWindow ${windowLimit}`;
    log.error('teardown window budget exhausted', {
      windowId,
      candidates: candidates.length,
      reserved: reservedElsewhere,
      maxDeletionsPerWindow: windowLimit,
    });
    return refuseAll(reason, candidates, [...excluded, ...earlierOnly], notes, scope.dryRun);
  }
  const run: DeletionRun = {
    deps,
    scope,
    policy,
    labelsByLineage: plan.labelsByLineage,
    windowId,
    max,
    slots: max - deletedEarlier.size,
    budgetUsedUp: false,
  };
  const worked = await scope.forEachCluster(
    candidates.map((c) => ({ clusterId: c.uuid, clusterName: c.name, cluster: c })),
    (item) => deleteCluster(run, item.cluster),
  );
  if (candidates.length === 0) notes.push('no cluster to tear down');
  if (scope.dryRun) notes.push('dry run: nothing deleted, no snapshot saved');
  if (run.budgetUsedUp) {
    notes.push(
      `deletion budget of teardown window ${windowId} (maxDeletionsPerWindow ${windowLimit}) used up by other runs: some clusters not deleted`,
    );
  }
  return {
    clusters: [...worked, ...excluded, ...earlierOnly],
    notes,
    ...(run.budgetUsedUp ? { failRun: true } : {}),
  };
});
