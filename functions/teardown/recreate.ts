// The morning recreate: brings back the clusters last night's teardown deleted, from their snapshots.
//
// Each snapshot moves 'deleted' → 'recreating' (conditional: one run wins) → 'recreated' (the cluster
// exists, `newClusterId` recorded) → 'done' (Healthy, allowlist re-applied), or to 'failed' with a note.
// A cluster is only ever created right after listing clusters and finding none with the snapshot's
// name, and never twice in one run: a POST that may have been applied is answered by re-listing.

import { globToRegExp } from '#lib/config/selector.ts';
import type { TeardownPolicy } from '#lib/config/types.ts';
import type { Cluster, ClusterParameters, CreateClusterBody } from '#lib/console/client.ts';
import { ConsoleApiError } from '#lib/console/errors.ts';
import { errorText, type RunBody, type RunScope } from '#lib/jobs/engine.ts';
import type { ClusterSnapshot, SnapshotStatus, UnreadableItem } from '#lib/jobs/ports.ts';
import type { ClusterOutcome } from '#lib/jobs/types.ts';
import { unsafeTextProblem } from '#lib/text/unsafe.ts';
import { lateDeliveryRefusal } from './lateness.ts';
import { type TeardownDeps, TeardownError } from './plan.ts';
import { restoreClients, restoreSecrets, writeAllowlist } from './restore.ts';

/** Published on the bus once a recreated cluster is finished: old → new uuid and secret names, never values. */
export const READY_EVENT = 'teardown.cluster.ready';
/** The follow-up request a recreate sends itself while clusters are unfinished. */
export const RECREATE_CONTINUATION = 'teardown.recreate';

const ACTIVE: SnapshotStatus[] = ['deleted', 'recreating', 'recreated'];
/** A 'recreating' snapshot without a recorded id adopts a same-named cluster created at most this long before it. */
const ADOPT_CLOCK_SKEW_MS = 5 * 60_000;

export interface ResolvedSpec {
  body: CreateClusterBody;
  detail: {
    generation: string;
    generationFallback?: { snapshot: string; used: string; why: string };
    labelsNotRestorable?: string[];
    encryption?: string;
  };
}

/** The create body for a snapshot, from the current `GET /clusters/parameters`. Throws a TeardownError when it cannot be built. */
export function resolveSpec(
  s: ClusterSnapshot,
  p: ClusterParameters,
  recreate?: TeardownPolicy['recreate'],
): ResolvedSpec {
  const byRef = <T extends { uuid: string; name: string }>(
    list: readonly T[] | undefined,
    r: { uuid: string; name: string },
  ) => (list ?? []).find((x) => x.uuid === r.uuid) ?? (list ?? []).find((x) => x.name === r.name);
  // A name or description with bidi, control or invisible characters is not written to the Console.
  for (const [field, value] of [
    ['name', s.name],
    ['description', s.description ?? ''],
  ] as const) {
    const unsafe = unsafeTextProblem(value);
    if (unsafe !== undefined) throw new TeardownError(`the snapshot's ${field} ${unsafe}: not recreated`);
  }
  const plan = byRef(p.clusterPlanTypes, s.planType);
  if (!plan) throw new TeardownError(`plan type ${s.planType.name} is no longer offered`);
  const region = byRef(p.regions, s.region);
  if (!region) throw new TeardownError(`region ${s.region.name} is no longer offered`);
  const channel = byRef(p.channels, s.channel);
  if (!channel) throw new TeardownError(`channel ${s.channel.name} is no longer offered`);
  const allowed = byRef(channel.allowedGenerations, s.generation);
  const generation = allowed ?? channel.defaultGeneration;
  if (!generation?.uuid) {
    throw new TeardownError(
      `generation ${s.generation.name} is not allowed in ${channel.name}, which has no default`,
    );
  }
  const body: CreateClusterBody = {
    name: s.name,
    planTypeId: plan.uuid,
    channelId: channel.uuid,
    generationId: generation.uuid,
    regionId: region.uuid,
  };
  if (s.description !== undefined && s.description !== '') body.description = s.description;
  if (s.backupRegion) {
    const wanted = s.backupRegion;
    const offered = (region.backups ?? []).flatMap((b) => b.regions ?? []);
    const match = offered.find((r) => r.id === wanted.uuid) ?? offered.find((r) => r.label === wanted.name);
    // Never move backups elsewhere silently (data residency): refuse instead.
    if (!match)
      throw new TeardownError(`backup region ${wanted.name} is no longer offered for ${region.name}`);
    body.backupRegionId = match.id;
  }
  const detail: ResolvedSpec['detail'] = { generation: generation.name };
  if (!allowed) {
    detail.generationFallback = {
      snapshot: s.generation.name,
      used: generation.name,
      why: `${s.generation.name} is no longer allowed in channel ${channel.name}: its default generation is used`,
    };
  }
  if (s.labels.length > 0) detail.labelsNotRestorable = [...s.labels];
  if (typeof s.autoUpdate === 'boolean') body.autoUpdate = s.autoUpdate;
  if (s.encryptionType !== undefined) {
    if (s.encryptionType === 'External') {
      const as = recreate?.externalEncryptionAs;
      if (as === undefined) throw new TeardownError('encryption External cannot be recreated');
      body.encryption = as;
      detail.encryption = `External recreated as ${as} (teardown.recreate.externalEncryptionAs)`;
    } else if (['Software', 'Hardware', 'Provider'].includes(s.encryptionType)) {
      body.encryption = s.encryptionType as 'Software' | 'Hardware' | 'Provider';
    }
  }
  const stage = recreate?.stageLabels.find((e) => e.names.some((g) => globToRegExp(g).test(s.name)));
  if (stage) body.stageLabel = stage.stageLabel;
  return { body, detail };
}

