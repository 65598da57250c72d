// The secrets sync use case: make every selected cluster's connector secrets equal to the desired set read
// from the configured sources. Sources are read whole before any cluster is touched (a source that cannot be
// read fails the run and changes nothing), and read again for each cluster under its claim, so a rotation
// during a long run is not undone by a copy read at its start. Outcomes carry names and digests, never values.
import type { SecretsSyncPolicy } from '#lib/config/schema/secrets-sync.ts';
import { matchesSelector } from '#lib/config/selector.ts';
import type { Cluster } from '#lib/console/client.ts';
import { ConsoleApiError } from '#lib/console/errors.ts';
import { errorText, type RunBody, type RunScope } from '#lib/jobs/engine.ts';
import { done, failed, type OutcomeSubject, skipped, subjectOf } from '#lib/jobs/outcomes.ts';
import { selectRequested, syncSelectionNotes } from '#lib/jobs/selection.ts';
import type { ClusterOutcome } from '#lib/jobs/types.ts';
import { applyChange, type SecretsSyncDeps } from './apply.ts';
import { desiredFor, readSources, type SourceReadings } from './desired.ts';
import { type Digest, deploymentDigest } from './digest.ts';
import { describeChange, planFor } from './plan.ts';

export type { SecretsSyncDeps } from './apply.ts';

export const IN_SYNC = 'in sync';
export const GONE = 'cluster no longer exists';
export const CREATING = 'cluster is still being created; the next sync sets its secrets';
export const NO_LONGER_SELECTED = 'no longer selected by the secrets-sync policy (changed since the listing)';
/** How old a read of the sources may be when a cluster is synced. */
export const SOURCE_MAX_AGE_MS = 10_000;
export const FORBIDDEN = 'console api answered 403: the API client lacks the Connector Secrets scope';

const statusOf = (error: unknown): number | undefined =>
  error instanceof ConsoleApiError ? error.status : undefined;

/**
 * Syncs the clusters `policy.selector` picks (narrowed to `request.clusterIds`): per cluster 'secrets-synced'
 * (or 'would-sync-secrets' in a dry run) with the names and digests changed, skipped 'in sync', or failed
 * with the conflicts, the secrets left alone, or the write that could not be made.
 */
export async function runSecretsSync(
  deps: SecretsSyncDeps,
  scope: RunScope,
  policy: SecretsSyncPolicy,
): Promise<RunBody> {
  if (!policy.enabled) return { clusters: [], notes: ['secrets-sync policy is disabled; nothing done'] };
  const notes: string[] = [];
  // Read before the listing: a source that cannot be read fails the run before anything is looked at.
  const initial = await readSources(deps.secretSources, policy);
  for (const [source, secrets] of initial) {
    if (secrets.length === 0)
      notes.push(`source '${source}' selects no secret (nothing deleted on its account)`);
  }

  // The deployment's digest key, read (or made, on the first live run) before anything is looked at.
  const digest = await deploymentDigest(deps.managedSecrets, { dryRun: scope.dryRun });

  const listed = await deps.console.listClusters();
  const selection = selectRequested(listed, policy.selector, scope.request.clusterIds ?? []);
  const { selected } = selection;
  notes.push(...syncSelectionNotes('secrets-sync', selection));

  // Sources are read again when the last read is older than SOURCE_MAX_AGE_MS (one read shared by the clusters
  // working meanwhile): a rotation during a long run reaches the clusters synced after it, and 1,000 clusters
  // do not make 1,000 reads of Secrets Manager.
  let cached = { at: deps.clock.now(), readings: Promise.resolve<SourceReadings>(initial) };
  const fresh = (): Promise<SourceReadings> => {
    if (deps.clock.now() - cached.at > SOURCE_MAX_AGE_MS) {
      cached = { at: deps.clock.now(), readings: readSources(deps.secretSources, policy) };
    }
    return cached.readings;
  };
  const targets: OutcomeSubject[] = selected.map(subjectOf);
  const clusters = await scope.forEachCluster(targets, (target) =>
    syncOne(deps, scope, policy, fresh, digest, target),
  );
  return { clusters, notes };
}

