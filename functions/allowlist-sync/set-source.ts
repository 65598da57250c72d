// The allowlist set-source use case: replace one named source of allowlist entries, whole. A bad update is
// refused whole and nothing is stored; a good one is stored and the caller syncs the clusters it applies to.

import {
  type AllowlistEntry,
  AllowlistValidationError,
  type EntryProblem,
  normalizeEntries,
} from '#lib/allowlist/entries.ts';
import { selectClusters } from '#lib/config/selector.ts';
import type { AllowlistPolicy } from '#lib/config/types.ts';
import type { Cluster } from '#lib/console/client.ts';
import type { RunBody, RunScope } from '#lib/jobs/engine.ts';
import type { AllowlistSource } from '#lib/jobs/ports.ts';
import type { JobRequest } from '#lib/jobs/types.ts';
import { unsafeTextProblem } from '#lib/text/unsafe.ts';
import { declaredSource, desiredFor, partRulesFor, sourceApplies } from './desired.ts';
import type { AllowlistDeps } from './sync.ts';

/** Why an update was refused. */
export type SourceRefusal =
  /** The payload is not `{ source, entries, updatedBy? }`. */
  | 'invalid-payload'
  /** The policy does not declare the source. */
  | 'undeclared-source'
  /** An entry is invalid, or the source has more entries than its (or the policy's) `maxEntries`. */
  | 'invalid-entries'
  /** With the new entries, some selected cluster's list that is valid today would be empty or too long. */
  | 'breaks-clusters';

/** A refused source update: nothing was stored. The handler answers it as a client error (422). */
export class SourceUpdateRefusedError extends Error {
  override readonly name = 'SourceUpdateRefusedError';
  readonly source: string | undefined;
  readonly reason: SourceRefusal;
  /** For 'invalid-entries': every bad entry (index into the payload's `entries`). */
  readonly problems: EntryProblem[];
  /** For 'breaks-clusters': the clusters whose list the update would break, with why. */
  readonly clusters: Array<{ clusterId: string; clusterName: string; error: string }>;

  constructor(
    details: {
      source: string | undefined;
      reason: SourceRefusal;
      message: string;
      problems?: EntryProblem[];
      clusters?: Array<{ clusterId: string; clusterName: string; error: string }>;
    },
    options: { cause?: unknown } = {},
  ) {
    super(details.message, { cause: options.cause });
    this.source = details.source;
    this.reason = details.reason;
    this.problems = details.problems ?? [];
    this.clusters = details.clusters ?? [];
  }
}

export interface SetSourceResult {
  body: RunBody;
  /** Run `runSync` now, narrowed to `syncClusterIds` (never true with an empty list: that would mean all). */
  syncRequested: boolean;
  /** The selected clusters the source applies to (narrowed to the request's `clusterIds` when given). */
  syncClusterIds: string[];
}

const MAX_UPDATED_BY = 200;
/** Clusters named in a 'breaks-clusters' message; all are in `clusters`. */
const MESSAGE_CLUSTERS = 5;

function refuse(
  source: string | undefined,
  reason: SourceRefusal,
  message: string,
  extra: { problems?: EntryProblem[]; clusters?: SourceUpdateRefusedError['clusters']; cause?: unknown } = {},
): never {
  const { cause, ...rest } = extra;
  throw new SourceUpdateRefusedError({ source, reason, message, ...rest }, { cause });
}

