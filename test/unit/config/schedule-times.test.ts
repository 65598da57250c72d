// Schedules across daylight saving: the gap/overlap detector against a brute-force reference (UTC minutes mapped
// to local wall-clock minutes, counting how often each one occurs), the config refusal that
// uses it, and the longest time between runs the heartbeat alarms are sized from.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '#lib/config/errors.ts';
import {
  dstFindingMatters,
  dstFindings,
  type LocalTime,
  localFireTimes,
  longestGapMs,
  parseSchedulerCron,
} from '#lib/config/schedule-times.ts';
import { daylightSavingProblem, parseConfig } from '#lib/config/schema.ts';

const HOUR = 3_600_000;
const FROM = new Date('2027-01-01T00:00:00Z');
const lt = (year: number, month: number, day: number, hour: number, minute: number): LocalTime => ({
  year,
  month,
  day,
  hour,
  minute,
});

describe('dstFindings: examples', () => {
  it('Europe/Berlin: 02:30 daily is skipped on the last Sunday of March and repeats on the last of October', () => {
    expect(dstFindings('cron(30 2 * * ? *)', 'Europe/Berlin', FROM, 365)).toEqual([
      { kind: 'gap', at: lt(2027, 3, 28, 2, 30), window: '02:00–03:00' },
      { kind: 'overlap', at: lt(2027, 10, 31, 2, 30), window: '02:00–03:00' },
    ]);
  });

  it('a weekday-only schedule is not affected by transitions on Sundays', () => {
    expect(dstFindings('cron(30 2 ? * MON-FRI *)', 'Europe/Berlin', FROM, 730)).toEqual([]);
  });

  it('America/New_York: 01:15 repeats in November (01:00–02:00), 02:15 is skipped in March', () => {
    expect(dstFindings('cron(15 1,2 * * ? *)', 'America/New_York', FROM, 365)).toEqual([
      { kind: 'gap', at: lt(2027, 3, 14, 2, 15), window: '02:00–03:00' },
      { kind: 'overlap', at: lt(2027, 11, 7, 1, 15), window: '01:00–02:00' },
    ]);
  });

  it('Australia/Lord_Howe shifts by 30 minutes; America/Santiago at midnight', () => {
    expect(dstFindings('cron(10 2 * * ? *)', 'Australia/Lord_Howe', FROM, 365)).toEqual([
      { kind: 'gap', at: lt(2027, 10, 3, 2, 10), window: '02:00–02:30' },
    ]);
    expect(dstFindings('cron(40 1 * * ? *)', 'Australia/Lord_Howe', FROM, 365)).toEqual([
      { kind: 'overlap', at: lt(2027, 4, 4, 1, 40), window: '01:30–02:00' },
    ]);
    expect(dstFindings('cron(0 0 * * ? *)', 'America/Santiago', FROM, 365)).toEqual([
      { kind: 'gap', at: lt(2027, 9, 5, 0, 0), window: '00:00–01:00' },
    ]);
  });

  it('UTC and zones without daylight saving have none; rate() has none; at() is its one time', () => {
    expect(dstFindings('cron(30 2 * * ? *)', 'UTC', FROM, 365)).toEqual([]);
    expect(dstFindings('cron(30 2 * * ? *)', 'Asia/Kolkata', FROM, 365)).toEqual([]);
    expect(dstFindings('rate(1 day)', 'Europe/Berlin', FROM, 365)).toEqual([]);
    expect(dstFindings('at(2027-03-28T02:30:00)', 'Europe/Berlin', FROM)).toEqual([
      { kind: 'gap', at: lt(2027, 3, 28, 2, 30), window: '02:00–03:00' },
    ]);
    expect(dstFindings('at(2027-03-29T02:30:00)', 'Europe/Berlin', FROM)).toEqual([]);
  });

  it('a schedule that fires in every hour is exempt; anything less frequent matters', () => {
    const everyHour = ['cron(0 * * * ? *)', 'cron(*/5 * * * ? *)'];
    const lessOften = ['cron(0 */2 * * ? *)', 'cron(0 2 * * ? *)', 'at(2027-03-28T02:30:00)'];
    // Each list names the schedules it got wrong (none).
    expect(everyHour.filter((s) => dstFindingMatters(s))).toEqual([]);
    expect(lessOften.filter((s) => !dstFindingMatters(s))).toEqual([]);
  });
});

// ---- Brute-force reference ---------------------------------------------------------------------------------

const ZONES = ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'America/Santiago'] as const;
const DAYS = 365;
const references = new Map<string, (wall: number) => number>();
const DAY_MS = 24 * HOUR;

/**
 * How many times a local wall-clock minute (as UTC-ms) occurs in `zone`: every UTC minute mapped to its local
 * minute and counted, minute by minute, in windows of ±3 days around each day whose offset differs from the
 * next day's (probed once a day at 00:00 UTC: an offset change cannot undo itself within a day). Outside those
 * windows the offset is constant, so each local minute occurs exactly once.
 */
function occurrences(zone: string): (wall: number) => number {
  const known = references.get(zone);
  if (known) return known;
  const f = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });
  const wallOf = (t: number) => {
    const p = Object.fromEntries(f.formatToParts(new Date(t)).map((x) => [x.type, Number(x.value)]));
    return Date.UTC(p.year ?? 0, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0);
  };
  const counts = new Map<number, number>();
  const covered: Array<[number, number]> = [];
  const first = FROM.getTime() - 3 * DAY_MS;
  for (let d = first; d < FROM.getTime() + (DAYS + 3) * DAY_MS; d += DAY_MS) {
    if (wallOf(d) - d === wallOf(d + DAY_MS) - (d + DAY_MS)) continue;
    const [from, to] = [d - 3 * DAY_MS, d + 4 * DAY_MS];
    for (let t = from; t < to; t += 60_000) {
      const wall = wallOf(t);
      counts.set(wall, (counts.get(wall) ?? 0) + 1);
    }
    covered.push([from + DAY_MS, to - DAY_MS]);
  }
  const lookup = (wall: number) =>
    counts.get(wall) ?? (covered.some(([a, b]) => wall >= a && wall < b) ? 0 : 1);
  references.set(zone, lookup);
  return lookup;
}

