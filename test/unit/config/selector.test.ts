import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  globMatchesEveryName,
  globToRegExp,
  isExplicit,
  matchesSelector,
  selectClusters,
  selectsEveryCluster,
} from '#lib/config/selector.ts';
import type { ClusterSelector } from '#lib/config/types.ts';
import type { Cluster } from '#lib/console/client.ts';
import { propertyParams } from '#test/helpers/property.ts';

function cluster(uuid: string, name: string, extra: Partial<Cluster> = {}): Cluster {
  return { uuid, name, status: { ready: 'Healthy' }, ...extra };
}

const clusters: Cluster[] = [
  cluster('c1', 'dev-alice', {
    labels: ['dev', 'ephemeral'],
    planType: { uuid: 'p1', name: 'Professional' },
    region: { uuid: 'r-eu', name: 'Europe West 1' },
    generation: { uuid: 'g1', name: '8.7.3' },
  }),
  cluster('c2', 'dev-shared', {
    labels: ['dev', 'keep'],
    planType: { uuid: 'p1', name: 'Professional' },
    region: { uuid: 'r-us', name: 'US East 1' },
    generation: { uuid: 'g2', name: '8.6.12' },
  }),
  cluster('c3', 'prod-payments', {
    labels: ['prod'],
    planType: { uuid: 'p2', name: 'Enterprise' },
    region: { uuid: 'r-eu', name: 'Europe West 1' },
    generation: { uuid: 'g1', name: '8.7.3' },
  }),
  // A cluster the API returned without the optional fields.
  cluster('c4', 'devx'),
];

const pick = (selector: ClusterSelector, onlyIds?: string[]) =>
  selectClusters(clusters, selector, onlyIds).map((c) => c.uuid);

describe('globToRegExp', () => {
  it.each([
    ['dev-*', 'dev-alice', true],
    ['dev-*', 'dev-', true],
    ['dev-*', 'my-dev-alice', false],
    ['dev-*', 'DEV-alice', false],
    ['dev-?', 'dev-a', true],
    ['dev-?', 'dev-ab', false],
    ['dev.1', 'dev.1', true],
    ['dev.1', 'devx1', false],
    ['a+b(c)[d]{2}|e^$\\', 'a+b(c)[d]{2}|e^$\\', true],
    ['8.7.*', '8.7.3', true],
    ['8.7.*', '8.70.1', false],
    ['*', '', true],
  ])('%s against %j is %s', (glob, value, expected) => {
    expect(globToRegExp(glob).test(value)).toBe(expected);
  });
});

describe('isExplicit', () => {
  it.each<[ClusterSelector, boolean]>([
    [{}, false],
    [{ names: [] }, false],
    [{ exclude: { names: ['prod-*'] } }, false],
    [{ all: false }, false],
    [{ all: true }, true],
    [{ ids: ['c1'] }, true],
    [{ names: ['dev-*'] }, true],
    [{ labels: ['dev'] }, true],
    [{ planTypes: ['Enterprise'] }, true],
    [{ regions: ['r-eu'] }, true],
    [{ generations: ['8.*'] }, true],
  ])('%j → %s', (selector, expected) => {
    expect(isExplicit(selector)).toBe(expected);
  });
});

