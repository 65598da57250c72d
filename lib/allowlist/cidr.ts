// One CIDR or address, read strictly into its canonical network form, and the canonical sort order.
import ipaddr from 'ipaddr.js';

/** Longest CIDR text looked at (the longest IPv6 CIDR with an embedded IPv4 is 49 characters). */
const MAX_CIDR_LENGTH = 64;

export interface ParsedCidr {
  kind: 'ipv4' | 'ipv6';
  bytes: number[];
  prefix: number;
  /** Canonical `network/prefix`. */
  cidr: string;
  /** The input had bits set beyond the prefix (`10.1.2.3/8`); `cidr` is the network address. */
  hostBitsSet: boolean;
}

export type ParseResult = { ok: true; value: ParsedCidr } | { ok: false; message: string };

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
export function parseCidr(text: string): ParseResult {
  if (text.length === 0) return fail('empty');
  if (text.length > MAX_CIDR_LENGTH)
    return fail(`too long to be an address or CIDR (${text.length} characters)`);
  if (/\s/.test(text)) return fail('contains whitespace');
  if (text.includes(','))
    return fail('one CIDR per entry: split comma-separated lists into separate entries');
  if (text.includes('%')) return fail('an IPv6 zone index (%…) only means something on one host, remove it');

  const slash = text.indexOf('/');
  // Stryker disable next-line EqualityOperator: equivalent; a slash at 0 leaves no address, which is refused whether the text is cut there or not
  const addressText = slash < 0 ? text : text.slice(0, slash);
  // Stryker disable next-line EqualityOperator: equivalent; a slash at 0 leaves no address, refused before the prefix is read
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
    // Stryker disable next-line ConditionalExpression: `parsed >= 0` always holds for what the pattern lets through (NaN fails `<=`); the check states the range
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
    // Stryker disable next-line ConditionalExpression: equivalent when always true; ipaddr.js 2 writes IPv6 in the RFC 5952 form with toString() too
    network.kind() === 'ipv4' ? network.toString() : (network as ipaddr.IPv6).toRFC5952String();
  const bytes = network.toByteArray();
  const hostBitsSet = normalized.toByteArray().some((b, i) => b !== bytes[i]);
  return { ok: true, value: { kind, bytes, prefix, cidr: `${networkText}/${prefix}`, hostBitsSet } };
}

export function compareParsed(a: Pick<ParsedCidr, 'kind' | 'bytes' | 'prefix'>, b: typeof a): number {
  if (a.kind !== b.kind) return a.kind === 'ipv4' ? -1 : 1;
  // Stryker disable next-line EqualityOperator: equivalent; one step past the end compares 0 with 0
  for (let i = 0; i < a.bytes.length; i++) {
    const d = (a.bytes[i] ?? 0) - (b.bytes[i] ?? 0);
    if (d !== 0) return d;
  }
  return a.prefix - b.prefix;
}
