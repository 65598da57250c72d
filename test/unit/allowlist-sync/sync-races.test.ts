// runSync racing other writers: a source updated during a run, and a cluster that changes between the
// listing and its turn.
import { describe, expect, it } from 'vitest';
import { GONE } from '#functions/allowlist-sync/sync.ts';
import { outcomeOf } from '#test/helpers/outcomes.ts';
import { cluster, policy, putError, syncWorld as setup } from './fakes.ts';

describe('runSync alongside source updates', () => {
  it('writes the sources as stored when it reaches a cluster, not as they were when the run began', async () => {
    // Prepare: a long scheduled sync; after it began, and before it reaches prod-b, a set-source revokes the
    // old CI address (its own sync may already have fixed prod-b). Sources read at the start of the run
    // would put the revoked address back on prod-b.
    const { console, stores, clock, sync } = await setup(
      [cluster('prod-a', { ipallowlist: [] }), cluster('prod-b', { ipallowlist: [] })],
      { ci: [{ cidr: '198.51.100.1/32', description: 'old runner' }] },
    );
    const p = policy({ sources: { ci: {} } });
    const getCluster = console.getCluster.bind(console);
    console.getCluster = async (clusterId) => {
      if (clusterId === 'uuid-prod-b') {
        await stores.allowlistSources.put(
          'ci',
          [{ cidr: '198.51.100.2/32', description: 'new runner' }],
          'ci-bot',
          clock.now(),
        );
      }
      return getCluster(clusterId);
    };

    // Act
    const summary = await sync(p, { clusterIds: ['uuid-prod-a', 'uuid-prod-b'] });

    // Assess
    expect(summary.failed).toBe(false);
    const prodB = console.clusters.get('uuid-prod-b')?.ipallowlist ?? [];
    expect(prodB.map((e) => e.ip)).not.toContain('198.51.100.1/32');
    expect(prodB).toEqual([
      { ip: '198.51.100.2/32', description: 'new runner' },
      { ip: '203.0.113.0/24', description: 'office' },
    ]);
  });
});

describe('runSync when a cluster changes between the listing and its turn', () => {
  it('leaves alone a cluster the policy stopped selecting since the listing (excluded by a label)', async () => {
    // Prepare: someone marks prod-b self-managed while the run works through the list.
    const { console, sync } = await setup([
      cluster('prod-a', { ipallowlist: [] }),
      cluster('prod-b', { ipallowlist: [{ description: 'hand-made', ip: '192.0.2.0/24' }] }),
    ]);
    const p = policy({ selector: { names: ['prod-*'], exclude: { labels: ['self-managed'] } } });
    const getCluster = console.getCluster.bind(console);
    console.getCluster = async (clusterId) => {
      const c = console.clusters.get(clusterId);
      if (clusterId === 'uuid-prod-b' && c) c.labels = ['self-managed'];
      return getCluster(clusterId);
    };

    // Act
    const summary = await sync(p);

    // Assess
    expect(console.puts.map((x) => x.clusterId)).toEqual(['uuid-prod-a']);
    expect(console.clusters.get('uuid-prod-b')?.ipallowlist).toEqual([
      { description: 'hand-made', ip: '192.0.2.0/24' },
    ]);
    expect(outcomeOf(summary, 'prod-b')).toMatchObject({ status: 'skipped' });
    expect(summary.failed).toBe(false);
  });

  it('skips, without failing the run, a cluster deleted between its read and the PUT (404)', async () => {
    // Prepare: the nightly teardown deletes prod-a while this sync is about to write its list.
    const { console, sync } = await setup([
      cluster('prod-a', { ipallowlist: [] }),
      cluster('prod-b', { ipallowlist: [] }),
    ]);
    console.failPut = (id) => {
      if (id !== 'uuid-prod-a') return undefined;
      console.clusters.delete(id);
      return putError(id, 404);
    };

    // Act
    const summary = await sync(policy());

    // Assess
    expect(outcomeOf(summary, 'prod-a')).toMatchObject({ status: 'skipped', reason: GONE });
    expect(outcomeOf(summary, 'prod-b')).toMatchObject({ status: 'done', action: 'allowlist-updated' });
    expect(summary.failed).toBe(false);
  });
});
