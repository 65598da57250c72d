// The allowlist sync use case: make every selected cluster's IP allowlist equal to its desired list
// (static entries + the sources that apply to it). Reads each cluster fresh, writes the full list only when
// it differs, and never writes an empty or invalid list. The run engine (`executeRun`) supplies claims,
// concurrency, the time budget, recording and error capture through `scope`.

import {
  type AllowlistEntry,
  AllowlistValidationError,
  diffEntries,
  fromConsoleList,
  toConsoleList,
} from '#lib/allowlist/entries.ts';
import { matchesSelector } from '#lib/config/selector.ts';
import type { AllowlistPolicy } from '#lib/config/types.ts';
import type { Cluster } from '#lib/console/client.ts';
import { ConsoleApiError } from '#lib/console/errors.ts';
import type { RunBody, RunScope } from '#lib/jobs/engine.ts';
import {
  done,
  failed,
  type OutcomeDetail,
  type OutcomeSubject,
  skipped,
  subjectOf,
} from '#lib/jobs/outcomes.ts';
import type { AllowlistSource, JobDeps } from '#lib/jobs/ports.ts';
import { selectRequested, syncSelectionNotes } from '#lib/jobs/selection.ts';
import type { ClusterOutcome } from '#lib/jobs/types.ts';
import { declaredSource, desiredFor } from './desired.ts';

export type AllowlistDeps = Pick<JobDeps, 'console' | 'allowlistSources' | 'clock' | 'log'>;

/** Why a cluster that reports no allowlist field is skipped. */
export const NO_ALLOWLIST_FIELD =
  'cluster reports no ip allowlist: the org lacks the feature (Enterprise plans only) or the API client lacks the IP Allowlist scope';
export const FORBIDDEN =
  'console api answered 403: the plan has no ip allowlist (Enterprise plans only) or the API client lacks the IP Allowlist scope';
export const CREATING = 'cluster is still being created; the next sync sets its allowlist';
export const GONE = 'cluster no longer exists';
export const IN_SYNC = 'in sync';
export const NO_LONGER_SELECTED = 'no longer selected by the allowlist policy (changed since the listing)';

const isForbidden = (error: unknown): boolean => error instanceof ConsoleApiError && error.status === 403;
const isNotFound = (error: unknown): boolean => error instanceof ConsoleApiError && error.status === 404;

/** The diff as reported in an outcome's detail. */
export type AllowlistChange = {
  added: AllowlistEntry[];
  removed: AllowlistEntry[];
  changedDescription: AllowlistEntry[];
  /** Current entries the job could not parse; the write replaces them. */
  unparsed?: string[];
  /** Set when the current list was read from the deprecated `ipwhitelist` field. */
  readFrom?: 'ipwhitelist';
};

/**
 * Syncs the clusters `policy.selector` picks (narrowed to `request.clusterIds`): one outcome per selected
 * cluster — 'allowlist-updated' (or 'would-update-allowlist' in a dry run) with the diff, skipped 'in sync',
 * skipped when the cluster cannot carry an allowlist, failed when its desired list is invalid or empty.
 */
export async function runSync(
  deps: AllowlistDeps,
  scope: RunScope,
  policy: AllowlistPolicy,
): Promise<RunBody> {
  const { log } = deps;
  const notes: string[] = [];

  const listed = await deps.console.listClusters();
  const selection = selectRequested(listed, policy.selector, scope.request.clusterIds ?? []);
  const { selected } = selection;
  notes.push(...syncSelectionNotes('allowlist', selection));

  const stored = await deps.allowlistSources.list();
  const undeclared = stored.filter((s) => declaredSource(policy, s.name) === undefined).map((s) => s.name);
  if (undeclared.length > 0) {
    log.warn('allowlist sources not declared in the policy, ignored', { sources: undeclared });
    notes.push(`stored source(s) not declared in the policy, ignored: ${undeclared.join(', ')}`);
  }

  // The sources are read again for each cluster (right after its fresh read, under its claim): a run over
  // many clusters takes minutes, and a source replaced meanwhile (an address revoked) must not be put back
  // by this run from a copy read at its start.
  const declaredSources = async (): Promise<AllowlistSource[]> =>
    (await deps.allowlistSources.list()).filter((s) => declaredSource(policy, s.name) !== undefined);

  const targets: OutcomeSubject[] = selected.map(subjectOf);
  const clusters = await scope.forEachCluster(targets, (target) =>
    syncOne(deps, scope, policy, declaredSources, target),
  );
  return { clusters, notes };
}

