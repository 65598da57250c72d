// The ports the job use cases depend on. Real adapters: `lib/console` (Console API), `lib/state`
// (DynamoDB), `lib/runtime` (EventBridge publisher, Powertools metrics). Tests pass fakes.

import type { AllowlistEntryConfig, ClusterSelector } from '#lib/config/types.ts';
import type { ConsoleClient, IpAllowlistEntry } from '#lib/console/client.ts';
import type { Log } from '#lib/log/log.ts';
import type { SealedBox } from '#lib/secrets/sealer.ts';
import type { ClusterOutcome, JobName, RunSummary } from './types.ts';

/** The Console API as the jobs see it (the adapter is lib/console/client.ts). */
export type ConsolePort = ConsoleClient;

export interface Clock {
  now(): number;
}

/** Publishes a result or notice event (EventBridge `detail-type` + `detail`) on the project's bus. */
export interface EventPublisher {
  publish(detailType: string, detail: Record<string, unknown>): Promise<void>;
}

/** Counters for dashboards and alarms (Powertools Metrics in Lambda). */
export interface RunMetrics {
  count(name: string, value?: number): void;
  /**
   * One value of a per-cluster metric (dimension `Cluster`: the cluster's name). CloudWatch bills every
   * cluster as a metric of its own ($0.30 a month each), so only callers a config switch allows use it.
   * Optional: a port without it publishes fleet figures only.
   */
  perCluster?(name: string, cluster: string, value: number, unit: 'Seconds' | 'Count'): void;
}

export type LedgerStart =
  /** New run, or a retry of a failed/abandoned one: `previous` holds the outcomes already recorded. */
  | { kind: 'started'; previous: Map<string, ClusterOutcome> }
  /** The same delivery already completed: answer with its summary, do nothing. */
  | { kind: 'completed'; summary: RunSummary }
  /** The same delivery is being run right now by another invocation. */
  | { kind: 'running'; since: string }
  /**
   * The key belongs to another request: another route (`job`/`action` differ) or another body (digest
   * differs). `job` and `action` are the first request's. Nothing was changed.
   */
  | { kind: 'conflict'; job: string; action: string; reason: 'route' | 'body' };

/** Idempotency of deliveries: one record per idempotency key, with per-cluster outcomes. */
export interface RunLedger {
  /**
   * Claims the key for `leaseMs`. A completed run answers 'completed' — unless it failed and
   * `retryFailed` is true (Lambda/EventBridge retries), in which case it restarts with the earlier
   * outcomes so only the failed part is redone. Webhooks pass `retryFailed: false` (first result wins).
   */
  start(
    key: string,
    job: JobName,
    action: string,
    options: {
      leaseMs: number;
      retryFailed: boolean;
      /**
       * SHA-256 (hex) of the request body (webhooks). Stored with the record; a later start of the same key
       * with another digest — or another job/action, digest or not — is a 'conflict'.
       */
      bodyDigest?: string;
    },
  ): Promise<LedgerStart>;
  recordOutcome(key: string, outcome: ClusterOutcome): Promise<void>;
  finish(key: string, summary: RunSummary): Promise<void>;
  /**
   * Records an accepted asynchronous request (webhook ingress) under `key`, in state 'accepted', unless a live
   * record exists: then answers that record's state — or a conflict when it is another route or body, and
   * changes nothing. A later `start` of the same key, route and body takes the accepted record over.
   */
  accept(
    key: string,
    job: JobName,
    action: string,
    options: { bodyDigest: string },
  ): Promise<{ kind: 'accepted' | 'existing'; state: RunState } | Extract<LedgerStart, { kind: 'conflict' }>>;
  /** The state of the run of `key` (with its summary once completed); undefined when there is none. */
  get(key: string): Promise<RunRecordState | undefined>;
}

/** Where a run is: accepted (handed over, not yet started), running, completed (or failed). */
export type RunState = 'accepted' | 'running' | 'completed' | 'failed';

export interface RunRecordState {
  state: RunState;
  job: string;
  action: string;
  /** Once completed or failed. */
  summary?: RunSummary;
}

/** Keeps two overlapping runs of one job from working on the same cluster at once. */
export interface ClusterClaims {
  /** True if this owner now holds the claim (free, expired, or already its own). */
  claim(job: JobName, clusterId: string, owner: string, leaseMs: number): Promise<boolean>;
  release(job: JobName, clusterId: string, owner: string): Promise<void>;
}

