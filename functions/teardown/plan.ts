// Which clusters tonight's teardown may delete, and why each other selected cluster is left alone.
// The same rules run twice: when planning (notice and teardown) and again per cluster right before
// the delete (`exclusionOf`), because a keep-alive, a rename or a status change may arrive in between.

import { globToRegExp, isExplicit, selectClusters } from '#lib/config/selector.ts';
import type { TeardownPolicy } from '#lib/config/types.ts';
import type { Cluster, ClusterStatus, IpAllowlistEntry } from '#lib/console/client.ts';
import { failed, subjectOf } from '#lib/jobs/outcomes.ts';
import type { JobDeps, KeepAlive, UnreadableItem } from '#lib/jobs/ports.ts';
import type { ClusterOutcome } from '#lib/jobs/types.ts';
import type { CredentialPublisher } from '#lib/secrets/credentials.ts';
import type { SecretSealer } from '#lib/secrets/sealer.ts';

export type TeardownDeps = Pick<
  JobDeps,
  'console' | 'keepAlives' | 'snapshots' | 'teardownWindows' | 'events' | 'clock' | 'log'
> & {
  /** Seals connector-secret values before they are stored; without it a cluster with secrets is not deleted. */
  sealer?: SecretSealer;
  /** Where a recreated cluster's new API-client credentials are published; without it they are not. */
  credentials?: CredentialPublisher;
  /** Counters (the open-window metric); optional so planning-only callers need none. */
  metrics?: JobDeps['metrics'];
  /** Waits (backoff while a new cluster is created); default a real timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Computes the desired allowlist of a (recreated) cluster, the allowlist-sync's way. */
  desiredAllowlist?: DesiredAllowlist;
};

/** The allowlist a cluster should have now: entries, or why none can be computed. */
export type DesiredAllowlist = (
  cluster: Cluster,
) => Promise<{ kind: 'entries'; entries: IpAllowlistEntry[] } | { kind: 'refused' | 'none'; reason: string }>;

/** What a delete destroys that no recreate brings back (FACTS.md, Camunda docs). */
export const NOT_RESTORED = [
  'deployed processes and all process instance data',
  'backups (they are deleted with the cluster)',
  'users, roles and authorizations kept inside the cluster',
  'the cluster uuid and endpoints (the recreate publishes the new ones)',
  'labels on the cluster (selection and protection follow the snapshot lineage)',
] as const;

/** Why the recreate could not reproduce this cluster, or undefined when it can. */
export function unrecreatable(cluster: Cluster, policy: TeardownPolicy): string | undefined {
  const type = cluster.encryption?.type;
  if (type === 'External' && policy.recreate.externalEncryptionAs === undefined) {
    return 'encryption External (customer-managed key) cannot be recreated; set teardown.recreate.externalEncryptionAs to allow';
  }
  return undefined;
}