async function syncOne(
  deps: AllowlistDeps,
  scope: RunScope,
  policy: AllowlistPolicy,
  readSources: () => Promise<AllowlistSource[]>,
  target: OutcomeSubject,
): Promise<ClusterOutcome> {
  const { log } = deps;
  const skip = (reason: string, detail?: OutcomeDetail): ClusterOutcome => skipped(target, reason, detail);

  // Read the cluster again: the list may be minutes old by now, and its allowlist is what we compare to.
  let cluster: Cluster | undefined;
  try {
    cluster = await deps.console.getCluster(target.clusterId);
  } catch (error) {
    if (isForbidden(error)) return skip(FORBIDDEN);
    throw error;
  }
  if (cluster === undefined) return skip(GONE);
  // The policy judges the cluster as it is now (renamed, relabelled since the listing), as teardown does.
  if (!matchesSelector(cluster, policy.selector)) return skip(NO_LONGER_SELECTED);
  if (cluster.status?.ready === 'Creating') return skip(CREATING);

  const field = Array.isArray(cluster.ipallowlist)
    ? 'ipallowlist'
    : Array.isArray(cluster.ipwhitelist)
      ? 'ipwhitelist'
      : undefined;
  const currentList = field === undefined ? undefined : cluster[field];
  if (currentList === undefined) return skip(NO_ALLOWLIST_FIELD);

  const sources = await readSources();
  let desired: AllowlistEntry[];
  try {
    desired = desiredFor(cluster, policy, sources, log);
  } catch (error) {
    if (!(error instanceof AllowlistValidationError)) throw error;
    log.warn('desired allowlist refused', { clusterId: target.clusterId, problems: error.problems.length });
    return failed(target, `desired allowlist refused, nothing written: ${error.message}`, {
      problems: error.problems,
    });
  }

  const current = fromConsoleList(currentList);
  const diff = diffEntries(current.entries, desired);
  const change: AllowlistChange = {
    added: diff.added,
    removed: diff.removed,
    changedDescription: diff.changedDescription,
    ...(current.unparsed.length > 0 ? { unparsed: current.unparsed } : {}),
    ...(field === 'ipwhitelist' ? { readFrom: 'ipwhitelist' as const } : {}),
  };
  const detail: Record<string, unknown> = change;
  if (diff.equal && current.unparsed.length === 0) return skip(IN_SYNC);

  if (scope.dryRun) return done(target, 'would-update-allowlist', detail);

  try {
    // Full replace with the whole desired list. It is empty only when the policy explicitly allows it.
    await deps.console.putIpAllowlist(
      target.clusterId,
      toConsoleList(desired),
      desired.length === 0 ? { allowEmpty: policy.allowEmpty } : undefined,
    );
  } catch (error) {
    if (isForbidden(error)) return skip(FORBIDDEN, detail);
    // Deleted since the read (e.g. by the nightly teardown): nothing to protect any more.
    if (isNotFound(error)) return skip(GONE, detail);
    throw error;
  }
  log.info('allowlist updated', {
    clusterId: target.clusterId,
    added: diff.added.length,
    removed: diff.removed.length,
    changedDescription: diff.changedDescription.length,
    unparsed: current.unparsed.length,
  });
  return done(target, 'allowlist-updated', detail);
}