/** Checks the payload's shape (the entries themselves are checked by `normalizeEntries`). */
function readPayload(payload: unknown): { source: string; entries: unknown; updatedBy: string | undefined } {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    refuse(
      undefined,
      'invalid-payload',
      'set-source refused: the payload must be { source, entries, updatedBy? }',
    );
  }
  const { source, entries, updatedBy } = payload as Record<string, unknown>;
  if (typeof source !== 'string' || source.trim() === '') {
    refuse(undefined, 'invalid-payload', 'set-source refused: payload.source must be a non-empty string');
  }
  // Never echo a name with bidi or control characters into a message.
  const unsafeSource = unsafeTextProblem(source);
  if (unsafeSource !== undefined) {
    refuse(undefined, 'invalid-payload', `set-source refused: payload.source: ${unsafeSource}`);
  }
  if (entries === undefined) {
    refuse(source, 'invalid-payload', `source '${source}' update refused: payload.entries is missing`);
  }
  if (updatedBy !== undefined && (typeof updatedBy !== 'string' || updatedBy.length > MAX_UPDATED_BY)) {
    refuse(
      source,
      'invalid-payload',
      `source '${source}' update refused: payload.updatedBy must be a string of at most ${MAX_UPDATED_BY} characters`,
    );
  }
  const unsafeBy = typeof updatedBy === 'string' ? unsafeTextProblem(updatedBy.trim()) : undefined;
  if (unsafeBy !== undefined) {
    refuse(source, 'invalid-payload', `source '${source}' update refused: payload.updatedBy: ${unsafeBy}`);
  }
  return {
    source,
    entries,
    updatedBy: updatedBy === undefined || updatedBy.trim() === '' ? undefined : updatedBy.trim(),
  };
}

/**
 * Replaces the source `request.payload.source` with `payload.entries` (a SetSourcePayload). Refused whole,
 * storing nothing ({@link SourceUpdateRefusedError}), when the source is not declared in `policy.sources`,
 * when any entry is invalid or there are more than the source's `maxEntries`, or when the new entries would
 * make the list of a selected cluster (every cluster the policy selects, whatever `clusterIds` says) that is
 * valid today empty or too long. In a dry run nothing is stored and no sync is requested.
 */
/** A source update that passed every check: what `setSource` stores and which clusters it reaches. */
export interface CheckedSourceUpdate {
  name: string;
  entries: AllowlistEntry[];
  /** Selected clusters the source applies to. */
  applies: Cluster[];
  updatedBy?: string;
}

/**
 * Every check of a source update, storing nothing: declared source, valid entries, and no selected
 * cluster's list broken by it. Throws {@link SourceUpdateRefusedError}. Handlers call it before a run
 * (to answer 422); `setSource` calls it again inside the run.
 */
export async function checkSourceUpdate(
  deps: Pick<AllowlistDeps, 'console' | 'allowlistSources' | 'clock'>,
  request: JobRequest,
  policy: AllowlistPolicy,
): Promise<CheckedSourceUpdate> {
  const payload = readPayload(request.payload);
  const name = payload.source;
  if (declaredSource(policy, name) === undefined) {
    const declared = Object.keys(policy.sources);
    refuse(
      name,
      'undeclared-source',
      `source '${name}' update refused: the allowlist policy does not declare it (declared: ${declared.length > 0 ? declared.join(', ') : 'none'})`,
    );
  }

  let entries: AllowlistEntry[];
  try {
    entries = normalizeEntries(payload.entries, partRulesFor(policy, name));
  } catch (error) {
    if (!(error instanceof AllowlistValidationError)) throw error;
    refuse(name, 'invalid-entries', `source '${name}' update refused, nothing stored: ${error.message}`, {
      problems: error.problems,
      cause: error,
    });
  }

  // Would the new entries break a cluster's list? Checked against every selected cluster the source applies to.
  const listed = await deps.console.listClusters();
  const applies = selectClusters(listed, policy.selector).filter((c) => sourceApplies(c, policy, name));
  const stored = await deps.allowlistSources.list();
  const previous = stored.find((s) => s.name === name);
  const next: AllowlistSource[] = [
    ...stored.filter((s) => s.name !== name),
    {
      name,
      entries,
      updatedAt: new Date(deps.clock.now()).toISOString(),
      version: (previous?.version ?? 0) + 1,
    },
  ];
  const broken: SourceUpdateRefusedError['clusters'] = [];
  for (const cluster of applies) {
    let after: string | undefined;
    try {
      desiredFor(cluster, policy, next);
    } catch (error) {
      if (!(error instanceof AllowlistValidationError)) throw error;
      after = error.message;
    }
    if (after === undefined) continue;
    // A cluster whose list is already invalid without this update is not this update's doing.
    let validBefore = true;
    try {
      desiredFor(cluster, policy, stored);
    } catch (error) {
      if (!(error instanceof AllowlistValidationError)) throw error;
      validBefore = false;
    }
    if (validBefore) broken.push({ clusterId: cluster.uuid, clusterName: cluster.name, error: after });
  }
  if (broken.length > 0) {
    const named = broken
      .slice(0, MESSAGE_CLUSTERS)
      .map((b) => `${b.clusterName}: ${b.error}`)
      .join('; ');
    const more = broken.length > MESSAGE_CLUSTERS ? `; and ${broken.length - MESSAGE_CLUSTERS} more` : '';
    refuse(
      name,
      'breaks-clusters',
      `source '${name}' update refused, nothing stored: it would break the allowlist of ${broken.length} cluster(s): ${named}${more}`,
      { clusters: broken },
    );
  }
  return { name, entries, applies, updatedBy: payload.updatedBy };
}

