// AllowlistSourceStore on DynamoDB: one item per named source under `allowlist-source`; every put
// replaces the entries and increments `version` atomically (concurrent puts get distinct versions).
// No ttl: a source is configuration and must not vanish.
import type { AllowlistEntryConfig } from '#lib/config/types.ts';
import type { AllowlistSource, AllowlistSourceStore } from '#lib/jobs/ports.ts';
import { StateStoreError } from './errors.ts';
import { ItemReader } from './item-codec.ts';
import { allowlistSourceKey } from './keys.ts';
import { Expr, stateStore } from './state-table.ts';

export const dynamoAllowlistSourceStore = stateStore(
  (table): AllowlistSourceStore => ({
    async put(name, entries, updatedBy, now) {
      const key = allowlistSourceKey('allowlistSources.put', name);
      const expr = new Expr();
      const version = expr.name('version');
      const sets = [
        `${expr.name('name')} = ${expr.value(name)}`,
        `${expr.name('entries')} = ${expr.value(JSON.stringify(entries))}`,
        `${expr.name('updatedAt')} = ${expr.value(new Date(now).toISOString())}`,
        `${version} = if_not_exists(${version}, ${expr.value(0)}) + ${expr.value(1)}`,
      ];
      if (updatedBy !== undefined) sets.push(`${expr.name('updatedBy')} = ${expr.value(updatedBy)}`);
      const update = `SET ${sets.join(', ')}${updatedBy === undefined ? ` REMOVE ${expr.name('updatedBy')}` : ''}`;
      const out = await table.update('allowlistSources.put', key, update, {
        expr,
        returnValues: 'UPDATED_NEW',
      });
      const newVersion =
        out.applied && out.attributes ? new ItemReader(out.attributes).number('version') : undefined;
      if (newVersion === undefined) {
        throw new StateStoreError(
          'allowlistSources.put',
          undefined,
          'allowlistSources.put: no version came back',
        );
      }
      return newVersion;
    },

    async list() {
      const items = await table.query('allowlistSources.list', allowlistSourceKey.pk, table.clock.now());
      return items.map((item): AllowlistSource => {
        const read = new ItemReader(item);
        const updatedBy = read.string('updatedBy');
        return {
          name: read.string('name') ?? read.sortKey() ?? '',
          entries: read.json<AllowlistEntryConfig[]>('allowlistSources.list', 'entries', 'allowlist entries'),
          updatedAt: read.string('updatedAt') ?? '',
          ...(updatedBy !== undefined ? { updatedBy } : {}),
          version: read.number('version') ?? 0,
        };
      });
    },
  }),
);
