// The shapes every job shares: what a trigger asks for (JobRequest), how a run is identified
// (Delivery), and what a run reports (RunSummary). Triggers normalise to these; use cases return them.

import type { JobName } from '#lib/catalog/jobs.ts';

// The job catalog is a leaf (lib/catalog) so that the config can name jobs without importing this layer;
// re-exported here because job code reads its shapes and names from one module.
export { JOB_ACTIONS, JOBS, type JobAction, type JobName } from '#lib/catalog/jobs.ts';

/** `teardown` / `keep-alive`: keep one cluster from tonight's teardown until a time. */
export interface KeepAlivePayload {
  /** Cluster uuid or exact name. */
  cluster: string;
  /** ISO 8601 instant; at most the policy's `keepAlive.maxHours` ahead. */
  until: string;
  by: string;
  reason: string;
}

/** `allowlist-sync` / `set-source`: replace one named source of allowlist entries, whole. */
export interface SetSourcePayload {
  source: string;
  entries: Array<{ cidr: string; description: string }>;
  updatedBy?: string;
}

/** What a trigger asks a job to do, whatever the trigger was. */
export interface JobRequest {
  job: JobName;
  action: string;
  /** Overrides the policy's dry-run setting to `true` only; a request can never turn a dry-run policy live. */
  dryRun?: boolean;
  /** Narrow the run to these cluster uuids (still within the policy's selector). */
  clusterIds?: string[];
  /** Action-specific input: KeepAlivePayload, SetSourcePayload. */
  payload?: unknown;
}

export type TriggerSource = 'schedule' | 'eventbridge' | 'webhook' | 'direct';

/** One delivery of a request. Redeliveries of the same trigger carry the same idempotency key. */
export interface Delivery {
  source: TriggerSource;
  /** schedule: `<job>:<action>:<scheduled time>`; EventBridge: the event id; webhook: `webhook-id`. */
  idempotencyKey: string;
  /** ISO time the trigger was scheduled or sent. */
  at: string;
  /** Webhooks: the sender (config `webhooks.senders`) whose secret signed the request. */
  sender?: string;
  /**
   * Webhooks: SHA-256 (hex) of the raw body. With the route it is part of the delivery's identity: the same
   * idempotency key with another route or body is a conflict, never a replay of the first request's result.
   */
  bodyDigest?: string;
  /** Asynchronous webhooks: the run id the ingress answered (the job answers no HTTP request). */
  runId?: string;
}

export type ClusterOutcome =
  | {
      clusterId: string;
      clusterName: string;
      status: 'done';
      /** What was done, e.g. 'backup-created'; in a dry run prefixed 'would-', e.g. 'would-create-backup'. */
      action: string;
      detail?: Record<string, unknown>;
    }
  | {
      clusterId: string;
      clusterName: string;
      status: 'skipped';
      reason: string;
      detail?: Record<string, unknown>;
    }
  | {
      clusterId: string;
      clusterName: string;
      status: 'failed';
      error: string;
      detail?: Record<string, unknown>;
    }
  | { clusterId: string; clusterName: string; status: 'deferred'; reason: string };

export type OutcomeStatus = ClusterOutcome['status'];

export interface RunSummary {
  job: JobName;
  action: string;
  idempotencyKey: string;
  trigger: TriggerSource;
  dryRun: boolean;
  startedAt: string;
  finishedAt: string;
  counts: Record<OutcomeStatus, number>;
  clusters: ClusterOutcome[];
  /** Run-level findings (e.g. the blast-radius guard tripped, a replayed delivery). */
  notes: string[];
  /** True when any cluster failed or a run-level guard failed the run: the invocation must fail. */
  failed: boolean;
  /** Set when this summary is the stored answer of an earlier delivery with the same key. */
  replayed?: boolean;
}

/** Thrown by a handler after reporting, so that Lambda retries, DLQs and alarms see a failed run. */
export class RunFailedError extends Error {
  override readonly name = 'RunFailedError';
  constructor(readonly summary: RunSummary) {
    super(
      `${summary.job} ${summary.action} failed: ${summary.counts.failed} cluster(s) failed` +
        (summary.notes.length ? `; ${summary.notes.join('; ')}` : ''),
    );
  }
}

/**
 * The idempotency key of a delivery already belongs to another request (another route, or another body):
 * nothing ran and nothing was stored. Webhooks answer it 409.
 */
export class IdempotencyConflictError extends Error {
  override readonly name = 'IdempotencyConflictError';
  constructor(
    readonly idempotencyKey: string,
    /** The route of the request that first used the key. */
    readonly first: { job: string; action: string },
    readonly reason: 'route' | 'body',
  ) {
    super(
      `idempotency key '${idempotencyKey}' already belongs to ${first.job}.${first.action}` +
        (reason === 'body' ? ' with another body' : ''),
    );
  }
}
