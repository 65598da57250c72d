// IP allowlist entries: validation, canonical form, and conversion from/to the Console's list.
//
// The Console's `PUT /clusters/{uuid}/ipallowlist` is a full replace and an empty list removes the allowlist
// (opening the cluster to every address), so a list is checked as a whole and refused whole when any entry is
// bad: a half-applied list is never better than the one in place.
import ipaddr from 'ipaddr.js';
import { unsafeTextProblem } from '#lib/text/unsafe.ts';

export interface AllowlistRules {
  /** Accept a `/0` (0.0.0.0/0, ::/0: the whole internet). */
  allowCatchAll: boolean;
  /** Accept an empty list (which removes the allowlist and opens the cluster to everyone). */
  allowEmpty: boolean;
  /** Most entries (after duplicates are merged). */
  maxEntries: number;
  maxDescriptionLength: number;
  /**
   * The most addresses a list may admit, per address family, as the size of one network of this prefix
   * length (`ipv4PrefixLength: 8`: at most 2^24 IPv4 addresses in total). Counted after merging overlaps, with
   * IPv6 ranges that translate to IPv4 (IPv4-mapped, IPv4-compatible, NAT64, 6to4, Teredo) counted as the IPv4
   * addresses they reach. 0 = no limit (a list admitting every address of a family is still refused). Not applied with `allowCatchAll`. Default {@link DEFAULT_MAX_BREADTH}.
   */
  maxBreadth?: BreadthLimit;
}

/** Per-family breadth limit: the prefix length of the widest single network a whole list may equal. */
export interface BreadthLimit {
  ipv4PrefixLength: number;
  ipv6PrefixLength: number;
}

/** At most a /8 worth of IPv4 addresses (2^24) and a /32 worth of IPv6 (one organisation's allocation). */
export const DEFAULT_MAX_BREADTH: Readonly<BreadthLimit> = Object.freeze({
  ipv4PrefixLength: 8,
  ipv6PrefixLength: 32,
});

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

// ---------------------------------------------------------------------------------------------------------------
// Breadth: how many addresses a list admits

/** An inclusive range of addresses. */
export interface AddressRange {
  start: bigint;
  end: bigint;
}

const V4_SPACE = 1n << 32n;

/**
 * An IPv6 range whose addresses carry an IPv4 address (RFC 4291, 6052, 8215, 3056, 4380): traffic from them
 * may come from (or be translated to) that IPv4 address. `positions`: where the 32 IPv4 bits sit, counted
 * from the most significant IPv6 bit, in IPv4 bit order; `invert`: the bits are stored inverted (Teredo).
 */
interface Embedding {
  network: bigint;
  prefix: number;
  positions: number[];
  invert?: boolean;
}

const bitsFrom = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);
const LOCAL_NAT64 = 0x0064ff9b0001n << 80n; // 64:ff9b:1::/48, RFC 8215: the embedding's prefix length is local

const EMBEDDINGS: readonly Embedding[] = [
  { network: 0n, prefix: 96, positions: bitsFrom(96, 32) }, // IPv4-compatible ::/96 (deprecated)
  { network: 0xffffn << 32n, prefix: 96, positions: bitsFrom(96, 32) }, // IPv4-mapped ::ffff:0:0/96
  { network: 0x0064ff9bn << 96n, prefix: 96, positions: bitsFrom(96, 32) }, // NAT64 64:ff9b::/96
  // Local-use NAT64 may embed at any RFC 6052 length inside its /48: every one is counted (conservative).
  { network: LOCAL_NAT64, prefix: 48, positions: [...bitsFrom(48, 16), ...bitsFrom(72, 16)] },
  { network: LOCAL_NAT64, prefix: 48, positions: [...bitsFrom(56, 8), ...bitsFrom(72, 24)] },
  { network: LOCAL_NAT64, prefix: 48, positions: bitsFrom(72, 32) },
  { network: LOCAL_NAT64, prefix: 48, positions: bitsFrom(96, 32) },
  { network: 0x2002n << 112n, prefix: 16, positions: bitsFrom(16, 32) }, // 6to4 2002::/16
  { network: 0x20010000n << 96n, prefix: 32, positions: bitsFrom(32, 32) }, // Teredo server 2001::/32
  { network: 0x20010000n << 96n, prefix: 32, positions: bitsFrom(96, 32), invert: true }, // Teredo client
];

/** Whether the first `prefix` bits of two IPv6 addresses agree. */
const samePrefix = (a: bigint, b: bigint, prefix: number) =>
  a >> BigInt(128 - prefix) === b >> BigInt(128 - prefix);

/** The IPv4 addresses an IPv6 network `start/prefix` reaches through `e` (undefined: none). */
function embeddedRange(start: bigint, prefix: number, e: Embedding): AddressRange | undefined {
  if (prefix <= e.prefix) {
    // The network contains the whole embedding range (or misses it): every IPv4 address, or none.
    return samePrefix(start, e.network, prefix) ? { start: 0n, end: V4_SPACE - 1n } : undefined;
  }
  if (!samePrefix(start, e.network, e.prefix)) return undefined;
  // The IPv4 bits inside the network's prefix are fixed (a leading run, as positions ascend); the rest are free.
  const fixed = e.positions.filter((p) => p < prefix).length;
  let v4 = 0n;
  for (let i = 0; i < fixed; i++) {
    let bit = (start >> BigInt(127 - (e.positions[i] ?? 0))) & 1n;
    if (e.invert) bit ^= 1n;
    v4 |= bit << BigInt(31 - i);
  }
  return { start: v4, end: v4 + (1n << BigInt(32 - fixed)) - 1n };
}

