// TeardownWindowStore on DynamoDB: one item per teardown window under `teardown-window`. The deletion budget
// is the string set `reserved`: a reservation is one conditional UpdateItem (ADD the cluster id while the set
// has fewer than `limit` ids or already holds it), so concurrent runs of every trigger cannot overspend and a
// retry does not spend twice (no TransactWriteItems needed).
import type { TeardownWindowState, TeardownWindowStore } from '#lib/jobs/ports.ts';
import { StateStoreError } from './errors.ts';
import { type Item, TTL } from './item-codec.ts';
import { keyPart, RETENTION_MS, teardownWindowKey } from './keys.ts';
import { Expr, stateStore } from './state-table.ts';
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
  const noticedAt = item?.noticedAt?.S;
  return {
    ...(noticedAt !== undefined ? { noticedAt } : {}),
    noticed: stringSet(item, 'noticed', windowId),
    reserved: stringSet(item, 'reserved', windowId),
  };
}

export const dynamoTeardownWindowStore = stateStore((table): TeardownWindowStore => {
  const read = async (windowId: string) =>
    stateOf(
      await table.get('teardownWindows.get', teardownWindowKey('teardownWindows.get', windowId)),
      windowId,
    );
  return {
    get: read,

    async recordNotice(windowId, clusterIds, now) {
      const key = teardownWindowKey('teardownWindows.recordNotice', windowId);
      for (const id of clusterIds) keyPart('teardownWindows.recordNotice', 'cluster id', id);
      const expr = new Expr();
      const set = expr.set({
        noticedAt: new Date(now).toISOString(),
        [TTL]: ttlSeconds(now + RETENTION_MS.teardownWindow),
      });
      const ids = new Set(clusterIds);
      // DynamoDB refuses an empty set: a notice that listed none only records that it was sent.
      const add = ids.size > 0 ? ` ADD ${expr.name('noticed')} ${expr.value(ids)}` : '';
      await table.update('teardownWindows.recordNotice', key, `${set}${add}`, { expr });
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
      const { applied } = await table.update(
        'teardownWindows.reserve',
        key,
        `ADD ${reserved} ${expr.value(new Set([clusterId]))} ` +
          expr.set({
            limit,
            updatedAt: new Date(now).toISOString(),
            [TTL]: ttlSeconds(now + RETENTION_MS.teardownWindow),
          }),
        {
          expr,
          condition:
            `attribute_not_exists(${reserved}) OR size(${reserved}) < ${expr.value(limit)} OR ` +
            `contains(${reserved}, ${expr.value(clusterId)})`,
        },
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
      await table.update(
        'teardownWindows.release',
        key,
        `DELETE ${expr.name('reserved')} ${expr.value(new Set([clusterId]))} ` +
          expr.set({ updatedAt: new Date(now).toISOString() }),
        { expr, condition: `attribute_exists(${expr.name(TABLE_SCHEMA.partitionKey.name)})` },
      );
    },
  };
});
