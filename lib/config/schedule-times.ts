// When an EventBridge Scheduler expression fires, in its IANA time zone: the local fire times of a cron(), their
// UTC instants (Intl only, no time-zone library), the local times that fall into a daylight-saving gap (the
// wall-clock time does not exist that day: Scheduler skips the run) or overlap (it exists twice), and the longest
// time between two runs (what a heartbeat alarm must wait before calling a schedule silent).
//
// Expressions are assumed valid (schedulerExpressionProblem accepted them).

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** A local calendar date and wall-clock time (month 1–12). */
export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

type DayRule = (year: number, month: number, day: number) => boolean;

export interface CronSpec {
  minutes: number[];
  hours: number[];
  months: ReadonlySet<number>;
  years?: ReadonlySet<number>;
  /** Day-of-month and day-of-week together (one of them is `?`). */
  day: DayRule;
}

function token(value: string, names?: string[], base = 1): number {
  const i = names?.indexOf(value.toUpperCase()) ?? -1;
  return i >= 0 ? i + base : Number(value);
}

/** `*`, `v`, `a-b`, each with an optional `/step`, comma-separated: the values in [min, max]. */
function values(field: string, min: number, max: number, names?: string[]): number[] {
  const out = new Set<number>();
  for (const item of field.split(',')) {
    const [base = '*', stepText] = item.split('/');
    const step = stepText ? Number(stepText) : 1;
    let from = min;
    let to = max;
    if (base !== '*') {
      const [a = '', b] = base.split('-');
      from = token(a, names);
      to = b === undefined ? (stepText ? max : from) : token(b, names);
    }
    if (from <= to) for (let v = from; v <= to; v += step) out.add(v);
    else {
      // a wrapping range (FRI-MON): from..max then min..to, one step sequence
      const span = max - from + 1 + (to - min + 1);
      for (let k = 0; k < span; k += step) out.add(k <= max - from ? from + k : min + (k - (max - from + 1)));
    }
  }
  return [...out].sort((x, y) => x - y);
}

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();
/** 1 = Sunday … 7 = Saturday (Scheduler's numbering). */
const weekday = (year: number, month: number, day: number) =>
  new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;

function isWeekday(year: number, month: number, day: number): boolean {
  const w = weekday(year, month, day);
  return w >= 2 && w <= 6;
}

/** The weekday nearest to `target` within the month (Quartz `W`). */
function nearestWeekday(year: number, month: number, target: number): number {
  const last = daysIn(year, month);
  const t = Math.min(target, last);
  if (isWeekday(year, month, t)) return t;
  const w = weekday(year, month, t);
  if (w === 7) return t === 1 ? t + 2 : t - 1; // Saturday: Friday, or Monday when the 1st
  return t === last ? t - 2 : t + 1; // Sunday: Monday, or Friday when the last
}

function domRule(field: string): DayRule {
  const rules: DayRule[] = field.split(',').map((item) => {
    if (item === 'L') return (y, m, d) => d === daysIn(y, m);
    if (item === 'LW') return (y, m, d) => d === nearestWeekday(y, m, daysIn(y, m));
    const w = /^(\d+)W$/.exec(item);
    if (w) return (y, m, d) => d === nearestWeekday(y, m, Number(w[1]));
    const before = /^L-(\d+)$/.exec(item);
    if (before) return (y, m, d) => d === daysIn(y, m) - Number(before[1]);
    const days = new Set(values(item, 1, 31));
    return (_y, _m, d) => days.has(d);
  });
  return (y, m, d) => rules.some((r) => r(y, m, d));
}

function dowRule(field: string): DayRule {
  const rules: DayRule[] = field.split(',').map((item) => {
    if (item.toUpperCase() === 'L') return (y, m, d) => weekday(y, m, d) === 7;
    const last = /^(\w+)L$/i.exec(item);
    if (last) {
      const w = token(last[1] ?? '', DAYS);
      return (y, m, d) => weekday(y, m, d) === w && d + 7 > daysIn(y, m);
    }
    const nth = /^(\w+)#(\d)$/.exec(item);
    if (nth) {
      const w = token(nth[1] ?? '', DAYS);
      const n = Number(nth[2]);
      return (y, m, d) => weekday(y, m, d) === w && Math.ceil(d / 7) === n;
    }
    const days = new Set(values(item, 1, 7, DAYS));
    return (y, m, d) => days.has(weekday(y, m, d));
  });
  return (y, m, d) => rules.some((r) => r(y, m, d));
}

