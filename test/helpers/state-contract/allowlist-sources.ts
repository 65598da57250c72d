// The AllowlistSourceStore part of the state contract: sources are replaced whole, versioned, never expired.
import { describe, expect, it } from 'vitest';
import { DAY } from './fixtures.ts';
import type { StateContractSubject } from './subject.ts';

export function allowlistSourceStoreContract(
  label: string,
  setup: () => Promise<StateContractSubject>,
): void {
  describe(`${label}: AllowlistSourceStore`, () => {
    it('replaces a source whole and increments its version', async () => {
      // Prepare
      const { stores, clock } = await setup();
      const now = clock.now();
      // Act
      const v1 = await stores.allowlistSources.put(
        'vpn',
        [{ cidr: '198.51.100.0/24', description: 'vpn a' }],
        'ci',
        now,
      );
      const v2 = await stores.allowlistSources.put(
        'vpn',
        [{ cidr: '198.51.100.7/32', description: 'vpn b' }],
        undefined,
        now + 1000,
      );
      const other = await stores.allowlistSources.put('office', [], 'bob', now);
      // Assess
      expect([v1, v2, other]).toEqual([1, 2, 1]);
      expect(await stores.allowlistSources.list()).toEqual([
        { name: 'office', entries: [], updatedAt: new Date(now).toISOString(), updatedBy: 'bob', version: 1 },
        {
          name: 'vpn',
          entries: [{ cidr: '198.51.100.7/32', description: 'vpn b' }],
          updatedAt: new Date(now + 1000).toISOString(),
          version: 2,
        },
      ]);
    });

    it('gives concurrent puts distinct versions', async () => {
      // Prepare
      const { stores, clock } = await setup();
      // Act
      const versions = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          stores.allowlistSources.put(
            'vpn',
            [{ cidr: `10.0.0.${i}/32`, description: `n${i}` }],
            'ci',
            clock.now(),
          ),
        ),
      );
      // Assess
      expect([...versions].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      const [stored] = await stores.allowlistSources.list();
      expect(stored?.version).toBe(10);
    });

    it('never expires a source', async () => {
      // Prepare
      const { stores, clock } = await setup();
      await stores.allowlistSources.put(
        'vpn',
        [{ cidr: '10.0.0.1/32', description: 'x' }],
        'ci',
        clock.now(),
      );
      clock.advance(400 * DAY);
      // Act
      const listed = await stores.allowlistSources.list();
      // Assess
      expect(listed.map((s) => s.name)).toEqual(['vpn']);
    });
  });
}
