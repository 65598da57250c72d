// Random invalid configs: a valid config with one to three settings broken (wrong type, out of range, unknown
// key, bad expression, bad allowlist entry, bad source name …) is refused, and the ConfigError names every
// broken setting by its path — a typo never falls back to a default at 3 AM.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '#lib/config/errors.ts';
import { formatPath, parseConfig } from '#lib/config/schema.ts';
import { reportRow } from '#test/helpers/faults-report.ts';
import { propertyParams, runs } from '#test/helpers/property.ts';

const RUNS = runs(3_000);

/** Every section present, every policy enabled: the most checks apply. */
const BASE = {
  timeZone: 'Europe/Berlin',
  concurrency: 4,
  timeMarginSeconds: 30,
  events: { source: 'camunda.automation' },
  webhooks: { maxBodyBytes: 65_536, toleranceSeconds: 300 },
  alerts: { emails: ['oncall@example.com'] },
  backup: {
    enabled: true,
    schedule: 'cron(0 3 * * ? *)',
    dryRun: false,
    mode: 'manual',
    minIntervalHours: 12,
    selector: { labels: ['env-prod'] },
  },
  teardown: {
    enabled: true,
    dryRun: false,
    selector: { names: ['dev-*'] },
    protect: { ids: [], names: ['dev-keep-*'], labels: ['protected'] },
    minAgeHours: 4,
    maxDeletionsPerRun: 5,
    noticeSchedule: 'cron(30 19 ? * MON-FRI *)',
    schedule: 'cron(0 20 ? * MON-FRI *)',
    recreate: { enabled: true, schedule: 'cron(0 7 ? * MON-FRI *)' },
    keepAlive: { maxHours: 24 },
  },
  allowlist: {
    enabled: true,
    dryRun: false,
    schedule: 'rate(1 hour)',
    selector: { planTypes: ['Enterprise S'] },
    static: [
      { cidr: '203.0.113.0/24', description: 'office' },
      { cidr: '2001:db8::/32', description: 'v6 office' },
    ],
    sources: { 'office-vpn': { maxEntries: 10 } },
    allowCatchAll: false,
    allowEmpty: false,
    maxEntries: 50,
    maxDescriptionLength: 100,
  },
  deployment: { functionTimeoutSeconds: 300, memoryMb: 512, logRetentionDays: 30 },
};

type Path = ReadonlyArray<string | number>;
interface Mutation {
  path: Path;
  value: unknown;
  /**
   * A check across settings (an object-level refinement: empty selector, static entries under the rules next
   * to them, a limit relative to another). It runs next to other broken settings but skips a setting it
   * compares with when that one is broken itself; this test allows for that loosely: another broken setting
   * inside `scope` ('' = anywhere) may hide it (test/unit/config/schema.test.ts pins the exact behaviour).
   */
  cross?: string;
}

const notANumber = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.boolean(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
);
const notAnInteger = fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Number.isInteger(d));

function integerOutside(min: number, max?: number) {
  const below = fc.integer({ min: -1_000_000, max: min - 1 });
  return max === undefined
    ? fc.oneof(below, notAnInteger, notANumber)
    : fc.oneof(below, fc.integer({ min: max + 1, max: max + 1_000_000 }), notAnInteger, notANumber);
}
const notABoolean = fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.constant(null), fc.constant({}));
const notASchedule = fc.oneof(
  fc.string({ maxLength: 20 }).filter((s) => !/^(cron|rate|at)\(/.test(s)),
  fc.constantFrom(
    'cron(0 2 * * *)',
    'cron(61 2 * * ? *)',
    'rate(0 hours)',
    'rate(1 fortnight)',
    'cron(0 2 * * 1 *)',
  ),
  fc.integer(),
);
const notAList = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.constant({}), fc.constant(null));
const badCidr = fc.constantFrom(
  '10.0.0.1/8',
  '0.0.0.0/0',
  '::/0',
  '01.2.3.4',
  '1.2.3',
  '10.0.0.0/33',
  'fe80::1%eth0',
  '',
  'office',
);
const identifier = fc.stringMatching(/^[a-z][a-zA-Z0-9]{0,14}$/);

const SECTIONS: Record<string, string[]> = {
  '': Object.keys(BASE),
  events: ['source'],
  webhooks: ['maxBodyBytes', 'toleranceSeconds'],
  token: ['storeUnavailable', 'storeRetrySeconds'],
  backup: Object.keys(BASE.backup).concat(['nativeCron']),
  teardown: Object.keys(BASE.teardown),
  'teardown.recreate': ['enabled', 'schedule'],
  allowlist: Object.keys(BASE.allowlist),
  deployment: [
    'consoleCredentialsSecretArn',
    'webhookSecretArn',
    'webhookAuth',
    'webhookThrottle',
    'logRetentionDays',
    'functionTimeoutSeconds',
    'memoryMb',
    'reservedConcurrency',
    'consoleBaseUrl',
    'oauthUrl',
    'oauthAudience',
  ],
};