export async function runRecreate(
  deps: TeardownDeps,
  scope: RunScope,
  policy: TeardownPolicy,
): Promise<RunBody> {
  if (!policy.recreate.enabled) {
    return {
      clusters: [],
      notes: ['recreate is disabled (teardown.recreate.enabled is false); nothing done'],
    };
  }
  const late = lateDeliveryRefusal(scope, policy, deps.clock.now());
  if (late) return late;
  const { console: api, snapshots, clock, log } = deps;
  const key = scope.delivery.idempotencyKey;
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
  let parameters: Promise<ClusterParameters> | undefined;
  const params = () => {
    parameters ??= api.getParameters();
    return parameters;
  };
  const iso = () => new Date(clock.now()).toISOString();

  const outcome = {
    done: (s: ClusterSnapshot, action: string, detail?: Record<string, unknown>): ClusterOutcome => ({
      clusterId: s.clusterId,
      clusterName: s.name,
      status: 'done',
      action,
      ...(detail ? { detail } : {}),
    }),
    skipped: (s: ClusterSnapshot, reason: string, detail?: Record<string, unknown>): ClusterOutcome => ({
      clusterId: s.clusterId,
      clusterName: s.name,
      status: 'skipped',
      reason,
      ...(detail ? { detail } : {}),
    }),
    failed: (s: ClusterSnapshot, error: string, detail?: Record<string, unknown>): ClusterOutcome => ({
      clusterId: s.clusterId,
      clusterName: s.name,
      status: 'failed',
      error,
      ...(detail ? { detail } : {}),
    }),
  };

  const move = (
    s: ClusterSnapshot,
    from: SnapshotStatus,
    change: Parameters<typeof snapshots.transition>[2],
  ) => snapshots.transition(s.name, from, change, clock.now());

  /** Marks the snapshot failed (not in a dry run); the outcome is reported by the caller. */
  const markFailed = async (s: ClusterSnapshot, from: SnapshotStatus, note: string): Promise<void> => {
    if (scope.dryRun) return;
    if (!(await move(s, from, { status: 'failed', note }))) {
      log.warn('snapshot not marked failed: it moved', { name: s.name, from });
    }
  };

  const sameName = async (s: ClusterSnapshot): Promise<Cluster[]> =>
    (await api.listClusters()).filter((c) => c.name === s.name);

  /** A cluster named like the snapshot exists and is not one we created: create nothing, say why. */
  const conflict = async (s: ClusterSnapshot, existing: Cluster[]): Promise<ClusterOutcome> => {
    const original = existing.some((c) => c.uuid === s.clusterId);
    const reason = original
      ? `a cluster named ${s.name} already exists (the original ${s.clusterId}: the teardown did not delete it)`
      : `a cluster named ${s.name} already exists`;
    await markFailed(s, s.status, reason);
    log.warn('recreate skipped: name taken', { name: s.name, existing: existing.map((c) => c.uuid) });
    return outcome.skipped(s, reason, { existing: existing.map((c) => c.uuid) });
  };

  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const boundMs = policy.recreate.maxOpenWindowMinutes * 60_000;

  /**
   * Step 3: the allowlist as soon as the API accepts one (waiting for Healthy with backoff, within the
   * time budget), then connector secrets, API clients and their published credentials, the ready event.
   */
  const finish = async (
    s: ClusterSnapshot,
    newClusterId: string,
    createdNow: boolean,
    base: Record<string, unknown>,
  ): Promise<ClusterOutcome> => {
    const detail: Record<string, unknown> = { ...base, newClusterId };
    const action = createdNow ? 'cluster-recreated' : 'cluster-finished';
    let cluster = await api.getCluster(newClusterId);
    if (!cluster && !createdNow) {
      const note = `the recreated cluster ${newClusterId} no longer exists`;
      await markFailed(s, 'recreated', note);
      return outcome.failed(s, note, detail);
    }
    if (s.labels.length > 0) detail.labelsByLineage = [...s.labels];
    if (scope.dryRun) return outcome.done(s, 'would-finish-cluster', detail);
    const createdAt = (() => {
      const c = typeof cluster?.created === 'string' ? Date.parse(cluster.created) : Number.NaN;
      return Number.isFinite(c) ? c : Date.parse(s.updatedAt);
    })();
    const deadline = clock.now() + policy.recreate.waitForHealthySeconds * 1000;
    let allowlist = cluster ? await writeAllowlist(deps, s, cluster) : undefined;
    let writtenAt = allowlist?.written ? clock.now() : undefined;
    let delay = 2_000;
    while (
      (!allowlist?.written || cluster?.status?.ready !== 'Healthy') &&
      clock.now() < deadline &&
      scope.hasTime()
    ) {
      await sleep(delay);
      delay = Math.min(delay * 2, 30_000);
      cluster = await api.getCluster(newClusterId);
      if (cluster && !allowlist?.written) {
        allowlist = await writeAllowlist(deps, s, cluster);
        if (allowlist.written) writtenAt = clock.now();
      }
    }
    const openMs = (writtenAt ?? clock.now()) - createdAt;
    if (!allowlist?.written) {
      detail.allowlist = 'pending';
      detail.status = cluster?.status?.ready ?? 'not visible yet';
      detail.openForSeconds = Math.round(openMs / 1000);
      if (openMs > boundMs) {
        deps.metrics?.count('RecreateOpenWindowExceeded');
        log.error('recreated cluster open past the bound', { name: s.name, newClusterId, openMs });
      }
      if (createdNow) return outcome.done(s, action, detail);
      return outcome.skipped(
        s,
        `waiting for the recreated cluster to accept its allowlist (status ${detail.status}); until then it has none`,
        detail,
      );
    }
    detail.allowlist =
      allowlist.kind === 'desired'
        ? 'current desired state'
        : allowlist.kind === 'placeholder'
          ? 'placeholder (deny-all)'
          : 'not available on this plan';
    detail.allowlistEntries = allowlist.entries;
    if (allowlist.reason) detail.allowlistWhy = allowlist.reason;
    const previousWindow = s.note?.match(/open window (\d+) s/)?.[1];
    // A plan without allowlists has nothing to close: no open window to measure or alarm on (else a run
    // that finishes it later than the create, e.g. after a killed invocation, would raise a false alarm).
    const measured = allowlist.kind === 'not available' ? 0 : Math.round(openMs / 1000);
    const windowSeconds = previousWindow !== undefined ? Number(previousWindow) : measured;
    detail.openWindowSeconds = windowSeconds;
    if (previousWindow === undefined) {
      deps.metrics?.count('RecreateOpenWindowSeconds', windowSeconds);
      if (windowSeconds * 1000 > boundMs) {
        deps.metrics?.count('RecreateOpenWindowExceeded');
        log.error('recreated cluster was open past the bound', { name: s.name, newClusterId, windowSeconds });
      }
      // Remember the measured window (a later run that resumes reports it, and measures nothing again).
      await move(s, 'recreated', {
        status: 'recreated',
        note: `allowlist written; open window ${windowSeconds} s`,
      });
    }
    if (cluster?.status?.ready !== 'Healthy') {
      detail.status = cluster?.status?.ready ?? 'not visible yet';
      const reason = `allowlist written; waiting for Healthy (status ${detail.status}) to restore secrets and clients`;
      return createdNow
        ? outcome.done(s, action, { ...detail, pending: reason })
        : outcome.skipped(s, reason, detail);
    }
    const secrets = await restoreSecrets(deps, s, newClusterId, sleep);
    detail.connectorSecrets = secrets.total;
    const clients = await restoreClients(deps, policy, s, cluster);
    detail.apiClients = clients.map((c) => ({ name: c.name, state: c.state }));
    const secretNames = clients.flatMap((c) => (c.secretName ? [c.secretName] : []));
    if (secretNames.length > 0) detail.credentialSecrets = secretNames;
    await deps.events.publish(READY_EVENT, {
      clusterName: s.name,
      oldClusterId: s.clusterId,
      newClusterId,
      credentialSecrets: secretNames,
      connectorSecrets: secrets.total,
      apiClients: clients.map((c) => c.name),
      openWindowSeconds: windowSeconds,
      labelsByLineage: [...s.labels],
    });
    if (
      !(await move(s, 'recreated', {
        status: 'done',
        note: `recreated as ${newClusterId} by ${key} at ${iso()}; open window ${windowSeconds} s`,
      }))
    ) {
      log.warn('snapshot not marked done: it moved', { name: s.name });
    }
    // The sealed values are not needed any more (the item's TTL is the backstop).
    if (s.secrets?.sealed) await snapshots.dropSecrets(s.name);
    log.info('cluster recreate finished', { name: s.name, newClusterId, allowlist: detail.allowlist });
    return outcome.done(s, action, detail);
  };

  /** Records the new cluster ('recreating' → 'recreated') and goes on to step 3. */
  const adopt = async (
    s: ClusterSnapshot,
    newClusterId: string,
    createdNow: boolean,
    base: Record<string, unknown>,
  ): Promise<ClusterOutcome> => {
    if (scope.dryRun) return finish(s, newClusterId, createdNow, base);
    let recorded: boolean;
    try {
      recorded = await move(s, 'recreating', { status: 'recreated', newClusterId });
    } catch (err) {
      // The next run finds it by name (created after the snapshot went 'recreating') and adopts it.
      return outcome.failed(
        s,
        `cluster ${newClusterId} created but not recorded in the snapshot: ${errorText(err)}`,
        {
          ...base,
          newClusterId,
        },
      );
    }
    if (!recorded)
      return outcome.skipped(s, 'the snapshot moved while recreating (another run?)', {
        ...base,
        newClusterId,
      });
    return finish({ ...s, status: 'recreated', newClusterId }, newClusterId, createdNow, base);
  };

  /** Steps 1 and 2 from a 'deleted' snapshot: check the name, resolve the spec, win the transition, create. */
  const create = async (s: ClusterSnapshot): Promise<ClusterOutcome> => {
    const existing = await sameName(s);
    if (existing.length > 0) return conflict(s, existing);
    let spec: ResolvedSpec;
    try {
      spec = resolveSpec(s, await params(), policy.recreate);
    } catch (err) {
      if (!(err instanceof TeardownError)) throw err;
      await markFailed(s, 'deleted', `cannot recreate: ${err.message}`);
      return outcome.failed(s, `cannot recreate: ${err.message}`);
    }
    const base: Record<string, unknown> = { ...spec.detail };
    if (scope.dryRun) return outcome.done(s, 'would-recreate-cluster', base);
    if (!(await move(s, 'deleted', { status: 'recreating', note: `create sent by ${key} at ${iso()}` }))) {
      return outcome.skipped(s, 'another run is recreating it');
    }
    const recreating: ClusterSnapshot = { ...s, status: 'recreating' };
    log.info('recreating cluster', { name: s.name, generation: spec.detail.generation });
    let newClusterId: string;
    try {
      newClusterId = (await api.createCluster(spec.body)).clusterId;
    } catch (err) {
      if (!(err instanceof ConsoleApiError) || !err.maybeApplied) {
        const note = `create refused: ${errorText(err)}`;
        await markFailed(recreating, 'recreating', note);
        return outcome.failed(s, note, base);
      }
      // The POST may have been applied: look, never send it again.
      let found: Cluster[];
      try {
        found = (await sameName(s)).filter((c) => c.uuid !== s.clusterId);
      } catch (listErr) {
        return outcome.failed(
          s,
          `create outcome unknown (${errorText(err)}); re-listing failed (${errorText(listErr)}): left 'recreating' for the next run`,
          base,
        );
      }
      const [only, ...more] = found;
      if (!only) {
        await move(recreating, 'recreating', {
          status: 'deleted',
          note: `create not applied: ${errorText(err)}`,
        });
        return outcome.failed(
          s,
          `create failed and was not applied (no cluster named ${s.name}): ${errorText(err)}`,
          base,
        );
      }
      if (more.length > 0) {
        return outcome.failed(
          s,
          `create outcome unclear: ${found.length} clusters named ${s.name} appeared`,
          {
            ...base,
            found: found.map((c) => c.uuid),
          },
        );
      }
      base.adopted = 'the create answered an error but the cluster exists';
      newClusterId = only.uuid;
    }
    log.info('cluster recreated', { name: s.name, newClusterId });
    return adopt(recreating, newClusterId, true, base);
  };

  /** A 'recreating' snapshot an earlier run left behind. */
  const resume = async (s: ClusterSnapshot): Promise<ClusterOutcome> => {
    if (s.newClusterId !== undefined) return adopt(s, s.newClusterId, false, { resumed: true });
    const existing = await sameName(s);
    const [only, ...more] = existing;
    if (!only) {
      // The earlier create left no cluster: back to 'deleted', then the normal path (which lists again).
      if (scope.dryRun) return create({ ...s, status: 'deleted' });
      if (
        !(await move(s, 'recreating', {
          status: 'deleted',
          note: `earlier create left no cluster (${iso()})`,
        }))
      ) {
        return outcome.skipped(s, 'another run is recreating it');
      }
      return create({ ...s, status: 'deleted' });
    }
    const since = Date.parse(s.updatedAt) - ADOPT_CLOCK_SKEW_MS;
    const created = typeof only.created === 'string' ? Date.parse(only.created) : Number.NaN;
    if (more.length === 0 && only.uuid !== s.clusterId && Number.isFinite(created) && created >= since) {
      return adopt(s, only.uuid, false, {
        resumed: true,
        adopted: 'created by an earlier attempt (found by name)',
      });
    }
    return conflict(s, existing);
  };

  const recreateOne = async (listedSnapshot: ClusterSnapshot): Promise<ClusterOutcome> => {
    // Re-read under the claim: another run may have moved it since the listing.
    const s = await snapshots.get(listedSnapshot.name);
    if (!s || s.clusterId !== listedSnapshot.clusterId || !ACTIVE.includes(s.status)) {
      return outcome.skipped(listedSnapshot, `snapshot changed since listing (now ${s?.status ?? 'gone'})`);
    }
    switch (s.status) {
      case 'deleted':
        return create(s);
      case 'recreating':
        return resume(s);
      default: {
        if (s.newClusterId === undefined) {
          const note = 'recreated snapshot without a new cluster id';
          await markFailed(s, s.status, note);
          return outcome.failed(s, note);
        }
        return finish(s, s.newClusterId, false, {});
      }
    }
  };

  const clusters = await scope.forEachCluster(
    listed.map((s) => ({ clusterId: s.clusterId, clusterName: s.name, snapshot: s })),
    (item) => recreateOne(item.snapshot),
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
}

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
      isUnfinished(c) && c.status !== 'failed'
        ? {
            clusterId: c.clusterId,
            clusterName: c.clusterName,
            status: 'failed',
            error,
            ...('detail' in c && c.detail ? { detail: c.detail } : {}),
          }
        : c,
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
  return {
    clusterId: `snapshot:${u.key}`,
    clusterName: u.key,
    status: 'failed',
    error: `snapshot '${u.key}' is unreadable: ${u.reason}; not recreated (fix or delete the item)`,
  };
}

function snapshotEntries(listed: readonly ClusterSnapshot[], c: ClusterOutcome): number | undefined {
  return listed.find((s) => s.clusterId === c.clusterId)?.allowlist.length;
}