function rangeOf(n: Pick<ParsedCidr, 'kind' | 'bytes' | 'prefix'>): AddressRange {
  const bits = n.kind === 'ipv4' ? 32 : 128;
  const start = n.bytes.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
  return { start, end: start + (1n << BigInt(bits - n.prefix)) - 1n };
}

/** How many addresses the union of `ranges` holds (overlaps and nesting counted once). */
export function unionSize(ranges: readonly AddressRange[]): bigint {
  const sorted = [...ranges].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  let total = 0n;
  let next = 0n; // the lowest address after everything counted so far
  for (const r of sorted) {
    const from = r.start > next ? r.start : next;
    if (r.end >= from) {
      total += r.end - from + 1n;
      next = r.end + 1n;
    }
  }
  return total;
}

/** What one network admits: its own family's range, and the IPv4 addresses an IPv6 network reaches. */
function reach(n: Pick<ParsedCidr, 'kind' | 'bytes' | 'prefix'>): {
  own: AddressRange;
  ipv4: AddressRange[];
} {
  const own = rangeOf(n);
  if (n.kind === 'ipv4') return { own, ipv4: [own] };
  const ipv4: AddressRange[] = [];
  for (const e of EMBEDDINGS) {
    const r = embeddedRange(own.start, n.prefix, e);
    if (r) ipv4.push(r);
  }
  return { own, ipv4 };
}

/** The breadth of a list of canonical CIDRs: addresses admitted per family, and what each entry adds. */
export function measureBreadth(cidrs: readonly string[]): {
  ipv4: bigint;
  ipv6: bigint;
  entries: Array<{ cidr: string; ipv4: bigint; ipv6: bigint }>;
} {
  const all4: AddressRange[] = [];
  const all6: AddressRange[] = [];
  const entries: Array<{ cidr: string; ipv4: bigint; ipv6: bigint }> = [];
  for (const cidr of cidrs) {
    const parsed = parseCidr(cidr);
    if (!parsed.ok) continue;
    const { own, ipv4 } = reach(parsed.value);
    all4.push(...ipv4);
    if (parsed.value.kind === 'ipv6') all6.push(own);
    entries.push({
      cidr: parsed.value.cidr,
      ipv4: unionSize(ipv4),
      ipv6: parsed.value.kind === 'ipv6' ? own.end - own.start + 1n : 0n,
    });
  }
  return { ipv4: unionSize(all4), ipv6: unionSize(all6), entries };
}

/** `2^24`, `16842752`, `≈2^64.58`: a count people can compare with a prefix length. */
function countText(n: bigint): string {
  if (n > 0n && (n & (n - 1n)) === 0n) return `2^${n.toString(2).length - 1}`;
  if (n < 1n << 40n) return n.toString();
  return `≈2^${Math.log2(Number(n)).toFixed(2)}`;
}

/** Entries named in a breadth problem (the widest first); the rest are counted. */
const BREADTH_ENTRIES = 5;

/**
 * The breadth problems of a list of canonical entries under `rules`: per family, the list as a whole admits
 * more addresses than `maxBreadth` allows (named: the total and the widest entries). None with `allowCatchAll`.
 */
export function breadthProblems(
  entries: readonly Pick<AllowlistEntry, 'cidr'>[],
  rules: Pick<AllowlistRules, 'allowCatchAll' | 'maxBreadth'>,
): EntryProblem[] {
  if (rules.allowCatchAll) return [];
  const limit = rules.maxBreadth ?? DEFAULT_MAX_BREADTH;
  const breadth = measureBreadth(entries.map((e) => e.cidr));
  const problems: EntryProblem[] = [];
  for (const family of ['ipv4', 'ipv6'] as const) {
    const bits = family === 'ipv4' ? 32 : 128;
    const prefixLength = family === 'ipv4' ? limit.ipv4PrefixLength : limit.ipv6PrefixLength;
    const max = 1n << BigInt(bits - prefixLength);
    const total = breadth[family];
    const everything = total === 1n << BigInt(bits);
    // Every address of a family is the catch-all itself, whatever the limit.
    if (total <= max && !everything) continue;
    const name = family === 'ipv4' ? 'IPv4' : 'IPv6';
    const widest = breadth.entries
      .filter((e) => e[family] > 0n)
      .sort((a, b) => (a[family] > b[family] ? -1 : a[family] < b[family] ? 1 : 0));
    const named = widest.slice(0, BREADTH_ENTRIES).map((e) => `${e.cidr} (${countText(e[family])})`);
    const more = widest.length > BREADTH_ENTRIES ? ` and ${widest.length - BREADTH_ENTRIES} more` : '';
    const admits = everything ? `every ${name} address` : `${countText(total)} ${name} addresses`;
    const via = family === 'ipv4' ? ', IPv4 reached through IPv6 translation prefixes included' : '';
    const rule =
      total > max
        ? `more than the ${countText(max)} of one /${prefixLength} that maxBreadth.${family}PrefixLength allows`
        : `like ${family === 'ipv4' ? '0.0.0.0/0' : '::/0'}`;
    problems.push({
      index: -1,
      field: 'entry',
      value: '',
      message: `together these entries admit ${admits} (overlaps counted once${via}), ${rule}: ${named.join(', ')}${more} (refused unless allowCatchAll is set)`,
    });
  }
  return problems;
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

  if (problems.length === 0) {
    problems.push(
      ...breadthProblems(
        [...collected.values()].map((c) => c.parsed),
        rules,
      ),
    );
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
  // Control, bidi and invisible characters: a description is shown in the Console and in run summaries.
  const unsafe = unsafeTextProblem(trimmed);
  if (unsafe !== undefined) return { value: clip(JSON.stringify(trimmed).slice(1, -1)), message: unsafe };
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
