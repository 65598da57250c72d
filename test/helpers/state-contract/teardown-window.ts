// The TeardownWindowStore part of the state contract: the clusters a night's notices listed, and
// reservations up to a limit.
import { describe, expect, it } from 'vitest';
import { StateStoreError } from '#lib/state/errors.ts';
import { rejection } from './fixtures.ts';
import type { StateContractSubject } from './subject.ts';

export function teardownWindowStoreContract(label: string, setup: () => Promise<StateContractSubject>): void {
  describe(`${label}: TeardownWindowStore`, () => {
    const W = '2026-11-26';

    it('answers an unknown window with nothing noticed and nothing reserved', async () => {
      // Prepare
      const { stores } = await setup();
      // Act
      const state = await stores.teardownWindows.get(W);
      // Assess
      expect(state).toEqual({ noticed: [], reserved: [] });
    });

    it('records what scheduled notices listed, adding to what the window already holds', async () => {
      // Prepare
      const { stores, clock } = await setup();
      const now = clock.now();
      // Act
      await stores.teardownWindows.recordNotice(W, ['c2', 'c1'], now);
      await stores.teardownWindows.recordNotice(W, ['c3', 'c1'], now + 1000);
      await stores.teardownWindows.recordNotice('2026-11-27', [], now);
      // Assess
      expect(await stores.teardownWindows.get(W)).toEqual({
        noticedAt: new Date(now + 1000).toISOString(),
        noticed: ['c1', 'c2', 'c3'],
        reserved: [],
      });
      expect(await stores.teardownWindows.get('2026-11-27')).toEqual({
        noticedAt: new Date(now).toISOString(),
        noticed: [],
        reserved: [],
      });
    });

    it('grants reservations up to the limit, again for a cluster already reserved, and keeps windows apart', async () => {
      // Prepare
      const { stores, clock } = await setup();
      const now = clock.now();
      const reserve = (id: string, window = W) => stores.teardownWindows.reserve(window, id, 2, now);
      // Act
      const results = [await reserve('c1'), await reserve('c2'), await reserve('c3'), await reserve('c1')];
      const otherWindow = await reserve('c3', '2026-11-27');
      // Assess
      expect(results).toEqual([
        { granted: true, reserved: 1 },
        { granted: true, reserved: 2 },
        { granted: false, reserved: 2 },
        { granted: true, reserved: 2 },
      ]);
      expect(otherWindow).toEqual({ granted: true, reserved: 1 });
      expect((await stores.teardownWindows.get(W)).reserved).toEqual(['c1', 'c2']);
    });

    it('gives a reservation back, after which another cluster fits; releasing what is not held is a no-op', async () => {
      // Prepare
      const { stores, clock } = await setup();
      const now = clock.now();
      await stores.teardownWindows.reserve(W, 'c1', 1, now);
      // Act
      await stores.teardownWindows.release(W, 'c1', now);
      await stores.teardownWindows.release(W, 'never', now);
      await stores.teardownWindows.release('2026-01-01', 'c1', now);
      const next = await stores.teardownWindows.reserve(W, 'c2', 1, now);
      // Assess
      expect(next).toEqual({ granted: true, reserved: 1 });
      expect(await stores.teardownWindows.get('2026-01-01')).toEqual({ noticed: [], reserved: [] });
    });

    it('refuses a limit below 1 with a StateStoreError', async () => {
      // Prepare
      const { stores, clock } = await setup();
      // Act
      const err = await rejection(stores.teardownWindows.reserve(W, 'c1', 0, clock.now()));
      // Assess
      expect(err).toBeInstanceOf(StateStoreError);
      expect((await stores.teardownWindows.get(W)).reserved).toEqual([]);
    });

    it('of many concurrent reservations for distinct clusters exactly the limit are granted, round after round', async () => {
      // Prepare
      const { stores, clock } = await setup();
      const rounds = 8;
      const granted: number[] = [];
      const stored: number[] = [];
      // Act
      for (let round = 0; round < rounds; round++) {
        const window = `2026-10-${String(round + 1).padStart(2, '0')}`;
        const results = await Promise.all(
          Array.from({ length: 15 }, (_, i) =>
            stores.teardownWindows.reserve(window, `c${i % 12}`, 5, clock.now()),
          ),
        );
        const ids = new Set(results.flatMap((r, i) => (r.granted ? [`c${i % 12}`] : [])));
        granted.push(ids.size);
        stored.push((await stores.teardownWindows.get(window)).reserved.length);
      }
      // Assess
      expect(granted).toEqual(Array(rounds).fill(5));
      expect(stored).toEqual(Array(rounds).fill(5));
    });
  });
}
