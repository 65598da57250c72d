// The single-cluster rules of the teardown plan, at their edges: which keep-alive is in force, when a cluster
// is old enough, which statuses are deleted, what a recreate cannot reproduce, which allowlist is in force,
// and what the plan reports for each. Written against the survivors of mutation testing (docs/RELIABILITY.md):
// each case fails when one comparison, branch or reported field of functions/teardown/plan.ts changes.
import { describe, expect, it } from 'vitest';
import {
  allowlistOf,
  exclusionOf,
  keepAliveFor,
  TeardownError,
  unreadableKeepAlive,
  unreadableOutcome,
  unrecreatable,
  withLineageLabels,
} from '#functions/teardown/plan.ts';
import type { KeepAlive } from '#lib/jobs/ports.ts';
import { cluster, HOUR, NOW, policy } from '#test/fakes/teardown-scenario.ts';

const keepAlive = (target: string, untilMs: number, by = 'alice'): KeepAlive => ({
  cluster: target,
  until: new Date(untilMs).toISOString(),
  by,
  reason: 'demo',
  setAt: new Date(NOW - HOUR).toISOString(),
});
const createdHoursAgo = (hours: number) => new Date(NOW - hours * HOUR).toISOString();

describe('keepAliveFor', () => {
  it('takes the one lasting longest, in either order, and ignores expired, ending-now and unreadable times', () => {
    // Prepare
    const c = cluster('dev-a');
    const short = keepAlive('dev-a', NOW + HOUR, 'short');
    const long = keepAlive('uuid-dev-a', NOW + 2 * HOUR, 'long');
    const endingNow = keepAlive('dev-a', NOW);
    const expired = keepAlive('dev-a', NOW - HOUR);
    const garbled = { ...keepAlive('dev-a', NOW), until: 'tomorrow' };
    const other = keepAlive('dev-b', NOW + 5 * HOUR);
    // Act + Assess
    expect(keepAliveFor(c, [short, long], NOW)).toBe(long);
    expect(keepAliveFor(c, [long, short], NOW)).toBe(long);
    expect(keepAliveFor(c, [endingNow, expired, garbled, other], NOW)).toBeUndefined();
    expect(keepAliveFor(c, [endingNow, short], NOW)).toBe(short);
    expect(keepAliveFor(c, [short, { ...short, by: 'same-until' }], NOW)?.by).toBe('short');
  });
});

describe('unreadableKeepAlive', () => {
  it('matches an unreadable keep-alive by uuid or exact name only, and says why the cluster is kept', () => {
    // Prepare
    const c = cluster('dev-a');
    // Act + Assess
    expect(unreadableKeepAlive(c, [{ key: 'dev-a', reason: 'bad json' }])).toBe(
      "keep-alive 'dev-a' is unreadable (bad json): not deleted; fix or replace it with a new keep-alive",
    );
    expect(unreadableKeepAlive(c, [{ key: 'uuid-dev-a', reason: 'x' }])).toMatch(/^keep-alive 'uuid-dev-a'/);
    expect(unreadableKeepAlive(c, [{ key: 'dev-b', reason: 'x' }])).toBeUndefined();
    expect(unreadableKeepAlive(c, [])).toBeUndefined();
  });

  it('reports an unreadable cluster as failed with the reason', () => {
    expect(unreadableOutcome({ cluster: cluster('dev-a'), reason: 'why' })).toEqual({
      clusterId: 'uuid-dev-a',
      clusterName: 'dev-a',
      status: 'failed',
      error: 'why',
    });
  });
});