function reference(expression: string, zone: string) {
  const spec = parseSchedulerCron(expression);
  if (!spec) throw new Error(`not a cron: ${expression}`);
  const counts = occurrences(zone);
  const out: Array<{ kind: 'gap' | 'overlap'; at: LocalTime }> = [];
  for (const t of localFireTimes(spec, FROM, DAYS)) {
    const n = counts(Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute));
    if (n === 0) out.push({ kind: 'gap', at: t });
    if (n === 2) out.push({ kind: 'overlap', at: t });
    if (n > 2) throw new Error(`minute seen ${n} times`);
  }
  return out;
}

const field = (max: number) =>
  fc.oneof(
    fc.integer({ min: 0, max }).map(String),
    fc.uniqueArray(fc.integer({ min: 0, max }), { minLength: 2, maxLength: 3 }).map((v) => v.join(',')),
    fc.integer({ min: 0, max: max - 2 }).map((a) => `${a}-${a + 2}`),
  );
const dayFields = fc.constantFrom('* * ?', '? * MON-FRI', '? * SUN', '? * 1L', '? 3,4,9,10,11 2#1', 'L * ?');
const cron = fc
  .record({ minute: field(59), hour: field(23), days: dayFields })
  .map(({ minute, hour, days }) => `cron(${minute} ${hour} ${days} *)`);

describe('dstFindings: property', () => {
  it('finds exactly the fire times the brute-force reference finds skipped or repeated', () => {
    // seed logged by fast-check on failure; rerun with { seed, path } to reproduce
    fc.assert(
      fc.property(cron, fc.constantFrom(...ZONES), (expression, zone) => {
        const found = dstFindings(expression, zone, FROM, DAYS).map(({ kind, at }) => ({ kind, at }));
        expect(found).toEqual(reference(expression, zone));
      }),
      { numRuns: 200 },
    );
  }, 120_000);
});

// ---- The config refusal --------------------------------------------------------------------------------------

describe('daylightSavingProblem and config validation', () => {
  it('names the expression, zone, date and window, and suggests the fix', () => {
    expect(daylightSavingProblem('cron(30 2 ? * SUN *)', 'Europe/Berlin', FROM)).toBe(
      "cron(30 2 ? * SUN *) in Europe/Berlin falls in the daylight-saving gap on 2027-03-28 (02:00–03:00 does not exist there): EventBridge Scheduler skips that run, once a year; move it outside 02:00–03:00 or set timeZone to 'UTC'",
    );
    expect(daylightSavingProblem('cron(30 2 ? * SUN *)', 'UTC', FROM)).toBeUndefined();
    expect(daylightSavingProblem('cron(30 * ? * SUN *)', 'Europe/Berlin', FROM)).toBeUndefined();
  });

  it('a config with the teardown in the overlap is refused with teardown.schedule named; disabled jobs are not checked', () => {
    // Prepare
    const config = {
      timeZone: 'America/New_York',
      teardown: {
        enabled: true,
        selector: { names: ['dev-*'] },
        schedule: 'cron(30 1 * * ? *)',
        noticeSchedule: 'cron(0 18 * * ? *)',
      },
      backup: { enabled: false, schedule: 'cron(30 2 * * ? *)' },
    };

    // Act
    const error = (() => {
      try {
        parseConfig(config);
      } catch (e) {
        return e;
      }
      return undefined;
    })();

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues;
    expect(issues.map((i) => i.path)).toEqual(['teardown.schedule']);
    expect(issues[0]?.message).toMatch(
      /^cron\(30 1 \* \* \? \*\) in America\/New_York falls in the daylight-saving overlap on \d{4}-11-\d{2} \(01:00–02:00 happens twice there\).*move it outside 01:00–02:00 or set timeZone to 'UTC'$/,
    );
    expect(() =>
      parseConfig({ ...config, teardown: { ...config.teardown, schedule: 'cron(30 3 * * ? *)' } }),
    ).not.toThrow();
  });
});

// ---- Longest gap between runs ----------------------------------------------------------------------------------

describe('longestGapMs', () => {
  it.each([
    [['rate(1 hour)'], 1],
    [['rate(15 minutes)'], 0.25],
    [['cron(0 3 * * ? *)'], 25], // the autumn night is 25 hours long
    [['cron(0 20 ? * MON-FRI *)'], 73], // Friday to Monday, across the autumn change
    [['cron(0 7 ? * MON-FRI *)', 'cron(30 7 ? * MON-FRI *)'], 72.5], // two schedules together
    [['cron(0 * * * ? *)'], 2], // the repeated 02:00 runs once
    [['cron(0 3 1 * ? *)'], 31 * 24 + 1],
  ])('%j in Europe/Berlin: %d hours', (expressions, hours) => {
    expect(longestGapMs(expressions, 'Europe/Berlin', FROM) / HOUR).toBe(hours);
  });

  it('is infinite for a one-off at()', () => {
    expect(longestGapMs(['at(2027-05-01T10:00:00)'], 'UTC', FROM)).toBe(Number.POSITIVE_INFINITY);
  });
});
