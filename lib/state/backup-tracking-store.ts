// BackupTrackingStore on DynamoDB: one item per cluster under `backup-tracking` (what the job last saw, the
// backups it created, the restore drill), ttl 30 days after the last put (a cluster the backup job has not looked at for a month starts from a clean slate).
import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { BackupTrackingStore, DrillRecord } from '#lib/jobs/ports.ts';
import {
  attempt,
  type DynamoStoreOptions,
  getLive,
  keyOf,
  n,
  parseJson,
  s,
  str,
  systemClock,
  TTL,
} from './dynamo-io.ts';
import { backupTrackingKey, RETENTION_MS } from './keys.ts';
import { ttlSeconds } from './table.ts';

export function dynamoBackupTrackingStore(
  client: DynamoDBClient,
  tableName: string,
  options: DynamoStoreOptions = {},
): BackupTrackingStore {
  const clock = options.clock ?? systemClock;
  return {
    async get(clusterId) {
      const key = backupTrackingKey('backupTracking.get', clusterId);
      const item = await getLive(client, tableName, 'backupTracking.get', key, clock.now());
      if (!item) return { pending: [] };
      const lastCheckedAt = str(item.lastCheckedAt);
      const ours =
        item.ours === undefined
          ? undefined
          : parseJson<string[]>('backupTracking.get', item.ours, 'our backups');
      const drill =
        item.drill === undefined
          ? undefined
          : parseJson<DrillRecord>('backupTracking.get', item.drill, 'drill');
      return {
        ...(lastCheckedAt !== undefined ? { lastCheckedAt } : {}),
        pending: parseJson<string[]>('backupTracking.get', item.pending, 'pending backups'),
        ...(ours !== undefined ? { ours } : {}),
        ...(drill !== undefined ? { drill } : {}),
      };
    },

    async put(clusterId, state) {
      const key = backupTrackingKey('backupTracking.put', clusterId);
      await attempt('backupTracking.put', () =>
        client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              ...keyOf(key),
              ...(state.lastCheckedAt !== undefined ? { lastCheckedAt: s(state.lastCheckedAt) } : {}),
              pending: s(JSON.stringify(state.pending)),
              ...(state.ours !== undefined ? { ours: s(JSON.stringify(state.ours)) } : {}),
              ...(state.drill !== undefined ? { drill: s(JSON.stringify(state.drill)) } : {}),
              [TTL]: n(ttlSeconds(clock.now() + RETENTION_MS.backupTracking)),
            },
          }),
        ),
      );
    },
  };
}
