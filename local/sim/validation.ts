// Checks the real API makes beyond the JSON schema: cron schedules, IP allowlist entries, generations.
import ipaddr from 'ipaddr.js';

export type Check = { ok: true } | { ok: false; reason: string };

interface CronField {
  name: string;
  min: number;
  max: number;
  names?: string[];
}

const CRON_FIELDS: CronField[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
  },
  { name: 'day-of-week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];

function cronValue(raw: string, field: CronField): number | undefined {
  if (/^\d+$/.test(raw)) {
    const n = Number(raw);
    return n >= field.min && n <= field.max ? n : undefined;
  }
  const index = field.names?.indexOf(raw.toUpperCase()) ?? -1;
  if (index < 0) return undefined;
  return field.name === 'month' ? index + 1 : index;
}

/** The set of values a cron field selects, or a reason it is invalid. */
function parseCronField(text: string, field: CronField): Set<number> | string {
  const values = new Set<number>();
  for (const item of text.split(',')) {
    const m = /^(\*|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:\/(\d+))?$/.exec(item);
    if (!m?.[1]) return `invalid ${field.name} field '${text}'`;
    const step = m[2] === undefined ? 1 : Number(m[2]);
    if (step < 1) return `invalid step in ${field.name} field '${text}'`;
    let from = field.min;
    let to = field.max;
    if (m[1] !== '*') {
      const [a, b] = m[1].split('-');
      const start = a === undefined ? undefined : cronValue(a, field);
      if (start === undefined) return `${field.name} value out of range in '${text}'`;
      from = start;
      if (b !== undefined) {
        const end = cronValue(b, field);
        if (end === undefined || end < start) return `${field.name} range invalid in '${text}'`;
        to = end;
      } else if (m[2] === undefined) {
        to = start;
      }
    }
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

/**
 * A standard five-field cron expression (UTC). Like the spec says, backups can be scheduled at most once
 * every 15 minutes: an expression that fires more often is rejected as well.
 */
export function checkCron(expression: string): Check {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) {
    return {
      ok: false,
      reason: `schedule must be a five-field cron expression, got ${fields.length} fields`,
    };
  }
  const sets: Set<number>[] = [];
  for (const [i, field] of CRON_FIELDS.entries()) {
    const parsed = parseCronField(fields[i] ?? '', field);
    if (typeof parsed === 'string')
      return { ok: false, reason: `schedule is not a valid cron expression: ${parsed}` };
    sets.push(parsed);
  }
  const minutes = [...(sets[0] ?? [])].sort((a, b) => a - b);
  const hours = sets[1] ?? new Set<number>();
  const gaps = minutes.slice(1).map((m, i) => m - (minutes[i] ?? 0));
  const consecutiveHours = [...hours].some((h) => hours.has((h + 1) % 24));
  if (consecutiveHours && minutes.length > 0) gaps.push((minutes[0] ?? 0) + 60 - (minutes.at(-1) ?? 0));
  if (gaps.some((g) => g < 15)) {
    return { ok: false, reason: 'backups can be scheduled at most once every 15 minutes' };
  }
  return { ok: true };
}

function isAddressOrCidr(entry: string): boolean {
  const [address, prefix, ...rest] = entry.split('/');
  if (address === undefined || rest.length > 0 || address.includes('%')) return false;
  const v4 = ipaddr.IPv4.isValidFourPartDecimal(address);
  const v6 = !v4 && ipaddr.IPv6.isValid(address);
  if (!v4 && !v6) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (v4 ? 32 : 128);
}

/** Each allowlist `ip` is a comma-separated list of IPv4/IPv6 addresses or CIDR blocks. */
export function checkIpList(ip: string): Check {
  const entries = ip.split(',').map((e) => e.trim());
  const bad = entries.filter((e) => !isAddressOrCidr(e));
  if (bad.length === 0) return { ok: true };
  return { ok: false, reason: `invalid IP address or CIDR: ${bad.map((b) => `'${b}'`).join(', ')}` };
}

/** [major, minor, patch] from a generation name such as '8.6.7' or 'Camunda 8.8.0-alpha5'. */
export function generationVersion(name: string): [number, number, number] | undefined {
  const m = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(name);
  if (!m) return undefined;
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
}

export function versionAtLeast(name: string, min: [number, number, number]): boolean {
  const v = generationVersion(name);
  if (!v) return false;
  for (let i = 0; i < 3; i++) {
    const a = v[i] ?? 0;
    const b = min[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}
