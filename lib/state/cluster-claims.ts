// ClusterClaims on DynamoDB: one `claim` item per job and cluster. Claiming is one conditional write
// (free, expired, or already this owner's), releasing one conditional delete (only by the owner).
import type { ClusterClaims } from '#lib/jobs/ports.ts';
import { TTL } from './item-codec.ts';
import { claimKey, RETENTION_MS } from './keys.ts';
import { Expr, stateStore } from './state-table.ts';
import { TABLE_SCHEMA, ttlSeconds } from './table.ts';

export const dynamoClusterClaims = stateStore(
  (table): ClusterClaims => ({
    async claim(job, clusterId, owner, leaseMs) {
      const key = claimKey('claims.claim', job, clusterId);
      const now = table.clock.now();
      const until = now + leaseMs;
      const expr = new Expr();
      // A retried write whose first attempt was applied meets `owner = :owner`: re-entrant, still true.
      const out = await table.update(
        'claims.claim',
        key,
        expr.set({
          owner,
          until,
          claimedAt: new Date(now).toISOString(),
          [TTL]: ttlSeconds(until + RETENTION_MS.claimGrace),
        }),
        {
          expr,
          condition:
            `attribute_not_exists(${expr.name(TABLE_SCHEMA.partitionKey.name)}) OR ` +
            `${expr.name('owner')} = ${expr.value(owner)} OR ${expr.name('until')} <= ${expr.value(now)}`,
        },
      );
      return out.applied;
    },

    async release(job, clusterId, owner) {
      const expr = new Expr();
      // Not the owner (expired and taken over, or never held): nothing to release, not an error.
      await table.delete('claims.release', claimKey('claims.release', job, clusterId), {
        expr,
        condition: `${expr.name('owner')} = ${expr.value(owner)}`,
      });
    },
  }),
);
