// KeepAliveStore on DynamoDB: one item per cluster under `keepalive`, ttl at `until`. `active` reads the
// whole partition and drops every keep-alive whose `until` has passed, whether or not TTL removed it yet.
import { randomUUID } from 'node:crypto';
import type { KeepAlive, KeepAliveStore, UnreadableItem } from '#lib/jobs/ports.ts';
import { StateStoreError } from './errors.ts';
import { type Item, ItemReader, TTL } from './item-codec.ts';
import { instantMs, keepAliveKey } from './keys.ts';
import { Expr, stateStore } from './state-table.ts';
import { TABLE_SCHEMA, ttlSeconds } from './table.ts';

/** One stored keep-alive, or why it cannot be read (a missing or mistyped attribute). */
export function decodeKeepAlive(
  item: Item,
): { ok: true; keepAlive: KeepAlive; untilMs: number } | { ok: false; reason: string } {
  const read = new ItemReader(item);
  const untilMs = read.requiredNumber('untilMs');
  const keepAlive: KeepAlive = {
    cluster: read.requiredString('cluster'),
    until: read.requiredString('until'),
    by: read.requiredString('by'),
    reason: read.requiredString('reason'),
    setAt: read.string('setAt') ?? '',
  };
  if (read.missing.length > 0) {
    return {
      ok: false,
      reason: `stored keep-alive lacks ${read.missing.join(', ')} (or has them of the wrong type)`,
    };
  }
  if (keepAlive.cluster !== read.sortKey()) {
    return {
      ok: false,
      reason: `stored keep-alive names cluster '${keepAlive.cluster}' under the key '${read.sortKey()}'`,
    };
  }
  return { ok: true, untilMs, keepAlive };
}

export const dynamoKeepAliveStore = stateStore((table): KeepAliveStore => {
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
      const untilValue = expr.value(untilMs);
      const { applied } = await table.put(
        'keepAlives.put',
        key,
        {
          cluster: keepAlive.cluster,
          until: keepAlive.until,
          untilMs,
          by: keepAlive.by,
          reason: keepAlive.reason,
          setAt: keepAlive.setAt,
          writeId,
          [TTL]: ttlSeconds(untilMs),
        },
        {
          expr,
          condition:
            `attribute_not_exists(${expr.name(TABLE_SCHEMA.partitionKey.name)}) OR ` +
            `NOT attribute_type(${until}, ${expr.value('N')}) OR ${until} < ${untilValue}`,
        },
      );
      if (applied) return { stored: true };
      // Read whatever is there, expired or not: it is what refused the write.
      const item = await table.get('keepAlives.put', key, Number.NEGATIVE_INFINITY);
      if (item && new ItemReader(item).string('writeId') === writeId) return { stored: true };
      const inForce = item ? decodeKeepAlive(item) : undefined;
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
      const items = await table.query('keepAlives.active', keepAliveKey.pk, now);
      const keepAlives: KeepAlive[] = [];
      const unreadable: UnreadableItem[] = [];
      for (const item of items) {
        const decoded = decodeKeepAlive(item);
        if (!decoded.ok)
          unreadable.push({ key: new ItemReader(item).sortKey() ?? '', reason: decoded.reason });
        else if (decoded.untilMs > now) keepAlives.push(decoded.keepAlive);
      }
      return { keepAlives, unreadable };
    },
  };
  return store;
});
