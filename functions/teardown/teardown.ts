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

import { matchesSelector } from '#lib/config/selector.ts';
import type { TeardownPolicy } from '#lib/config/types.ts';
import type { Cluster } from '#lib/console/client.ts';
import { errorText, type RunBody, type RunScope } from '#lib/jobs/engine.ts';
import type { ClusterSnapshot } from '#lib/jobs/ports.ts';
import type { ClusterOutcome } from '#lib/jobs/types.ts';
import { lateDeliveryRefusal } from './lateness.ts';
import { excludedOutcome, guardReason } from './notice.ts';
import {
  allowlistOf,
  exclusionOf,
  planTeardown,
  type TeardownDeps,
  TeardownError,
  unreadableKeepAlive,
  unreadableOutcome,
  withLineageLabels,
} from './plan.ts';
import { teardownWindowId } from './window.ts';

export const NOTE_DELETE_PENDING = 'saved before the delete; delete not confirmed yet';

const ref = (r: { uuid: string; name: string }) => ({ uuid: r.uuid, name: r.name });

/** The snapshot of a cluster about to be deleted. Throws when the cluster lacks what a recreate needs. */
export function snapshotOf(
  cluster: Cluster,
  teardownKey: string,
  now: number,
  earlier: ClusterSnapshot | undefined,
): ClusterSnapshot {
  const { planType, region, channel, generation } = cluster;
  const missing = Object.entries({ planType, region, channel, generation })
    .filter(([, v]) => typeof v?.uuid !== 'string' || typeof v.name !== 'string')
    .map(([k]) => k);
  if (!planType || !region || !channel || !generation || missing.length > 0) {
    throw new TeardownError(
      `cannot snapshot cluster ${cluster.name}: ${missing.join(', ')} missing; not deleted`,
    );
  }
  const at = new Date(now).toISOString();
  const seen = allowlistOf(cluster);
  // A cluster a recreate brought back has no labels (the API cannot set them) and, until the recreate
  // re-applied it, not its allowlist: keep what the earlier snapshot of its lineage knew. A recreate
  // that crashed before recording the new id counts as the same lineage when the cluster shows no rules.
  const unrecorded =
    earlier !== undefined &&
    earlier.status === 'recreating' &&
    earlier.newClusterId === undefined &&
    earlier.clusterId !== cluster.uuid &&
    seen.entries.length === 0;
  const sameLineage = earlier !== undefined && (earlier.newClusterId === cluster.uuid || unrecorded);
  const allowlistPending = sameLineage && (earlier.status === 'recreating' || earlier.status === 'recreated');
  const labels = cluster.labels?.length ? [...cluster.labels] : sameLineage ? [...earlier.labels] : [];
  const snapshot: ClusterSnapshot = {
    clusterId: cluster.uuid,
    name: cluster.name,
    labels,
    planType: ref(planType),
    region: ref(region),
    channel: ref(channel),
    generation: ref(generation),
    allowlist: allowlistPending ? earlier.allowlist.map((e) => ({ ...e })) : seen.entries,
    takenAt: at,
    teardownKey,
    status: 'deleted',
    note: seen.visible ? NOTE_DELETE_PENDING : `${NOTE_DELETE_PENDING}; allowlist not visible to this client`,
    updatedAt: at,
  };
  if (cluster.description !== undefined) snapshot.description = cluster.description;
  if (cluster.backupRegion) snapshot.backupRegion = ref(cluster.backupRegion);
  return snapshot;
}

/** Connector-secret values are sealed under this purpose (part of the encryption context). */
export const SECRETS_PURPOSE = 'teardown-connector-secrets';

/**
 * What the API lets a recreate bring back besides the create fields: autoUpdate, the encryption type,
 * connector secrets (values sealed at once, never held in a log or an error) and API clients (names and
 * permissions). Throws a TeardownError (the cluster is then not deleted) when any of it cannot be read or
 * kept safely.
 */
