// The ManagedSecretStore part of the state contract (called from ../state-contract.ts): the DynamoDB adapter
// and the in-memory fake record ownership per cluster, replace a record whole and forget it on remove.
import { describe, expect, it } from 'vitest';
import type { ManagedSecret } from '#lib/jobs/secrets-sync-ports.ts';
import { StateStoreError } from '#lib/state/errors.ts';
import type { StateContractSubject } from './subject.ts';

const record = (name: string, extra: Partial<ManagedSecret> = {}): ManagedSecret => ({
  name,
  source: 'payments',
  from: `camunda/payments/${name}`,
  digest: 'abcd1234',
  updatedAt: '2026-12-01T10:00:00.000Z',
  ...extra,
});

export function managedSecretStoreContract(label: string, setup: () => Promise<StateContractSubject>): void {
  describe(`${label}: ManagedSecretStore`, () => {
    it('records ownership per cluster, in name order, and a put replaces the record whole', async () => {
      // Prepare
      const { stores } = await setup();
      const store = stores.managedSecrets;
      // Act
      await store.put('c1', record('B_KEY'));
      await store.put('c1', record('A_KEY'));
      await store.put('c2', record('A_KEY', { source: 'orders' }));
      await store.put('c1', record('B_KEY', { digest: 'ffff0000', from: 'camunda/other' }));
      // Assess
      expect(await store.list('c1')).toEqual([
        record('A_KEY'),
        record('B_KEY', { digest: 'ffff0000', from: 'camunda/other' }),
      ]);
      expect(await store.list('c2')).toEqual([record('A_KEY', { source: 'orders' })]);
      expect(await store.list('c3')).toEqual([]);
    });

    it('forgets one name on remove, and removing an unknown name changes nothing', async () => {
      // Prepare
      const { stores } = await setup();
      const store = stores.managedSecrets;
      await store.put('c1', record('A_KEY'));
      await store.put('c1', record('B_KEY'));
      // Act
      await store.remove('c1', 'A_KEY');
      await store.remove('c1', 'NOT_THERE');
      await store.remove('c2', 'B_KEY');
      // Assess
      expect((await store.list('c1')).map((r) => r.name)).toEqual(['B_KEY']);
    });

    it('refuses an empty cluster id or secret name with a StateStoreError and stores nothing', async () => {
      // Prepare
      const { stores } = await setup();
      const store = stores.managedSecrets;
      // Act
      const errors = await Promise.all([
        store.put('', record('A_KEY')).catch((e: unknown) => e),
        store.put('c1', record('')).catch((e: unknown) => e),
        store.list('').catch((e: unknown) => e),
      ]);
      // Assess
      for (const error of errors) expect(error).toBeInstanceOf(StateStoreError);
      expect(await store.list('c1')).toEqual([]);
    });

    it('keeps the first digest key stored: a later or concurrent candidate gets that key back', async () => {
      // Prepare
      const { stores } = await setup();
      const store = stores.managedSecrets;
      // Act
      const racing = await Promise.all([
        store.digestKey('key-candidate-a'),
        store.digestKey('key-candidate-b'),
      ]);
      const later = await store.digestKey('key-candidate-c');
      // Assess
      expect(racing[0]).toBe(racing[1]);
      expect(['key-candidate-a', 'key-candidate-b']).toContain(racing[0]);
      expect(later).toBe(racing[0]);
    });

    it('reads the stored digest key without writing one: none before the first key, the first key after', async () => {
      // Prepare
      const { stores } = await setup();
      const store = stores.managedSecrets;
      // Act
      const before = await store.storedDigestKey();
      const stillNone = await store.storedDigestKey();
      const made = await store.digestKey('key-candidate-a');
      const after = await store.storedDigestKey();
      // Assess
      expect([before, stillNone]).toEqual([undefined, undefined]);
      expect(after).toBe(made);
      expect(await store.digestKey('key-candidate-b')).toBe('key-candidate-a');
    });

    it('refuses an empty digest key candidate with a StateStoreError and stores none', async () => {
      // Prepare
      const { stores } = await setup();
      const store = stores.managedSecrets;
      // Act
      const error = await store.digestKey('').catch((e: unknown) => e);
      // Assess
      expect(error).toBeInstanceOf(StateStoreError);
      expect(await store.digestKey('key-candidate-a')).toBe('key-candidate-a');
    });
  });
}
