// The in-memory KeepAliveStore: the longest keep-alive of a cluster wins, as with the adapter's conditional
// write, and an unreadable one is listed apart rather than read as no keep-alive.
import type { KeepAlive, KeepAliveStore } from '#lib/jobs/ports.ts';
import { StateStoreError } from '#lib/state/errors.ts';
import { instantMs, keepAliveKey } from '#lib/state/keys.ts';
import { byKey, copy, type Enter } from './storage.ts';

export function memoryKeepAliveStore(enter: Enter): {
  keepAlives: KeepAliveStore;
  /** Replaces the keep-alive of `cluster` by one without its until. */
  plantCorrupt(cluster: string): void;
} {
  const keepAliveItems = new Map<string, { keepAlive: KeepAlive; untilMs: number }>();
  /** Unreadable keep-alives by cluster, with the reason the adapter gives (no untilMs). */
  const corruptKeepAlives = new Map<string, string>();
  const keepAlives: KeepAliveStore = {
    async put(keepAlive) {
      enter('keepAlives.put');
      keepAliveKey('keepAlives.put', keepAlive.cluster);
      const untilMs = instantMs('keepAlives.put', 'until', keepAlive.until);
      const { cluster, until, by, reason, setAt } = keepAlive;
      // Longest wins (the adapter's conditional write): one lasting at least as long stays.
      const existing = keepAliveItems.get(cluster);
      if (existing && existing.untilMs >= untilMs)
        return { stored: false, inForce: copy(existing.keepAlive) };
      corruptKeepAlives.delete(cluster);
      keepAliveItems.set(cluster, { keepAlive: copy({ cluster, until, by, reason, setAt }), untilMs });
      return { stored: true };
    },
    async active(now) {
      const { keepAlives: active, unreadable } = await keepAlives.listing(now);
      const [first] = unreadable;
      if (first) {
        throw new StateStoreError(
          'keepAlives.active',
          undefined,
          `keepAlives.active: the keep-alive of '${first.key}' is unreadable: ${first.reason}`,
        );
      }
      return active;
    },
    async listing(now) {
      enter('keepAlives.active');
      return {
        keepAlives: [...keepAliveItems.entries()]
          .sort(([a], [b]) => byKey(a, b))
          .filter(([, item]) => item.untilMs > now)
          .map(([, item]) => copy(item.keepAlive)),
        unreadable: [...corruptKeepAlives.entries()]
          .sort(([a], [b]) => byKey(a, b))
          .map(([key, reason]) => ({ key, reason })),
      };
    },
  };

  return {
    keepAlives,
    plantCorrupt(key) {
      keepAliveItems.delete(key);
      corruptKeepAlives.set(key, 'stored keep-alive lacks untilMs, until (or has them of the wrong type)');
    },
  };
}
