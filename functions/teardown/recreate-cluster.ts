// Steps 1 and 2 of the recreate, per snapshot: check that no cluster has its name, resolve the create body,
// win the 'deleted' → 'recreating' transition, create, and record the new cluster ('recreated'); or pick up
// a snapshot an earlier run left half-way. A cluster is only ever created right after listing clusters and
// finding none with the snapshot's name, and never twice: a POST that may have been applied is answered by
// re-listing, never sent again.
import type { Cluster } from '#lib/console/client.ts';
import { ConsoleApiError } from '#lib/console/errors.ts';
import { errorText } from '#lib/jobs/engine.ts';
import { done, failed, type OutcomeDetail, skipped } from '#lib/jobs/outcomes.ts';
import type { ClusterSnapshot } from '#lib/jobs/ports.ts';
import type { ClusterOutcome } from '#lib/jobs/types.ts';
import { TeardownError } from './plan.ts';
import { finishCluster } from './recreate-finish.ts';
import {
  ACTIVE,
  isoNow,
  markFailed,
  move,
  type NewCluster,
  type RecreateRun,
  sameName,
  snapshotSubject,
} from './recreate-run.ts';
import { type ResolvedSpec, resolveSpec } from './recreate-spec.ts';

/** A 'recreating' snapshot without a recorded id adopts a same-named cluster created at most this long before it. */
const ADOPT_CLOCK_SKEW_MS = 5 * 60_000;

/** One listed snapshot, re-read under the run's claim on it, taken as far as this run can. */
export async function recreateOne(
  run: RecreateRun,
  listedSnapshot: ClusterSnapshot,
): Promise<ClusterOutcome> {
  const { snapshots } = run.deps;
  // Re-read under the claim: another run may have moved it since the listing.
  const s = await snapshots.get(listedSnapshot.name);
  if (!s || s.clusterId !== listedSnapshot.clusterId || !ACTIVE.includes(s.status)) {
    return skipped(
      snapshotSubject(listedSnapshot),
      `snapshot changed since listing (now ${s?.status ?? 'gone'})`,
    );
  }
  switch (s.status) {
    case 'deleted':
      return createCluster(run, s);
    case 'recreating':
      return resumeCluster(run, s);
    default: {
      if (s.newClusterId === undefined) {
        const note = 'recreated snapshot without a new cluster id';
        await markFailed(run, s, s.status, note);
        return failed(snapshotSubject(s), note);
      }
      return finishCluster(run, s, { newClusterId: s.newClusterId, createdNow: false, base: {} });
    }
  }
}

/** A cluster named like the snapshot exists and is not one we created: create nothing, say why. */
async function nameTaken(run: RecreateRun, s: ClusterSnapshot, existing: Cluster[]): Promise<ClusterOutcome> {
  const original = existing.some((c) => c.uuid === s.clusterId);
  const reason = original
    ? `a cluster named ${s.name} already exists (the original ${s.clusterId}: the teardown did not delete it)`
    : `a cluster named ${s.name} already exists`;
  await markFailed(run, s, s.status, reason);
  run.deps.log.warn('recreate skipped: name taken', { name: s.name, existing: existing.map((c) => c.uuid) });
  return skipped(snapshotSubject(s), reason, { existing: existing.map((c) => c.uuid) });
}

/** Steps 1 and 2 from a 'deleted' snapshot: check the name, resolve the spec, win the transition, create. */
async function createCluster(run: RecreateRun, s: ClusterSnapshot): Promise<ClusterOutcome> {
  const { deps, scope, policy } = run;
  const key = scope.delivery.idempotencyKey;
  const existing = await sameName(run, s);
  if (existing.length > 0) return nameTaken(run, s, existing);
  let spec: ResolvedSpec;
  try {
    spec = resolveSpec(s, await run.parameters(), policy.recreate);
  } catch (err) {
    if (!(err instanceof TeardownError)) throw err;
    await markFailed(run, s, 'deleted', `cannot recreate: ${err.message}`);
    return failed(snapshotSubject(s), `cannot recreate: ${err.message}`);
  }
  const base: OutcomeDetail = { ...spec.detail };
  if (scope.dryRun) return done(snapshotSubject(s), 'would-recreate-cluster', base);
  if (
    !(await move(run, s, 'deleted', {
      status: 'recreating',
      note: `create sent by ${key} at ${isoNow(run)}`,
    }))
  ) {
    return skipped(snapshotSubject(s), 'another run is recreating it');
  }
  const recreating: ClusterSnapshot = { ...s, status: 'recreating' };
  deps.log.info('recreating cluster', { name: s.name, generation: spec.detail.generation });
  let newClusterId: string;
  try {
    newClusterId = (await deps.console.createCluster(spec.body)).clusterId;
  } catch (err) {
    if (!(err instanceof ConsoleApiError) || !err.maybeApplied) {
      const note = `create refused: ${errorText(err)}`;
      await markFailed(run, recreating, 'recreating', note);
      return failed(snapshotSubject(s), note, base);
    }
    // The POST may have been applied: look, never send it again.
    const found = await appliedCreate(run, recreating, err, base);
    if ('outcome' in found) return found.outcome;
    base.adopted = 'the create answered an error but the cluster exists';
    newClusterId = found.newClusterId;
  }
  deps.log.info('cluster recreated', { name: s.name, newClusterId });
  return adoptCluster(run, recreating, { newClusterId, createdNow: true, base });
}

