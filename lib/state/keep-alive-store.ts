// KeepAliveStore on DynamoDB: one item per cluster under `keepalive`, ttl at `until`. `active` reads the
// whole partition and drops every keep-alive whose `until` has passed, whether or not TTL removed it yet.
import { randomUUID } from 'node:crypto';
import { type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { KeepAlive, KeepAliveStore, UnreadableItem } from '#lib/jobs/ports.ts';
import {
  attempt,
  conditionalWrite,
  type DynamoStoreOptions,
  Expr,
  type Item,
  keyOf,
  n,
  num,
  queryLive,
  s,
  str,
  TTL,
} from './dynamo-io.ts';
import { StateStoreError } from './errors.ts';
import { instantMs, KEEPALIVE_PK, keepAliveKey } from './keys.ts';
import { TABLE_SCHEMA, ttlSeconds } from './table.ts';

/** One stored keep-alive, or why it cannot be read (a missing or mistyped attribute). */
export function decodeKeepAlive(
  item: Item,
): { ok: true; keepAlive: KeepAlive; untilMs: number } | { ok: false; reason: string } {
  const untilMs = num(item.untilMs);
  const fields = {
    cluster: str(item.cluster),
    until: str(item.until),
    by: str(item.by),
    reason: str(item.reason),
  };
  const missing = Object.entries(fields)
    .filter(([, v]) => v === undefined || v === '')
    .map(([k]) => k);
  if (untilMs === undefined || !Number.isFinite(untilMs)) missing.unshift('untilMs');
  if (missing.length > 0 || untilMs === undefined) {
    return {
      ok: false,
      reason: `stored keep-alive lacks ${missing.join(', ')} (or has them of the wrong type)`,
    };
  }
  if (fields.cluster !== str(item[TABLE_SCHEMA.sortKey.name])) {
    return {
      ok: false,
      reason: `stored keep-alive names cluster '${fields.cluster}' under the key '${str(item[TABLE_SCHEMA.sortKey.name])}'`,
    };
  }
  return {
    ok: true,
    untilMs,
    keepAlive: {
      cluster: fields.cluster as string,
      until: fields.until as string,
      by: fields.by as string,
      reason: fields.reason as string,
      setAt: str(item.setAt) ?? '',
    },
  };
}

export function dynamoKeepAliveStore(
  client: DynamoDBClient,
  tableName: string,
  _options: DynamoStoreOptions = {},
): KeepAliveStore {
  const store: KeepAliveStore = {
    async put(keepAlive) {
      const key = keepAliveKey('keepAlives.put', keepAlive.cluster);
      const untilMs = instantMs('keepAlives.put', 'until', keepAlive.until);
      // Longest wins, even in a race: written only when there is none, the stored one ends earlier, or
      // it is unreadable (no numeric untilMs: a valid keep-alive heals it). A random id tells our own
      // applied write apart should the response be lost and the SDK's retry then fail the condition.
      const writeId = randomUUID();
      const expr = new Expr();
      const until = expr.name('untilMs');
      const untilValue = expr.value(n(untilMs));
      const applied = await conditionalWrite('keepAlives.put', () =>
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
              writeId: s(writeId),
              [TTL]: n(ttlSeconds(untilMs)),
            },
            ConditionExpression:
              `attribute_not_exists(${expr.name(TABLE_SCHEMA.partitionKey.name)}) OR ` +
              `NOT attribute_type(${until}, ${expr.value(s('N'))}) OR ${until} < ${untilValue}`,
            ...expr.attributes(),
          }),
        ),
      );
      if (applied) return { stored: true };
      const item = await attempt('keepAlives.put', () =>
        client.send(new GetItemCommand({ TableName: tableName, Key: keyOf(key), ConsistentRead: true })),
      );
      if (item.Item && str(item.Item.writeId) === writeId) return { stored: true };
      const inForce = item.Item ? decodeKeepAlive(item.Item) : undefined;
      return { stored: false, inForce: inForce?.ok ? inForce.keepAlive : undefined };
    },

    async active(now) {
      const { keepAlives, unreadable } = await store.listing(now);
      const [first] = unreadable;
      if (first) {
        throw new StateStoreError(
          'keepAlives.active',
          undefined,
          `keepAlives.active: the keep-alive of '${first.key}' is unreadable: ${first.reason}`,
        );
      }
      return keepAlives;
    },

    async listing(now) {
      // Expiry is judged by `until` against the caller's `now` (the ttl is `until`, so it agrees). An
      // unreadable item is returned apart: its cluster must not be deleted as if it had no keep-alive.
      const items = await queryLive(client, tableName, 'keepAlives.active', KEEPALIVE_PK, now);
      const keepAlives: KeepAlive[] = [];
      const unreadable: UnreadableItem[] = [];
      for (const item of items) {
        const d = decodeKeepAlive(item);
        if (!d.ok) unreadable.push({ key: str(item[TABLE_SCHEMA.sortKey.name]) ?? '', reason: d.reason });
        else if (d.untilMs > now) keepAlives.push(d.keepAlive);
      }
      return { keepAlives, unreadable };
    },
  };
  return store;
}
