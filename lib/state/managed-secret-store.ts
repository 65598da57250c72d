// ManagedSecretStore on DynamoDB: one item per (cluster, connector secret) this project wrote, in the
// partition `managed-secret#<clusterId>`. It holds the source, the source secret and a short digest, never
// the value. No ttl: an ownership record that expired would leave a secret that nothing ever deletes.
// The same store keeps the deployment's digest key (one item, written once by a conditional put).
import { DeleteItemCommand, type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { ManagedSecret, ManagedSecretStore } from '#lib/jobs/secrets-sync-ports.ts';
import {
  attempt,
  conditionalWrite,
  type DynamoStoreOptions,
  getLive,
  keyOf,
  queryLive,
  s,
  str,
  systemClock,
} from './dynamo-io.ts';
import { StateStoreError } from './errors.ts';
import { DIGEST_KEY_ITEM, managedSecretKey, managedSecretPartition } from './keys.ts';

export function dynamoManagedSecretStore(
  client: DynamoDBClient,
  tableName: string,
  options: DynamoStoreOptions = {},
): ManagedSecretStore {
  const clock = options.clock ?? systemClock;
  return {
    async list(clusterId) {
      const pk = managedSecretPartition('managedSecrets.list', clusterId);
      const items = await queryLive(client, tableName, 'managedSecrets.list', pk, clock.now());
      return items.map((item): ManagedSecret => {
        const fields = {
          name: str(item.sk),
          source: str(item.source),
          from: str(item.from),
          digest: str(item.digest),
          updatedAt: str(item.updatedAt),
        };
        const missing = Object.entries(fields).find(([, v]) => v === undefined);
        if (missing) {
          throw new StateStoreError(
            'managedSecrets.list',
            undefined,
            `managedSecrets.list: the record of '${fields.name}' on cluster ${clusterId} lacks ${missing[0]}`,
          );
        }
        return fields as ManagedSecret;
      });
    },

    async put(clusterId, secret) {
      const key = managedSecretKey('managedSecrets.put', clusterId, secret.name);
      await attempt('managedSecrets.put', () =>
        client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              ...keyOf(key),
              source: s(secret.source),
              from: s(secret.from),
              digest: s(secret.digest),
              updatedAt: s(secret.updatedAt),
            },
          }),
        ),
      );
    },

    async remove(clusterId, name) {
      const key = managedSecretKey('managedSecrets.remove', clusterId, name);
      await attempt('managedSecrets.remove', () =>
        client.send(new DeleteItemCommand({ TableName: tableName, Key: keyOf(key) })),
      );
    },

    async digestKey(candidate) {
      const op = 'managedSecrets.digestKey';
      if (candidate === '') throw new StateStoreError(op, undefined, `${op}: the candidate key is empty`);
      const stored = async () =>
        str((await getLive(client, tableName, op, DIGEST_KEY_ITEM, clock.now()))?.key);
      const existing = await stored();
      if (existing !== undefined) return existing;
      const written = await conditionalWrite(op, () =>
        client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              ...keyOf(DIGEST_KEY_ITEM),
              key: s(candidate),
              createdAt: s(new Date(clock.now()).toISOString()),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
      if (written) return candidate;
      // Another first run stored its key in between: that one is the deployment's.
      const winner = await stored();
      if (winner === undefined) throw new StateStoreError(op, undefined, `${op}: the stored key vanished`);
      return winner;
    },
  };
}
