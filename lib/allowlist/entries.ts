// IP allowlist entries: validation, canonical form, and conversion from/to the Console's list.
//
// The Console's `PUT /clusters/{uuid}/ipallowlist` is a full replace and an empty list removes the allowlist
// (opening the cluster to every address), so a list is checked as a whole and refused whole when any entry is
// bad: a half-applied list is never better than the one in place.
import ipaddr from 'ipaddr.js';

export interface AllowlistRules {
  /** Accept a `/0` (0.0.0.0/0, ::/0: the whole internet). */
  allowCatchAll: boolean;
  /** Accept an empty list (which removes the allowlist and opens the cluster to everyone). */
  allowEmpty: boolean;
  /** Most entries (after duplicates are merged). */
  maxEntries: number;
  maxDescriptionLength: number;
}

/** Canonical: network address + prefix, e.g. `10.0.0.0/8`, `2001:db8::/32`; single addresses as /32 or /128. */
export interface AllowlistEntry {
  cidr: string;
  description: string;
}

/** One reason a list was refused. `index` is the entry's position in the input, -1 for the list as a whole. */
export interface EntryProblem {
  index: number;
  field: 'cidr' | 'description' | 'entry';
  /** The offending value (cut to {@link PROBLEM_VALUE_LENGTH} characters). */
  value: string;
  message: string;
}

const PROBLEM_VALUE_LENGTH = 80;
/** Longest CIDR text looked at (the longest IPv6 CIDR with an embedded IPv4 is 49 characters). */
const MAX_CIDR_LENGTH = 64;
/** Problems spelt out in an error message; the rest are counted (all are in `problems`). */
const MESSAGE_PROBLEMS = 20;

/** The input is not an acceptable allowlist. `problems` names every entry and field at fault. */
export class AllowlistValidationError extends Error {
  override readonly name = 'AllowlistValidationError';
  readonly problems: EntryProblem[];

  constructor(problems: EntryProblem[], options: { cause?: unknown } = {}) {
    super(formatProblems(problems), { cause: options.cause });
    this.problems = problems;
  }
}

function formatProblems(problems: readonly EntryProblem[]): string {
  const shown = problems.slice(0, MESSAGE_PROBLEMS).map((p) => {
    const where = p.index < 0 ? 'list' : `[${p.index}].${p.field}`;
    return p.value === '' ? `${where}: ${p.message}` : `${where} '${p.value}': ${p.message}`;
  });
  const more = problems.length > MESSAGE_PROBLEMS ? `; and ${problems.length - MESSAGE_PROBLEMS} more` : '';
  return `allowlist refused: ${shown.join('; ')}${more}`;
}

function clip(value: string): string {
  return value.length > PROBLEM_VALUE_LENGTH ? `${value.slice(0, PROBLEM_VALUE_LENGTH - 1)}…` : value;
}

