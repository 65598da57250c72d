// The SnapshotStore part of the state contract: what teardown saved comes back whole, status transitions
// are compare-and-set, sealed values can be dropped, and snapshots expire after their retention.
import { describe, expect, it } from 'vitest';
import { RETENTION_MS } from '#lib/state/keys.ts';
import { DAY, noise, snapshotOf } from './fixtures.ts';
import type { StateContractSubject } from './subject.ts';

export function snapshotStoreContract(label: string, setup: () => Promise<StateContractSubject>): void {
  describe(`${label}: SnapshotStore`, () => {
    it('saves and gets a snapshot as it was given, optional fields absent or present', async () => {
      // Prepare
      const { stores } = await setup();
      const full = snapshotOf('dev-a', {
        backupRegion: { uuid: 'reg-2', name: 'Europe West 3' },
        newClusterId: 'new-1',
        note: 'recreated once',
        status: 'recreated',
      });
      const { description: _d, ...bare } = snapshotOf('dev-b', { allowlist: [], labels: [] });
      // Act
      await stores.snapshots.save(full);
      await stores.snapshots.save(bare);
      // Assess
      expect(await stores.snapshots.get('dev-a')).toEqual(full);
      expect(await stores.snapshots.get('dev-b')).toEqual(bare);
      expect(await stores.snapshots.get('dev-c')).toBeUndefined();
    });

    it('a newer teardown replaces the snapshot of the same name', async () => {
      // Prepare
      const { stores } = await setup();
      await stores.snapshots.save(snapshotOf('dev-a', { status: 'done', newClusterId: 'x', note: 'old' }));
      const newer = snapshotOf('dev-a', { clusterId: 'id-2', teardownKey: 'teardown:run:next' });
      // Act
      await stores.snapshots.save(newer);
      // Assess
      expect(await stores.snapshots.get('dev-a')).toEqual(newer);
    });

    it('keeps the sealed secrets and client list of a v2 snapshot, and drops only the sealed values', async () => {
      // Prepare
      const { stores, clock } = await setup();
      const sealed = {
        v: 1 as const,
        kind: 'local' as const,
        key: 'a2V5',
        iv: 'aXY=',
        tag: 'dGFn',
        data: 'ZGF0YQ==',
      };
      const v2 = snapshotOf('dev-a', {
        autoUpdate: false,
        encryptionType: 'Software',
        secrets: { names: ['A', 'B'], sealed, sealedFor: { clusterId: 'id-dev-a', clusterName: 'dev-a' } },
        apiClients: [{ name: 'worker', permissions: ['Zeebe'] }],
      });
      await stores.snapshots.save(v2);
      expect(await stores.snapshots.get('dev-a')).toEqual(v2);
      await stores.snapshots.transition('dev-a', 'deleted', { status: 'recreating' }, clock.now());
      // Act
      await stores.snapshots.dropSecrets('dev-a');
      await stores.snapshots.dropSecrets('dev-a'); // twice: a no-op
      await stores.snapshots.dropSecrets('dev-unknown');
      // Assess
      const after = await stores.snapshots.get('dev-a');
      expect(after?.secrets).toEqual({ names: ['A', 'B'], sealedFor: v2.secrets?.sealedFor });
      expect(after?.status).toBe('recreating');
      expect(after?.apiClients).toEqual(v2.apiClients);
      expect(await stores.snapshots.get('dev-unknown')).toBeUndefined();
    });

    it('lists all snapshots or those in the given statuses', async () => {
      // Prepare
      const { stores } = await setup();
      const a = snapshotOf('dev-a');
      const b = snapshotOf('dev-b', { status: 'recreating', newClusterId: 'n-b' });
      const c = snapshotOf('dev-c', { status: 'done' });
      for (const snap of [c, a, b]) await stores.snapshots.save(snap);
      // Act
      const all = await stores.snapshots.list();
      const open = await stores.snapshots.list(['deleted', 'recreating']);
      const none = await stores.snapshots.list([]);
      // Assess
      expect(all).toEqual([a, b, c]);
      expect(open).toEqual([a, b]);
      expect(none).toEqual([]);
    });

    it('transitions from the current status only, keeping what teardown saved', async () => {
      // Prepare
      const { stores, clock } = await setup();
      const snap = snapshotOf('dev-a');
      await stores.snapshots.save(snap);
      const now = clock.now();
      // Act
      const moved = await stores.snapshots.transition(
        'dev-a',
        'deleted',
        { status: 'recreating', newClusterId: 'new-1' },
        now,
      );
      const wrongFrom = await stores.snapshots.transition(
        'dev-a',
        'deleted',
        { status: 'failed', note: 'x' },
        now,
      );
      const missing = await stores.snapshots.transition('dev-x', 'deleted', { status: 'recreating' }, now);
      const noted = await stores.snapshots.transition(
        'dev-a',
        'recreating',
        { status: 'failed', note: 'create refused' },
        now + 1000,
      );
      // Assess
      expect([moved, wrongFrom, missing, noted]).toEqual([true, false, false, true]);
      expect(await stores.snapshots.get('dev-a')).toEqual({
        ...snap,
        status: 'failed',
        newClusterId: 'new-1',
        note: 'create refused',
        updatedAt: new Date(now + 1000).toISOString(),
      });
    });

    it('of many concurrent transitions from one status exactly one wins, and its change is kept', async () => {
      // Prepare
      const { stores, clock } = await setup();
      const rounds = 10;
      for (let round = 0; round < rounds; round++) await stores.snapshots.save(snapshotOf(`dev-${round}`));
      const winners: number[] = [];
      // Act
      for (let round = 0; round < rounds; round++) {
        const results = await Promise.all(
          Array.from({ length: 6 }, (_, i) =>
            stores.snapshots.transition(
              `dev-${round}`,
              'deleted',
              { status: 'recreating', newClusterId: `new-${i}` },
              clock.now(),
            ),
          ),
        );
        winners.push(results.filter(Boolean).length);
        const winner = results.indexOf(true);
        expect((await stores.snapshots.get(`dev-${round}`))?.newClusterId).toBe(`new-${winner}`);
      }
      // Assess
      expect(winners).toEqual(Array(rounds).fill(1));
    });

    it('forgets a snapshot 90 days after its last change', async () => {
      // Prepare
      const { stores, clock } = await setup();
      await stores.snapshots.save(snapshotOf('dev-a'));
      await stores.snapshots.save(snapshotOf('dev-b'));
      clock.advance(RETENTION_MS.snapshot - DAY);
      await stores.snapshots.transition('dev-b', 'deleted', { status: 'recreating' }, clock.now());
      clock.advance(2 * DAY);
      // Act
      const gone = await stores.snapshots.get('dev-a');
      const listed = await stores.snapshots.list();
      const moved = await stores.snapshots.transition(
        'dev-a',
        'deleted',
        { status: 'recreating' },
        clock.now(),
      );
      // Assess
      expect(gone).toBeUndefined();
      expect(listed.map((s) => s.name)).toEqual(['dev-b']);
      expect(moved).toBe(false);
    });

    it('lists more than 1 MB of snapshots (pagination)', async () => {
      // Prepare
      const { stores } = await setup();
      const all = Array.from({ length: 300 }, (_, i) =>
        snapshotOf(`dev-${String(i).padStart(3, '0')}`, {
          allowlist: Array.from({ length: 40 }, (_, j) => ({
            description: noise(90, i * 100 + j + 1),
            ip: `10.0.${j}.0/24`,
          })),
        }),
      );
      for (let i = 0; i < all.length; i += 50) {
        await Promise.all(all.slice(i, i + 50).map((s) => stores.snapshots.save(s)));
      }
      // Act
      const listed = await stores.snapshots.list(['deleted']);
      // Assess
      expect(listed).toEqual(all);
    });
  });
}
