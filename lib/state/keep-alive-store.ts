// KeepAliveStore on DynamoDB: one item per cluster under `keepalive`, ttl at `until`. `active` reads the
// whole partition and drops every keep-alive whose `until` has passed, whether or not TTL removed it yet.
import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { KeepAlive, KeepAliveStore } from '#lib/jobs/ports.ts';
import { attempt, type DynamoStoreOptions, keyOf, n, num, queryLive, s, str, TTL } from './dynamo-io.ts';
import { instantMs, KEEPALIVE_PK, keepAliveKey } from './keys.ts';
import { ttlSeconds } from './table.ts';

export function dynamoKeepAliveStore(
  client: DynamoDBClient,
  tableName: string,
  _options: DynamoStoreOptions = {},
): KeepAliveStore {
  return {
    async put(keepAlive) {
      const key = keepAliveKey('keepAlives.put', keepAlive.cluster);
      const untilMs = instantMs('keepAlives.put', 'until', keepAlive.until);
      await attempt('keepAlives.put', () =>
        client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              ...keyOf(key),
              cluster: s(keepAlive.cluster),
              until: s(keepAlive.until),
              untilMs: n(untilMs),
              by: s(keepAlive.by),
              reason: s(keepAlive.reason),
              setAt: s(keepAlive.setAt),
              [TTL]: n(ttlSeconds(untilMs)),
            },
          }),
        ),
      );
    },

    async active(now) {
      // Expiry is judged by `until` against the caller's `now` (the ttl is `until`, so it agrees).
      const items = await queryLive(client, tableName, 'keepAlives.active', KEEPALIVE_PK, now);
      const active: KeepAlive[] = [];
      for (const item of items) {
        const untilMs = num(item.untilMs);
        if (untilMs === undefined || untilMs <= now) continue;
        active.push({
          cluster: str(item.cluster) ?? '',
          until: str(item.until) ?? new Date(untilMs).toISOString(),
          by: str(item.by) ?? '',
          reason: str(item.reason) ?? '',
          setAt: str(item.setAt) ?? '',
        });
      }
      return active;
    },
  };
}