export interface KeepAlive {
  /** Cluster uuid or exact name, as the request gave it. */
  cluster: string;
  /** ISO instant. */
  until: string;
  by: string;
  reason: string;
  setAt: string;
}

/**
 * A stored item that cannot be read (a bad manual edit, a bug, a half-migrated item). Bulk reads return it
 * apart instead of failing the whole list, so only its own cluster fails; `key` is the item's sort key (the
 * cluster name of a snapshot, the cluster a keep-alive names).
 */
export interface UnreadableItem {
  key: string;
  reason: string;
}

/** What a keep-alive put did: stored, or refused because one lasting at least as long is in force. */
export type KeepAlivePut = { stored: true } | { stored: false; inForce: KeepAlive | undefined };

export interface KeepAliveStore {
  /**
   * Stores the keep-alive for that cluster (as named), with a TTL at `until` — unless one that lasts at
   * least as long is in force: a conditional write, so of concurrent puts the longest `until` wins whatever
   * the order of arrival. A keep-alive only ever prevents a deletion; it is never shortened.
   */
  put(keepAlive: KeepAlive): Promise<KeepAlivePut>;
  /**
   * Keep-alives whose `until` is after `now` (expired ones are ignored even if TTL has not removed them).
   * Throws a StateStoreError when any stored keep-alive is unreadable: use `listing` to get both apart.
   */
  active(now: number): Promise<KeepAlive[]>;
  /** The active keep-alives, and the unreadable ones apart (a cluster with one must not be deleted). */
  listing(now: number): Promise<{ keepAlives: KeepAlive[]; unreadable: UnreadableItem[] }>;
}

export type SnapshotStatus = 'deleted' | 'recreating' | 'recreated' | 'done' | 'failed';

/** What teardown saved of a cluster before deleting it, so the morning recreate can bring it back. */
export interface ClusterSnapshot {
  clusterId: string;
  name: string;
  description?: string;
  labels: string[];
  planType: { uuid: string; name: string };
  region: { uuid: string; name: string };
  channel: { uuid: string; name: string };
  generation: { uuid: string; name: string };
  backupRegion?: { uuid: string; name: string };
  allowlist: IpAllowlistEntry[];
  takenAt: string;
  /** The teardown run (idempotency key) that deleted it. */
  teardownKey: string;
  /**
   * 'deleted' (saved and deleted, to recreate), 'recreating' (create sent; `newClusterId` when known),
   * 'recreated' (cluster exists, allowlist not yet re-applied), 'done', 'failed' (see `note`).
   */
  status: SnapshotStatus;
  newClusterId?: string;
  note?: string;
  updatedAt: string;
  // --- What a faithful recreate brings back besides the create fields (absent in older snapshots) ---
  /** As the live API returns it (not in the spec). */
  autoUpdate?: boolean;
  /** `encryption.type` of the deleted cluster ('Software', 'Hardware', 'Provider', 'External'). */
  encryptionType?: string;
  /**
   * Connector secrets: their names (not secret) and their values sealed (envelope encryption bound to
   * `sealedFor`). `sealed` is dropped once the recreate restored them; the item's TTL is the backstop.
   */
  secrets?: { names: string[]; sealed?: SealedBox; sealedFor: { clusterId: string; clusterName: string } };
  /** API clients: names and permissions (their secrets cannot be read; the recreate issues new ones). */
  apiClients?: Array<{ name: string; permissions: string[] }>;
}

export interface SnapshotStore {
  /** Saves the snapshot under its cluster name (a newer teardown replaces an older snapshot). */
  save(snapshot: ClusterSnapshot): Promise<void>;
  /** Throws a StateStoreError naming the snapshot when it is unreadable. */
  get(name: string): Promise<ClusterSnapshot | undefined>;
  /** Throws a StateStoreError when any listed snapshot is unreadable: use `listing` to get both apart. */
  list(statuses?: SnapshotStatus[]): Promise<ClusterSnapshot[]>;
  /**
   * The readable snapshots in `statuses`, and every unreadable one apart (whatever its status: it cannot be
   * told), so one corrupt item fails only its own cluster.
   */
  listing(
    statuses?: SnapshotStatus[],
  ): Promise<{ snapshots: ClusterSnapshot[]; unreadable: UnreadableItem[] }>;
  /**
   * Moves a snapshot from `from` to a new status with changes; false if it was not in `from`
   * (another run moved it first).
   */
  transition(
    name: string,
    from: SnapshotStatus,
    change: Partial<Pick<ClusterSnapshot, 'status' | 'newClusterId' | 'note'>> & { status: SnapshotStatus },
    now: number,
  ): Promise<boolean>;
  /** Removes the sealed secret values of the snapshot (names stay); no-op when there are none. */
  dropSecrets(name: string): Promise<void>;
}

