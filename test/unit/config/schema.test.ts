import { describe, expect, it } from 'vitest';
import { ConfigError, type ConfigIssue } from '#lib/config/errors.ts';
import { deepMerge } from '#lib/config/load.ts';
import { formatPath, parseConfig, timeZoneProblem } from '#lib/config/schema.ts';

function issuesOf(input: unknown): ConfigIssue[] {
  try {
    parseConfig(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
  throw new Error('expected the config to be refused');
}

/** The issue at `path` (asserting there is exactly one there). */
function issueAt(input: unknown, path: string): string {
  const at = issuesOf(input).filter((i) => i.path === path);
  expect(at, `issues at ${path}`).toHaveLength(1);
  return at[0]?.message ?? '';
}

const teardownOn = { enabled: true, selector: { names: ['dev-*'] } };
const allowlistOn = {
  enabled: true,
  selector: { planTypes: ['Enterprise'] },
  static: [{ cidr: '203.0.113.0/24', description: 'office' }],
};

describe('parseConfig defaults', () => {
  it('turns an empty object into a complete config with everything disabled and teardown a dry run', () => {
    // Act
    const config = parseConfig({});
    // Assess
    expect(config).toEqual({
      timeZone: 'UTC',
      concurrency: 4,
      timeMarginSeconds: 30,
      events: { source: 'camunda.automation' },
      webhooks: { maxBodyBytes: 65_536, toleranceSeconds: 300, senders: {} },
      alerts: { emails: [] },
      token: { storeUnavailable: 'fail', storeRetrySeconds: 5 },
      backup: {
        enabled: false,
        schedule: 'cron(0 2 * * ? *)',
        dryRun: false,
        mode: 'manual',
        selector: {},
        targets: [],
        checkSchedule: 'rate(1 hour)',
        drill: {
          enabled: false,
          schedule: 'cron(0 4 ? * SUN *)',
          useExisting: false,
          maxMinutes: 120,
          pollSeconds: 15,
        },
      },
      teardown: {
        enabled: false,
        dryRun: true,
        selector: {},
        protect: { ids: [], names: [], labels: [] },
        minAgeHours: 4,
        maxDeletionsPerRun: 5,
        maxDeletionsPerWindow: 5,
        windowStartHour: 12,
        adHoc: 'noticed-only',
        maxLatenessMinutes: 60,
        noticeSchedule: 'cron(0 18 ? * MON-FRI *)',
        schedule: 'cron(0 20 ? * MON-FRI *)',
        recreate: {
          enabled: false,
          schedule: 'cron(0 7 ? * MON-FRI *)',
          followUpSchedule: 'cron(30 7 ? * MON-FRI *)',
          stageLabels: [],
          secretPrefix: 'camunda-automation/clusters',
          maxOpenWindowMinutes: 10,
          waitForHealthySeconds: 300,
          maxContinuations: 6,
        },
        keepAlive: { maxHours: 12 },
      },
      allowlist: {
        enabled: false,
        dryRun: false,
        schedule: 'rate(1 hour)',
        selector: {},
        static: [],
        sources: {},
        allowCatchAll: false,
        allowEmpty: false,
        maxEntries: 50,
        maxDescriptionLength: 100,
        maxBreadth: { ipv4PrefixLength: 8, ipv6PrefixLength: 32 },
      },
      secretsSync: {
        enabled: false,
        dryRun: false,
        schedule: 'rate(1 hour)',
        selector: {},
        sources: {},
        exclusive: false,
        conflictRetry: { attempts: 6, baseDelayMs: 1000, maxDelayMs: 20000 },
        kmsKeyArns: [],
      },
      deployment: {
        webhookAuth: 'signature',
        webhookThrottle: { rateLimit: 10, burstLimit: 20 },
        logRetentionDays: 30,
        functionTimeoutSeconds: 300,
        memoryMb: 512,
        reservedConcurrency: 0,
      },
    });
  });

  it('fills defaults inside a partly given section and keeps what is given', () => {
    // Act
    const config = parseConfig({ teardown: { ...teardownOn, keepAlive: {}, recreate: { enabled: true } } });
    // Assess
    expect(config.teardown).toMatchObject({
      enabled: true,
      dryRun: true,
      selector: { names: ['dev-*'] },
      recreate: { enabled: true, schedule: 'cron(0 7 ? * MON-FRI *)' },
      keepAlive: { maxHours: 12 },
    });
  });

  it('stores static allowlist entries canonical, merged and sorted', () => {
    // Act
    const config = parseConfig({
      allowlist: {
        ...allowlistOn,
        static: [
          { cidr: '2001:DB8::/32', description: 'v6' },
          { cidr: '198.51.100.7', description: 'a' },
          { cidr: '198.51.100.7/32', description: 'b' },
        ],
      },
    });
    // Assess
    expect(config.allowlist.static).toEqual([
      { cidr: '198.51.100.7/32', description: 'a; b' },
      { cidr: '2001:db8::/32', description: 'v6' },
    ]);
  });

  it('accepts its own output again unchanged (the stack inlines the resolved JSON)', () => {
    // Prepare
    const once = parseConfig({
      teardown: teardownOn,
      allowlist: allowlistOn,
      backup: { mode: 'native', nativeCron: '0 2 * * *' },
    });
    // Act
    const twice = parseConfig(JSON.parse(JSON.stringify(once)));
    // Assess
    expect(twice).toEqual(once);
  });
});

describe('parseConfig refuses bad values, naming the setting', () => {
  it('formats the message as config: <path>: <reason>', () => {
    // Act
    const error = (() => {
      try {
        return parseConfig({ teardown: { maxDeletionsPerRun: 0 } });
      } catch (e) {
        return e as ConfigError;
      }
    })();
    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).name).toBe('ConfigError');
    expect((error as ConfigError).message).toBe(
      'config: teardown.maxDeletionsPerRun: must be an integer >= 1',
    );
  });

  it('reports every bad setting at once', () => {
    // Act
    const issues = issuesOf({
      concurrency: 0,
      timeZone: 'Mars/Olympus',
      teardown: { maxDeletionsPerRun: 1.5 },
    });
    // Assess
    expect(issues.map((i) => i.path).sort()).toEqual([
      'concurrency',
      'teardown.maxDeletionsPerRun',
      'timeZone',
    ]);
  });

  it.each([
    ['not-a-zone', /not an IANA time zone/],
    ['+01:00', /not an offset/],
    ['UTC+1', /not an offset/],
    ['europe/berlin', /spell it Europe\/Berlin/],
    [42, /must be an IANA time zone/],
  ])('timeZone %j', (timeZone, message) => {
    expect(issueAt({ timeZone }, 'timeZone')).toMatch(message);
  });

  it.each(['Europe/Berlin', 'UTC', 'America/New_York', 'Asia/Kolkata'])(
    'accepts the time zone %s',
    (zone) => {
      expect(timeZoneProblem(zone)).toBeUndefined();
    },
  );

  it.each([0, 51, 2.5, '4'])('concurrency %j', (concurrency) => {
    expect(issueAt({ concurrency }, 'concurrency')).toBe('must be an integer from 1 to 50');
  });

  it('accepts the concurrency bounds 1 and 50', () => {
    expect(parseConfig({ concurrency: 1 }).concurrency).toBe(1);
    expect(parseConfig({ concurrency: 50 }).concurrency).toBe(50);
  });

  it.each([
    [
      'backup.schedule',
      { backup: { schedule: 'cron(0 2 * * * *)' } },
      /exactly one of day-of-month and day-of-week/,
    ],
    ['backup.schedule', { backup: { schedule: 'every day' } }, /must be cron\(/],
    ['teardown.schedule', { teardown: { schedule: 'rate(1 hours)' } }, /singular unit for 1/],
    ['teardown.noticeSchedule', { teardown: { noticeSchedule: 'cron(0 18 * *)' } }, /6 fields/],
    [
      'teardown.recreate.schedule',
      { teardown: { recreate: { schedule: 'at(2030-02-30T07:00:00)' } } },
      /not a real date/,
    ],
    ['allowlist.schedule', { allowlist: { schedule: 'rate(0 minutes)' } }, /whole number >= 1/],
  ])('the scheduler expression at %s', (path, input, message) => {
    expect(issueAt(input, path)).toMatch(message);
  });

  it('requires nativeCron when backup.mode is native, and checks it', () => {
    expect(issueAt({ backup: { mode: 'native' } }, 'backup.nativeCron')).toBe(
      "is required when mode is 'native'",
    );
    expect(issueAt({ backup: { mode: 'native', nativeCron: '0 2 * *' } }, 'backup.nativeCron')).toMatch(
      /5 fields/,
    );
    expect(issueAt({ backup: { mode: 'native', nativeCron: '*/30 * * * *' } }, 'backup.nativeCron')).toMatch(
      /at most one backup per hour/,
    );
    expect(parseConfig({ backup: { mode: 'native', nativeCron: '15 */6 * * 1-5' } }).backup.nativeCron).toBe(
      '15 */6 * * 1-5',
    );
  });

  it('refuses backup.mode values other than manual and native', () => {
    expect(issueAt({ backup: { mode: 'auto' } }, 'backup.mode')).toBe("must be 'manual' or 'native'");
  });

  it.each([0.5, 0, -1])(
    'backup.minIntervalHours %j (Camunda allows one manual backup per hour)',
    (minIntervalHours) => {
      expect(issueAt({ backup: { minIntervalHours } }, 'backup.minIntervalHours')).toMatch(/>= 1/);
    },
  );

  it.each([14.9, 0, -15])(
    'backup.minIntervalMinutes %j (Camunda allows one manual backup per 15 minutes)',
    (m) => {
      expect(issueAt({ backup: { minIntervalMinutes: m } }, 'backup.minIntervalMinutes')).toMatch(/>= 15/);
    },
  );

  it('accepts backup.minIntervalMinutes down to 15, and refuses it together with minIntervalHours', () => {
    expect(parseConfig({ backup: { minIntervalMinutes: 15 } }).backup.minIntervalMinutes).toBe(15);
    expect(
      issueAt({ backup: { minIntervalMinutes: 30, minIntervalHours: 2 } }, 'backup.minIntervalHours'),
    ).toMatch(/not both/);
  });

  it('takes recovery-point targets with explicit selectors and a maxAgeHours of at least 15 minutes', () => {
    const targets = [{ selector: { labels: ['prod'] }, maxAgeHours: 1 }];
    expect(parseConfig({ backup: { targets } }).backup.targets).toEqual(targets);
    expect(parseConfig({}).backup.checkSchedule).toBe('rate(1 hour)');
    expect(
      issueAt({ backup: { targets: [{ selector: {}, maxAgeHours: 1 }] } }, 'backup.targets[0].selector'),
    ).toMatch(/empty selector/);
    expect(
      issueAt(
        { backup: { targets: [{ selector: { all: true }, maxAgeHours: 0.1 }] } },
        'backup.targets[0].maxAgeHours',
      ),
    ).toMatch(/>= 0.25/);
  });

  it('ships the restore drill off, weekly, and needs a cluster and a production scope to enable it', () => {
    expect(parseConfig({}).backup.drill).toEqual({
      enabled: false,
      schedule: 'cron(0 4 ? * SUN *)',
      useExisting: false,
      maxMinutes: 120,
      pollSeconds: 15,
    });
    expect(issueAt({ backup: { drill: { enabled: true } } }, 'backup.drill.cluster')).toBe(
      'is required when drill.enabled is true',
    );
    expect(
      issueAt({ backup: { drill: { enabled: true, cluster: 'drill-1' } } }, 'backup.productionSelector'),
    ).toMatch(/name your production clusters/);
  });

  it.each([
    ['a name glob', { names: ['prod-*'] }, 'prod-payments'],
    ['an id', { ids: ['uuid-9'] }, 'uuid-9'],
    ['all', { all: true }, 'drill-sandbox'],
    [
      'a name glob and a label (the label is checked at run time)',
      { names: ['*'], labels: ['prod'] },
      'drill-x',
    ],
  ])(
    'refuses a drill cluster the production selector matches by %s',
    (_what, productionSelector, cluster) => {
      expect(
        issueAt(
          { backup: { productionSelector, drill: { enabled: true, cluster } } },
          'backup.drill.cluster',
        ),
      ).toMatch(/matched by backup.productionSelector: a drill .* never runs on a production cluster/);
    },
  );

  it('accepts a drill cluster outside the production selector (or excluded from it)', () => {
    const config = parseConfig({
      backup: {
        productionSelector: { names: ['prod-*'], exclude: { names: ['prod-drill'] } },
        drill: { enabled: true, cluster: 'prod-drill' },
      },
    });
    expect(config.backup.drill.cluster).toBe('prod-drill');
    expect(
      parseConfig({
        backup: { productionSelector: { labels: ['prod'] }, drill: { enabled: true, cluster: 'drill-1' } },
      }).backup.drill.enabled,
    ).toBe(true);
  });

  it('requires an explicit selector for an enabled backup, but accepts all: true', () => {
    expect(issueAt({ backup: { enabled: true } }, 'backup.selector')).toMatch(/empty selector selects none/);
    expect(parseConfig({ backup: { enabled: true, selector: { all: true } } }).backup.selector).toEqual({
      all: true,
    });
  });

  it('refuses all in the teardown selector, even with teardown disabled', () => {
    expect(issueAt({ teardown: { selector: { all: true } } }, 'teardown.selector.all')).toMatch(
      /never accepts all/,
    );
    expect(
      issueAt(
        { teardown: { enabled: true, selector: { all: false, names: ['x'] } } },
        'teardown.selector.all',
      ),
    ).toMatch(/never accepts all/);
  });

  it('refuses a teardown selector that is all in disguise (a name or generation glob matching every name)', () => {
    for (const glob of ['*', '**', '?*', '*?*', '*?', '***?**']) {
      expect(
        issueAt({ teardown: { selector: { names: ['dev-*', glob] } } }, 'teardown.selector.names[1]'),
        glob,
      ).toMatch(/matches every cluster name.*never accepts all/);
      expect(
        issueAt({ teardown: { selector: { generations: [glob] } } }, 'teardown.selector.generations[0]'),
        glob,
      ).toMatch(/matches every generation.*never accepts all/);
    }
    // Narrowed by another criterion it is not all: accepted (and a glob with a literal is never all).
    expect(
      parseConfig({ teardown: { selector: { names: ['*'], labels: ['nightly-off'] } } }).teardown.selector,
    ).toEqual({ names: ['*'], labels: ['nightly-off'] });
    expect(
      parseConfig({ teardown: { selector: { names: ['*-dev', '??'] } } }).teardown.selector.names,
    ).toEqual(['*-dev', '??']);
    // Where all is allowed, so is its disguise.
    expect(parseConfig({ backup: { selector: { names: ['*'] } } }).backup.selector.names).toEqual(['*']);
  });

  it('refuses bidi, control and invisible characters in text settings and static descriptions', () => {
    expect(
      issueAt({ teardown: { protect: { names: ['prod-\u202E*'] } } }, 'teardown.protect.names[0]'),
    ).toMatch(/contains U\+202E \(RIGHT-TO-LEFT OVERRIDE\) at position 6/);
    expect(issueAt({ backup: { selector: { labels: ['a\u200Db'] } } }, 'backup.selector.labels[0]')).toMatch(
      /U\+200D \(ZERO WIDTH JOINER\)/,
    );
    expect(
      issueAt(
        { allowlist: { static: [{ cidr: '203.0.113.0/24', description: 'office\u2066' }] } },
        'allowlist.static[0].description',
      ),
    ).toMatch(/U\+2066 \(LEFT-TO-RIGHT ISOLATE\)/);
  });

  it('requires an explicit teardown selector when teardown is enabled', () => {
    expect(issueAt({ teardown: { enabled: true } }, 'teardown.selector')).toMatch(
      /name the clusters to tear down/,
    );
    expect(issueAt({ teardown: { enabled: true, selector: { names: [] } } }, 'teardown.selector')).toMatch(
      /name the clusters/,
    );
    expect(
      issueAt(
        { teardown: { enabled: true, selector: { exclude: { names: ['prod-*'] } } } },
        'teardown.selector',
      ),
    ).toMatch(/name the clusters/);
  });

  it.each([0, -3, 2.5, '5'])('teardown.maxDeletionsPerRun %j', (maxDeletionsPerRun) => {
    expect(issueAt({ teardown: { maxDeletionsPerRun } }, 'teardown.maxDeletionsPerRun')).toBe(
      'must be an integer >= 1',
    );
  });

  it.each([0, -3, 2.5, '5'])('teardown.maxDeletionsPerWindow %j', (maxDeletionsPerWindow) => {
    expect(issueAt({ teardown: { maxDeletionsPerWindow } }, 'teardown.maxDeletionsPerWindow')).toBe(
      'must be an integer >= 1',
    );
  });

  it('teardown.maxDeletionsPerWindow defaults to maxDeletionsPerRun and may not be below it', () => {
    expect(parseConfig({ teardown: { maxDeletionsPerRun: 3 } }).teardown.maxDeletionsPerWindow).toBe(3);
    expect(parseConfig({ teardown: { maxDeletionsPerWindow: 8 } }).teardown.maxDeletionsPerWindow).toBe(8);
    expect(
      issueAt(
        { teardown: { maxDeletionsPerRun: 5, maxDeletionsPerWindow: 4 } },
        'teardown.maxDeletionsPerWindow',
      ),
    ).toBe('must be >= maxDeletionsPerRun (5): one run may not plan more than the window allows');
  });

  it.each([-1, 24, 1.5, '12'])('teardown.windowStartHour %j', (windowStartHour) => {
    expect(issueAt({ teardown: { windowStartHour } }, 'teardown.windowStartHour')).toBe(
      'must be an integer from 0 to 23',
    );
  });

  it.each(['any', 'noticed', true])('teardown.adHoc %j', (adHoc) => {
    expect(issueAt({ teardown: { adHoc } }, 'teardown.adHoc')).toBe(
      "must be 'noticed-only' or 'any-selected'",
    );
  });

  it.each([0, 1441, 30.5])('teardown.maxLatenessMinutes %j', (maxLatenessMinutes) => {
    expect(issueAt({ teardown: { maxLatenessMinutes } }, 'teardown.maxLatenessMinutes')).toBe(
      'must be an integer from 1 to 1440',
    );
  });

  it.each([0, -1])('teardown.keepAlive.maxHours %j', (maxHours) => {
    expect(issueAt({ teardown: { keepAlive: { maxHours } } }, 'teardown.keepAlive.maxHours')).toBe(
      'must be a number > 0',
    );
  });

  it('refuses unknown selector keys, naming them and the known ones', () => {
    // Act
    const issues = issuesOf({
      backup: { selector: { name: ['prod-*'], labels: ['prod'] } },
      teardown: { selector: { names: ['dev-*'], exclude: { label: ['keep'] } } },
    });
    // Assess
    expect(issues).toEqual([
      {
        path: 'backup.selector.name',
        message: expect.stringMatching(/^unknown selector key \(known: ids, names, /),
      },
      { path: 'teardown.selector.exclude.label', message: expect.stringMatching(/^unknown selector key/) },
    ]);
  });

  it.each([
    [{ names: [''] }, 'backup.selector.names[0]', 'must not be empty'],
    [{ labels: [' prod'] }, 'backup.selector.labels[0]', 'must not start or end with whitespace'],
    [{ ids: [7] }, 'backup.selector.ids[0]', 'must be a non-empty string'],
    [{ regions: 'eu' }, 'backup.selector.regions', 'must be a list'],
    [
      { all: true, names: ['x'] },
      'backup.selector.all',
      expect.stringMatching(/other criteria would be ignored/),
    ],
  ])('selector values: %j', (selector, path, message) => {
    expect(issueAt({ backup: { selector } }, path)).toEqual(message);
  });

  it('names the failing static allowlist entry by index and field', () => {
    // Act
    const issues = issuesOf({
      allowlist: {
        static: [
          { cidr: '203.0.113.0/24', description: 'office' },
          { cidr: '198.51.100.0/24', description: '' },
          { cidr: '10.1.2.3/8', description: 'vpn' },
          'not-an-entry',
        ],
      },
    });
    // Assess
    expect(issues).toEqual([
      { path: 'allowlist.static[1].description', message: expect.stringMatching(/must not be empty/) },
      { path: 'allowlist.static[2].cidr', message: expect.stringMatching(/did you mean 10\.0\.0\.0\/8/) },
      { path: 'allowlist.static[3]', message: expect.stringMatching(/must be an object/) },
    ]);
  });

  it('checks static entries under the allowlist rules next to them', () => {
    // Prepare
    const catchAll = { static: [{ cidr: '0.0.0.0/0', description: 'everyone' }] };
    // Act / Assess
    expect(issueAt({ allowlist: catchAll }, 'allowlist.static[0].cidr')).toMatch(/allowCatchAll/);
    expect(parseConfig({ allowlist: { ...catchAll, allowCatchAll: true } }).allowlist.static).toHaveLength(1);
    expect(
      issueAt(
        {
          allowlist: {
            static: [{ cidr: '203.0.113.0/24', description: 'x'.repeat(11) }],
            maxDescriptionLength: 10,
          },
        },
        'allowlist.static[0].description',
      ),
    ).toMatch(/longer than 10/);
    expect(
      issueAt(
        {
          allowlist: {
            maxEntries: 1,
            static: [
              { cidr: '203.0.113.0/24', description: 'a' },
              { cidr: '198.51.100.0/24', description: 'b' },
            ],
          },
        },
        'allowlist.static',
      ),
    ).toMatch(/exceed maxEntries 1/);
  });

  it('refuses static entries broader than allowlist.maxBreadth, naming the entries; the limit is configurable', () => {
    // Prepare
    const halves = {
      static: [
        { cidr: '0.0.0.0/1', description: 'lower half' },
        { cidr: '128.0.0.0/1', description: 'upper half' },
      ],
    };
    const wide = { static: [{ cidr: '10.0.0.0/7', description: 'two /8s' }] };
    // Act / Assess
    expect(issueAt({ allowlist: halves }, 'allowlist.static')).toMatch(
      /admit every IPv4 address.*0\.0\.0\.0\/1 \(2\^31\), 128\.0\.0\.0\/1 \(2\^31\)/,
    );
    expect(issueAt({ allowlist: wide }, 'allowlist.static')).toMatch(/maxBreadth\.ipv4PrefixLength/);
    expect(
      issueAt(
        { allowlist: { static: [{ cidr: '64:ff9b::/96', description: 'nat64' }] } },
        'allowlist.static',
      ),
    ).toMatch(/admit every IPv4 address/);
    expect(
      parseConfig({ allowlist: { ...wide, maxBreadth: { ipv4PrefixLength: 7 } } }).allowlist.maxBreadth,
    ).toEqual({ ipv4PrefixLength: 7, ipv6PrefixLength: 32 });
    expect(
      issueAt(
        { allowlist: { maxBreadth: { ipv4PrefixLength: 33 } } },
        'allowlist.maxBreadth.ipv4PrefixLength',
      ),
    ).toMatch(/integer from 0 to 32/);
    expect(issueAt({ allowlist: { maxBreadth: { ipv6: 32 } } }, 'allowlist.maxBreadth.ipv6')).toMatch(
      /unknown setting/,
    );
  });

  it('refuses an enabled allowlist that would be empty unless allowEmpty', () => {
    // Prepare
    const empty = { enabled: true, selector: { all: true } };
    // Act / Assess
    expect(issueAt({ allowlist: empty }, 'allowlist.static')).toMatch(/opens the clusters to everyone/);
    expect(parseConfig({ allowlist: { ...empty, allowEmpty: true } }).allowlist.enabled).toBe(true);
    expect(parseConfig({ allowlist: { ...empty, sources: { 'office-vpn': {} } } }).allowlist.sources).toEqual(
      {
        'office-vpn': {},
      },
    );
  });

  it('requires an explicit allowlist selector when enabled', () => {
    expect(issueAt({ allowlist: { ...allowlistOn, selector: {} } }, 'allowlist.selector')).toMatch(
      /name the clusters to sync/,
    );
  });

  it.each(['Office-VPN', '-vpn', 'office vpn', 'a'.repeat(64), 'vpn_1'])(
    'refuses the source name %j',
    (name) => {
      expect(issueAt({ allowlist: { sources: { [name]: {} } } }, `allowlist.sources.${name}`)).toMatch(
        /lower-case letters, digits and -/,
      );
    },
  );

  it('accepts source names up to 63 characters of a-z, 0-9 and -', () => {
    // Prepare
    const name = `a${'-9'.repeat(31)}`;
    // Act / Assess
    expect(
      Object.keys(
        parseConfig({ allowlist: { sources: { [name]: {}, 'office-vpn': {} } } }).allowlist.sources,
      ),
    ).toEqual([name, 'office-vpn']);
  });

  it('checks source settings', () => {
    expect(
      issueAt({ allowlist: { sources: { vpn: { maxEntries: 0 } } } }, 'allowlist.sources.vpn.maxEntries'),
    ).toBe('must be an integer >= 1');
    expect(
      issueAt(
        { allowlist: { maxEntries: 10, sources: { vpn: { maxEntries: 11 } } } },
        'allowlist.sources.vpn.maxEntries',
      ),
    ).toMatch(/must not exceed allowlist.maxEntries \(10\)/);
    expect(
      issueAt({ allowlist: { sources: { vpn: { selector: {} } } } }, 'allowlist.sources.vpn.selector'),
    ).toMatch(/at least one criterion/);
    expect(
      issueAt({ allowlist: { sources: { vpn: { selectr: {} } } } }, 'allowlist.sources.vpn.selectr'),
    ).toMatch(/unknown setting/);
  });

  it.each([
    ['', 'must not be empty'],
    ['aws.events', "must not start with 'aws.' (reserved for AWS services)"],
    ['my source', 'must not contain whitespace'],
  ])('events.source %j', (source, message) => {
    expect(issueAt({ events: { source } }, 'events.source')).toBe(message);
  });

  it.each(['not-an-email', 'a@', '@example.com', 'two words@example.com'])('alerts.emails %j', (email) => {
    expect(issueAt({ alerts: { emails: ['ok@example.com', email] } }, 'alerts.emails[1]')).toBe(
      'must be an email address',
    );
  });

  it('refuses unknown keys at the top level and inside sections', () => {
    // Act
    const issues = issuesOf({ timezone: 'UTC', teardown: { dryrun: false }, deployment: { memory: 1 } });
    // Assess
    expect(issues.sort((a, b) => (a.path < b.path ? 1 : -1))).toEqual([
      { path: 'timezone', message: 'unknown setting (a typo?)' },
      { path: 'teardown.dryrun', message: 'unknown setting (a typo?)' },
      { path: 'deployment.memory', message: 'unknown setting (a typo?)' },
    ]);
  });

  it('says which type a setting needs, and that a required one is missing', () => {
    expect(issueAt({ teardown: { dryRun: 'false' } }, 'teardown.dryRun')).toBe('must be true or false');
    expect(issueAt({ backup: 'yes' }, 'backup')).toBe('must be an object');
    expect(issuesOf('config')).toEqual([{ path: '', message: 'must be an object' }]);
  });

  it.each([
    [
      { deployment: { logRetentionDays: 10 } },
      'deployment.logRetentionDays',
      /CloudWatch's retention periods/,
    ],
    [{ deployment: { functionTimeoutSeconds: 901 } }, 'deployment.functionTimeoutSeconds', /from 10 to 900/],
    [{ deployment: { webhookAuth: 'none' } }, 'deployment.webhookAuth', /'signature' or 'iam'/],
    [{ deployment: { consoleBaseUrl: 'ftp://x' } }, 'deployment.consoleBaseUrl', /http\(s\) URL/],
    [
      {
        deployment: {
          consoleCredentialsSecretArn: 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:console',
        },
      },
      'deployment.consoleCredentialsSecretArn',
      /6-character suffix/,
    ],
    [
      { timeMarginSeconds: 60, deployment: { functionTimeoutSeconds: 60 } },
      'timeMarginSeconds',
      /less than deployment.functionTimeoutSeconds \(60\)/,
    ],
  ])('deployment: %j', (input, path, message) => {
    expect(issueAt(input, path)).toMatch(message);
  });

  it('accepts a complete secret ARN', () => {
    // Prepare
    const arn = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:camunda/console-AbC123';
    // Act / Assess
    expect(
      parseConfig({ deployment: { consoleCredentialsSecretArn: arn } }).deployment
        .consoleCredentialsSecretArn,
    ).toBe(arn);
  });
});

/** Every issue as `path: message`, sorted: the exact set, so a missing or a misleading extra one fails. */
function namedIn(input: unknown): string[] {
  return issuesOf(input)
    .map((i) => `${i.path}: ${i.message}`)
    .sort();
}

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

describe('formatPath and deepMerge', () => {
  it('formats zod paths as dotted paths with indexes', () => {
    expect(formatPath(['allowlist', 'static', 2, 'cidr'])).toBe('allowlist.static[2].cidr');
    expect(formatPath([])).toBe('');
  });

  it('merges objects key by key and replaces arrays and values whole', () => {
    // Prepare
    const base = { a: { b: 1, c: [1, 2], d: { e: 'x' } }, f: 'keep' };
    const override = { a: { c: [3], d: { g: true } }, h: undefined };
    // Act
    const merged = deepMerge(base, override);
    // Assess
    expect(merged).toEqual({ a: { b: 1, c: [3], d: { e: 'x', g: true } }, f: 'keep' });
    expect(base.a.c).toEqual([1, 2]);
  });

  it('keeps a __proto__ key as a key (refused later), never as a prototype', () => {
    // Prepare
    const override = JSON.parse('{"__proto__": {"polluted": true}}') as unknown;
    // Act
    const merged = deepMerge({}, override) as Record<string, unknown>;
    // Assess
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(issuesOf(merged)).toEqual([{ path: '__proto__', message: 'unknown setting (a typo?)' }]);
  });
});

describe('teardown.recreate settings of the faithful recreate', () => {
  const base = { teardown: { recreate: {} as Record<string, unknown> } };
  const errorOf = (recreate: Record<string, unknown>): string => {
    try {
      parseConfig({ ...base, teardown: { recreate } });
    } catch (err) {
      return String((err as Error).message);
    }
    return '';
  };

  it('accepts stage labels per name glob, a prefix, a bound and an encryption fallback', () => {
    const config = parseConfig({
      teardown: {
        recreate: {
          stageLabels: [{ names: ['dev-*'], stageLabel: 'dev' }],
          secretPrefix: 'team/camunda',
          maxOpenWindowMinutes: 5,
          externalEncryptionAs: 'Software',
        },
      },
    });
    expect(config.teardown.recreate).toMatchObject({
      stageLabels: [{ names: ['dev-*'], stageLabel: 'dev' }],
      secretPrefix: 'team/camunda',
      maxOpenWindowMinutes: 5,
      externalEncryptionAs: 'Software',
    });
  });

  it.each([
    [
      { stageLabels: [{ names: ['dev-*'], stageLabel: 'qa' }] },
      'teardown.recreate.stageLabels[0].stageLabel',
    ],
    [{ stageLabels: [{ names: [], stageLabel: 'dev' }] }, 'teardown.recreate.stageLabels[0].names'],
    [{ secretPrefix: '/leading' }, 'teardown.recreate.secretPrefix'],
    [{ secretPrefix: 'a b' }, 'teardown.recreate.secretPrefix'],
    [{ maxOpenWindowMinutes: 0 }, 'teardown.recreate.maxOpenWindowMinutes'],
    [{ externalEncryptionAs: 'External' }, 'teardown.recreate.externalEncryptionAs'],
    [{ waitForHealthySeconds: 900 }, 'teardown.recreate.waitForHealthySeconds'],
  ])('refuses %j naming the setting', (recreate, setting) => {
    expect(errorOf(recreate)).toContain(setting);
  });
});