/**
 * A create that failed on the wire may have been applied: re-list by name. Exactly one new cluster of the
 * name is ours; none sends the snapshot back to 'deleted'; more than one, or a failed re-list, is reported.
 */
async function appliedCreate(
  run: RecreateRun,
  s: ClusterSnapshot,
  err: ConsoleApiError,
  base: OutcomeDetail,
): Promise<{ newClusterId: string } | { outcome: ClusterOutcome }> {
  const subject = snapshotSubject(s);
  let found: Cluster[];
  try {
    found = (await sameName(run, s)).filter((c) => c.uuid !== s.clusterId);
  } catch (listErr) {
    const error = `create outcome unknown (${errorText(err)}); re-listing failed (${errorText(listErr)}): left 'recreating' for the next run`;
    return { outcome: failed(subject, error, base) };
  }
  const [only, ...more] = found;
  if (!only) {
    await move(run, s, 'recreating', { status: 'deleted', note: `create not applied: ${errorText(err)}` });
    const error = `create failed and was not applied (no cluster named ${s.name}): ${errorText(err)}`;
    return { outcome: failed(subject, error, base) };
  }
  if (more.length > 0) {
    const error = `create outcome unclear: ${found.length} clusters named ${s.name} appeared`;
    return { outcome: failed(subject, error, { ...base, found: found.map((c) => c.uuid) }) };
  }
  return { newClusterId: only.uuid };
}

/** Records the new cluster ('recreating' → 'recreated') and goes on to step 3. */
async function adoptCluster(
  run: RecreateRun,
  s: ClusterSnapshot,
  created: NewCluster,
): Promise<ClusterOutcome> {
  const { newClusterId, base } = created;
  if (run.scope.dryRun) return finishCluster(run, s, created);
  let recorded: boolean;
  try {
    recorded = await move(run, s, 'recreating', { status: 'recreated', newClusterId });
  } catch (err) {
    // The next run finds it by name (created after the snapshot went 'recreating') and adopts it.
    return failed(
      snapshotSubject(s),
      `cluster ${newClusterId} created but not recorded in the snapshot: ${errorText(err)}`,
      {
        ...base,
        newClusterId,
      },
    );
  }
  if (!recorded)
    return skipped(snapshotSubject(s), 'the snapshot moved while recreating (another run?)', {
      ...base,
      newClusterId,
    });
  return finishCluster(run, { ...s, status: 'recreated', newClusterId }, created);
}

/** A 'recreating' snapshot an earlier run left behind. */
async function resumeCluster(run: RecreateRun, s: ClusterSnapshot): Promise<ClusterOutcome> {
  const { scope } = run;
  if (s.newClusterId !== undefined)
    return adoptCluster(run, s, { newClusterId: s.newClusterId, createdNow: false, base: { resumed: true } });
  const existing = await sameName(run, s);
  const [only, ...more] = existing;
  if (!only) {
    // The earlier create left no cluster: back to 'deleted', then the normal path (which lists again).
    if (scope.dryRun) return createCluster(run, { ...s, status: 'deleted' });
    if (
      !(await move(run, s, 'recreating', {
        status: 'deleted',
        note: `earlier create left no cluster (${isoNow(run)})`,
      }))
    ) {
      return skipped(snapshotSubject(s), 'another run is recreating it');
    }
    return createCluster(run, { ...s, status: 'deleted' });
  }
  const since = Date.parse(s.updatedAt) - ADOPT_CLOCK_SKEW_MS;
  const created = typeof only.created === 'string' ? Date.parse(only.created) : Number.NaN;
  if (more.length === 0 && only.uuid !== s.clusterId && Number.isFinite(created) && created >= since) {
    const base = { resumed: true, adopted: 'created by an earlier attempt (found by name)' };
    return adoptCluster(run, s, { newClusterId: only.uuid, createdNow: false, base });
  }
  return nameTaken(run, s, existing);
}