function show(value: unknown): string {
  if (typeof value === 'string') return clip(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

// ---------------------------------------------------------------------------------------------------------------
// One CIDR or address

interface ParsedCidr {
  kind: 'ipv4' | 'ipv6';
  bytes: number[];
  prefix: number;
  /** Canonical `network/prefix`. */
  cidr: string;
  /** The input had bits set beyond the prefix (`10.1.2.3/8`); `cidr` is the network address. */
  hostBitsSet: boolean;
}

type ParseResult = { ok: true; value: ParsedCidr } | { ok: false; message: string };

const fail = (message: string): ParseResult => ({ ok: false, message });

function strictAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (ipaddr.IPv6.isValid(text)) {
    // ipaddr.js reads an embedded IPv4 leniently (`::ffff:010.0.0.1`, `::ffff:0x10.0.0.1`): the same rule as for
    // plain IPv4 applies to it.
    const embedded = text.includes('.') ? text.slice(text.lastIndexOf(':') + 1) : undefined;
    if (embedded !== undefined && !ipaddr.IPv4.isValidFourPartDecimal(embedded)) return undefined;
    return ipaddr.IPv6.parse(text);
  }
  return undefined;
}

/**
 * Parses one address or CIDR strictly: dotted-quad IPv4 without leading zeros (`01.2.3.4` is octal to some
 * parsers), no short (`1.2.3`), hex or integer forms, no zone index, a plain decimal prefix within range.
 * IPv4-mapped IPv6 (`::ffff:1.2.3.4`, `::ffff:1.2.3.0/120`) becomes the IPv4 it stands for.
 */
function parseCidr(text: string): ParseResult {
  if (text.length === 0) return fail('empty');
  if (text.length > MAX_CIDR_LENGTH)
    return fail(`too long to be an address or CIDR (${text.length} characters)`);
  if (/\s/.test(text)) return fail('contains whitespace');
  if (text.includes(','))
    return fail('one CIDR per entry: split comma-separated lists into separate entries');
  if (text.includes('%')) return fail('an IPv6 zone index (%…) only means something on one host, remove it');

  const slash = text.indexOf('/');
  const addressText = slash < 0 ? text : text.slice(0, slash);
  const prefixText = slash < 0 ? undefined : text.slice(slash + 1);

  const address = strictAddress(addressText);
  if (address === undefined) {
    if (ipaddr.IPv4.isValid(addressText)) {
      return fail(
        'not a plain dotted-quad IPv4 address (leading zeros, short, hex or integer forms are ambiguous)',
      );
    }
    return fail('not an IPv4/IPv6 address or CIDR');
  }
  const maxPrefix = address.kind() === 'ipv4' ? 32 : 128;
  let prefix = maxPrefix;
  if (prefixText !== undefined) {
    const parsed = /^(0|[1-9][0-9]{0,2})$/.test(prefixText) ? Number(prefixText) : Number.NaN;
    if (!(parsed >= 0 && parsed <= maxPrefix)) {
      return fail(`prefix length must be a whole number from 0 to ${maxPrefix} for ${address.kind()}`);
    }
    prefix = parsed;
  }

  let kind = address.kind();
  let normalized: ipaddr.IPv4 | ipaddr.IPv6 = address;
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() && prefix >= 96) {
    normalized = (address as ipaddr.IPv6).toIPv4Address();
    kind = 'ipv4';
    prefix -= 96;
  }

  const network =
    kind === 'ipv4'
      ? ipaddr.IPv4.networkAddressFromCIDR(`${normalized.toString()}/${prefix}`)
      : ipaddr.IPv6.networkAddressFromCIDR(`${normalized.toNormalizedString()}/${prefix}`);
  const networkText =
    network.kind() === 'ipv4' ? network.toString() : (network as ipaddr.IPv6).toRFC5952String();
  const bytes = network.toByteArray();
  const hostBitsSet = normalized.toByteArray().some((b, i) => b !== bytes[i]);
  return { ok: true, value: { kind, bytes, prefix, cidr: `${networkText}/${prefix}`, hostBitsSet } };
}

function compareParsed(a: Pick<ParsedCidr, 'kind' | 'bytes' | 'prefix'>, b: typeof a): number {
  if (a.kind !== b.kind) return a.kind === 'ipv4' ? -1 : 1;
  for (let i = 0; i < a.bytes.length; i++) {
    const d = (a.bytes[i] ?? 0) - (b.bytes[i] ?? 0);
    if (d !== 0) return d;
  }
  return a.prefix - b.prefix;
}

/** Sort order of canonical entries: IPv4 before IPv6, then by network address, then by prefix length. */
function compareEntries(a: AllowlistEntry, b: AllowlistEntry): number {
  const pa = parseCidr(a.cidr);
  const pb = parseCidr(b.cidr);
  if (pa.ok && pb.ok) return compareParsed(pa.value, pb.value);
  if (pa.ok !== pb.ok) return pa.ok ? -1 : 1;
  return a.cidr < b.cidr ? -1 : a.cidr > b.cidr ? 1 : 0;
}

/**
 * The address families whose whole space the given networks cover together (e.g. 0.0.0.0/1 + 128.0.0.0/1):
 * a catch-all in disguise.
 */
function coveredFamilies(networks: readonly ParsedCidr[]): Array<'ipv4' | 'ipv6'> {
  const covered: Array<'ipv4' | 'ipv6'> = [];
  for (const kind of ['ipv4', 'ipv6'] as const) {
    const bits = kind === 'ipv4' ? 32 : 128;
    const ranges = networks
      .filter((n) => n.kind === kind)
      .map((n) => {
        const start = n.bytes.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
        return { start, end: start + (1n << BigInt(bits - n.prefix)) - 1n };
      })
      .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    let next = 0n; // the lowest address not yet covered
    for (const r of ranges) {
      if (r.start > next) break;
      if (r.end + 1n > next) next = r.end + 1n;
    }
    if (ranges.length > 0 && next === 1n << BigInt(bits)) covered.push(kind);
  }
  return covered;
}