describe('matchesSelector / selectClusters', () => {
  it('selects nothing with an empty selector', () => {
    expect(pick({})).toEqual([]);
    expect(pick({ names: [] })).toEqual([]);
  });

  it('selects every cluster with all, minus exclusions', () => {
    expect(pick({ all: true })).toEqual(['c1', 'c2', 'c3', 'c4']);
    expect(pick({ all: true, exclude: { labels: ['prod'] } })).toEqual(['c1', 'c2', 'c4']);
  });

  it('ANDs criteria and ORs values within one', () => {
    expect(pick({ names: ['dev-*'] })).toEqual(['c1', 'c2']);
    expect(pick({ names: ['dev-*'], labels: ['ephemeral'] })).toEqual(['c1']);
    expect(pick({ labels: ['ephemeral', 'prod'] })).toEqual(['c1', 'c3']);
    expect(pick({ names: ['dev-*', 'prod-*'], regions: ['Europe West 1'] })).toEqual(['c1', 'c3']);
  });

  it('matches ids, plan types, regions by name or uuid, and generation globs', () => {
    expect(pick({ ids: ['c2', 'c4', 'missing'] })).toEqual(['c2', 'c4']);
    expect(pick({ planTypes: ['Enterprise'] })).toEqual(['c3']);
    expect(pick({ regions: ['r-us'] })).toEqual(['c2']);
    expect(pick({ regions: ['US East 1'] })).toEqual(['c2']);
    expect(pick({ generations: ['8.7.*'] })).toEqual(['c1', 'c3']);
  });

  it('excludes a cluster when ANY exclude criterion matches', () => {
    expect(pick({ names: ['dev-*'], exclude: { labels: ['keep'] } })).toEqual(['c1']);
    expect(pick({ names: ['*'], exclude: { ids: ['c4'], labels: ['prod'] } })).toEqual(['c1', 'c2']);
    expect(pick({ names: ['dev-*'], exclude: {} })).toEqual(['c1', 'c2']);
  });

  it('never matches a criterion on a field the cluster lacks', () => {
    // Act
    const lacking = clusters[3] as Cluster;
    // Assess
    expect(matchesSelector(lacking, { labels: ['dev'] })).toBe(false);
    expect(matchesSelector(lacking, { planTypes: [''] })).toBe(false);
    expect(matchesSelector(lacking, { generations: ['*'] })).toBe(false);
    expect(matchesSelector(lacking, { names: ['dev*'], exclude: { labels: ['keep'] } })).toBe(true);
  });

  it('narrows to onlyIds within the selector, never beyond it', () => {
    expect(pick({ names: ['dev-*'] }, ['c2', 'c3'])).toEqual(['c2']);
    expect(pick({ names: ['dev-*'] }, [])).toEqual(['c1', 'c2']);
    expect(pick({}, ['c1'])).toEqual([]);
  });
});

describe('all in disguise', () => {
  it('knows the globs that match every (non-empty) name', () => {
    for (const glob of ['*', '**', '?*', '*?', '*?*', '**?***'])
      expect(globMatchesEveryName(glob), glob).toBe(true);
    for (const glob of ['', '?', '??', 'a*', '*a', '*-*', '\\*', 'prod-*']) {
      expect(globMatchesEveryName(glob), glob).toBe(false);
    }
  });

  it('agrees with the compiled glob on every name (property: a catch-all glob matches, others miss one)', () => {
    const glob = fc.stringMatching(/^[*?a-]{0,6}$/);
    const name = fc.string({ minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(glob, fc.array(name, { minLength: 1, maxLength: 20 }), (g, names) => {
        const re = globToRegExp(g);
        // A catch-all matches every non-empty name; a glob that is not one misses some name.
        if (globMatchesEveryName(g)) for (const n of names) expect(re.test(n), `${g} ~ ${n}`).toBe(true);
        else {
          const witness = ['x', 'zz', 'zzzzzzzzzzzzzzzzzzzz', 'b'].some((n) => !re.test(n));
          expect(witness, g).toBe(true);
        }
      }),
      propertyParams(2000, [
        ['?*', ['x']],
        ['*?', ['y']],
        ['-', ['-']],
      ]),
    );
  });

  it('calls a selector all when each criterion it has is a catch-all glob', () => {
    expect(selectsEveryCluster({ names: ['*'] })).toBe(true);
    expect(selectsEveryCluster({ names: ['dev-*', '?*'], generations: ['*'] })).toBe(true);
    expect(selectsEveryCluster({ all: true })).toBe(true);
    expect(selectsEveryCluster({ names: ['*'], labels: ['x'] })).toBe(false);
    expect(selectsEveryCluster({ names: ['dev-*'] })).toBe(false);
    expect(selectsEveryCluster({})).toBe(false);
    // matchesSelector agrees: every cluster is selected.
    expect(selectClusters(clusters, { names: ['?*'] })).toHaveLength(clusters.length);
  });

  it('matches protection globs without regard to case when asked', () => {
    expect(globToRegExp('prod-*', { ignoreCase: true }).test('Prod-db')).toBe(true);
    expect(globToRegExp('prod-*').test('Prod-db')).toBe(false);
  });
});
