// ManagedSecretStore on DynamoDB: one item per (cluster, connector secret) this project wrote, in the
// partition `managed-secret#<clusterId>`. It holds the source, the source secret and a short digest, never
// the value. No ttl: an ownership record that expired would leave a secret that nothing ever deletes.
// The same store keeps the deployment's digest key (one item, written once by a conditional put).
import type { ManagedSecret, ManagedSecretStore } from '#lib/jobs/secrets-sync-ports.ts';
import { type StateOperation, StateStoreError } from './errors.ts';
import { ItemReader } from './item-codec.ts';
import { DIGEST_KEY_ITEM, managedSecretKey, managedSecretPartition } from './keys.ts';
import { type StateTable, stateStore } from './state-table.ts';
import { TABLE_SCHEMA } from './table.ts';

/** The deployment's digest key as stored, if any (a read, for `operation`). */
async function readDigestKey(table: StateTable, operation: StateOperation): Promise<string | undefined> {
  const item = await table.get(operation, DIGEST_KEY_ITEM);
  return item && new ItemReader(item).string('key');
}

export const dynamoManagedSecretStore = stateStore(
  (table): ManagedSecretStore => ({
    async list(clusterId) {
      const pk = managedSecretPartition('managedSecrets.list', clusterId);
      const items = await table.query('managedSecrets.list', pk, table.clock.now());
      return items.map((item): ManagedSecret => {
        const read = new ItemReader(item);
        const secret: ManagedSecret = {
          // The sort key: every item a query returns has one.
          name: read.sortKey() ?? '',
          source: read.requiredString('source', { allowEmpty: true }),
          from: read.requiredString('from', { allowEmpty: true }),
          digest: read.requiredString('digest', { allowEmpty: true }),
          updatedAt: read.requiredString('updatedAt', { allowEmpty: true }),
        };
        const [missing] = read.missing;
        if (missing !== undefined) {
          throw new StateStoreError(
            'managedSecrets.list',
            undefined,
            `managedSecrets.list: the record of '${read.sortKey()}' on cluster ${clusterId} lacks ${missing}`,
          );
        }
        return secret;
      });
    },

    async put(clusterId, secret) {
      await table.put('managedSecrets.put', managedSecretKey('managedSecrets.put', clusterId, secret.name), {
        source: secret.source,
        from: secret.from,
        digest: secret.digest,
        updatedAt: secret.updatedAt,
      });
    },

    async remove(clusterId, name) {
      await table.delete('managedSecrets.remove', managedSecretKey('managedSecrets.remove', clusterId, name));
    },

    async digestKey(candidate) {
      const op = 'managedSecrets.digestKey';
      if (candidate === '') throw new StateStoreError(op, undefined, `${op}: the candidate key is empty`);
      const existing = await readDigestKey(table, op);
      if (existing !== undefined) return existing;
      const { applied } = await table.put(
        op,
        DIGEST_KEY_ITEM,
        { key: candidate, createdAt: new Date(table.clock.now()).toISOString() },
        { condition: `attribute_not_exists(${TABLE_SCHEMA.partitionKey.name})` },
      );
      if (applied) return candidate;
      // Another first run stored its key in between: that one is the deployment's.
      const winner = await readDigestKey(table, op);
      if (winner === undefined) throw new StateStoreError(op, undefined, `${op}: the stored key vanished`);
      return winner;
    },

    storedDigestKey: () => readDigestKey(table, 'managedSecrets.storedDigestKey'),
  }),
);
