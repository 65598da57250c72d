// The in-memory ManagedSecretStore (held to the state contract with the DynamoDB adapter). `enter` is the
// shared fakes' per-operation hook: it counts calls and injects storage faults before any state is touched.
import type { ManagedSecret, ManagedSecretStore } from '#lib/jobs/secrets-sync-ports.ts';
import type { StateOperation } from '#lib/state/errors.ts';
import { managedSecretKey, managedSecretPartition } from '#lib/state/keys.ts';

/** DynamoDB returns a partition's items in UTF-8 byte order of the sort key. */
const byKey = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

export function memoryManagedSecretStore(enter: (operation: StateOperation) => void): ManagedSecretStore {
  const byCluster = new Map<string, Map<string, ManagedSecret>>();
  return {
    async list(clusterId) {
      enter('managedSecrets.list');
      managedSecretPartition('managedSecrets.list', clusterId);
      const records = byCluster.get(clusterId) ?? new Map<string, ManagedSecret>();
      return [...records.entries()].sort(([a], [b]) => byKey(a, b)).map(([, r]) => ({ ...r }));
    },
    async put(clusterId, secret) {
      enter('managedSecrets.put');
      managedSecretKey('managedSecrets.put', clusterId, secret.name);
      const records = byCluster.get(clusterId) ?? new Map<string, ManagedSecret>();
      records.set(secret.name, { ...secret });
      byCluster.set(clusterId, records);
    },
    async remove(clusterId, name) {
      enter('managedSecrets.remove');
      managedSecretKey('managedSecrets.remove', clusterId, name);
      byCluster.get(clusterId)?.delete(name);
    },
  };
}