/** The teardown job's failure domain: a policy it refuses to run, a keep-alive it refuses to store. */
export class TeardownError extends Error {
  override readonly name = 'TeardownError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}

export interface Exclusion {
  cluster: Cluster;
  /** Short and stable, e.g. 'protected', 'younger than 24 h', 'keep-alive until … by … (…)', 'status Creating'. */
  reason: string;
  /** What exactly matched, for the summary. */
  detail?: Record<string, unknown>;
}

export interface TeardownPlan {
  candidates: Cluster[];
  excluded: Exclusion[];
  /** Selected clusters with an unreadable keep-alive: not deleted, reported failed (fail safe, and fixable). */
  unreadable: Exclusion[];
  /** The uuid of every cluster the Console listed (selected or not). */
  listedIds: ReadonlySet<string>;
  /**
   * Recreated clusters (no labels: the API cannot set them) and the labels of the cluster they were recreated
   * from (the snapshot whose `newClusterId` is their uuid): selection and protection use these.
   */
  labelsByLineage: ReadonlyMap<string, string[]>;
}

/** The cluster with its lineage labels when it shows none itself (a recreated cluster), else as it is. */
export function withLineageLabels(cluster: Cluster, lineage: ReadonlyMap<string, string[]>): Cluster {
  if ((cluster.labels ?? []).length > 0) return cluster;
  const labels = lineage.get(cluster.uuid);
  return labels && labels.length > 0 ? { ...cluster, labels: [...labels] } : cluster;
}

/** Only these states are deleted; Creating, Updating, Resuming, Maintenance, … are left alone. */
export const DELETABLE_STATUSES: ReadonlySet<ClusterStatus> = new Set(['Healthy', 'Unhealthy', 'Suspended']);

const HOUR_MS = 3_600_000;

/** Refuses a selector that is empty or selects every cluster (config validation refuses it too). */
export function assertTeardownSelector(policy: TeardownPolicy): void {
  if (policy.selector.all === true) {
    throw new TeardownError(
      'teardown.selector.all is refused: the teardown must name the clusters it may delete',
    );
  }
  if (!isExplicit(policy.selector)) {
    throw new TeardownError(
      'teardown.selector is empty: give ids, names, labels, planTypes, regions or generations to select clusters',
    );
  }
}

/** The keep-alive that covers this cluster (uuid or exact name), the one lasting longest. */
export function keepAliveFor(
  cluster: Cluster,
  keepAlives: readonly KeepAlive[],
  now: number,
): KeepAlive | undefined {
  let best: KeepAlive | undefined;
  for (const k of keepAlives) {
    if (k.cluster !== cluster.uuid && k.cluster !== cluster.name) continue;
    const until = Date.parse(k.until);
    if (!Number.isFinite(until) || until <= now) continue;
    if (best === undefined || until > Date.parse(best.until)) best = k;
  }
  return best;
}

/** Why a cluster with an unreadable keep-alive (by uuid or exact name) is not deleted, or undefined. */
export function unreadableKeepAlive(
  cluster: Pick<Cluster, 'uuid' | 'name'>,
  unreadable: readonly UnreadableItem[],
): string | undefined {
  const item = unreadable.find((u) => u.key === cluster.uuid || u.key === cluster.name);
  if (!item) return undefined;
  return `keep-alive '${item.key}' is unreadable (${item.reason}): not deleted; fix or replace it with a new keep-alive`;
}

function protection(cluster: Cluster, protect: TeardownPolicy['protect']): string | undefined {
  if (protect.ids.includes(cluster.uuid)) return `id ${cluster.uuid}`;
  // Case-insensitive: protecting too much is the safe mistake (`prod-*` protects `Prod-db`).
  const name = protect.names.find((glob) => globToRegExp(glob, { ignoreCase: true }).test(cluster.name));
  if (name !== undefined) return `name ${name}`;
  const labels = new Set(protect.labels.map((l) => l.toLowerCase()));
  const label = (cluster.labels ?? []).find((l) => labels.has(l.toLowerCase()));
  if (label !== undefined) return `label ${label}`;
  return undefined;
}

/**
 * Why this (selected) cluster must not be deleted now, or undefined when it may be. Order: protected,
 * too young (a missing or unparseable `created` counts as young), keep-alive, status.
 */
export function exclusionOf(
  cluster: Cluster,
  policy: TeardownPolicy,
  keepAlives: readonly KeepAlive[],
  now: number,
): Omit<Exclusion, 'cluster'> | undefined {
  const protectedBy = protection(cluster, policy.protect);
  if (protectedBy !== undefined) return { reason: 'protected', detail: { protectedBy } };

  const created = typeof cluster.created === 'string' ? Date.parse(cluster.created) : Number.NaN;
  const minAgeHours = policy.minAgeHours;
  if (!Number.isFinite(created)) {
    return {
      reason: `younger than ${minAgeHours} h`,
      detail: { created: cluster.created ?? null, age: 'unknown' },
    };
  }
  const ageHours = (now - created) / HOUR_MS;
  if (ageHours < 0 || ageHours < minAgeHours) {
    return {
      reason: `younger than ${minAgeHours} h`,
      detail: { created: cluster.created, ageHours: round(ageHours) },
    };
  }

  const keepAlive = keepAliveFor(cluster, keepAlives, now);
  if (keepAlive) {
    return {
      reason: `keep-alive until ${keepAlive.until} by ${keepAlive.by} (${keepAlive.reason})`,
      detail: { keepAlive: { until: keepAlive.until, by: keepAlive.by, reason: keepAlive.reason } },
    };
  }

  const status = cluster.status?.ready;
  if (status === undefined || !DELETABLE_STATUSES.has(status)) {
    return { reason: `status ${status ?? 'unknown'}` };
  }
  const cannot = unrecreatable(cluster, policy);
  if (cannot !== undefined) return { reason: 'cannot be recreated', detail: { why: cannot } };
  return undefined;
}

/** The rules in force on a cluster: `ipallowlist`, else the deprecated `ipwhitelist`. */
export function allowlistOf(cluster: Cluster): { entries: IpAllowlistEntry[]; visible: boolean } {
  const list = cluster.ipallowlist ?? cluster.ipwhitelist;
  if (!Array.isArray(list)) return { entries: [], visible: false };
  return { entries: list.map((e) => ({ description: e.description, ip: e.ip })), visible: true };
}

/**
 * The clusters tonight's teardown would delete. Selected clusters that must be left alone are in
 * `excluded` with the reason. Clusters whose name another cluster of the org shares are excluded too:
 * the snapshot (and the morning recreate) is keyed by name, so one of them could not come back.
 */
export async function planTeardown(
  deps: Pick<TeardownDeps, 'console' | 'keepAlives' | 'clock'> & Partial<Pick<TeardownDeps, 'snapshots'>>,
  policy: TeardownPolicy,
  onlyIds?: string[],
): Promise<TeardownPlan> {
  assertTeardownSelector(policy);
  const [listed, { keepAlives, unreadable }, lineageSnapshots] = await Promise.all([
    deps.console.listClusters(),
    deps.keepAlives.listing(deps.clock.now()),
    deps.snapshots ? deps.snapshots.listing().then((l) => l.snapshots) : Promise.resolve([]),
  ]);
  const lineage = new Map<string, string[]>();
  for (const s of lineageSnapshots) {
    if (s.newClusterId && s.labels.length > 0) lineage.set(s.newClusterId, [...s.labels]);
  }
  const labelsByLineage = new Map<string, string[]>();
  const clusters = listed.map((c) => {
    const out = withLineageLabels(c, lineage);
    if (out !== c) labelsByLineage.set(c.uuid, out.labels ?? []);
    return out;
  });
  const now = deps.clock.now();
  const nameCount = new Map<string, number>();
  for (const c of clusters) nameCount.set(c.name, (nameCount.get(c.name) ?? 0) + 1);

  const plan: TeardownPlan = {
    candidates: [],
    excluded: [],
    unreadable: [],
    listedIds: new Set(clusters.map((c) => c.uuid)),
    labelsByLineage,
  };
  for (const cluster of selectClusters(clusters, policy.selector, onlyIds)) {
    const exclusion = exclusionOf(cluster, policy, keepAlives, now);
    const unreadableReason = unreadableKeepAlive(cluster, unreadable);
    if (unreadableReason !== undefined && exclusion?.reason !== 'protected') {
      plan.unreadable.push({ cluster, reason: unreadableReason });
    } else if (exclusion) {
      const byLineage = labelsByLineage.get(cluster.uuid);
      plan.excluded.push({
        cluster,
        ...exclusion,
        ...(byLineage ? { detail: { ...exclusion.detail, labelsByLineage: byLineage } } : {}),
      });
    } else if ((nameCount.get(cluster.name) ?? 0) > 1) {
      plan.excluded.push({
        cluster,
        reason: `name shared by ${(nameCount.get(cluster.name) ?? 0) - 1} other cluster(s)`,
        detail: { why: 'snapshots and the morning recreate go by name; one of them could not be recreated' },
      });
    } else {
      plan.candidates.push(cluster);
    }
  }
  return plan;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

/** A selected cluster that could not be judged (unreadable state): failed with the reason, not deleted. */
export function unreadableOutcome(e: Exclusion): ClusterOutcome {
  return failed(subjectOf(e.cluster), e.reason);
}
