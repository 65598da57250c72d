// The ClusterClaims part of the state contract: one owner per job and cluster at a time, with a lease.
import { describe, expect, it } from 'vitest';
import { HOUR } from './fixtures.ts';
import type { StateContractSubject } from './subject.ts';

export function clusterClaimsContract(label: string, setup: () => Promise<StateContractSubject>): void {
  describe(`${label}: ClusterClaims`, () => {
    it('grants a free claim, refuses another owner, and is re-entrant for the holder', async () => {
      // Prepare
      const { stores } = await setup();
      // Act
      const a = await stores.claims.claim('backup', 'c1', 'owner-a', HOUR);
      const b = await stores.claims.claim('backup', 'c1', 'owner-b', HOUR);
      const aAgain = await stores.claims.claim('backup', 'c1', 'owner-a', HOUR);
      // Assess
      expect([a, b, aAgain]).toEqual([true, false, true]);
    });

    it('claims per job: another job may hold the same cluster', async () => {
      // Prepare
      const { stores } = await setup();
      await stores.claims.claim('backup', 'c1', 'owner-a', HOUR);
      // Act
      const other = await stores.claims.claim('teardown', 'c1', 'owner-b', HOUR);
      // Assess
      expect(other).toBe(true);
    });

    it('lets an expired claim be taken over, after which the old owner is refused', async () => {
      // Prepare
      const { stores, clock } = await setup();
      await stores.claims.claim('teardown', 'c1', 'owner-a', HOUR);
      clock.advance(HOUR - 1);
      const early = await stores.claims.claim('teardown', 'c1', 'owner-b', HOUR);
      clock.advance(1);
      // Act
      const takeover = await stores.claims.claim('teardown', 'c1', 'owner-b', HOUR);
      const oldOwner = await stores.claims.claim('teardown', 'c1', 'owner-a', HOUR);
      // Assess
      expect([early, takeover, oldOwner]).toEqual([false, true, false]);
    });

    it('a re-entrant claim extends the lease', async () => {
      // Prepare
      const { stores, clock } = await setup();
      await stores.claims.claim('backup', 'c1', 'owner-a', HOUR);
      clock.advance(HOUR - 1);
      await stores.claims.claim('backup', 'c1', 'owner-a', HOUR);
      clock.advance(HOUR - 1);
      // Act
      const other = await stores.claims.claim('backup', 'c1', 'owner-b', HOUR);
      // Assess
      expect(other).toBe(false);
    });

    it('releases only for the owner', async () => {
      // Prepare
      const { stores } = await setup();
      await stores.claims.claim('backup', 'c1', 'owner-a', HOUR);
      // Act
      await stores.claims.release('backup', 'c1', 'owner-b');
      const whileHeld = await stores.claims.claim('backup', 'c1', 'owner-c', HOUR);
      await stores.claims.release('backup', 'c1', 'owner-a');
      const afterRelease = await stores.claims.claim('backup', 'c1', 'owner-c', HOUR);
      // Assess
      expect([whileHeld, afterRelease]).toEqual([false, true]);
    });

    it('releasing a claim that is not held is a no-op', async () => {
      // Prepare
      const { stores } = await setup();
      // Act
      await stores.claims.release('backup', 'never-claimed', 'owner-a');
      const claim = await stores.claims.claim('backup', 'never-claimed', 'owner-b', HOUR);
      // Assess
      expect(claim).toBe(true);
    });

    it('of many concurrent claims exactly one owner wins, round after round', async () => {
      // Prepare
      const { stores } = await setup();
      const rounds = 20;
      const winners: number[] = [];
      // Act
      for (let round = 0; round < rounds; round++) {
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            stores.claims.claim('backup', `race-${round}`, `owner-${i}`, HOUR),
          ),
        );
        winners.push(results.filter(Boolean).length);
      }
      // Assess
      expect(winners).toEqual(Array(rounds).fill(1));
    });
  });
}
