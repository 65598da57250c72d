// BackupTrackingStore on DynamoDB: one item per cluster under `backup-tracking` (what the job last saw, the
// backups it created, the restore drill), ttl 30 days after the last put (a cluster the backup job has not looked at for a month starts from a clean slate).
import type { BackupTrackingStore, DrillRecord } from '#lib/jobs/ports.ts';
import { ItemReader, TTL } from './item-codec.ts';
import { backupTrackingKey, RETENTION_MS } from './keys.ts';
import { stateStore } from './state-table.ts';
import { ttlSeconds } from './table.ts';

export const dynamoBackupTrackingStore = stateStore(
  (table): BackupTrackingStore => ({
    async get(clusterId) {
      const item = await table.get('backupTracking.get', backupTrackingKey('backupTracking.get', clusterId));
      if (!item) return { pending: [] };
      const read = new ItemReader(item);
      const lastCheckedAt = read.string('lastCheckedAt');
      const ours = read.optionalJson<string[]>('backupTracking.get', 'ours', 'our backups');
      const drill = read.optionalJson<DrillRecord>('backupTracking.get', 'drill', 'drill');
      return {
        ...(lastCheckedAt !== undefined ? { lastCheckedAt } : {}),
        pending: read.json<string[]>('backupTracking.get', 'pending', 'pending backups'),
        ...(ours !== undefined ? { ours } : {}),
        ...(drill !== undefined ? { drill } : {}),
      };
    },

    async put(clusterId, state) {
      await table.put('backupTracking.put', backupTrackingKey('backupTracking.put', clusterId), {
        lastCheckedAt: state.lastCheckedAt,
        pending: JSON.stringify(state.pending),
        ours: state.ours === undefined ? undefined : JSON.stringify(state.ours),
        drill: state.drill === undefined ? undefined : JSON.stringify(state.drill),
        [TTL]: ttlSeconds(table.clock.now() + RETENTION_MS.backupTracking),
      });
    },
  }),
);
