// In-memory implementations of every state port with the DynamoDB adapters' semantics (lib/state):
// leases and claims judged by the injected clock, ttl expiry checked on every read, the same key
// validation, the same stored summary (summary-codec), values copied through JSON like the table does.
// The contract suite (test/helpers/state-contract.ts) runs against both, so they cannot drift apart.
//
// For unit tests: `createMemoryStores(clock)` gives the ports plus `fail()` (make operations throw the
// StateStoreError a DynamoDB fault would), `calls` (operation counts) and `inspect` (read raw records).

import type {
  AllowlistSource,
  AllowlistSourceStore,
  BackupTrackingState,
  BackupTrackingStore,
  ClusterClaims,
  ClusterSnapshot,
  KeepAlive,
  KeepAliveStore,
  RunLedger,
  RunState,
  SnapshotStatus,
  SnapshotStore,
  TeardownWindowStore,
} from '#lib/jobs/ports.ts';
import type { ClusterOutcome, JobName, RunSummary } from '#lib/jobs/types.ts';
import type { StateStores } from '#lib/state/dynamo.ts';
import { type StateOperation, StateStoreError } from '#lib/state/errors.ts';
import {
  allowlistSourceKey,
  backupTrackingKey,
  claimKey,
  instantMs,
  isExpiredAt,
  keepAliveKey,
  keyPart,
  outcomeKey,
  RETENTION_MS,
  runKey,
  snapshotKey,
  teardownWindowKey,
} from '#lib/state/keys.ts';
import { snapshotProblem } from '#lib/state/snapshot-store.ts';
import { decodeSummary, encodeSummary, fitOutcome } from '#lib/state/summary-codec.ts';
import { ttlSeconds } from '#lib/state/table.ts';
import { memoryManagedSecretStore } from './managed-secrets.ts';

export type StorageFault = 'throttle' | 'reset';

/** The run record as the ledger holds it (for assertions). */
export interface RunRecordView {
  status: 'accepted' | 'running' | 'completed';
  job?: string;
  action?: string;
  startedAt?: string;
  leaseUntil?: number;
  attempts: number;
  failed?: boolean;
  /** The summary as stored (possibly reduced, see lib/state/summary-codec.ts). */
  summary?: RunSummary;
  outcomes: ClusterOutcome[];
}

export interface MemoryStores extends StateStores {
  /**
   * From now on, `operation` (or every operation, '*') rejects with the StateStoreError a DynamoDB fault
   * would give, before touching any state; `times` limits how often.
   */
  fail(operation: StateOperation | '*', fault?: StorageFault, times?: number): void;
  /** Removes every injected fault. */
  heal(): void;
  /** How often each operation was called (faulted calls included). */
  calls: Partial<Record<StateOperation, number>>;
  /** Writes an unreadable item (a snapshot whose saved JSON is cut off, a keep-alive without its until). */
  plantCorrupt(kind: 'snapshot' | 'keepAlive', key: string): void;
  inspect: {
    run(idempotencyKey: string): RunRecordView | undefined;
    claim(job: JobName, clusterId: string): { owner: string; until: number } | undefined;
  };
}

const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** DynamoDB returns a partition's items in UTF-8 byte order of the sort key. */
const byKey = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

function faultError(operation: StateOperation, fault: StorageFault): StateStoreError {
  const cause =
    fault === 'throttle'
      ? Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
          name: 'ThrottlingException',
        })
      : Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
  return new StateStoreError(operation, cause);
}

interface RunRecord {
  status: 'accepted' | 'running' | 'completed';
  job?: string;
  action?: string;
  startedAt?: string;
  leaseUntil?: number;
  bodyDigest?: string;
  attempts: number;
  failed?: boolean;
  summary?: Uint8Array;
  ttl: number;
}

function recordState(record: RunRecord): RunState {
  if (record.status === 'completed') return record.failed === true ? 'failed' : 'completed';
  return record.status;
}

interface Stored<T> {
  value: T;
  ttl?: number;
}

