// The in-memory BackupTrackingStore: per-cluster backup state as put, forgotten after its retention.
import type { BackupTrackingState, BackupTrackingStore } from '#lib/jobs/ports.ts';
import { backupTrackingKey, RETENTION_MS } from '#lib/state/keys.ts';
import { ttlSeconds } from '#lib/state/table.ts';
import { type Clock, copy, type Enter, live, type Stored } from './storage.ts';

export function memoryBackupTrackingStore(clock: Clock, enter: Enter): BackupTrackingStore {
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
  return backupTracking;
}
