// ManagedSecretStore on DynamoDB: one item per (cluster, connector secret) this project wrote, in the
// partition `managed-secret#<clusterId>`. It holds the source, the source secret and a short digest, never
// the value. No ttl: an ownership record that expired would leave a secret that nothing ever deletes.
import type { ManagedSecret, ManagedSecretStore } from '#lib/jobs/secrets-sync-ports.ts';
import { StateStoreError } from './errors.ts';
import { ItemReader } from './item-codec.ts';
import { managedSecretKey, managedSecretPartition } from './keys.ts';
import { stateStore } from './state-table.ts';

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
  }),
);
