// Breadth: how many addresses a list admits, per family, after merging overlaps and following IPv6 ranges that
// translate to IPv4. A list is refused on what it admits as a whole, so a catch-all split into pieces, or hidden
// in a translation prefix, is refused like 0.0.0.0/0.
import { type ParsedCidr, parseCidr } from '#lib/allowlist/cidr.ts';
import type { EntryProblem } from '#lib/allowlist/problems.ts';

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
  // Stryker disable next-line EqualityOperator: at prefix === e.prefix the branch below fixes no IPv4 bit (every position lies at or past e.prefix) and gives the same whole range
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
  // Number() keeps the sign of any bigint difference, however large.
  const sorted = [...ranges].sort((a, b) => Number(a.start - b.start));
  let total = 0n;
  let next = 0n; // the lowest address after everything counted so far
  for (const r of sorted) {
    // Stryker disable next-line EqualityOperator: when r.start === next both branches give the same value
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
  // n is at least 1 here: a total above a limit, an entry that admits something, or a limit.
  if ((n & (n - 1n)) === 0n) return `2^${n.toString(2).length - 1}`;
  // Stryker disable next-line EqualityOperator: 2^40 itself is a power of two, answered above
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
  entries: readonly { cidr: string }[],
  rules: { allowCatchAll: boolean; maxBreadth?: BreadthLimit | undefined },
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
      .sort((a, b) => Number(b[family] - a[family]));
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