// ---------------------------------------------------------------------------------------------------------------
// Merging duplicates

/** Joins distinct descriptions with '; ', cut to `max` characters (ending in '…' when cut). */
function joinDescriptions(descriptions: readonly string[], max: number): string {
  const joined = [...new Set(descriptions)].join('; ');
  if (joined.length <= max) return joined;
  return max <= 1 ? joined.slice(0, max) : `${joined.slice(0, max - 1)}…`;
}

interface Collected {
  parsed: ParsedCidr;
  descriptions: string[];
}

function collect(into: Map<string, Collected>, parsed: ParsedCidr, description: string): void {
  const existing = into.get(parsed.cidr);
  if (existing) existing.descriptions.push(description);
  else into.set(parsed.cidr, { parsed, descriptions: [description] });
}

function finish(collected: Map<string, Collected>, maxDescriptionLength: number): AllowlistEntry[] {
  return [...collected.values()]
    .sort((a, b) => compareParsed(a.parsed, b.parsed))
    .map((c) => ({
      cidr: c.parsed.cidr,
      description: joinDescriptions(c.descriptions, maxDescriptionLength),
    }));
}

// ---------------------------------------------------------------------------------------------------------------
// Public API

const ENTRY_KEYS = new Set(['cidr', 'description']);
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Validates a whole allowlist (unknown input: an array of `{ cidr, description }` strings) into canonical,
 * sorted, duplicate-free entries. Any bad entry refuses the whole list with an {@link AllowlistValidationError}
 * naming every problem. Duplicates (same canonical CIDR) are merged, their distinct descriptions joined '; '
 * (cut to `maxDescriptionLength`). Descriptions are trimmed.
 */
export function normalizeEntries(entries: unknown, rules: AllowlistRules): AllowlistEntry[] {
  if (!Array.isArray(entries)) {
    throw new AllowlistValidationError([
      {
        index: -1,
        field: 'entry',
        value: show(entries),
        message: 'must be an array of { cidr, description }',
      },
    ]);
  }
  const problems: EntryProblem[] = [];
  const collected = new Map<string, Collected>();

  entries.forEach((entry: unknown, index) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      problems.push({
        index,
        field: 'entry',
        value: show(entry),
        message: 'must be an object { cidr, description }',
      });
      return;
    }
    const record = entry as Record<string, unknown>;
    const unknownKeys = Object.keys(record).filter((k) => !ENTRY_KEYS.has(k));
    if (unknownKeys.length > 0) {
      problems.push({
        index,
        field: 'entry',
        value: clip(unknownKeys.join(', ')),
        message: 'unknown key(s): an entry has only cidr and description',
      });
    }

    const description = checkDescription(record.description, rules.maxDescriptionLength);
    if (typeof description !== 'string') problems.push({ index, field: 'description', ...description });

    const cidr = record.cidr;
    if (typeof cidr !== 'string') {
      problems.push({ index, field: 'cidr', value: show(cidr), message: 'must be a string' });
      return;
    }
    const parsed = parseCidr(cidr);
    if (!parsed.ok) {
      problems.push({ index, field: 'cidr', value: clip(cidr), message: parsed.message });
      return;
    }
    if (parsed.value.hostBitsSet) {
      problems.push({
        index,
        field: 'cidr',
        value: clip(cidr),
        message: `host bits set beyond the /${parsed.value.prefix} prefix (did you mean ${parsed.value.cidr}?)`,
      });
      return;
    }
    if (parsed.value.prefix === 0 && !rules.allowCatchAll) {
      problems.push({
        index,
        field: 'cidr',
        value: clip(cidr),
        message: `${parsed.value.cidr} admits the whole internet (refused unless allowCatchAll is set)`,
      });
      return;
    }
    if (typeof description === 'string') collect(collected, parsed.value, description);
  });

  if (problems.length === 0 && !rules.allowCatchAll) {
    for (const kind of coveredFamilies([...collected.values()].map((c) => c.parsed))) {
      problems.push({
        index: -1,
        field: 'entry',
        value: '',
        message: `together these entries admit every ${kind === 'ipv4' ? 'IPv4' : 'IPv6'} address, like ${kind === 'ipv4' ? '0.0.0.0/0' : '::/0'} (refused unless allowCatchAll is set)`,
      });
    }
  }
  if (problems.length === 0) {
    if (collected.size === 0 && !rules.allowEmpty) {
      problems.push({
        index: -1,
        field: 'entry',
        value: '',
        message:
          'empty: an empty allowlist removes the allowlist and opens the cluster to every address (refused unless allowEmpty is set)',
      });
    } else if (collected.size > rules.maxEntries) {
      problems.push({
        index: -1,
        field: 'entry',
        value: '',
        message: `${collected.size} entries (after merging duplicates) exceed maxEntries ${rules.maxEntries}`,
      });
    }
  }
  if (problems.length > 0) throw new AllowlistValidationError(problems);
  return finish(collected, rules.maxDescriptionLength);
}