/** The fields of a `cron(...)` expression; undefined for rate() and at(). */
export function parseSchedulerCron(expression: string): CronSpec | undefined {
  const m = /^cron\((.*)\)$/.exec(expression);
  if (!m) return undefined;
  const [min = '*', hour = '*', dom = '?', month = '*', dow = '?', year = '*'] = (m[1] ?? '').split(' ');
  return {
    minutes: values(min, 0, 59),
    hours: values(hour, 0, 23),
    months: new Set(values(month, 1, 12, MONTHS)),
    years: year === '*' ? undefined : new Set(values(year, 1970, 2199)),
    day: dom === '?' ? dowRule(dow) : domRule(dom),
  };
}

/** The local fire times of `spec` on the `days` local calendar days from `from` (a UTC instant's date in UTC). */
export function* localFireTimes(spec: CronSpec, from: Date, days: number): Generator<LocalTime> {
  for (let i = 0; i < days; i++) {
    const date = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate() + i));
    const year = date.getUTCFullYear();
    const month = date.getUTCMonth() + 1;
    const day = date.getUTCDate();
    if (spec.years && !spec.years.has(year)) continue;
    if (!spec.months.has(month) || !spec.day(year, month, day)) continue;
    for (const hour of spec.hours)
      for (const minute of spec.minutes) yield { year, month, day, hour, minute };
  }
}

// ---- Time zones through Intl ---------------------------------------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The local wall-clock time of a UTC instant in `zone`. */
export function toLocal(zone: string, utcMs: number): LocalTime {
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(new Date(utcMs))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 0,
    day: parts.day ?? 0,
    hour: (parts.hour ?? 0) % 24,
    minute: parts.minute ?? 0,
  };
}

/** A local time as if it were UTC: milliseconds, for arithmetic on wall-clock times. */
export const wallMs = (t: LocalTime) => Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute);

/** `zone`'s offset from UTC at a UTC instant, in milliseconds (positive east of Greenwich). */
export function offsetAt(zone: string, utcMs: number): number {
  const whole = utcMs - (((utcMs % MINUTE) + MINUTE) % MINUTE);
  return wallMs(toLocal(zone, whole)) - whole;
}

/**
 * The UTC instants at which `zone`'s clocks show the local time `t`: none in a daylight-saving gap, two in an
 * overlap (the earlier first), else one. Assumes at most one offset change within a day either side.
 */
export function instantsOf(zone: string, t: LocalTime): number[] {
  const wall = wallMs(t);
  const offsets = new Set([offsetAt(zone, wall - DAY), offsetAt(zone, wall + DAY)]);
  const out: number[] = [];
  for (const o of offsets) {
    const utc = wall - o;
    if (offsetAt(zone, utc) === o) out.push(utc);
  }
  return out.sort((a, b) => a - b);
}

export const formatLocal = (t: LocalTime) =>
  `${String(t.year).padStart(4, '0')}-${String(t.month).padStart(2, '0')}-${String(t.day).padStart(2, '0')} ${String(t.hour).padStart(2, '0')}:${String(t.minute).padStart(2, '0')}`;

// ---- Daylight saving ---------------------------------------------------------------------------------------

export interface DstFinding {
  kind: 'gap' | 'overlap';
  /** The local fire time that does not exist (gap) or exists twice (overlap). */
  at: LocalTime;
  /** The clocks' jump: the local times that do not exist (gap) or repeat (overlap), `HH:MM–HH:MM`. */
  window: string;
}

const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);

/** The local window around `t` that is skipped or repeated by the offset change nearest to it. */
function transitionWindow(zone: string, t: LocalTime): string {
  const wall = wallMs(t);
  const before = offsetAt(zone, wall - DAY);
  const after = offsetAt(zone, wall + DAY);
  // The change happens at some UTC instant u; local times from u+before to u+after (gap) or u+after to
  // u+before (overlap). Find u by bisection between the two probes.
  let lo = wall - DAY - before;
  let hi = wall + DAY - after;
  while (hi - lo > MINUTE) {
    const mid = lo + Math.max(1, Math.floor((hi - lo) / 2 / MINUTE)) * MINUTE;
    if (offsetAt(zone, mid) === before) lo = mid;
    else hi = mid;
  }
  const [a, b] = [hi + before, hi + after].sort((x, y) => x - y) as [number, number];
  return `${hhmm(a)}–${hhmm(b)}`;
}