/** The clusters to sync (narrowed to the request's `clusterIds`) and a note on the source's reach. */
function reachOf(applies: Cluster[], request: JobRequest): { syncClusterIds: string[]; reach: string } {
  const requested = request.clusterIds ?? [];
  const syncClusterIds = applies
    .map((c) => c.uuid)
    .filter((id) => requested.length === 0 || requested.includes(id));
  const reach =
    applies.length === 0
      ? 'it applies to no selected cluster'
      : `it applies to ${applies.length} selected cluster(s)`;
  return { syncClusterIds, reach };
}

/**
 * A retry of a delivery whose earlier attempt already stored the source (it recorded sync outcomes, and
 * the sync only runs after the put): the source is not stored again, so that an update another delivery
 * made in between is not undone; only the sync is finished, with the source as it is stored now.
 */
async function resumeAfterStore(
  deps: AllowlistDeps,
  scope: RunScope,
  policy: AllowlistPolicy,
): Promise<SetSourceResult> {
  const { source: name } = readPayload(scope.request.payload);
  const listed = await deps.console.listClusters();
  const applies = selectClusters(listed, policy.selector).filter((c) => sourceApplies(c, policy, name));
  const { syncClusterIds, reach } = reachOf(applies, scope.request);
  const stored = (await deps.allowlistSources.list()).find((s) => s.name === name);
  deps.log.info('allowlist source stored by an earlier attempt, not stored again', {
    source: name,
    version: stored?.version,
    idempotencyKey: scope.delivery.idempotencyKey,
  });
  const notes = [
    `retry of delivery ${scope.delivery.idempotencyKey}: source ${name} was stored by the earlier attempt and is not stored again ` +
      `(now version ${stored?.version ?? 'unknown'}, ${stored?.entries.length ?? 0} entries)`,
    reach,
  ];
  return {
    body: { clusters: [], notes },
    syncRequested: syncClusterIds.length > 0,
    syncClusterIds,
  };
}

export async function setSource(
  deps: AllowlistDeps,
  scope: RunScope,
  policy: AllowlistPolicy,
): Promise<SetSourceResult> {
  if (!scope.dryRun && scope.previous.size > 0) return resumeAfterStore(deps, scope, policy);
  const { log } = deps;
  const { name, entries, applies, updatedBy } = await checkSourceUpdate(deps, scope.request, policy);
  const { syncClusterIds, reach } = reachOf(applies, scope.request);

  if (scope.dryRun) {
    log.info('allowlist source not stored (dry run)', { source: name, entries: entries.length });
    return {
      body: {
        clusters: [],
        notes: [`dry run: source ${name} would have ${entries.length} entries (nothing stored); ${reach}`],
      },
      syncRequested: false,
      syncClusterIds,
    };
  }

  const version = await deps.allowlistSources.put(name, entries, updatedBy, deps.clock.now());
  log.info('allowlist source stored', {
    source: name,
    entries: entries.length,
    version,
    updatedBy,
  });
  const notes = [`source ${name} now has ${entries.length} entries (version ${version})`, reach];
  return {
    body: { clusters: [], notes },
    syncRequested: syncClusterIds.length > 0,
    syncClusterIds,
  };
}
