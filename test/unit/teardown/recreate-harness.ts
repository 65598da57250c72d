import { expect } from 'vitest';
import type { ClusterSnapshot } from '#lib/jobs/ports.ts';
import type { RunSummary } from '#lib/jobs/types.ts';
import { cluster, HOUR, harness, NOW, outcomes, REF } from '#test/fakes/teardown-scenario.ts';

export const OFFICE = { description: 'office', ip: '203.0.113.0/24' };

export function snapshot(name: string, overrides: Partial<ClusterSnapshot> = {}): ClusterSnapshot {
  return {
    clusterId: `uuid-${name}`,
    name,
    description: `${name} cluster`,
    labels: ['nightly-off'],
    planType: { ...REF.enterprise },
    region: { ...REF.eu },
    channel: { ...REF.stable },
    generation: { ...REF.g869 },
    allowlist: [OFFICE],
    takenAt: new Date(NOW - 8 * HOUR).toISOString(),
    teardownKey: 'night-1',
    status: 'deleted',
    updatedAt: new Date(NOW - 8 * HOUR).toISOString(),
    ...overrides,
  };
}

export async function withSnapshots(
  snapshots: ClusterSnapshot[],
  clusters = [cluster('prod-x', { labels: [] })],
) {
  const h = harness(clusters);
  for (const s of snapshots) {
    await h.stores.snapshots.save(s);
    // Unless a test says otherwise, the current desired state is what the teardown saw.
    if (s.allowlist.length > 0) h.desired.set(s.name, s.allowlist);
  }
  return h;
}

/** New clusters are Healthy the moment they are created (the same-run path of the recreate). */
export function healthyOnCreate(h: Awaited<ReturnType<typeof withSnapshots>>): void {
  const create = h.console.createCluster.bind(h.console);
  h.console.createCluster = async (body) => {
    const created = await create(body);
    h.console.healthy(created.clusterId);
    return created;
  };
}

/** The recreate gave up on `name`: this outcome, no cluster created, its snapshot marked failed. */
export async function expectGaveUp(
  h: Awaited<ReturnType<typeof withSnapshots>>,
  summary: RunSummary,
  name: string,
  outcome: string,
): Promise<void> {
  expect(outcomes(summary)[name]).toBe(outcome);
  expect(h.console.created).toEqual([]);
  expect((await h.stores.snapshots.get(name))?.status).toBe('failed');
}
