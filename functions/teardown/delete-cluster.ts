// One deletion of the nightly teardown: a fresh re-read and re-check of the planned cluster, one unit of
// the run's cap and of the window's budget, the snapshot saved, then the DELETE, confirmed in the snapshot.
// A DELETE that errors is followed by a re-read, never by a second DELETE.
import { matchesSelector } from '#lib/config/selector.ts';
import type { TeardownPolicy } from '#lib/config/types.ts';
import type { Cluster } from '#lib/console/client.ts';
import { errorText, type RunScope } from '#lib/jobs/engine.ts';
import { done, failed, type OutcomeDetail, skipped, subjectOf } from '#lib/jobs/outcomes.ts';
import type { ClusterSnapshot } from '#lib/jobs/ports.ts';
import type { ClusterOutcome } from '#lib/jobs/types.ts';
import {
  exclusionOf,
  type TeardownDeps,
  TeardownError,
  unreadableKeepAlive,
  withLineageLabels,
} from './plan.ts';
import { restorables, snapshotOf } from './snapshot.ts';

/** What the deletions of one teardown run share; `slots` and `budgetUsedUp` change as they go. */
export interface DeletionRun {
  deps: TeardownDeps;
  scope: RunScope;
  policy: TeardownPolicy;
  /** The plan's labels by lineage per cluster uuid: they select and protect a recreated cluster. */
  labelsByLineage: ReadonlyMap<string, string[]>;
  windowId: string;
  /** The per-run cap (`maxDeletionsPerRun`, 0 when unusable). */
  max: number;
  /** Deletions this run may still make; given back when a reserved one does not happen. */
  slots: number;
  /** Set when other runs used up the window's budget before this run could reserve. */
  budgetUsedUp: boolean;
}

/** The planned cluster as it is now, or why it is no longer to be deleted (re-read, re-judged). */
async function recheck(run: DeletionRun, planned: Cluster): Promise<Cluster | ClusterOutcome> {
  const { deps, policy } = run;
  const subject = subjectOf(planned);
  const live = await deps.console.getCluster(planned.uuid);
  if (!live) return skipped(subject, 'already gone');
  // A recreated cluster shows no labels: the ones of its lineage (the plan's) select and protect it.
  const fresh = withLineageLabels(live, run.labelsByLineage);
  if (fresh.name !== planned.name) return skipped(subject, `renamed to ${fresh.name} since planning`);
  if (!matchesSelector(fresh, policy.selector)) return skipped(subject, 'no longer selected');
  const now = deps.clock.now();
  const current = await deps.keepAlives.listing(now);
  const unreadable = unreadableKeepAlive(fresh, current.unreadable);
  if (unreadable !== undefined && !policy.protect.ids.includes(fresh.uuid))
    return failed(subject, unreadable);
  const exclusion = exclusionOf(fresh, policy, current.keepAlives, now);
  if (exclusion) return skipped(subject, exclusion.reason, exclusion.detail);
  return fresh;
}

/** One unit of the window's budget, reserved (conditional write) before anything else happens. */
async function reserveBudget(
  run: DeletionRun,
  planned: Cluster,
  fresh: Cluster,
): Promise<ClusterOutcome | undefined> {
  const { deps, policy, windowId } = run;
  const windowLimit = policy.maxDeletionsPerWindow;
  let reservation: { granted: boolean; reserved: number };
  try {
    reservation = await deps.teardownWindows.reserve(windowId, fresh.uuid, windowLimit, deps.clock.now());
  } catch (err) {
    run.slots += 1;
    throw new TeardownError(`deletion budget not reserved, cluster not deleted: ${errorText(err)}`, {
      cause: err,
    });
  }
  if (reservation.granted) return undefined;
  run.slots += 1;
  run.budgetUsedUp = true;
  return skipped(
    subjectOf(planned),
    `deletion budget of teardown window ${windowId} used up (${reservation.reserved} of maxDeletionsPerWindow ${windowLimit} reserved by other runs)`,
  );
}

/** Gives the reserved unit back (best effort): the cluster was not deleted. */
async function giveBack(run: DeletionRun, fresh: Cluster): Promise<void> {
  const { deps, windowId } = run;
  try {
    await deps.teardownWindows.release(windowId, fresh.uuid, deps.clock.now());
  } catch (err) {
    deps.log.warn('deletion budget not given back', { clusterId: fresh.uuid, error: errorText(err) });
  }
}

