// The state contract for a failing storage below the stores: every operation surfaces a StateStoreError
// naming itself and changes nothing.
import { describe, expect, it } from 'vitest';
import type { StateStores } from '#lib/state/dynamo.ts';
import { STATE_OPERATIONS, type StateOperation, StateStoreError } from '#lib/state/errors.ts';
import { done, HOUR, keepAliveOf, LEASE, rejection, snapshotOf, summaryOf } from './fixtures.ts';
import type { StateContractSubject } from './subject.ts';

export function storageFaultsContract(label: string, setup: () => Promise<StateContractSubject>): void {
  describe(`${label}: storage faults`, () => {
    const calls: Record<StateOperation, (s: StateStores, now: number) => Promise<unknown>> = {
      'ledger.start': (s) => s.ledger.start('k1', 'backup', 'run', { ...LEASE, retryFailed: true }),
      'ledger.recordOutcome': (s) => s.ledger.recordOutcome('k1', done('a')),
      'ledger.finish': (s) => s.ledger.finish('k1', summaryOf('k1', [])),
      'ledger.accept': (s) => s.ledger.accept('k1', 'backup', 'run', { bodyDigest: 'd' }),
      'ledger.get': (s) => s.ledger.get('k1'),
      'claims.claim': (s) => s.claims.claim('backup', 'c1', 'owner-a', HOUR),
      'claims.release': (s) => s.claims.release('backup', 'c1', 'owner-a'),
      'keepAlives.put': (s, now) =>
        s.keepAlives.put(keepAliveOf('dev-z', now, { by: 'x', reason: 'y', setAt: 'z' })),
      'keepAlives.active': (s, now) => s.keepAlives.active(now),
      'snapshots.save': (s) => s.snapshots.save(snapshotOf('dev-z')),
      'snapshots.get': (s) => s.snapshots.get('dev-a'),
      'snapshots.list': (s) => s.snapshots.list(),
      'snapshots.transition': (s, now) =>
        s.snapshots.transition('dev-a', 'deleted', { status: 'recreating' }, now),
      'snapshots.dropSecrets': (s) => s.snapshots.dropSecrets('dev-a'),
      'teardownWindows.get': (s) => s.teardownWindows.get('2026-11-26'),
      'teardownWindows.recordNotice': (s, now) => s.teardownWindows.recordNotice('2026-11-26', ['c9'], now),
      'teardownWindows.reserve': (s, now) => s.teardownWindows.reserve('2026-11-26', 'c9', 5, now),
      'teardownWindows.release': (s, now) => s.teardownWindows.release('2026-11-26', 'c1', now),
      'allowlistSources.put': (s, now) => s.allowlistSources.put('vpn', [], 'ci', now),
      'allowlistSources.list': (s) => s.allowlistSources.list(),
      'backupTracking.get': (s) => s.backupTracking.get('c1'),
      'backupTracking.put': (s) => s.backupTracking.put('c1', { pending: [] }),
      'managedSecrets.list': (s) => s.managedSecrets.list('c1'),
      'managedSecrets.put': (s) =>
        s.managedSecrets.put('c1', { name: 'K', source: 's', from: 'f', digest: 'd', updatedAt: 'u' }),
      'managedSecrets.remove': (s) => s.managedSecrets.remove('c1', 'K'),
      'managedSecrets.digestKey': (s) => s.managedSecrets.digestKey('key-candidate'),
      'managedSecrets.storedDigestKey': (s) => s.managedSecrets.storedDigestKey(),
    };

    for (const fault of ['throttle', 'reset'] as const) {
      it(`surfaces a ${fault} on every operation as a StateStoreError, never as an answer, and changes nothing`, async () => {
        // Prepare
        const subject = await setup();
        const { stores, clock } = subject;
        const now = clock.now();
        await stores.keepAlives.put(keepAliveOf('dev-a', now));
        await stores.claims.claim('backup', 'c1', 'owner-held', HOUR);
        await stores.snapshots.save(snapshotOf('dev-a'));
        await stores.teardownWindows.reserve('2026-11-26', 'c1', 5, now);
        subject.breakStorage(fault);
        const errors: Array<[StateOperation, unknown]> = [];
        // Act
        try {
          for (const operation of STATE_OPERATIONS) {
            errors.push([operation, await rejection(calls[operation](stores, now))]);
          }
        } finally {
          subject.healStorage();
        }
        // Assess
        for (const [operation, err] of errors) {
          expect(err, operation).toBeInstanceOf(StateStoreError);
          expect((err as StateStoreError).operation, operation).toBe(operation);
          expect((err as StateStoreError).cause, operation).toBeDefined();
        }
        expect((await stores.keepAlives.active(now)).map((k) => k.cluster)).toEqual(['dev-a']);
        expect(await stores.claims.claim('backup', 'c1', 'owner-a', HOUR)).toBe(false);
        expect((await stores.snapshots.get('dev-a'))?.status).toBe('deleted');
        expect(await stores.ledger.start('k1', 'backup', 'run', { ...LEASE, retryFailed: true })).toEqual({
          kind: 'started',
          previous: new Map(),
        });
        expect(await stores.allowlistSources.list()).toEqual([]);
        expect(await stores.backupTracking.get('c1')).toEqual({ pending: [] });
        expect(await stores.managedSecrets.list('c1')).toEqual([]);
        expect(await stores.teardownWindows.get('2026-11-26')).toEqual({ noticed: [], reserved: ['c1'] });
      });
    }
  });
}
