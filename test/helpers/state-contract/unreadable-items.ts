// The state contract for items the stores cannot read (a bad manual edit, a bug): they are reported apart,
// never mistaken for no item.
import { describe, expect, it } from 'vitest';
import { StateStoreError } from '#lib/state/errors.ts';
import { keepAliveOf, rejection, snapshotOf } from './fixtures.ts';
import type { StateContractSubject } from './subject.ts';

export function unreadableItemsContract(label: string, setup: () => Promise<StateContractSubject>): void {
  describe(`${label}: unreadable items`, () => {
    it('a corrupt snapshot is listed apart with the reason; the readable ones are listed; get names it', async () => {
      // Prepare
      const { stores, plantCorrupt } = await setup();
      await stores.snapshots.save(snapshotOf('dev-a'));
      await stores.snapshots.save(snapshotOf('dev-c'));
      await plantCorrupt('snapshot', 'dev-b');
      // Act
      const listing = await stores.snapshots.listing(['deleted']);
      const got = await rejection(stores.snapshots.get('dev-b'));
      const listed = await rejection(stores.snapshots.list());
      // Assess
      expect(listing.snapshots.map((s) => s.name)).toEqual(['dev-a', 'dev-c']);
      expect(listing.unreadable).toEqual([
        { key: 'dev-b', reason: expect.stringMatching(/stored snapshot is not valid JSON/) },
      ]);
      expect(got).toBeInstanceOf(StateStoreError);
      expect((got as Error).message).toMatch(/dev-b/);
      expect(listed).toBeInstanceOf(StateStoreError);
    });

    it('a corrupt keep-alive is listed apart under its cluster, never as no keep-alive', async () => {
      // Prepare
      const { stores, clock, plantCorrupt } = await setup();
      const now = clock.now();
      const fine = keepAliveOf('dev-a', now);
      await stores.keepAlives.put(fine);
      await plantCorrupt('keepAlive', 'dev-b');
      // Act
      const listing = await stores.keepAlives.listing(now);
      const active = await rejection(stores.keepAlives.active(now));
      // Assess
      expect(listing.keepAlives).toEqual([fine]);
      expect(listing.unreadable).toEqual([{ key: 'dev-b', reason: expect.stringMatching(/untilMs/) }]);
      expect(active).toBeInstanceOf(StateStoreError);
    });

    it('a valid keep-alive replaces a corrupt one', async () => {
      // Prepare
      const { stores, clock, plantCorrupt } = await setup();
      const now = clock.now();
      await plantCorrupt('keepAlive', 'dev-b');
      const fresh = keepAliveOf('dev-b', now, { by: 'bob', reason: 'r' });
      // Act
      const put = await stores.keepAlives.put(fresh);
      // Assess
      expect(put).toEqual({ stored: true });
      expect(await stores.keepAlives.listing(now)).toEqual({ keepAlives: [fresh], unreadable: [] });
    });
  });
}
