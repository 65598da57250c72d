// The in-memory AllowlistSourceStore: sources replaced whole with a new version, never expired.
import type { AllowlistSource, AllowlistSourceStore } from '#lib/jobs/ports.ts';
import { allowlistSourceKey } from '#lib/state/keys.ts';
import { byKey, copy, type Enter } from './storage.ts';

export function memoryAllowlistSourceStore(enter: Enter): AllowlistSourceStore {
  const sources = new Map<string, AllowlistSource>();
  const allowlistSources: AllowlistSourceStore = {
    async put(name, entries, updatedBy, now) {
      enter('allowlistSources.put');
      allowlistSourceKey('allowlistSources.put', name);
      const version = (sources.get(name)?.version ?? 0) + 1;
      sources.set(name, {
        name,
        entries: copy(entries),
        updatedAt: new Date(now).toISOString(),
        ...(updatedBy !== undefined ? { updatedBy } : {}),
        version,
      });
      return version;
    },
    async list() {
      enter('allowlistSources.list');
      return [...sources.entries()].sort(([a], [b]) => byKey(a, b)).map(([, source]) => copy(source));
    },
  };
  return allowlistSources;
}