/** One teardown window as the state table holds it (see functions/teardown/window.ts for the window). */
export interface TeardownWindowState {
  /** When a scheduled notice of this window was recorded (ISO); absent when none was. */
  noticedAt?: string;
  /** The clusters the window's scheduled notice(s) listed: what an ad-hoc run may delete ('noticed-only'). */
  noticed: string[];
  /** The clusters a deletion was reserved for in this window's budget, by every run and trigger. */
  reserved: string[];
}

/**
 * The deletion budget of a teardown window, shared by every run and every trigger, and what the window's
 * notice listed. Every change is one conditional write, so concurrent runs cannot overspend.
 */
export interface TeardownWindowStore {
  get(windowId: string): Promise<TeardownWindowState>;
  /** Adds the clusters a scheduled notice listed to the window's noticed set. */
  recordNotice(windowId: string, clusterIds: string[], now: number): Promise<void>;
  /**
   * Reserves the deletion of one cluster before it is deleted: granted while fewer than `limit` clusters are
   * reserved in the window, or when this cluster already is (a retry does not spend twice).
   */
  reserve(
    windowId: string,
    clusterId: string,
    limit: number,
    now: number,
  ): Promise<{ granted: boolean; reserved: number }>;
  /** Gives a reservation back when the delete certainly did not happen. */
  release(windowId: string, clusterId: string, now: number): Promise<void>;
}

export interface AllowlistSource {
  name: string;
  entries: AllowlistEntryConfig[];
  /** The selector from the policy's declaration of this source, if any. */
  selector?: ClusterSelector;
  updatedAt: string;
  updatedBy?: string;
  version: number;
}

export interface AllowlistSourceStore {
  /** Replaces the source whole; returns its new version. */
  put(
    name: string,
    entries: AllowlistEntryConfig[],
    updatedBy: string | undefined,
    now: number,
  ): Promise<number>;
  list(): Promise<AllowlistSource[]>;
}

/** Per-cluster memory of the backup job between runs. */
export interface BackupTrackingState {
  /** When the job last looked at this cluster's backups (ISO). Failures after this are new. */
  lastCheckedAt?: string;
  /** Backups this job created that had not completed when it last looked. */
  pending: string[];
  /** Ids of the backups this project created on the cluster (oldest first, the newest few kept). */
  ours?: string[];
  /** The cluster's restore drill: the one in flight, or the last one (functions/backup/run-drill.ts). */
  drill?: DrillRecord;
}

export type DrillStep =
  | 'backup-requested'
  | 'backup-complete'
  | 'restore-requested'
  | 'restore-completed'
  | 'healthy'
  | 'failed'
  | 'not-available';

/** A restore drill's progress, persisted after every step so a later invocation resumes it. */
export interface DrillRecord {
  drillId: string;
  step: DrillStep;
  startedAt: string;
  backupId?: string;
  /** The backup was taken by this drill (false: the newest Complete one was used). */
  backupTaken?: boolean;
  restoreId?: string;
  restoreRequestedAt?: string;
  restoreCompletedAt?: string;
  healthyAt?: string;
  /** Restore requested → cluster Healthy, in seconds (once `healthy`). */
  recoverySeconds?: number;
  /** Why it failed or is not available. */
  reason?: string;
  updatedAt: string;
}

export interface BackupTrackingStore {
  get(clusterId: string): Promise<BackupTrackingState>;
  put(clusterId: string, state: BackupTrackingState): Promise<void>;
}

/** Everything a job run may use; each use case takes what it needs from this. */
export interface JobDeps {
  console: ConsolePort;
  clock: Clock;
  log: Log;
  metrics: RunMetrics;
  events: EventPublisher;
  ledger: RunLedger;
  claims: ClusterClaims;
  keepAlives: KeepAliveStore;
  snapshots: SnapshotStore;
  teardownWindows: TeardownWindowStore;
  allowlistSources: AllowlistSourceStore;
  backupTracking: BackupTrackingStore;
}
