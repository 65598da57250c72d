// ClusterClaims on DynamoDB: one `claim` item per job and cluster. Claiming is one conditional write
// (free, expired, or already this owner's), releasing one conditional delete (only by the owner).
import { DeleteItemCommand, type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { ClusterClaims } from '#lib/jobs/ports.ts';
import {
  conditionalWrite,
  type DynamoStoreOptions,
  Expr,
  keyOf,
  n,
  s,
  systemClock,
  TTL,
} from './dynamo-io.ts';
import { claimKey, RETENTION_MS } from './keys.ts';
import { TABLE_SCHEMA, ttlSeconds } from './table.ts';

export function dynamoClusterClaims(
  client: DynamoDBClient,
  tableName: string,
  options: DynamoStoreOptions = {},
): ClusterClaims {
  const clock = options.clock ?? systemClock;
  return {
    async claim(job, clusterId, owner, leaseMs) {
      const key = claimKey('claims.claim', job, clusterId);
      const now = clock.now();
      const until = now + leaseMs;
      const expr = new Expr();
      const ownerName = expr.name('owner');
      const untilName = expr.name('until');
      const ownerValue = expr.value(s(owner));
      // A retried write whose first attempt was applied meets `owner = :owner`: re-entrant, still true.
      return conditionalWrite('claims.claim', () =>
        client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: keyOf(key),
            UpdateExpression:
              `SET ${ownerName} = ${ownerValue}, ${untilName} = ${expr.value(n(until))}, ` +
              `${expr.name('claimedAt')} = ${expr.value(s(new Date(now).toISOString()))}, ` +
              `${expr.name(TTL)} = ${expr.value(n(ttlSeconds(until + RETENTION_MS.claimGrace)))}`,
            ConditionExpression:
              `attribute_not_exists(${expr.name(TABLE_SCHEMA.partitionKey.name)}) OR ` +
              `${ownerName} = ${ownerValue} OR ${untilName} <= ${expr.value(n(now))}`,
            ...expr.attributes(),
          }),
        ),
      );
    },

    async release(job, clusterId, owner) {
      const key = claimKey('claims.release', job, clusterId);
      const expr = new Expr();
      // Not the owner (expired and taken over, or never held): nothing to release, not an error.
      await conditionalWrite('claims.release', () =>
        client.send(
          new DeleteItemCommand({
            TableName: tableName,
            Key: keyOf(key),
            ConditionExpression: `${expr.name('owner')} = ${expr.value(s(owner))}`,
            ...expr.attributes(),
          }),
        ),
      );
    },
  };
}
