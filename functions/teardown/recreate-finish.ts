// Step 3 of the recreate: a created cluster gets its allowlist as soon as the API accepts one (waiting for
// Healthy with backoff, within the time budget), the open window is measured once, then its connector
// secrets, API clients and published credentials are restored and the ready event is published.
import type { Cluster } from '#lib/console/client.ts';
import { done, failed, type OutcomeDetail, skipped } from '#lib/jobs/outcomes.ts';
import type { ClusterSnapshot } from '#lib/jobs/ports.ts';
import type { ClusterOutcome } from '#lib/jobs/types.ts';
import {
  isoNow,
  markFailed,
  move,
  type NewCluster,
  type RecreateRun,
  snapshotSubject,
} from './recreate-run.ts';
import { type AllowlistStep, restoreClients, restoreSecrets, writeAllowlist } from './restore.ts';

/** Published on the bus once a recreated cluster is finished: old → new uuid and secret names, never values. */
export const READY_EVENT = 'teardown.cluster.ready';

interface AllowlistWait {
  cluster: Cluster | undefined;
  allowlist: AllowlistStep | undefined;
  /** How long the cluster had no allowlist: from its creation to the write (or to now, when not written). */
  openMs: number;
}

/** Writes the allowlist as soon as the API takes it and waits for Healthy, within the deadline and the budget. */
async function writeAllowlistWhenAccepted(
  run: RecreateRun,
  s: ClusterSnapshot,
  newClusterId: string,
  first: Cluster | undefined,
): Promise<AllowlistWait> {
  const { deps, scope, policy } = run;
  const { clock } = deps;
  let cluster = first;
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
    await run.sleep(delay);
    delay = Math.min(delay * 2, 30_000);
    cluster = await deps.console.getCluster(newClusterId);
    if (cluster && !allowlist?.written) {
      allowlist = await writeAllowlist(deps, s, cluster);
      if (allowlist.written) writtenAt = clock.now();
    }
  }
  return { cluster, allowlist, openMs: (writtenAt ?? clock.now()) - createdAt };
}

/**
 * The open window in seconds: measured by the run that wrote the allowlist (counted, alarmed past the
 * bound and remembered in the snapshot's note), or read back from that note by a later run.
 */
async function openWindowSeconds(
  run: RecreateRun,
  s: ClusterSnapshot,
  newClusterId: string,
  allowlist: AllowlistStep,
  openMs: number,
): Promise<number> {
  const { deps, policy } = run;
  const previousWindow = s.note?.match(/open window (\d+) s/)?.[1];
  if (previousWindow !== undefined) return Number(previousWindow);
  // A plan without allowlists has nothing to close: no open window to measure or alarm on (else a run
  // that finishes it later than the create, e.g. after a killed invocation, would raise a false alarm).
  const windowSeconds = allowlist.kind === 'not available' ? 0 : Math.round(openMs / 1000);
  deps.metrics?.count('RecreateOpenWindowSeconds', windowSeconds);
  if (windowSeconds * 1000 > policy.recreate.maxOpenWindowMinutes * 60_000) {
    deps.metrics?.count('RecreateOpenWindowExceeded');
    deps.log.error('recreated cluster was open past the bound', {
      name: s.name,
      newClusterId,
      windowSeconds,
    });
  }
  // Remember the measured window (a later run that resumes reports it, and measures nothing again).
  await move(run, s, 'recreated', {
    status: 'recreated',
    note: `allowlist written; open window ${windowSeconds} s`,
  });
  return windowSeconds;
}

/** Secrets, API clients and their credentials, the ready event, the snapshot marked done. */
async function restoreAndAnnounce(
  run: RecreateRun,
  s: ClusterSnapshot,
  newClusterId: string,
  cluster: Cluster,
  windowSeconds: number,
  detail: OutcomeDetail,
): Promise<void> {
  const { deps, policy, scope } = run;
  const secrets = await restoreSecrets(deps, s, newClusterId, run.sleep);
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
  const key = scope.delivery.idempotencyKey;
  const note = `recreated as ${newClusterId} by ${key} at ${isoNow(run)}; open window ${windowSeconds} s`;
  if (!(await move(run, s, 'recreated', { status: 'done', note }))) {
    deps.log.warn('snapshot not marked done: it moved', { name: s.name });
  }
  // The sealed values are not needed any more (the item's TTL is the backstop).
  if (s.secrets?.sealed) await deps.snapshots.dropSecrets(s.name);
  deps.log.info('cluster recreate finished', { name: s.name, newClusterId, allowlist: detail.allowlist });
}

/** Step 3 for a snapshot whose new cluster exists (`newClusterId`); `createdNow` when this run created it. */
export async function finishCluster(
  run: RecreateRun,
  s: ClusterSnapshot,
  created: NewCluster,
): Promise<ClusterOutcome> {
  const { deps, scope, policy } = run;
  const { newClusterId, createdNow, base } = created;
  const subject = snapshotSubject(s);
  const detail: OutcomeDetail = { ...base, newClusterId };
  const action = createdNow ? 'cluster-recreated' : 'cluster-finished';
  const first = await deps.console.getCluster(newClusterId);
  if (!first && !createdNow) {
    const note = `the recreated cluster ${newClusterId} no longer exists`;
    await markFailed(run, s, 'recreated', note);
    return failed(subject, note, detail);
  }
  if (s.labels.length > 0) detail.labelsByLineage = [...s.labels];
  if (scope.dryRun) return done(subject, 'would-finish-cluster', detail);

  const { cluster, allowlist, openMs } = await writeAllowlistWhenAccepted(run, s, newClusterId, first);
  if (!allowlist?.written) {
    detail.allowlist = 'pending';
    detail.status = cluster?.status?.ready ?? 'not visible yet';
    detail.openForSeconds = Math.round(openMs / 1000);
    if (openMs > policy.recreate.maxOpenWindowMinutes * 60_000) {
      deps.metrics?.count('RecreateOpenWindowExceeded');
      deps.log.error('recreated cluster open past the bound', { name: s.name, newClusterId, openMs });
    }
    if (createdNow) return done(subject, action, detail);
    return skipped(
      subject,
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
  const windowSeconds = await openWindowSeconds(run, s, newClusterId, allowlist, openMs);
  detail.openWindowSeconds = windowSeconds;
  if (cluster?.status?.ready !== 'Healthy') {
    detail.status = cluster?.status?.ready ?? 'not visible yet';
    const reason = `allowlist written; waiting for Healthy (status ${detail.status}) to restore secrets and clients`;
    return createdNow
      ? done(subject, action, { ...detail, pending: reason })
      : skipped(subject, reason, detail);
  }
  await restoreAndAnnounce(run, s, newClusterId, cluster, windowSeconds, detail);
  return done(subject, action, detail);
}