async function restorables(deps: TeardownDeps, cluster: Cluster): Promise<Partial<ClusterSnapshot>> {
  const out: Partial<ClusterSnapshot> = {};
  if (typeof cluster.autoUpdate === 'boolean') out.autoUpdate = cluster.autoUpdate;
  if (typeof cluster.encryption?.type === 'string') out.encryptionType = cluster.encryption.type;
  let values: Record<string, string>;
  let clients: Awaited<ReturnType<TeardownDeps['console']['listApiClients']>>;
  try {
    values = await deps.console.getSecrets(cluster.uuid);
    clients = await deps.console.listApiClients(cluster.uuid);
  } catch (err) {
    throw new TeardownError(
      `cannot read the connector secrets and API clients of ${cluster.name}, so a recreate could not bring them back: not deleted (${errorText(err)})`,
      { cause: err },
    );
  }
  const names = Object.keys(values).sort();
  if (names.length > 0) {
    if (!deps.sealer) {
      throw new TeardownError(
        `${cluster.name} has ${names.length} connector secret(s) and no sealer is configured to keep them encrypted: not deleted`,
      );
    }
    const sealedFor = { clusterId: cluster.uuid, clusterName: cluster.name };
    const sealed = await deps.sealer.seal(JSON.stringify(values), { ...sealedFor, purpose: SECRETS_PURPOSE });
    out.secrets = { names, sealed, sealedFor };
  }
  out.apiClients = clients.map((c) => ({ name: c.name, permissions: [...(c.permissions ?? [])] }));
  return out;
}

function skipped(
  c: { uuid: string; name: string },
  reason: string,
  detail?: Record<string, unknown>,
): ClusterOutcome {
  return { clusterId: c.uuid, clusterName: c.name, status: 'skipped', reason, ...(detail ? { detail } : {}) };
}