/** Saves the snapshot first; nothing is deleted without one (the reservation is given back). */
async function saveSnapshot(run: DeletionRun, fresh: Cluster): Promise<ClusterSnapshot> {
  const { deps, scope } = run;
  try {
    const key = scope.delivery.idempotencyKey;
    const snapshot = snapshotOf(fresh, key, deps.clock.now(), await deps.snapshots.get(fresh.name));
    Object.assign(snapshot, await restorables(deps, fresh));
    await deps.snapshots.save(snapshot);
    return snapshot;
  } catch (err) {
    run.slots += 1;
    await giveBack(run, fresh);
    if (err instanceof TeardownError) throw err;
    throw new TeardownError(`snapshot not saved, cluster not deleted: ${errorText(err)}`, { cause: err });
  }
}

/** Updates the snapshot's note (best effort): false when it could not. */
async function noteSnapshot(
  run: DeletionRun,
  snapshot: ClusterSnapshot,
  fresh: Cluster,
  note: string,
): Promise<boolean> {
  const { deps } = run;
  try {
    return await deps.snapshots.transition(
      snapshot.name,
      'deleted',
      { status: 'deleted', note },
      deps.clock.now(),
    );
  } catch (err) {
    deps.log.warn('snapshot note not updated', {
      clusterId: fresh.uuid,
      name: fresh.name,
      error: errorText(err),
    });
    return false;
  }
}

/** Deletes one planned cluster, re-checked first; throws a TeardownError when it must not be deleted. */
export async function deleteCluster(run: DeletionRun, planned: Cluster): Promise<ClusterOutcome> {
  const { deps, scope } = run;
  const { log } = deps;
  const key = scope.delivery.idempotencyKey;
  const subject = subjectOf(planned);
  const fresh = await recheck(run, planned);
  if (!('uuid' in fresh)) return fresh;

  const labels = fresh.labels ?? [];
  if (scope.dryRun) {
    return done(subject, 'would-delete-cluster', labels.length ? { labelsNotRestorable: labels } : undefined);
  }
  if (run.slots <= 0) return skipped(subject, `deletion cap of ${run.max} reached in this run`);
  run.slots -= 1;
  const refused = await reserveBudget(run, planned, fresh);
  if (refused) return refused;

  const snapshot = await saveSnapshot(run, fresh);
  const detail: OutcomeDetail = {
    snapshot: snapshot.name,
    allowlistEntries: snapshot.allowlist.length,
    connectorSecrets: snapshot.secrets?.names.length ?? 0,
    apiClients: snapshot.apiClients?.map((c) => c.name) ?? [],
    ...(snapshot.labels.length ? { labelsNotRestorable: snapshot.labels } : {}),
    ...(run.labelsByLineage.has(planned.uuid)
      ? { labelsByLineage: run.labelsByLineage.get(planned.uuid) }
      : {}),
  };
  if (snapshot.note?.includes('not visible')) detail.allowlist = 'not visible to this client: not restorable';

  log.info('deleting cluster', { clusterId: fresh.uuid, name: fresh.name, idempotencyKey: key });
  let outcome: 'deleted' | 'not-found';
  try {
    outcome = await deps.console.deleteCluster(fresh.uuid);
  } catch (err) {
    // Did it happen anyway? Re-read before deciding; the snapshot stays 'deleted' either way and the
    // recreate checks whether the original still exists before creating anything.
    let after: Cluster | undefined | 'unknown';
    try {
      after = await deps.console.getCluster(fresh.uuid);
    } catch {
      after = 'unknown';
    }
    if (after !== undefined) {
      if (after !== 'unknown') {
        run.slots += 1;
        await giveBack(run, fresh);
      }
      const state = after === 'unknown' ? 'delete outcome unknown' : 'cluster still exists';
      await noteSnapshot(run, snapshot, fresh, `delete failed (${state}): ${errorText(err)}`);
      log.error('cluster delete failed', {
        clusterId: fresh.uuid,
        name: fresh.name,
        state,
        error: errorText(err),
      });
      return failed(subjectOf(fresh), `delete failed (${state}): ${errorText(err)}`, detail);
    }
    outcome = 'deleted';
    detail.confirmedBy = 're-read after an error';
  }
  const note = `deleted by teardown ${key} at ${new Date(deps.clock.now()).toISOString()}`;
  if (!(await noteSnapshot(run, snapshot, fresh, note))) detail.snapshotConfirmed = false;
  if (outcome === 'not-found') {
    log.info('cluster already gone', { clusterId: fresh.uuid, name: fresh.name });
    return done(subject, 'already-gone', detail);
  }
  log.info('cluster deleted', { clusterId: fresh.uuid, name: fresh.name, idempotencyKey: key });
  return done(subject, 'cluster-deleted', detail);
}
