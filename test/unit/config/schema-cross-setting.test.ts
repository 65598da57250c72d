// Cross-setting checks still run, and name their problem, next to a broken setting of the same section.
import { describe, expect, it } from 'vitest';
import { issuesOf, namedIn } from './issues.ts';

describe('parseConfig names a cross-setting problem next to a broken setting of the same section', () => {
  it.each([
    ['a wrong type', { concurrency: 'four' }, 'concurrency: must be an integer from 1 to 50'],
    ['a non-integer', { concurrency: 2.5 }, 'concurrency: must be an integer from 1 to 50'],
    [
      'a non-integer in another section',
      { webhooks: { maxBodyBytes: 2048.5 } },
      'webhooks.maxBodyBytes: must be an integer from 1024 to 1048576',
    ],
    [
      'a bad setting next to the one compared',
      { deployment: { memoryMb: 'big', functionTimeoutSeconds: 300 } },
      'deployment.memoryMb: must be an integer from 128 to 10240',
    ],
  ])('top level: timeMarginSeconds vs functionTimeoutSeconds next to %s', (_, broken, named) => {
    // Prepare
    const config = { timeMarginSeconds: 300, ...broken };
    // Act
    const issues = namedIn(config);
    // Assess
    expect(issues).toEqual(
      [named, 'timeMarginSeconds: must be less than deployment.functionTimeoutSeconds (300)'].sort(),
    );
  });

  it('backup: an empty selector and a missing nativeCron next to broken settings', () => {
    // Prepare
    const emptySelector = { backup: { enabled: true, mode: 'sometimes', selector: {} } };
    const nativeWithoutCron = { backup: { mode: 'native', minIntervalHours: 'hourly', dryRun: 1 } };
    // Act
    const first = namedIn(emptySelector);
    const second = namedIn(nativeWithoutCron);
    // Assess
    expect(first).toEqual([
      "backup.mode: must be 'manual' or 'native'",
      expect.stringMatching(/^backup\.selector: must name the clusters to back up/),
    ]);
    expect(second).toEqual([
      'backup.dryRun: must be true or false',
      'backup.minIntervalHours: must be a number >= 1',
      "backup.nativeCron: is required when mode is 'native'",
    ]);
  });

  it('teardown: all in the selector and an empty selector next to broken settings', () => {
    // Prepare
    const withAll = { teardown: { maxDeletionsPerRun: 1.5, selector: { all: true } } };
    const emptySelector = { teardown: { enabled: true, minAgeHours: 'four', selector: {} } };
    // Act
    const first = namedIn(withAll);
    const second = namedIn(emptySelector);
    // Assess
    expect(first).toEqual([
      'teardown.maxDeletionsPerRun: must be an integer >= 1',
      expect.stringMatching(/^teardown\.selector\.all: teardown never accepts all/),
    ]);
    expect(second).toEqual([
      'teardown.minAgeHours: must be a number >= 0',
      expect.stringMatching(/^teardown\.selector: must name the clusters to tear down/),
    ]);
  });

  it('a selector: all next to other criteria, one of them broken', () => {
    // Prepare
    const config = { backup: { selector: { all: true, names: ['x'], labels: 'prod' } } };
    // Act
    const issues = namedIn(config);
    // Assess
    expect(issues).toEqual([
      expect.stringMatching(/^backup\.selector\.all: all: true selects every cluster/),
      'backup.selector.labels: must be a list',
    ]);
  });

  it('allowlist: static entries, selector, source limit and an empty list next to broken settings', () => {
    // Prepare
    const config = {
      allowlist: {
        enabled: true,
        schedule: 'sometimes',
        dryRun: 'no',
        selector: {},
        static: [
          { cidr: '10.1.2.3/8', description: 'vpn' },
          { cidr: '203.0.113.0/24', description: 'x'.repeat(11) },
        ],
        maxDescriptionLength: 10,
        sources: { vpn: { maxEntries: 60 } },
      },
    };
    const empty = { allowlist: { enabled: true, selector: { all: true }, maxDescriptionLength: 'long' } };
    // Act
    const first = issuesOf(config).map((i) => i.path);
    const second = namedIn(empty);
    // Assess
    expect(first.sort()).toEqual([
      'allowlist.dryRun',
      'allowlist.schedule',
      'allowlist.selector',
      'allowlist.sources.vpn.maxEntries',
      'allowlist.static[0].cidr',
      'allowlist.static[1].description',
    ]);
    expect(second).toEqual([
      'allowlist.maxDescriptionLength: must be an integer from 1 to 1000',
      expect.stringMatching(/^allowlist\.static: no static entries and no sources/),
    ]);
  });

  it('an allowlist source: a selector without criteria next to a broken exclude', () => {
    // Prepare
    const config = { allowlist: { sources: { vpn: { selector: { exclude: { names: 'prod-*' } } } } } };
    // Act
    const issues = namedIn(config);
    // Assess
    expect(issues).toEqual([
      'allowlist.sources.vpn.selector.exclude.names: must be a list',
      'allowlist.sources.vpn.selector: must name at least one criterion (or leave the selector out)',
    ]);
  });

  it.each([
    [
      'an enabled flag that is not a boolean',
      { backup: { enabled: 'yes', selector: {} } },
      ['backup.enabled: must be true or false'],
    ],
    [
      'a selector criterion that is not a list',
      { backup: { enabled: true, selector: { names: 5 } } },
      ['backup.selector.names: must be a list'],
    ],
    [
      'a selector that is not an object',
      { teardown: { enabled: true, selector: 'dev-*' } },
      ['teardown.selector: must be an object'],
    ],
    [
      'a teardown all that is not a boolean',
      { teardown: { enabled: true, selector: { all: 'yes' } } },
      ['teardown.selector.all: must be true or false'],
    ],
    [
      'allowCatchAll that is not a boolean',
      { allowlist: { allowCatchAll: 0, static: [{ cidr: '0.0.0.0/0', description: 'all' }] } },
      ['allowlist.allowCatchAll: must be true or false'],
    ],
    [
      'an allowlist.maxEntries out of range',
      {
        allowlist: {
          maxEntries: 0,
          static: [
            { cidr: '203.0.113.0/24', description: 'a' },
            { cidr: '198.51.100.0/24', description: 'b' },
          ],
          sources: { vpn: { maxEntries: 10 } },
        },
      },
      ['allowlist.maxEntries: must be an integer from 1 to 1000'],
    ],
    [
      'a functionTimeoutSeconds that is not a number',
      { timeMarginSeconds: 300, deployment: { functionTimeoutSeconds: null } },
      ['deployment.functionTimeoutSeconds: must be an integer from 10 to 900'],
    ],
  ])('adds no cross-setting issue that rests on %s (it is named itself)', (_, config, expected) => {
    // Act
    const issues = namedIn(config);
    // Assess
    expect(issues).toEqual(expected);
  });
});
