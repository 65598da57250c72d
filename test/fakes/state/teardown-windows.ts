// The in-memory TeardownWindowStore: per night, the clusters the notices listed and the reservations granted
// up to a limit.
import type { TeardownWindowStore } from '#lib/jobs/ports.ts';
import { StateStoreError } from '#lib/state/errors.ts';
import { keyPart, RETENTION_MS, teardownWindowKey } from '#lib/state/keys.ts';
import { ttlSeconds } from '#lib/state/table.ts';
import { byKey, type Clock, copy, type Enter, live, type Stored } from './storage.ts';

export function memoryTeardownWindowStore(clock: Clock, enter: Enter): TeardownWindowStore {
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
  return teardownWindows;
}
