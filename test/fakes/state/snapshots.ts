// The in-memory SnapshotStore: the saved snapshot kept as JSON beside its status like the table item, read
// back with the adapter's checks (snapshotProblem), transitions compare-and-set, ttl renewed on change.
import type { ClusterSnapshot, SnapshotStatus, SnapshotStore } from '#lib/jobs/ports.ts';
import { type StateOperation, StateStoreError } from '#lib/state/errors.ts';
import { isExpiredAt, RETENTION_MS, snapshotKey } from '#lib/state/keys.ts';
import { snapshotProblem } from '#lib/state/snapshot-store.ts';
import { ttlSeconds } from '#lib/state/table.ts';
import { byKey, type Clock, type Enter } from './storage.ts';

export function memorySnapshotStore(
  clock: Clock,
  enter: Enter,
): {
  snapshots: SnapshotStore;
  /** Stores a snapshot under `name` whose saved JSON is cut off. */
  plantCorrupt(name: string): void;
} {
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

  return {
    snapshots,
    plantCorrupt(key) {
      snapshotItems.set(key, {
        saved: '{"clusterId":"id-',
        status: 'deleted',
        updatedAt: new Date(clock.now()).toISOString(),
        ttl: ttlSeconds(clock.now() + RETENTION_MS.snapshot),
      });
    },
  };
}
