// TeardownWindowStore on DynamoDB: one item per teardown window under `teardown-window`. The deletion budget
// is the string set `reserved`: a reservation is one conditional UpdateItem (ADD the cluster id while the set
// has fewer than `limit` ids or already holds it), so concurrent runs of every trigger cannot overspend and a
// retry does not spend twice (no TransactWriteItems needed).
import { type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { TeardownWindowState, TeardownWindowStore } from '#lib/jobs/ports.ts';
import {
  attempt,
  conditionalWrite,
  type DynamoStoreOptions,
  Expr,
  getLive,
  type Item,
  keyOf,
  n,
  s,
  str,
  systemClock,
  TTL,
} from './dynamo-io.ts';
import { StateStoreError } from './errors.ts';
import { keyPart, RETENTION_MS, teardownWindowKey } from './keys.ts';
import { TABLE_SCHEMA, ttlSeconds } from './table.ts';

function stringSet(item: Item | undefined, attribute: string, windowId: string): string[] {
  const value = item?.[attribute];
  if (value === undefined) return [];
  if (!Array.isArray(value.SS)) {
    throw new StateStoreError(
      'teardownWindows.get',
      undefined,
      `teardownWindows.get: stored teardown window ${windowId} has an unreadable ${attribute}`,
    );
  }
  return [...value.SS].sort();
}

function stateOf(item: Item | undefined, windowId: string): TeardownWindowState {
  const noticedAt = str(item?.noticedAt);
  return {
    ...(noticedAt !== undefined ? { noticedAt } : {}),
    noticed: stringSet(item, 'noticed', windowId),
    reserved: stringSet(item, 'reserved', windowId),
  };
}

export function dynamoTeardownWindowStore(
  client: DynamoDBClient,
  tableName: string,
  options: DynamoStoreOptions = {},
): TeardownWindowStore {
  const clock = options.clock ?? systemClock;
  const read = async (windowId: string) =>
    stateOf(
      await getLive(
        client,
        tableName,
        'teardownWindows.get',
        teardownWindowKey('teardownWindows.get', windowId),
        clock.now(),
      ),
      windowId,
    );
  return {
    get: read,

    async recordNotice(windowId, clusterIds, now) {
      const key = teardownWindowKey('teardownWindows.recordNotice', windowId);
      for (const id of clusterIds) keyPart('teardownWindows.recordNotice', 'cluster id', id);
      const expr = new Expr();
      const sets = [
        `${expr.name('noticedAt')} = ${expr.value(s(new Date(now).toISOString()))}`,
        `${expr.name(TTL)} = ${expr.value(n(ttlSeconds(now + RETENTION_MS.teardownWindow)))}`,
      ];
      const ids = [...new Set(clusterIds)];
      // DynamoDB refuses an empty set: a notice that listed none only records that it was sent.
      const add = ids.length > 0 ? ` ADD ${expr.name('noticed')} ${expr.value({ SS: ids })}` : '';
      await attempt('teardownWindows.recordNotice', () =>
        client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: keyOf(key),
            UpdateExpression: `SET ${sets.join(', ')}${add}`,
            ...expr.attributes(),
          }),
        ),
      );
    },

    async reserve(windowId, clusterId, limit, now) {
      const key = teardownWindowKey('teardownWindows.reserve', windowId);
      keyPart('teardownWindows.reserve', 'cluster id', clusterId);
      if (!Number.isSafeInteger(limit) || limit < 1) {
        throw new StateStoreError(
          'teardownWindows.reserve',
          undefined,
          `teardownWindows.reserve: limit must be an integer >= 1, got ${limit}`,
        );
      }
      const expr = new Expr();
      const reserved = expr.name('reserved');
      const idValue = expr.value(s(clusterId));
      const applied = await conditionalWrite('teardownWindows.reserve', () =>
        client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: keyOf(key),
            UpdateExpression:
              `ADD ${reserved} ${expr.value({ SS: [clusterId] })} ` +
              `SET ${expr.name('limit')} = ${expr.value(n(limit))}, ` +
              `${expr.name('updatedAt')} = ${expr.value(s(new Date(now).toISOString()))}, ` +
              `${expr.name(TTL)} = ${expr.value(n(ttlSeconds(now + RETENTION_MS.teardownWindow)))}`,
            ConditionExpression:
              `attribute_not_exists(${reserved}) OR size(${reserved}) < ${expr.value(n(limit))} OR ` +
              `contains(${reserved}, ${idValue})`,
            ...expr.attributes(),
          }),
        ),
      );
      const state = await read(windowId);
      // ADD to a set is idempotent: an SDK retry of an applied write fails the size condition only when
      // the id is already in (then `contains` holds), so `applied` is exact.
      return { granted: applied || state.reserved.includes(clusterId), reserved: state.reserved.length };
    },

    async release(windowId, clusterId, now) {
      const key = teardownWindowKey('teardownWindows.release', windowId);
      keyPart('teardownWindows.release', 'cluster id', clusterId);
      const expr = new Expr();
      // Nothing reserved (no item): nothing to give back, not an error.
      await conditionalWrite('teardownWindows.release', () =>
        client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: keyOf(key),
            UpdateExpression:
              `DELETE ${expr.name('reserved')} ${expr.value({ SS: [clusterId] })} ` +
              `SET ${expr.name('updatedAt')} = ${expr.value(s(new Date(now).toISOString()))}`,
            ConditionExpression: `attribute_exists(${expr.name(TABLE_SCHEMA.partitionKey.name)})`,
            ...expr.attributes(),
          }),
        ),
      );
    },
  };
}
