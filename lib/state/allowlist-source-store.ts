// AllowlistSourceStore on DynamoDB: one item per named source under `allowlist-source`; every put
// replaces the entries and increments `version` atomically (concurrent puts get distinct versions).
// No ttl: a source is configuration and must not vanish.
import { type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { AllowlistEntryConfig } from '#lib/config/types.ts';
import type { AllowlistSource, AllowlistSourceStore } from '#lib/jobs/ports.ts';
import {
  attempt,
  type DynamoStoreOptions,
  Expr,
  keyOf,
  n,
  num,
  parseJson,
  queryLive,
  s,
  str,
  systemClock,
} from './dynamo-io.ts';
import { StateStoreError } from './errors.ts';
import { ALLOWLIST_SOURCE_PK, allowlistSourceKey } from './keys.ts';
import { TABLE_SCHEMA } from './table.ts';

export function dynamoAllowlistSourceStore(
  client: DynamoDBClient,
  tableName: string,
  options: DynamoStoreOptions = {},
): AllowlistSourceStore {
  const clock = options.clock ?? systemClock;
  return {
    async put(name, entries, updatedBy, now) {
      const key = allowlistSourceKey('allowlistSources.put', name);
      const expr = new Expr();
      const version = expr.name('version');
      const sets = [
        `${expr.name('name')} = ${expr.value(s(name))}`,
        `${expr.name('entries')} = ${expr.value(s(JSON.stringify(entries)))}`,
        `${expr.name('updatedAt')} = ${expr.value(s(new Date(now).toISOString()))}`,
        `${version} = if_not_exists(${version}, ${expr.value(n(0))}) + ${expr.value(n(1))}`,
      ];
      if (updatedBy !== undefined) sets.push(`${expr.name('updatedBy')} = ${expr.value(s(updatedBy))}`);
      const update = `SET ${sets.join(', ')}${updatedBy === undefined ? ` REMOVE ${expr.name('updatedBy')}` : ''}`;
      const out = await attempt('allowlistSources.put', () =>
        client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: keyOf(key),
            UpdateExpression: update,
            ReturnValues: 'UPDATED_NEW',
            ...expr.attributes(),
          }),
        ),
      );
      const newVersion = num(out.Attributes?.version);
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
      const items = await queryLive(
        client,
        tableName,
        'allowlistSources.list',
        ALLOWLIST_SOURCE_PK,
        clock.now(),
      );
      return items.map((item): AllowlistSource => {
        const updatedBy = str(item.updatedBy);
        return {
          name: str(item.name) ?? str(item[TABLE_SCHEMA.sortKey.name]) ?? '',
          entries: parseJson<AllowlistEntryConfig[]>(
            'allowlistSources.list',
            item.entries,
            'allowlist entries',
          ),
          updatedAt: str(item.updatedAt) ?? '',
          ...(updatedBy !== undefined ? { updatedBy } : {}),
          version: num(item.version) ?? 0,
        };
      });
    },
  };
}