describe('exclusionOf', () => {
  const p = policy({ minAgeHours: 24 });

  it('counts a cluster exactly the minimum age as old enough, a minute less or created in the future as young', () => {
    // Act
    const exact = exclusionOf(cluster('dev-a', { created: createdHoursAgo(24) }), p, [], NOW);
    const almost = exclusionOf(cluster('dev-a', { created: createdHoursAgo(24 - 1 / 60) }), p, [], NOW);
    const future = exclusionOf(
      cluster('dev-a', { created: createdHoursAgo(-2) }),
      policy({ minAgeHours: 0 }),
      [],
      NOW,
    );
    const zero = exclusionOf(
      cluster('dev-a', { created: createdHoursAgo(0) }),
      policy({ minAgeHours: 0 }),
      [],
      NOW,
    );
    // Assess: the age reported rounded to one decimal
    expect(exact).toBeUndefined();
    expect(almost).toEqual({
      reason: 'younger than 24 h',
      detail: { created: createdHoursAgo(24 - 1 / 60), ageHours: 24 },
    });
    expect(exclusionOf(cluster('dev-a', { created: createdHoursAgo(2.25) }), p, [], NOW)?.detail).toEqual({
      created: createdHoursAgo(2.25),
      ageHours: 2.3,
    });
    expect(future).toEqual({
      reason: 'younger than 0 h',
      detail: { created: createdHoursAgo(-2), ageHours: -2 },
    });
    expect(zero).toBeUndefined();
  });

  it('counts a missing or unreadable creation time as young, and says so', () => {
    // Prepare
    const missing = { ...cluster('dev-a') };
    delete (missing as { created?: string }).created;
    // Act + Assess
    expect(exclusionOf(missing, p, [], NOW)).toEqual({
      reason: 'younger than 24 h',
      detail: { created: null, age: 'unknown' },
    });
    expect(exclusionOf(cluster('dev-a', { created: 'last week' }), p, [], NOW)).toEqual({
      reason: 'younger than 24 h',
      detail: { created: 'last week', age: 'unknown' },
    });
  });

  it('names the keep-alive in force in the reason and the detail', () => {
    const k = keepAlive('dev-a', NOW + HOUR);
    expect(exclusionOf(cluster('dev-a'), p, [k], NOW)).toEqual({
      reason: `keep-alive until ${k.until} by alice (demo)`,
      detail: { keepAlive: { until: k.until, by: 'alice', reason: 'demo' } },
    });
  });

  it('leaves a cluster without a status, and says its status is unknown', () => {
    const c = { ...cluster('dev-a'), status: undefined } as unknown as Parameters<typeof exclusionOf>[0];
    expect(exclusionOf(c, p, [], NOW)).toEqual({ reason: 'status unknown' });
    expect(exclusionOf(cluster('dev-a', { ready: 'Creating' }), p, [], NOW)).toEqual({
      reason: 'status Creating',
    });
  });

  it('leaves a cluster with a customer-managed key unless the policy says how to recreate it', () => {
    // Prepare
    const external = cluster('dev-a', { encryption: { type: 'External' } } as never);
    const allowed = policy({
      minAgeHours: 24,
      recreate: { ...p.recreate, externalEncryptionAs: 'Software' },
    });
    const why =
      'encryption External (customer-managed key) cannot be recreated; set teardown.recreate.externalEncryptionAs to allow';
    // Act + Assess
    expect(exclusionOf(external, p, [], NOW)).toEqual({ reason: 'cannot be recreated', detail: { why } });
    expect(unrecreatable(external, p)).toBe(why);
    expect(unrecreatable(external, allowed)).toBeUndefined();
    expect(unrecreatable(cluster('dev-a', { encryption: { type: 'Default' } } as never), p)).toBeUndefined();
  });
});

describe('allowlistOf', () => {
  it('reads ipallowlist, else the deprecated ipwhitelist, and says when the cluster shows neither', () => {
    const entry = { ip: '10.0.0.0/8', description: 'office' };
    expect(allowlistOf(cluster('a', { ipallowlist: [entry] } as never))).toEqual({
      entries: [entry],
      visible: true,
    });
    expect(allowlistOf(cluster('a', { ipwhitelist: [entry] } as never))).toEqual({
      entries: [entry],
      visible: true,
    });
    expect(allowlistOf(cluster('a', { ipallowlist: [] } as never))).toEqual({ entries: [], visible: true });
    expect(allowlistOf(cluster('a'))).toEqual({ entries: [], visible: false });
  });
});

describe('withLineageLabels', () => {
  it('gives a cluster without labels the labels of its lineage, and leaves every other cluster as it is', () => {
    // Prepare
    const recreated = cluster('dev-a', { labels: [] });
    const lineage = new Map([
      ['uuid-dev-a', ['nightly-off']],
      ['uuid-dev-b', []],
    ]);
    // Act + Assess
    expect(withLineageLabels(recreated, lineage)).toEqual({ ...recreated, labels: ['nightly-off'] });
    const labelled = cluster('dev-a', { labels: ['own'] });
    expect(withLineageLabels(labelled, lineage)).toBe(labelled);
    const empty = cluster('dev-b', { labels: [] });
    expect(withLineageLabels(empty, lineage)).toBe(empty);
  });
});

describe('TeardownError', () => {
  it('is named and keeps its cause only when given one', () => {
    const cause = new Error('root');
    expect(new TeardownError('x', { cause })).toMatchObject({ name: 'TeardownError', message: 'x', cause });
    expect('cause' in new TeardownError('x')).toBe(false);
  });
});