function done(
  c: { uuid: string; name: string },
  action: string,
  detail?: Record<string, unknown>,
): ClusterOutcome {
  return { clusterId: c.uuid, clusterName: c.name, status: 'done', action, ...(detail ? { detail } : {}) };
}

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
    done({ uuid: id, name }, 'cluster-deleted', {
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

export async function runTeardown(
  deps: TeardownDeps,
  scope: RunScope,
  policy: TeardownPolicy,
  options: { timeZone?: string } = {},
): Promise<RunBody> {
  if (!policy.enabled) return { clusters: [], notes: ['teardown is disabled in the policy; nothing done'] };
  const late = lateDeliveryRefusal(scope, policy, deps.clock.now());
  if (late) return late;
  const { console: api, snapshots, keepAlives, teardownWindows: windows, clock, log } = deps;
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
    for (const c of candidates) if (!noticed.has(c.uuid)) unnoticed.push(skipped(c, reason));
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
    notes.push(`${reason}: nothing deleted${scope.dryRun ? ' (dry run)' : ''}`);
    return {
      clusters: [...candidates.map((c) => skipped(c, reason)), ...excluded, ...earlierOnly],
      notes,
      failRun: true,
    };
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
    notes.push(`${reason}: nothing deleted${scope.dryRun ? ' (dry run)' : ''}`);
    return {
      clusters: [...candidates.map((c) => skipped(c, reason)), ...excluded, ...earlierOnly],
      notes,
      failRun: true,
    };
  }
  let budgetUsedUp = false;

  let slots = max - deletedEarlier.size;

  const deleteOne = async (planned: Cluster): Promise<ClusterOutcome> => {
    const live = await api.getCluster(planned.uuid);
    if (!live) return skipped(planned, 'already gone');
    // A recreated cluster shows no labels: the ones of its lineage (the plan's) select and protect it.
    const fresh = withLineageLabels(live, plan.labelsByLineage);
    if (fresh.name !== planned.name) return skipped(planned, `renamed to ${fresh.name} since planning`);
    if (!matchesSelector(fresh, policy.selector)) return skipped(planned, 'no longer selected');
    const now = clock.now();
    const current = await keepAlives.listing(now);
    const unreadable = unreadableKeepAlive(fresh, current.unreadable);
    if (unreadable !== undefined && !policy.protect.ids.includes(fresh.uuid)) {
      return { clusterId: planned.uuid, clusterName: planned.name, status: 'failed', error: unreadable };
    }
    const exclusion = exclusionOf(fresh, policy, current.keepAlives, now);
    if (exclusion) return skipped(planned, exclusion.reason, exclusion.detail);

    const labels = fresh.labels ?? [];
    if (scope.dryRun) {
      return done(
        planned,
        'would-delete-cluster',
        labels.length ? { labelsNotRestorable: labels } : undefined,
      );
    }
    if (slots <= 0) return skipped(planned, `deletion cap of ${max} reached in this run`);
    slots -= 1;

    // One unit of the window's budget, reserved (conditional write) before anything else happens.
    let reservation: { granted: boolean; reserved: number };
    try {
      reservation = await windows.reserve(windowId, fresh.uuid, windowLimit, clock.now());
    } catch (err) {
      slots += 1;
      throw new TeardownError(`deletion budget not reserved, cluster not deleted: ${errorText(err)}`, {
        cause: err,
      });
    }
    if (!reservation.granted) {
      slots += 1;
      budgetUsedUp = true;
      return skipped(
        planned,
        `deletion budget of teardown window ${windowId} used up (${reservation.reserved} of maxDeletionsPerWindow ${windowLimit} reserved by other runs)`,
      );
    }
    const giveBack = async () => {
      try {
        await windows.release(windowId, fresh.uuid, clock.now());
      } catch (err) {
        log.warn('deletion budget not given back', { clusterId: fresh.uuid, error: errorText(err) });
      }
    };

    let snapshot: ClusterSnapshot;
    try {
      snapshot = snapshotOf(fresh, key, clock.now(), await snapshots.get(fresh.name));
      Object.assign(snapshot, await restorables(deps, fresh));
      await snapshots.save(snapshot);
    } catch (err) {
      slots += 1;
      await giveBack();
      if (err instanceof TeardownError) throw err;
      throw new TeardownError(`snapshot not saved, cluster not deleted: ${errorText(err)}`, { cause: err });
    }
    const detail: Record<string, unknown> = {
      snapshot: snapshot.name,
      allowlistEntries: snapshot.allowlist.length,
      connectorSecrets: snapshot.secrets?.names.length ?? 0,
      apiClients: snapshot.apiClients?.map((c) => c.name) ?? [],
      ...(snapshot.labels.length ? { labelsNotRestorable: snapshot.labels } : {}),
      ...(plan.labelsByLineage.has(planned.uuid)
        ? { labelsByLineage: plan.labelsByLineage.get(planned.uuid) }
        : {}),
    };
    if (snapshot.note?.includes('not visible'))
      detail.allowlist = 'not visible to this client: not restorable';

    const noteSnapshot = async (note: string): Promise<boolean> => {
      try {
        return await snapshots.transition(snapshot.name, 'deleted', { status: 'deleted', note }, clock.now());
      } catch (err) {
        log.warn('snapshot note not updated', {
          clusterId: fresh.uuid,
          name: fresh.name,
          error: errorText(err),
        });
        return false;
      }
    };

    log.info('deleting cluster', { clusterId: fresh.uuid, name: fresh.name, idempotencyKey: key });
    let outcome: 'deleted' | 'not-found';
    try {
      outcome = await api.deleteCluster(fresh.uuid);
    } catch (err) {
      // Did it happen anyway? Re-read before deciding; the snapshot stays 'deleted' either way and the
      // recreate checks whether the original still exists before creating anything.
      let after: Cluster | undefined | 'unknown';
      try {
        after = await api.getCluster(fresh.uuid);
      } catch {
        after = 'unknown';
      }
      if (after === undefined) {
        outcome = 'deleted';
        detail.confirmedBy = 're-read after an error';
      } else {
        if (after !== 'unknown') {
          slots += 1;
          await giveBack();
        }
        const state = after === 'unknown' ? 'delete outcome unknown' : 'cluster still exists';
        await noteSnapshot(`delete failed (${state}): ${errorText(err)}`);
        log.error('cluster delete failed', {
          clusterId: fresh.uuid,
          name: fresh.name,
          state,
          error: errorText(err),
        });
        return {
          clusterId: fresh.uuid,
          clusterName: fresh.name,
          status: 'failed',
          error: `delete failed (${state}): ${errorText(err)}`,
          detail,
        };
      }
    }
    const confirmed = await noteSnapshot(
      `deleted by teardown ${key} at ${new Date(clock.now()).toISOString()}`,
    );
    if (!confirmed) detail.snapshotConfirmed = false;
    if (outcome === 'not-found') {
      log.info('cluster already gone', { clusterId: fresh.uuid, name: fresh.name });
      return done(planned, 'already-gone', detail);
    }
    log.info('cluster deleted', { clusterId: fresh.uuid, name: fresh.name, idempotencyKey: key });
    return done(planned, 'cluster-deleted', detail);
  };

  const worked = await scope.forEachCluster(
    candidates.map((c) => ({ clusterId: c.uuid, clusterName: c.name, cluster: c })),
    (item) => deleteOne(item.cluster),
  );
  if (candidates.length === 0) notes.push('no cluster to tear down');
  if (scope.dryRun) notes.push('dry run: nothing deleted, no snapshot saved');
  if (budgetUsedUp) {
    notes.push(
      `deletion budget of teardown window ${windowId} (maxDeletionsPerWindow ${windowLimit}) used up by other runs: some clusters not deleted`,
    );
  }
  return {
    clusters: [...worked, ...excluded, ...earlierOnly],
    notes,
    ...(budgetUsedUp ? { failRun: true } : {}),
  };
}
