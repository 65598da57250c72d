// The BackupTrackingStore part of the state contract: per-cluster backup state as put, forgotten after its
// retention.
import { describe, expect, it } from 'vitest';
import { RETENTION_MS } from '#lib/state/keys.ts';
import type { StateContractSubject } from './subject.ts';

export function backupTrackingStoreContract(label: string, setup: () => Promise<StateContractSubject>): void {
  describe(`${label}: BackupTrackingStore`, () => {
    it('answers an unknown cluster with nothing pending, and a stored state as put', async () => {
      // Prepare
      const { stores } = await setup();
      const state = { lastCheckedAt: '2026-11-27T02:00:00.000Z', pending: ['b-1', 'b-2'] };
      // Act
      const unknown = await stores.backupTracking.get('c1');
      await stores.backupTracking.put('c1', state);
      await stores.backupTracking.put('c2', { pending: [] });
      // Assess
      expect(unknown).toEqual({ pending: [] });
      expect(await stores.backupTracking.get('c1')).toEqual(state);
      expect(await stores.backupTracking.get('c2')).toEqual({ pending: [] });
    });

    it('keeps the ids of our backups and the drill record as put', async () => {
      // Prepare
      const { stores } = await setup();
      const state = {
        lastCheckedAt: '2026-11-27T02:00:00.000Z',
        pending: [],
        ours: ['b-1', 'b-2'],
        drill: {
          drillId: 'd-1',
          step: 'restore-requested' as const,
          startedAt: '2026-11-27T02:00:00.000Z',
          backupId: 'b-2',
          restoreId: 'r-1',
          updatedAt: '2026-11-27T02:10:00.000Z',
        },
      };
      // Act
      await stores.backupTracking.put('c1', state);
      // Assess
      expect(await stores.backupTracking.get('c1')).toEqual(state);
    });

    it('replaces the state and forgets it 30 days after the last put', async () => {
      // Prepare
      const { stores, clock } = await setup();
      await stores.backupTracking.put('c1', { lastCheckedAt: 'a', pending: ['b-1'] });
      await stores.backupTracking.put('c1', { lastCheckedAt: 'b', pending: [] });
      const replaced = await stores.backupTracking.get('c1');
      clock.advance(RETENTION_MS.backupTracking);
      // Act
      const forgotten = await stores.backupTracking.get('c1');
      // Assess
      expect(replaced).toEqual({ lastCheckedAt: 'b', pending: [] });
      expect(forgotten).toEqual({ pending: [] });
    });
  });
}