async function syncOne(
  deps: SecretsSyncDeps,
  scope: RunScope,
  policy: SecretsSyncPolicy,
  readings: () => Promise<SourceReadings>,
  digest: Digest,
  target: OutcomeSubject,
): Promise<ClusterOutcome> {
  // The cluster, its connector secrets, the sources and the ownership records are read at once: at the run's
  // concurrency a cluster's latency bounds the run, and two Console round trips before the first write held it
  // at twice its rate-limit bound. What the cluster re-read says still decides (gone, no longer selected,
  // Creating): the secrets read beside it is then dropped unused, whatever it answered.
  const [found, secrets, sources, managed] = await Promise.allSettled([
    deps.console.getCluster(target.clusterId),
    deps.console.getSecrets(target.clusterId),
    readings(),
    deps.managedSecrets.list(target.clusterId),
  ]);
  if (found.status === 'rejected') {
    if (statusOf(found.reason) === 403) return skipped(target, FORBIDDEN);
    throw found.reason;
  }
  if (sources.status === 'rejected') throw sources.reason;
  if (managed.status === 'rejected') throw managed.reason;
  const cluster: Cluster | undefined = found.value;
  if (cluster === undefined) return skipped(target, GONE);
  if (!matchesSelector(cluster, policy.selector)) return skipped(target, NO_LONGER_SELECTED);
  if (cluster.status?.ready === 'Creating') return skipped(target, CREATING);

  const desired = desiredFor(cluster, policy, sources.value, digest);
  if (desired.problems.length > 0) {
    deps.log.warn('desired connector secrets refused', {
      clusterId: target.clusterId,
      problems: desired.problems,
    });
    return failed(
      target,
      `desired connector secrets refused, nothing written: ${desired.problems.join('; ')}`,
      {
        problems: desired.problems,
      },
    );
  }

  if (secrets.status === 'rejected') {
    if (statusOf(secrets.reason) === 403) return skipped(target, FORBIDDEN);
    if (statusOf(secrets.reason) === 404) return skipped(target, GONE);
    throw secrets.reason;
  }
  const current: Record<string, string> = secrets.value;
  const plan = planFor(desired, current, managed.value, policy);
  const detail: Record<string, unknown> = {
    ...(plan.untouched.length > 0 ? { untouched: plan.untouched } : {}),
    ...(plan.kept.length > 0 ? { kept: plan.kept } : {}),
  };
  const untouchedError = (): string =>
    `connector secret(s) ${plan.untouched.map((n) => `'${n}'`).join(', ')} exist with a value set by hand: not touched (the policy is not exclusive); delete them on the cluster or set secretsSync.exclusive`;

  if (plan.changes.length === 0) {
    return plan.untouched.length > 0
      ? failed(target, untouchedError(), detail)
      : skipped(target, IN_SYNC, detail);
  }
  const described = plan.changes.map((c) => ({ change: c.kind, ...describeChange(c) }));
  if (scope.dryRun) {
    return done(target, 'would-sync-secrets', { ...detail, changes: described });
  }

  const applied: typeof described = [];
  for (const [i, change] of plan.changes.entries()) {
    try {
      await applyChange(deps, policy, target.clusterId, change);
    } catch (error) {
      if (statusOf(error) === 404 && change.kind !== 'delete')
        return skipped(target, GONE, { ...detail, applied });
      deps.log.warn('connector secret change failed', {
        clusterId: target.clusterId,
        change: change.kind,
        name: described[i]?.name,
        error: errorText(error),
      });
      return failed(
        target,
        `${change.kind} of connector secret '${described[i]?.name}' failed: ${errorText(error)}`,
        {
          ...detail,
          applied,
        },
      );
    }
    const entry = described[i];
    if (entry) applied.push(entry);
  }
  deps.log.info('connector secrets synced', {
    clusterId: target.clusterId,
    changes: applied.map((a) => `${a.change} ${a.name}`),
  });
  if (plan.untouched.length > 0) return failed(target, untouchedError(), { ...detail, changes: applied });
  return done(target, 'secrets-synced', { ...detail, changes: applied });
}