/** One broken setting: where, and the bad value. */
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  integerOutside(1, 50).map((value) => ({ path: ['concurrency'], value })),
  integerOutside(1, 600).map((value) => ({ path: ['timeMarginSeconds'], value })),
  fc.integer({ min: 300, max: 600 }).map((value) => ({ path: ['timeMarginSeconds'], value, cross: '' })),
  fc
    .oneof(fc.constantFrom('Mars/Olympus', '+02:00', 'UTC+1', 'europe/berlin', 'utc', ''), fc.integer())
    .map((value) => ({ path: ['timeZone'], value })),
  fc
    .oneof(fc.constantFrom('aws.events', 'has space', '', 'x'.repeat(257)), fc.integer())
    .map((value) => ({ path: ['events', 'source'], value })),
  integerOutside(1024, 1_048_576).map((value) => ({ path: ['webhooks', 'maxBodyBytes'], value })),
  integerOutside(30, 3600).map((value) => ({ path: ['webhooks', 'toleranceSeconds'], value })),
  fc
    .oneof(fc.constantFrom('local', 'FAIL', 'auth', ''), fc.integer())
    .map((value) => ({ path: ['token', 'storeUnavailable'], value })),
  integerOutside(0, 60).map((value) => ({ path: ['token', 'storeRetrySeconds'], value })),
  fc
    .oneof(
      fc.string({ maxLength: 10 }).filter((s) => !s.includes('@')),
      fc.integer(),
    )
    .map((value) => ({
      path: ['alerts', 'emails', 0],
      value,
    })),
  notABoolean.map((value) => ({ path: ['backup', 'enabled'], value })),
  notASchedule.map((value) => ({ path: ['backup', 'schedule'], value })),
  fc
    .oneof(
      fc.string({ maxLength: 8 }).filter((s) => s !== 'manual' && s !== 'native'),
      fc.integer(),
    )
    .map((value) => ({ path: ['backup', 'mode'], value })),
  fc
    .oneof(fc.double({ min: -100, max: 0.99, noNaN: true }), notANumber)
    .map((value) => ({ path: ['backup', 'minIntervalHours'], value })),
  fc
    .constantFrom('61 * * * *', '* * *', 'cron(0 2 * * ? *)', '0 2 * * * *', '0 25 * * *')
    .map((value) => ({ path: ['backup', 'nativeCron'], value })),
  fc.constant({ path: ['backup', 'selector'], value: {}, cross: 'backup' }),
  fc.constant({ path: ['teardown', 'selector', 'all'], value: true, cross: 'teardown' }),
  fc.constant({ path: ['teardown', 'selector'], value: {}, cross: 'teardown' }),
  notAList.map((value) => ({ path: ['teardown', 'protect', 'names'], value })),
  fc.constantFrom('', ' dev', 'dev ').map((value) => ({ path: ['teardown', 'protect', 'labels', 0], value })),
  fc
    .oneof(fc.double({ min: -100, max: -0.01, noNaN: true }), notANumber)
    .map((value) => ({ path: ['teardown', 'minAgeHours'], value })),
  integerOutside(1).map((value) => ({ path: ['teardown', 'maxDeletionsPerRun'], value })),
  notASchedule.map((value) => ({ path: ['teardown', 'schedule'], value })),
  notASchedule.map((value) => ({ path: ['teardown', 'noticeSchedule'], value })),
  notABoolean.map((value) => ({ path: ['teardown', 'recreate', 'enabled'], value })),
  fc
    .oneof(fc.double({ min: -100, max: 0, noNaN: true }), notANumber)
    .map((value) => ({ path: ['teardown', 'keepAlive', 'maxHours'], value })),
  fc
    .tuple(fc.integer({ min: 0, max: 1 }), badCidr)
    .map(([i, cidr]) => ({ path: ['allowlist', 'static', i, 'cidr'], value: cidr, cross: 'allowlist' })),
  fc
    .tuple(fc.integer({ min: 0, max: 1 }), fc.constantFrom('', '   ', 'x'.repeat(101), 'tab\there', 5))
    .map(([i, d]) => ({ path: ['allowlist', 'static', i, 'description'], value: d, cross: 'allowlist' })),
  integerOutside(1, 1000).map((value) => ({ path: ['allowlist', 'maxEntries'], value })),
  notABoolean.map((value) => ({ path: ['allowlist', 'allowCatchAll'], value })),
  fc
    .constantFrom('Office', 'has space', '-lead', 'x'.repeat(64), 'under_score', 'ümlaut')
    .map((name) => ({ path: ['allowlist', 'sources', name], value: {} })),
  integerOutside(1).map((value) => ({ path: ['allowlist', 'sources', 'office-vpn', 'maxEntries'], value })),
  fc.integer({ min: 51, max: 10_000 }).map((value) => ({
    path: ['allowlist', 'sources', 'office-vpn', 'maxEntries'],
    value,
    cross: 'allowlist',
  })),
  fc.constant({ path: ['allowlist', 'sources', 'office-vpn', 'selector'], value: {} }),
  integerOutside(10, 900).map((value) => ({ path: ['deployment', 'functionTimeoutSeconds'], value })),
  integerOutside(128, 10240).map((value) => ({ path: ['deployment', 'memoryMb'], value })),
  fc
    .constantFrom(2, 0, 13, 10_000, '30')
    .map((value) => ({ path: ['deployment', 'logRetentionDays'], value })),
  fc
    .constantFrom(
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:console',
      'secret-name',
      'arn:aws:s3:::bucket',
    )
    .map((value) => ({ path: ['deployment', 'consoleCredentialsSecretArn'], value })),
  fc.constantFrom('ftp://x', 'not a url', '').map((value) => ({ path: ['deployment', 'oauthUrl'], value })),
  // A typo'd key anywhere: refused by name, never ignored.
  fc
    .tuple(fc.constantFrom(...Object.keys(SECTIONS)), identifier)
    .filter(([section, key]) => !(SECTIONS[section] ?? []).includes(key) && key !== 'environments')
    .map(([section, key]) => ({ path: [...(section ? section.split('.') : []), key], value: 1 })),
);