/**
 * The fire times of a cron() expression in the `days` days from `from` that fall into a daylight-saving gap
 * or overlap of `zone`. rate() is a fixed duration and at() is checked as its one local time.
 */
export function dstFindings(expression: string, zone: string, from: Date, days = 366): DstFinding[] {
  const out: DstFinding[] = [];
  const check = (t: LocalTime) => {
    const n = instantsOf(zone, t).length;
    if (n !== 1) out.push({ kind: n === 0 ? 'gap' : 'overlap', at: t, window: transitionWindow(zone, t) });
  };
  const at = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):\d{2}\)$/.exec(expression);
  if (at) {
    const [year, month, day, hour, minute] = at.slice(1).map(Number) as [
      number,
      number,
      number,
      number,
      number,
    ];
    check({ year, month, day, hour, minute });
    return out;
  }
  const spec = parseSchedulerCron(expression);
  if (!spec) return out;
  for (const fire of offsetChangingDays(zone, from, days)) {
    for (const t of localFireTimes(spec, fire, 1)) check(t);
  }
  return out;
}

const changingDays = new Map<string, Date[]>();

/**
 * The local calendar days (as UTC-midnight dates) around which `zone`'s offset changes, in `days` from `from`
 * (each transition yields its day and the days either side). Memoised per zone, start day and length: config
 * validation asks for the same year of the same zone for every schedule.
 */
function offsetChangingDays(zone: string, from: Date, days: number): Date[] {
  const start = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate());
  const key = `${zone}|${start}|${days}`;
  const known = changingDays.get(key);
  if (known) return known;
  const out: Date[] = [];
  // A day is flagged when the offset before its local midnight differs from the one after its end (±14 h
  // covers every zone's offset).
  for (let i = 0; i < days; i++) {
    const day = start + i * DAY;
    if (offsetAt(zone, day - 14 * HOUR) !== offsetAt(zone, day + DAY + 14 * HOUR)) out.push(new Date(day));
  }
  changingDays.set(key, out);
  return out;
}

/**
 * Whether a finding matters: a schedule that fires in every hour of the day loses (or repeats) one of many runs,
 * and the next one is at most an hour away; anything less frequent loses or doubles a whole run.
 */
export function dstFindingMatters(expression: string): boolean {
  const spec = parseSchedulerCron(expression);
  return !spec || spec.hours.length < 24;
}

// ---- Gaps between runs ---------------------------------------------------------------------------------------

const RATE_UNITS: Record<string, number> = { minute: MINUTE, hour: HOUR, day: DAY };

/**
 * The longest time between two consecutive runs of the schedules (together) over `days` days from `from`, in
 * milliseconds: a rate() is its duration; cron() fire times are converted to UTC (a time in a gap is skipped,
 * one in an overlap runs once, as Scheduler does). Infinity when the schedules fire fewer than twice in the
 * window (at(), a yearly cron).
 */
export function longestGapMs(expressions: string[], zone: string, from: Date, days = 400): number {
  const instants: number[] = [];
  let longest = 0;
  for (const expression of expressions) {
    const rate = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression);
    if (rate) {
      longest = Math.max(longest, Number(rate[1]) * (RATE_UNITS[rate[2] ?? ''] ?? DAY));
      continue;
    }
    const spec = parseSchedulerCron(expression);
    if (!spec) return Number.POSITIVE_INFINITY;
    let dayStart = -1;
    let dayOffset = 0;
    let changing = false;
    for (const t of localFireTimes(spec, from, days)) {
      const day = Date.UTC(t.year, t.month - 1, t.day);
      if (day !== dayStart) {
        dayStart = day;
        const a = offsetAt(zone, day - 14 * HOUR);
        const b = offsetAt(zone, day + DAY + 14 * HOUR);
        changing = a !== b;
        dayOffset = a;
      }
      if (changing) {
        const [first] = instantsOf(zone, t);
        if (first !== undefined) instants.push(first);
      } else instants.push(wallMs(t) - dayOffset);
    }
  }
  if (instants.length === 0) return longest > 0 ? longest : Number.POSITIVE_INFINITY;
  if (instants.length < 2) return Number.POSITIVE_INFINITY;
  instants.sort((a, b) => a - b);
  for (let i = 1; i < instants.length; i++) {
    longest = Math.max(longest, (instants[i] ?? 0) - (instants[i - 1] ?? 0));
  }
  return longest;
}
