// The state table's item layout. One table (lib/state/table.ts): `pk` and `sk` strings, `ttl` in epoch
// seconds. DynamoDB deletes expired items lazily (often hours, up to days, after `ttl`), so every read
// below checks expiry itself and treats an expired item as absent.
//
//   pk                          sk                    item
//   run#<idempotencyKey>        run                   RunLedger record: status running|completed, job, action,
//                                                     attempt (random id of the invocation that holds the lease),
//                                                     startedAt (ISO), leaseUntil (epoch ms), attempts, failed,
//                                                     summary (B: gzip of the RunSummary JSON, see
//                                                     summary-codec.ts), finishedAt. ttl: 14 days after the last
//                                                     write, so redeliveries within that window are recognised.
//   run#<idempotencyKey>        outcome#<clusterId>   one ClusterOutcome (JSON in `data`) per cluster, overwritten
//                                                     by a retry; read back as `previous` when a failed or
//                                                     abandoned run restarts. ttl: 14 days.
//   claim#<job>#<clusterId>     claim                 ClusterClaims: owner, until (epoch ms). Expired claims are
//                                                     taken over by a conditional write. ttl: until + 1 day.
//   keepalive                   <cluster>             KeepAlive fields, untilMs. ttl: `until` itself.
//   snapshot                    <cluster name>        ClusterSnapshot: what teardown saved (JSON in `data`) plus the
//                                                     mutable status, newClusterId, note, updatedAt as attributes,
//                                                     so a transition is one conditional UpdateItem on `status`.
//                                                     ttl: 90 days after the last change (a cluster torn down
//                                                     with recreate off must stay restorable for a long while).
//   teardown-window             <windowId>            the teardown window (YYYY-MM-DD of the evening it starts):
//                                                     reserved (SS of cluster ids: the deletion budget, spent by a
//                                                     conditional ADD), noticed (SS: what the scheduled notice
//                                                     listed), noticedAt, limit, updatedAt. ttl: 30 days.
//   allowlist-source            <name>                entries (JSON), updatedAt, updatedBy, version (+1 per put).
//                                                     No ttl: a source is configuration.
//   backup-tracking             <clusterId>           lastCheckedAt, pending (JSON). ttl: 30 days after the last put.
//   managed-secret#<clusterId>  <connector secret>    ManagedSecret: source, from, digest, updatedAt (never the value).
//                                                     No ttl: forgetting ownership would leave a secret nobody deletes.
//   secrets-digest-key          key                   key: the random key (base64) of the secrets sync's value digests,
//                                                     written once by a conditional put. No ttl: a new key would
//                                                     change every digest shown from then on.
//   token#<hash>                token                 the shared token cache (lib/token/shared-store.ts).
//
// Lists are one Query on `pk` (consistent read, paginated with LastEvaluatedKey). The list partitions
// (keepalive, snapshot, allowlist-source, backup-tracking) hold at most a few thousand small items, far
// below a hot-partition concern. No TransactWriteItems: every atomic step is one conditional write.
import type { JobName } from '#lib/jobs/types.ts';
import { type StateOperation, StateStoreError } from './errors.ts';

const DAY_MS = 24 * 3600_000;

/** How long items live after their last write (the `ttl` attribute). */
export const RETENTION_MS = {
  run: 14 * DAY_MS,
  /** Added to a claim's `until`: an expired claim is dead anyway; the ttl only tidies up. */
  claimGrace: DAY_MS,
  snapshot: 90 * DAY_MS,
  backupTracking: 30 * DAY_MS,
  teardownWindow: 30 * DAY_MS,
} as const;

export const RUN_SK = 'run';
export const OUTCOME_SK_PREFIX = 'outcome#';
export const CLAIM_SK = 'claim';
export const MANAGED_SECRET_PK_PREFIX = 'managed-secret#';
export const DIGEST_KEY_ITEM: ItemKey = { pk: 'secrets-digest-key', sk: 'key' };

/** DynamoDB's limits on key attribute sizes (UTF-8 bytes). */
const MAX_PK_BYTES = 2048;
const MAX_SK_BYTES = 1024;

export interface ItemKey {
  pk: string;
  sk: string;
}

/**
 * Checks a caller-supplied key part (idempotency key, cluster id or name, source name) before it
 * reaches the table: empty or oversized keys are refused with a clear error, by the DynamoDB adapters
 * and the in-memory fakes alike.
 */
export function keyPart(
  operation: StateOperation,
  what: string,
  value: string,
  maxBytes = MAX_SK_BYTES,
): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new StateStoreError(operation, undefined, `${operation}: ${what} must be a non-empty string`);
  }
  if (Buffer.byteLength(value, 'utf8') > maxBytes - 16) {
    throw new StateStoreError(
      operation,
      undefined,
      `${operation}: ${what} is longer than ${maxBytes - 16} bytes`,
    );
  }
  return value;
}

export const runKey = (op: StateOperation, idempotencyKey: string): ItemKey => ({
  pk: `run#${keyPart(op, 'idempotency key', idempotencyKey, MAX_PK_BYTES)}`,
  sk: RUN_SK,
});

export const outcomeKey = (op: StateOperation, idempotencyKey: string, clusterId: string): ItemKey => ({
  pk: runKey(op, idempotencyKey).pk,
  sk: `${OUTCOME_SK_PREFIX}${keyPart(op, 'cluster id', clusterId)}`,
});

export const claimKey = (op: StateOperation, job: JobName, clusterId: string): ItemKey => ({
  pk: `claim#${keyPart(op, 'job', job)}#${keyPart(op, 'cluster id', clusterId)}`,
  sk: CLAIM_SK,
});

/** The key of an item in one of the fixed partitions; `pk` names the partition, for listing it. */
export type PartitionKey = ((op: StateOperation, value: string) => ItemKey) & { readonly pk: string };

/** Keys in one of the fixed partitions: the sort key is the caller's value (`what`, for errors), checked. */
function inPartition(pk: string, what: string): PartitionKey {
  const key = (op: StateOperation, value: string): ItemKey => ({ pk, sk: keyPart(op, what, value) });
  return Object.assign(key, { pk });
}

export const keepAliveKey = inPartition('keepalive', 'cluster');
export const snapshotKey = inPartition('snapshot', 'cluster name');
export const teardownWindowKey = inPartition('teardown-window', 'window id');
export const allowlistSourceKey = inPartition('allowlist-source', 'source name');
export const backupTrackingKey = inPartition('backup-tracking', 'cluster id');

export const managedSecretKey = (op: StateOperation, clusterId: string, name: string): ItemKey => ({
  pk: managedSecretPartition(op, clusterId),
  sk: keyPart(op, 'connector secret name', name),
});

export const managedSecretPartition = (op: StateOperation, clusterId: string): string =>
  `${MANAGED_SECRET_PK_PREFIX}${keyPart(op, 'cluster id', clusterId)}`;

/**
 * True once an item's ttl (epoch seconds) has passed: DynamoDB would delete it at some point after
 * that, so it counts as gone now. Items without a ttl never expire.
 */
export function isExpiredAt(ttlSecondsValue: number | undefined, nowMs: number): boolean {
  return ttlSecondsValue !== undefined && ttlSecondsValue * 1000 <= nowMs;
}

/** Parses an ISO instant a caller gave; a clear error instead of a NaN in the table. */
export function instantMs(operation: StateOperation, what: string, iso: string): number {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) {
    throw new StateStoreError(operation, undefined, `${operation}: ${what} '${iso}' is not an ISO instant`);
  }
  return ms;
}
