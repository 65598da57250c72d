// Checks for the schedule expressions in the config, so that a typo fails at load (or `cdk synth`) with the
// setting named, not at deploy time or never.
//
// Each check returns undefined when the expression is fine, else a short reason.

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  /** Names accepted for values (index + `nameBase` = value). */
  names?: readonly string[];
  nameBase?: number;
  /** Special tokens accepted as a whole item (besides `*`, values, ranges and steps). */
  special?: RegExp;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] as const;
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;

function fieldValue(token: string, spec: FieldSpec): number | undefined {
  if (/^(0|[1-9][0-9]*)$/.test(token)) {
    const n = Number(token);
    return n >= spec.min && n <= spec.max ? n : undefined;
  }
  const i = spec.names?.indexOf(token.toUpperCase()) ?? -1;
  return i >= 0 ? i + (spec.nameBase ?? 1) : undefined;
}

/** One comma-separated item: `*`, `v`, `a-b`, each optionally `/step`, or a field-specific special token. */
function itemProblem(item: string, spec: FieldSpec): string | undefined {
  if (spec.special?.test(item)) return undefined;
  const [base = '', step, ...rest] = item.split('/');
  if (rest.length > 0) return `${spec.name}: '${item}' has more than one '/'`;
  if (step !== undefined && !/^[1-9][0-9]*$/.test(step))
    return `${spec.name}: step '${step}' is not a whole number >= 1`;
  if (base === '*') return undefined;
  const bounds = base.split('-');
  if (bounds.length > 2 || bounds.some((b) => fieldValue(b, spec) === undefined)) {
    return `${spec.name}: '${item}' is not a value from ${spec.min} to ${spec.max}${spec.names ? ' (or a name)' : ''}, a range or a step`;
  }
  return undefined;
}

function fieldProblem(field: string, spec: FieldSpec): string | undefined {
  if (field === '') return `${spec.name}: empty`;
  for (const item of field.split(',')) {
    const problem = itemProblem(item, spec);
    if (problem) return problem;
  }
  return undefined;
}

const SCHEDULER_CRON_FIELDS: readonly FieldSpec[] = [
  { name: 'minutes', min: 0, max: 59 },
  { name: 'hours', min: 0, max: 23 },
  {
    name: 'day-of-month',
    min: 1,
    max: 31,
    special: /^(L|LW|[1-9]W|[12][0-9]W|3[01]W|L-([1-9]|[12][0-9]|30))$/,
  },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  {
    name: 'day-of-week',
    min: 1,
    max: 7,
    names: DAYS,
    special: /^(L|[1-7]L|[1-7]#[1-5]|(SUN|MON|TUE|WED|THU|FRI|SAT)#[1-5])$/i,
  },
  { name: 'year', min: 1970, max: 2199 },
];

function schedulerCronProblem(body: string): string | undefined {
  const fields = body.split(' ');
  if (fields.length !== 6) {
    return `cron() needs 6 fields separated by single spaces (minutes hours day-of-month month day-of-week year), got ${fields.length}`;
  }
  const [, , dom, , dow] = fields;
  if ((dom === '?') === (dow === '?')) {
    return "cron(): exactly one of day-of-month and day-of-week must be '?' (e.g. cron(0 2 * * ? *))";
  }
  for (const [i, spec] of SCHEDULER_CRON_FIELDS.entries()) {
    const field = fields[i] ?? '';
    if (field === '?') continue;
    const problem = fieldProblem(field, spec);
    if (problem) return `cron(): ${problem}`;
  }
  return undefined;
}

function atProblem(body: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(body);
  if (!m) return 'at() needs yyyy-mm-ddThh:mm:ss, e.g. at(2030-01-31T02:00:00)';
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  const roundTrip =
    date.getUTCFullYear() === y &&
    date.getUTCMonth() === mo - 1 &&
    date.getUTCDate() === d &&
    date.getUTCHours() === h &&
    date.getUTCMinutes() === mi &&
    date.getUTCSeconds() === s;
  return roundTrip ? undefined : `at(): ${body} is not a real date and time`;
}

/**
 * An EventBridge Scheduler expression: `cron(min hour dom month dow year)`, `rate(n minute|minutes|hour|hours|
 * day|days)` (singular for 1, plural above) or `at(yyyy-mm-ddThh:mm:ss)`.
 */
export function schedulerExpressionProblem(expression: string): string | undefined {
  const m = /^(cron|rate|at)\((.*)\)$/.exec(expression);
  if (!m) {
    return 'must be cron(min hour day-of-month month day-of-week year), rate(n unit) or at(yyyy-mm-ddThh:mm:ss)';
  }
  const [, kind, body = ''] = m;
  if (body.trim() !== body) return `${kind}(): no spaces just inside the parentheses`;
  if (kind === 'cron') return schedulerCronProblem(body);
  if (kind === 'at') return atProblem(body);
  const rate = /^([1-9][0-9]*) (minute|minutes|hour|hours|day|days)$/.exec(body);
  if (!rate) return 'rate() needs a whole number >= 1 and minute(s), hour(s) or day(s), e.g. rate(6 hours)';
  const plural = (rate[2] ?? '').endsWith('s');
  if ((rate[1] === '1') === plural)
    return 'rate(): use the singular unit for 1 and the plural above, e.g. rate(1 hour)';
  return undefined;
}

const UNIX_CRON_FIELDS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day-of-week', min: 0, max: 7 },
];

/**
 * A 5-field cron (`minute hour day-of-month month day-of-week`, numbers with `*`, `,`, `-`, `/`) for Camunda's
 * server-side backup schedule. The minute must be a single value: Camunda takes at most one backup per hour.
 */
export function unixCronProblem(expression: string): string | undefined {
  const fields = expression.split(' ');
  if (fields.length !== 5) {
    return `needs 5 fields separated by single spaces (minute hour day-of-month month day-of-week), got ${fields.length}`;
  }
  for (const [i, spec] of UNIX_CRON_FIELDS.entries()) {
    const problem = fieldProblem(fields[i] ?? '', spec);
    if (problem) return problem;
  }
  if (!/^(0|[1-5]?[0-9])$/.test(fields[0] ?? '')) {
    return 'minute: must be a single value (e.g. 0): Camunda takes at most one backup per hour';
  }
  return undefined;
}
