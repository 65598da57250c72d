// The outcome vocabulary every job reports in: one constructor per status. A job builds each cluster's
// outcome with these (never as an object literal), so every summary, ledger item and result event has
// the same shape whichever job wrote it.
//
//   done(subject, 'backup-created', { backupId })          what was done; dry runs say 'would-…'
//   skipped(subject, 'backup in progress')                 nothing to do, and why (not a failure)
//   failed(subject, 'could not read backups: …')           the run fails after finishing the others
//   deferred(subject, 'time budget … used up')             not reached in this invocation; a retry does it
//
// `subject` is the cluster the outcome is about; `subjectOf` turns a Console cluster (`uuid`, `name`) into one.
import type { ClusterOutcome } from './types.ts';

/** The cluster an outcome is about. */
export interface OutcomeSubject {
  clusterId: string;
  clusterName: string;
}

/** Extra facts for the summary (ids, diffs, counts); never a secret. */
export type OutcomeDetail = Record<string, unknown>;

/** The subject of a Console cluster (or anything with its `uuid` and `name`). */
export function subjectOf(cluster: { uuid: string; name: string }): OutcomeSubject {
  return { clusterId: cluster.uuid, clusterName: cluster.name };
}

function about(subject: OutcomeSubject): OutcomeSubject {
  return { clusterId: subject.clusterId, clusterName: subject.clusterName };
}

/** `action` names what was done, e.g. 'backup-created'; in a dry run 'would-…', e.g. 'would-create-backup'. */
export function done(subject: OutcomeSubject, action: string, detail?: OutcomeDetail): ClusterOutcome {
  return { ...about(subject), status: 'done', action, ...(detail ? { detail } : {}) };
}

/** Nothing to do for this cluster, and why: not a failure. */
export function skipped(subject: OutcomeSubject, reason: string, detail?: OutcomeDetail): ClusterOutcome {
  return { ...about(subject), status: 'skipped', reason, ...(detail ? { detail } : {}) };
}

/** The cluster's work failed: the run reports it and fails after finishing the other clusters. */
export function failed(subject: OutcomeSubject, error: string, detail?: OutcomeDetail): ClusterOutcome {
  return { ...about(subject), status: 'failed', error, ...(detail ? { detail } : {}) };
}

/** Not reached in this invocation (its time budget): a retry of the delivery does it. */
export function deferred(subject: OutcomeSubject, reason: string): ClusterOutcome {
  return { ...about(subject), status: 'deferred', reason };
}

/** The detail an outcome carries, whatever its status (a deferred outcome carries none). */
export function detailOf(outcome: ClusterOutcome): OutcomeDetail | undefined {
  return 'detail' in outcome ? outcome.detail : undefined;
}

/** An outcome without its cluster, to nest in another outcome's detail (e.g. `thisRun` of a failed cluster). */
export function outcomePart(outcome: ClusterOutcome): OutcomeDetail {
  switch (outcome.status) {
    case 'done':
      return { status: 'done', action: outcome.action, ...outcome.detail };
    case 'failed':
      return { status: 'failed', error: outcome.error, ...outcome.detail };
    case 'skipped':
      return { status: 'skipped', reason: outcome.reason, ...outcome.detail };
    case 'deferred':
      return { status: 'deferred', reason: outcome.reason };
  }
}
