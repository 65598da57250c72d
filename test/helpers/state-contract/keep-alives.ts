// The KeepAliveStore part of the state contract: which keep-alives are in force, and that the longest one
// wins whatever the order of the writes.
import { describe, expect, it } from 'vitest';
import { StateStoreError } from '#lib/state/errors.ts';
import { HOUR, noise, rejection } from './fixtures.ts';
import type { StateContractSubject } from './subject.ts';

export function keepAliveStoreContract(label: string, setup: () => Promise<StateContractSubject>): void {
  describe(`${label}: KeepAliveStore`, () => {
    const keepAlive = (cluster: string, until: string, reason = 'demo tomorrow') => ({
      cluster,
      until,
      by: 'alice@example.com',
      reason,
      setAt: '2026-11-26T18:00:00.000Z',
    });

    it('lists keep-alives whose until is after now and ignores expired ones still stored', async () => {
      // Prepare
      const { stores, clock } = await setup();
      const now = clock.now();
      const later = keepAlive('dev-a', new Date(now + 2 * HOUR).toISOString());
      const expired = keepAlive('dev-b', new Date(now - 1).toISOString());
      const exactlyNow = keepAlive('dev-c', new Date(now).toISOString());
      for (const k of [later, expired, exactlyNow]) await stores.keepAlives.put(k);
      // Act
      const active = await stores.keepAlives.active(now);
      const laterStill = await stores.keepAlives.active(now + 2 * HOUR);
      // Assess
      expect(active).toEqual([later]);
      expect(laterStill).toEqual([]);
    });

    it('replaces the keep-alive of a cluster', async () => {
      // Prepare
      const { stores, clock } = await setup();
      const now = clock.now();
      await stores.keepAlives.put(keepAlive('dev-a', new Date(now + HOUR).toISOString(), 'first'));
      const second = keepAlive('dev-a', new Date(now + 3 * HOUR).toISOString(), 'second');
      // Act
      await stores.keepAlives.put(second);
      // Assess
      expect(await stores.keepAlives.active(now + 2 * HOUR)).toEqual([second]);
    });

    it('never replaces a keep-alive lasting at least as long, and says which one is in force', async () => {
      // Prepare
      const { stores, clock } = await setup();
      const now = clock.now();
      const long = keepAlive('dev-a', new Date(now + 5 * HOUR).toISOString(), 'long');
      const first = await stores.keepAlives.put(long);
      // Act
      const shorter = await stores.keepAlives.put(
        keepAlive('dev-a', new Date(now + HOUR).toISOString(), 's'),
      );
      const same = await stores.keepAlives.put(keepAlive('dev-a', long.until, 'same until'));
      // Assess
      expect(first).toEqual({ stored: true });
      expect(shorter).toEqual({ stored: false, inForce: long });
      expect(same).toEqual({ stored: false, inForce: long });
      expect(await stores.keepAlives.active(now)).toEqual([long]);
    });

    it('replaces an expired keep-alive still stored, whatever its until', async () => {
      // Prepare
      const { stores, clock } = await setup();
      const now = clock.now();
      await stores.keepAlives.put(keepAlive('dev-a', new Date(now + HOUR).toISOString(), 'old'));
      clock.advance(2 * HOUR);
      const fresh = keepAlive('dev-a', new Date(clock.now() + 30 * 60_000).toISOString(), 'new');
      // Act
      const put = await stores.keepAlives.put(fresh);
      // Assess
      expect(put).toEqual({ stored: true });
      expect(await stores.keepAlives.active(clock.now())).toEqual([fresh]);
    });

    it('of many concurrent puts for one cluster the longest until is in force, round after round', async () => {
      // Prepare
      const { stores, clock } = await setup();
      const now = clock.now();
      const rounds = 10;
      const inForce: string[] = [];
      const expected: string[] = [];
      // Act
      for (let round = 0; round < rounds; round++) {
        // A different arrival order each round; the longest is at a different position.
        const hours = Array.from({ length: 6 }, (_, i) => 1 + ((i * 7 + round * 3) % 11));
        const results = await Promise.all(
          hours.map((hh, i) =>
            stores.keepAlives.put(
              keepAlive(`race-${round}`, new Date(now + hh * HOUR).toISOString(), `r${i}`),
            ),
          ),
        );
        expect(results.some((r) => r.stored)).toBe(true);
        const stored = (await stores.keepAlives.active(now)).find((k) => k.cluster === `race-${round}`);
        inForce.push(stored?.until ?? 'none');
        expected.push(new Date(now + Math.max(...hours) * HOUR).toISOString());
      }
      // Assess
      expect(inForce).toEqual(expected);
    });

    it('lists more than 1 MB of keep-alives (pagination)', async () => {
      // Prepare
      const { stores, clock } = await setup();
      const until = new Date(clock.now() + HOUR).toISOString();
      const all = Array.from({ length: 300 }, (_, i) =>
        keepAlive(`dev-${String(i).padStart(3, '0')}`, until, noise(4000, i + 3)),
      );
      for (let i = 0; i < all.length; i += 50) {
        await Promise.all(all.slice(i, i + 50).map((k) => stores.keepAlives.put(k)));
      }
      // Act
      const active = await stores.keepAlives.active(clock.now());
      // Assess
      expect(active).toEqual(all);
    });

    it('refuses an until that is not an instant', async () => {
      // Prepare
      const { stores } = await setup();
      // Act
      const err = await rejection(stores.keepAlives.put(keepAlive('dev-a', 'tomorrow')));
      // Assess
      expect(err).toBeInstanceOf(StateStoreError);
      expect(await stores.keepAlives.active(0)).toEqual([]);
    });
  });
}