function checkDescription(value: unknown, max: number): string | { value: string; message: string } {
  if (typeof value !== 'string') return { value: show(value), message: 'must be a string' };
  const trimmed = value.trim();
  if (trimmed.length === 0) return { value: '', message: 'must not be empty (say whose address this is)' };
  if (trimmed.length > max) {
    return { value: clip(trimmed), message: `longer than ${max} characters (${trimmed.length})` };
  }
  if (CONTROL.test(trimmed)) return { value: clip(trimmed), message: 'contains control characters' };
  return trimmed;
}

/**
 * Reads the Console's current list. Each `ip` may be a comma-separated list of CIDRs/addresses: split, trimmed
 * and canonicalised (host bits beyond the prefix are dropped, as the network would); duplicates merged as in
 * {@link normalizeEntries} (descriptions are not cut). What cannot be parsed is kept, verbatim, in `unparsed`
 * — a sync that would overwrite a list it could not read should say so.
 */
export function fromConsoleList(list: ReadonlyArray<{ ip: string; description: string }>): {
  entries: AllowlistEntry[];
  unparsed: string[];
} {
  const collected = new Map<string, Collected>();
  const unparsed: string[] = [];
  for (const item of list) {
    const description = typeof item.description === 'string' ? item.description.trim() : '';
    const ips = typeof item.ip === 'string' ? item.ip.split(',') : [String(item.ip)];
    for (const raw of ips) {
      const part = raw.trim();
      if (part === '') continue;
      const parsed = parseCidr(part);
      if (parsed.ok) collect(collected, parsed.value, description);
      else unparsed.push(part);
    }
  }
  return { entries: finish(collected, Number.POSITIVE_INFINITY), unparsed };
}

/** The Console's request shape: one `{ ip, description }` per entry, `ip` the canonical CIDR. */
export function toConsoleList(
  entries: readonly AllowlistEntry[],
): Array<{ ip: string; description: string }> {
  return entries.map((e) => ({ ip: e.cidr, description: e.description }));
}

/**
 * What turns `current` into `desired` (both canonical, as returned by {@link normalizeEntries} or
 * {@link fromConsoleList}): entries to add, to remove, and those whose description changes (with the desired
 * description). `equal` when there is nothing to do. Each list is sorted.
 */
export function diffEntries(
  current: readonly AllowlistEntry[],
  desired: readonly AllowlistEntry[],
): {
  added: AllowlistEntry[];
  removed: AllowlistEntry[];
  changedDescription: AllowlistEntry[];
  equal: boolean;
} {
  const currentByCidr = new Map(current.map((e) => [e.cidr, e]));
  const desiredByCidr = new Map(desired.map((e) => [e.cidr, e]));
  const added = desired.filter((e) => !currentByCidr.has(e.cidr));
  const removed = current.filter((e) => !desiredByCidr.has(e.cidr));
  const changedDescription = desired.filter((e) => {
    const before = currentByCidr.get(e.cidr);
    return before !== undefined && before.description !== e.description;
  });
  const copy = (list: AllowlistEntry[]) => list.map((e) => ({ ...e })).sort(compareEntries);
  return {
    added: copy(added),
    removed: copy(removed),
    changedDescription: copy(changedDescription),
    equal: added.length === 0 && removed.length === 0 && changedDescription.length === 0,
  };
}