export function createMemoryStores(clock: { now(): number }): MemoryStores {
  const faults: Array<{ operation: StateOperation | '*'; fault: StorageFault; left: number }> = [];
  const calls: Partial<Record<StateOperation, number>> = {};

  /** Every operation passes here first: count, inject faults. */
  const enter = (operation: StateOperation): void => {
    calls[operation] = (calls[operation] ?? 0) + 1;
    const rule = faults.find((f) => (f.operation === operation || f.operation === '*') && f.left > 0);
    if (rule) {
      rule.left--;
      throw faultError(operation, rule.fault);
    }
  };

  const live = <T>(entry: Stored<T> | undefined, now: number): T | undefined =>
    entry && !isExpiredAt(entry.ttl, now) ? entry.value : undefined;

  // --- RunLedger ---------------------------------------------------------------------------------
  const runs = new Map<string, RunRecord>();
  const outcomes = new Map<string, Map<string, Stored<string>>>();

  const liveOutcomes = (key: string, now: number): Map<string, ClusterOutcome> => {
    const previous = new Map<string, ClusterOutcome>();
    const entries = [...(outcomes.get(key) ?? new Map<string, Stored<string>>()).entries()].sort(([a], [b]) =>
      byKey(a, b),
    );
    for (const [, entry] of entries) {
      const data = live(entry, now);
      if (data === undefined) continue;
      const outcome = JSON.parse(data) as ClusterOutcome;
      previous.set(outcome.clusterId, outcome);
    }
    return previous;
  };

  const ledger: RunLedger = {
    async start(key, job, action, { leaseMs, retryFailed, bodyDigest }) {
      enter('ledger.start');
      runKey('ledger.start', key);
      const now = clock.now();
      const existing = runs.get(key);
      const expired = existing !== undefined && isExpiredAt(existing.ttl, now);
      if (existing && !expired) {
        const first = { job: existing.job ?? '', action: existing.action ?? '' };
        if (first.job !== job || first.action !== action) {
          return { kind: 'conflict', ...first, reason: 'route' };
        }
        if (bodyDigest !== undefined && existing.bodyDigest !== bodyDigest) {
          return { kind: 'conflict', ...first, reason: 'body' };
        }
      }
      const begin = (previous: Map<string, ClusterOutcome>) => {
        runs.set(key, {
          status: 'running',
          job,
          action,
          startedAt: new Date(now).toISOString(),
          leaseUntil: now + leaseMs,
          bodyDigest: bodyDigest ?? (expired ? undefined : existing?.bodyDigest),
          attempts: (existing?.attempts ?? 0) + 1,
          ttl: ttlSeconds(now + leaseMs + RETENTION_MS.run),
        });
        return { kind: 'started' as const, previous };
      };
      if (!existing) return begin(new Map());
      if (expired) {
        outcomes.delete(key);
        return begin(new Map());
      }
      if (existing.status === 'accepted') return begin(new Map());
      if (existing.status === 'running') {
        if ((existing.leaseUntil ?? 0) <= now) return begin(liveOutcomes(key, now));
        return { kind: 'running', since: existing.startedAt ?? new Date(now).toISOString() };
      }
      if (existing.failed === true && retryFailed) return begin(liveOutcomes(key, now));
      if (!existing.summary) {
        throw new StateStoreError('ledger.start', undefined, 'ledger.start: completed run has no summary');
      }
      return { kind: 'completed', summary: decodeSummary(existing.summary) };
    },

    async recordOutcome(key, outcome) {
      enter('ledger.recordOutcome');
      outcomeKey('ledger.recordOutcome', key, outcome.clusterId);
      const now = clock.now();
      let perRun = outcomes.get(key);
      if (!perRun) {
        perRun = new Map();
        outcomes.set(key, perRun);
      }
      perRun.set(outcome.clusterId, {
        value: JSON.stringify(fitOutcome(outcome)),
        ttl: ttlSeconds(now + RETENTION_MS.run),
      });
    },

    async accept(key, job, action, { bodyDigest }) {
      enter('ledger.accept');
      runKey('ledger.accept', key);
      const now = clock.now();
      const existing = runs.get(key);
      if (!existing || isExpiredAt(existing.ttl, now)) {
        outcomes.delete(key);
        runs.set(key, {
          status: 'accepted',
          job,
          action,
          bodyDigest,
          attempts: 0,
          ttl: ttlSeconds(now + RETENTION_MS.run),
        });
        return { kind: 'accepted', state: 'accepted' };
      }
      const first = { job: existing.job ?? '', action: existing.action ?? '' };
      if (first.job !== job || first.action !== action)
        return { kind: 'conflict', ...first, reason: 'route' };
      if (existing.bodyDigest !== bodyDigest) return { kind: 'conflict', ...first, reason: 'body' };
      return { kind: 'existing', state: recordState(existing) };
    },

    async get(key) {
      enter('ledger.get');
      runKey('ledger.get', key);
      const existing = runs.get(key);
      if (!existing || isExpiredAt(existing.ttl, clock.now())) return undefined;
      return {
        state: recordState(existing),
        job: existing.job ?? '',
        action: existing.action ?? '',
        ...(existing.summary ? { summary: decodeSummary(existing.summary) } : {}),
      };
    },

    async finish(key, summary) {
      enter('ledger.finish');
      runKey('ledger.finish', key);
      const now = clock.now();
      const existing = runs.get(key);
      runs.set(key, {
        ...(existing ?? { attempts: 0 }),
        status: 'completed',
        failed: summary.failed,
        summary: encodeSummary(summary),
        leaseUntil: undefined,
        ttl: ttlSeconds(now + RETENTION_MS.run),
      });
    },
  };

  // --- ClusterClaims ------------------------------------------------------------------------------
  const claimsHeld = new Map<string, { owner: string; until: number }>();
  const claims: ClusterClaims = {
    async claim(job, clusterId, owner, leaseMs) {
      enter('claims.claim');
      const { pk } = claimKey('claims.claim', job, clusterId);
      const now = clock.now();
      const held = claimsHeld.get(pk);
      if (held && held.owner !== owner && held.until > now) return false;
      claimsHeld.set(pk, { owner, until: now + leaseMs });
      return true;
    },
    async release(job, clusterId, owner) {
      enter('claims.release');
      const { pk } = claimKey('claims.release', job, clusterId);
      if (claimsHeld.get(pk)?.owner === owner) claimsHeld.delete(pk);
    },
  };

  // --- KeepAliveStore -----------------------------------------------------------------------------
  const keepAliveItems = new Map<string, { keepAlive: KeepAlive; untilMs: number }>();
  /** Unreadable keep-alives by cluster, with the reason the adapter gives (no untilMs). */
  const corruptKeepAlives = new Map<string, string>();
  const keepAlives: KeepAliveStore = {
    async put(keepAlive) {
      enter('keepAlives.put');
      keepAliveKey('keepAlives.put', keepAlive.cluster);
      const untilMs = instantMs('keepAlives.put', 'until', keepAlive.until);
      const { cluster, until, by, reason, setAt } = keepAlive;
      // Longest wins (the adapter's conditional write): one lasting at least as long stays.
      const existing = keepAliveItems.get(cluster);
      if (existing && existing.untilMs >= untilMs)
        return { stored: false, inForce: copy(existing.keepAlive) };
      corruptKeepAlives.delete(cluster);
      keepAliveItems.set(cluster, { keepAlive: copy({ cluster, until, by, reason, setAt }), untilMs });
      return { stored: true };
    },
    async active(now) {
      const { keepAlives: active, unreadable } = await keepAlives.listing(now);
      const [first] = unreadable;
      if (first) {
        throw new StateStoreError(
          'keepAlives.active',
          undefined,
          `keepAlives.active: the keep-alive of '${first.key}' is unreadable: ${first.reason}`,
        );
      }
      return active;
    },
    async listing(now) {
      enter('keepAlives.active');
      return {
        keepAlives: [...keepAliveItems.entries()]
          .sort(([a], [b]) => byKey(a, b))
          .filter(([, item]) => item.untilMs > now)
          .map(([, item]) => copy(item.keepAlive)),
        unreadable: [...corruptKeepAlives.entries()]
          .sort(([a], [b]) => byKey(a, b))
          .map(([key, reason]) => ({ key, reason })),
      };
    },
  };

  // --- SnapshotStore ------------------------------------------------------------------------------
  interface SnapshotRecord {
    saved: string;
    status: SnapshotStatus;
    newClusterId?: string;
    note?: string;
    updatedAt: string;
    ttl: number;
  }
  const snapshotItems = new Map<string, SnapshotRecord>();
  /** Why a stored snapshot cannot be read (the adapter's checks), or undefined. */
  const unreadableReason = (name: string, record: SnapshotRecord): string | undefined => {
    let saved: unknown;
    try {
      saved = JSON.parse(record.saved);
    } catch {
      return 'stored snapshot is not valid JSON';
    }
    return snapshotProblem(name, saved, record.status);
  };
  const readable = (operation: StateOperation, name: string, record: SnapshotRecord): ClusterSnapshot => {
    const reason = unreadableReason(name, record);
    if (reason) {
      throw new StateStoreError(
        operation,
        undefined,
        `${operation}: snapshot '${name}' is unreadable: ${reason}`,
      );
    }
    return fromRecord(record);
  };
  const fromRecord = (record: SnapshotRecord): ClusterSnapshot => ({
    ...(JSON.parse(record.saved) as Omit<ClusterSnapshot, 'status' | 'newClusterId' | 'note' | 'updatedAt'>),
    status: record.status,
    ...(record.newClusterId !== undefined ? { newClusterId: record.newClusterId } : {}),
    ...(record.note !== undefined ? { note: record.note } : {}),
    updatedAt: record.updatedAt,
  });
  const snapshots: SnapshotStore = {
    async save(snapshot) {
      enter('snapshots.save');
      snapshotKey('snapshots.save', snapshot.name);
      const { status, newClusterId, note, updatedAt, ...saved } = snapshot;
      snapshotItems.set(snapshot.name, {
        saved: JSON.stringify(saved),
        status,
        ...(newClusterId !== undefined ? { newClusterId } : {}),
        ...(note !== undefined ? { note } : {}),
        updatedAt,
        ttl: ttlSeconds(clock.now() + RETENTION_MS.snapshot),
      });
    },
    async get(name) {
      enter('snapshots.get');
      snapshotKey('snapshots.get', name);
      const record = snapshotItems.get(name);
      if (!record || isExpiredAt(record.ttl, clock.now())) return undefined;
      return readable('snapshots.get', name, record);
    },
    async list(statuses) {
      enter('snapshots.list');
      const now = clock.now();
      return [...snapshotItems.entries()]
        .sort(([a], [b]) => byKey(a, b))
        .filter(([, r]) => !isExpiredAt(r.ttl, now) && (!statuses || statuses.includes(r.status)))
        .map(([name, r]) => readable('snapshots.list', name, r));
    },
    async listing(statuses) {
      enter('snapshots.list');
      const now = clock.now();
      const out: { snapshots: ClusterSnapshot[]; unreadable: Array<{ key: string; reason: string }> } = {
        snapshots: [],
        unreadable: [],
      };
      for (const [name, r] of [...snapshotItems.entries()].sort(([a], [b]) => byKey(a, b))) {
        if (isExpiredAt(r.ttl, now)) continue;
        const reason = unreadableReason(name, r);
        if (reason) out.unreadable.push({ key: name, reason });
        else if (!statuses || statuses.includes(r.status)) out.snapshots.push(fromRecord(r));
      }
      return out;
    },
    async transition(name, from, change, now) {
      enter('snapshots.transition');
      snapshotKey('snapshots.transition', name);
      const record = snapshotItems.get(name);
      if (!record || isExpiredAt(record.ttl, now) || record.status !== from) return false;
      snapshotItems.set(name, {
        ...record,
        status: change.status,
        ...(change.newClusterId !== undefined ? { newClusterId: change.newClusterId } : {}),
        ...(change.note !== undefined ? { note: change.note } : {}),
        updatedAt: new Date(now).toISOString(),
        ttl: ttlSeconds(now + RETENTION_MS.snapshot),
      });
      return true;
    },
    async dropSecrets(name) {
      enter('snapshots.dropSecrets');
      snapshotKey('snapshots.dropSecrets', name);
      const record = snapshotItems.get(name);
      if (!record) return;
      const saved = JSON.parse(record.saved) as { secrets?: { sealed?: unknown } };
      if (saved.secrets?.sealed === undefined) return;
      delete saved.secrets.sealed;
      snapshotItems.set(name, { ...record, saved: JSON.stringify(saved) });
    },
  };

  // --- TeardownWindowStore ------------------------------------------------------------------------
  const windowItems = new Map<
    string,
    Stored<{ noticedAt?: string; noticed: string[]; reserved: string[] }>
  >();
  const windowOf = (windowId: string, now: number) =>
    live(windowItems.get(windowId), now) ?? { noticed: [], reserved: [] };
  const sorted = (ids: Iterable<string>) => [...new Set(ids)].sort(byKey);
  const teardownWindows: TeardownWindowStore = {
    async get(windowId) {
      enter('teardownWindows.get');
      teardownWindowKey('teardownWindows.get', windowId);
      const w = windowOf(windowId, clock.now());
      return copy(w);
    },
    async recordNotice(windowId, clusterIds, now) {
      enter('teardownWindows.recordNotice');
      teardownWindowKey('teardownWindows.recordNotice', windowId);
      for (const id of clusterIds) keyPart('teardownWindows.recordNotice', 'cluster id', id);
      const w = windowOf(windowId, now);
      windowItems.set(windowId, {
        value: {
          ...w,
          noticedAt: new Date(now).toISOString(),
          noticed: sorted([...w.noticed, ...clusterIds]),
        },
        ttl: ttlSeconds(now + RETENTION_MS.teardownWindow),
      });
    },
    async reserve(windowId, clusterId, limit, now) {
      enter('teardownWindows.reserve');
      teardownWindowKey('teardownWindows.reserve', windowId);
      keyPart('teardownWindows.reserve', 'cluster id', clusterId);
      if (!Number.isSafeInteger(limit) || limit < 1) {
        throw new StateStoreError(
          'teardownWindows.reserve',
          undefined,
          `teardownWindows.reserve: limit must be an integer >= 1, got ${limit}`,
        );
      }
      const w = windowOf(windowId, now);
      if (w.reserved.includes(clusterId)) return { granted: true, reserved: w.reserved.length };
      if (w.reserved.length >= limit) return { granted: false, reserved: w.reserved.length };
      const reserved = sorted([...w.reserved, clusterId]);
      windowItems.set(windowId, {
        value: { ...w, reserved },
        ttl: ttlSeconds(now + RETENTION_MS.teardownWindow),
      });
      return { granted: true, reserved: reserved.length };
    },
    async release(windowId, clusterId, now) {
      enter('teardownWindows.release');
      teardownWindowKey('teardownWindows.release', windowId);
      keyPart('teardownWindows.release', 'cluster id', clusterId);
      const entry = windowItems.get(windowId);
      const w = live(entry, now);
      if (!entry || !w) return;
      entry.value = { ...w, reserved: w.reserved.filter((id) => id !== clusterId) };
    },
  };

  // --- AllowlistSourceStore -----------------------------------------------------------------------
  const sources = new Map<string, AllowlistSource>();
  const allowlistSources: AllowlistSourceStore = {
    async put(name, entries, updatedBy, now) {
      enter('allowlistSources.put');
      allowlistSourceKey('allowlistSources.put', name);
      const version = (sources.get(name)?.version ?? 0) + 1;
      sources.set(name, {
        name,
        entries: copy(entries),
        updatedAt: new Date(now).toISOString(),
        ...(updatedBy !== undefined ? { updatedBy } : {}),
        version,
      });
      return version;
    },
    async list() {
      enter('allowlistSources.list');
      return [...sources.entries()].sort(([a], [b]) => byKey(a, b)).map(([, source]) => copy(source));
    },
  };

  // --- BackupTrackingStore ------------------------------------------------------------------------
  const tracking = new Map<string, Stored<BackupTrackingState>>();
  const backupTracking: BackupTrackingStore = {
    async get(clusterId) {
      enter('backupTracking.get');
      backupTrackingKey('backupTracking.get', clusterId);
      const state = live(tracking.get(clusterId), clock.now());
      return state ? copy(state) : { pending: [] };
    },
    async put(clusterId, state) {
      enter('backupTracking.put');
      backupTrackingKey('backupTracking.put', clusterId);
      tracking.set(clusterId, {
        value: copy({
          ...(state.lastCheckedAt !== undefined ? { lastCheckedAt: state.lastCheckedAt } : {}),
          pending: state.pending,
          ...(state.ours !== undefined ? { ours: state.ours } : {}),
          ...(state.drill !== undefined ? { drill: state.drill } : {}),
        }),
        ttl: ttlSeconds(clock.now() + RETENTION_MS.backupTracking),
      });
    },
  };

  return {
    ledger,
    claims,
    keepAlives,
    snapshots,
    teardownWindows,
    allowlistSources,
    backupTracking,
    managedSecrets: memoryManagedSecretStore(enter),
    plantCorrupt(kind, key) {
      if (kind === 'keepAlive') {
        keepAliveItems.delete(key);
        corruptKeepAlives.set(key, 'stored keep-alive lacks untilMs, until (or has them of the wrong type)');
        return;
      }
      snapshotItems.set(key, {
        saved: '{"clusterId":"id-',
        status: 'deleted',
        updatedAt: new Date(clock.now()).toISOString(),
        ttl: ttlSeconds(clock.now() + RETENTION_MS.snapshot),
      });
    },
    fail(operation, fault = 'throttle', times = Number.POSITIVE_INFINITY) {
      faults.push({ operation, fault, left: times });
    },
    heal() {
      faults.length = 0;
    },
    calls,
    inspect: {
      run(key) {
        const record = runs.get(key);
        if (!record) return undefined;
        return {
          status: record.status,
          ...(record.job !== undefined ? { job: record.job } : {}),
          ...(record.action !== undefined ? { action: record.action } : {}),
          ...(record.startedAt !== undefined ? { startedAt: record.startedAt } : {}),
          ...(record.leaseUntil !== undefined ? { leaseUntil: record.leaseUntil } : {}),
          attempts: record.attempts,
          ...(record.failed !== undefined ? { failed: record.failed } : {}),
          ...(record.summary ? { summary: decodeSummary(record.summary) } : {}),
          outcomes: [...liveOutcomes(key, Number.NEGATIVE_INFINITY).values()],
        };
      },
      claim(job, clusterId) {
        const held = claimsHeld.get(claimKey('claims.claim', job, clusterId).pk);
        return held ? { ...held } : undefined;
      },
    },
  };
}
