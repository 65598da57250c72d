// The config schema as a whole: defaults, message format, top-level settings, unknown keys and types.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '#lib/config/errors.ts';
import { deepMerge } from '#lib/config/load.ts';
import { formatPath, parseConfig, timeZoneProblem } from '#lib/config/schema.ts';
import { DOCUMENTED_DEPLOYMENT_DEFAULTS } from '#test/helpers/config-defaults.ts';
import { allowlistOn, issueAt, issuesOf, teardownOn } from './issues.ts';

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
        clusterMetrics: 'targets',
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
      deployment: DOCUMENTED_DEPLOYMENT_DEFAULTS,
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