function setAt(target: Record<string, unknown>, path: Path, value: unknown): void {
  let node: Record<string | number, unknown> = target;
  path.forEach((key, i) => {
    if (i === path.length - 1) {
      node[key] = value;
      return;
    }
    const next = node[key];
    if (typeof next !== 'object' || next === null) node[key] = typeof path[i + 1] === 'number' ? [] : {};
    node = node[key] as Record<string | number, unknown>;
  });
}

const isPrefix = (a: Path, b: Path) => a.length <= b.length && a.every((k, i) => k === b[i]);

describe('config: random invalid settings', () => {
  it(`refuses ${RUNS} broken configs, naming every broken setting`, { timeout: 120_000 }, () => {
    // Prepare
    expect(() => parseConfig(BASE)).not.toThrow();
    let broken = 0;
    // Act / Assess
    fc.assert(
      fc.property(
        fc
          .array(mutation, { minLength: 1, maxLength: 3 })
          .filter((ms) =>
            ms.every((m, i) =>
              ms.every((o, j) => i === j || (!isPrefix(m.path, o.path) && !isPrefix(o.path, m.path))),
            ),
          ),
        (mutations) => {
          const config = structuredClone(BASE) as Record<string, unknown>;
          for (const m of mutations) setAt(config, m.path, m.value);
          broken += mutations.length;
          let error: unknown;
          try {
            parseConfig(config);
          } catch (err) {
            error = err;
          }
          expect(error, JSON.stringify(mutations)).toBeInstanceOf(ConfigError);
          const issues = (error as ConfigError).issues.map((i) => i.path);
          for (const m of mutations) {
            const scope = m.cross;
            const masked =
              scope !== undefined && mutations.some((o) => o !== m && (scope === '' || o.path[0] === scope));
            if (masked) continue;
            const expected = formatPath(m.path);
            const named = issues.some(
              (p) => p === expected || p.startsWith(`${expected}.`) || p.startsWith(`${expected}[`),
            );
            expect(
              named,
              `${expected} not named in ${JSON.stringify(issues)} (value ${JSON.stringify(m.value)})`,
            ).toBe(true);
            expect((error as ConfigError).message).toContain(expected);
          }
        },
      ),
      propertyParams(RUNS),
    );
    reportRow({
      group: 'bad input',
      row: 'config: broken settings named',
      cases: RUNS,
      faults: broken,
      duplicates: 0,
      losses: 0,
    });
  });

  // A cross-setting check runs even while another setting of its section is invalid: one ConfigError names both.
  it('names a cross-setting problem next to a broken field of the same section', () => {
    // Prepare
    const config = structuredClone(BASE) as Record<string, unknown>;
    setAt(config, ['backup', 'selector'], {});
    setAt(config, ['backup', 'mode'], 'sometimes');
    // Act
    let issues: string[] = [];
    try {
      parseConfig(config);
    } catch (err) {
      issues = (err as ConfigError).issues.map((i) => i.path);
    }
    // Assess
    expect(issues).toEqual(expect.arrayContaining(['backup.mode', 'backup.selector']));
  });
});
