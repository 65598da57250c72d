// The in-memory ManagedSecretStore (held to the state contract with the DynamoDB adapter). `enter` is the
// shared fakes' per-operation hook: it counts calls and injects storage faults before any state is touched.
import type { ManagedSecret, ManagedSecretStore } from '#lib/jobs/secrets-sync-ports.ts';
import { StateStoreError } from '#lib/state/errors.ts';
import { managedSecretKey, managedSecretPartition } from '#lib/state/keys.ts';
import { byKey, type Enter } from './storage.ts';

export function memoryManagedSecretStore(enter: Enter): ManagedSecretStore {
  const byCluster = new Map<string, Map<string, ManagedSecret>>();
  let digestKey: string | undefined;
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
    async digestKey(candidate) {
      enter('managedSecrets.digestKey');
      if (candidate === '') {
        throw new StateStoreError('managedSecrets.digestKey', undefined, 'the candidate key is empty');
      }
      digestKey ??= candidate;
      return digestKey;
    },
    async storedDigestKey() {
      enter('managedSecrets.storedDigestKey');
      return digestKey;
    },
  };
}
