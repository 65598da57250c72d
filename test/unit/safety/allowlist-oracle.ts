// The oracle the allowlist safety test checks normalizeEntries against: ipaddr.js parses, the documented rules
// decide (plain dotted-quad IPv4 — also inside IPv6 —, no zone index, a plain decimal prefix in range, no host
// bits beyond the prefix, /0 only with allowCatchAll, IPv4-mapped IPv6 from /96 up is the IPv4 it stands for),
// and two references written independently of lib/allowlist: family covers and translation prefixes.
import ipaddr from 'ipaddr.js';

/** The canonical `network/prefix` the documented rules give, or undefined when they refuse the text. */
export function oracle(text: string, allowCatchAll: boolean): string | undefined {
  if (text.length === 0 || text.length > 64 || /[\s,%]/.test(text)) return undefined;
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const prefixText = slash < 0 ? undefined : text.slice(slash + 1);
  let ip: ipaddr.IPv4 | ipaddr.IPv6;
  if (ipaddr.IPv4.isValidFourPartDecimal(address)) {
    ip = ipaddr.IPv4.parse(address);
  } else if (ipaddr.IPv6.isValid(address)) {
    // An embedded IPv4 follows the IPv4 rule: plain dotted quad, no leading zeros, no hex.
    if (
      address.includes('.') &&
      !ipaddr.IPv4.isValidFourPartDecimal(address.slice(address.lastIndexOf(':') + 1))
    ) {
      return undefined;
    }
    ip = ipaddr.IPv6.parse(address);
  } else {
    return undefined;
  }
  const max = ip.kind() === 'ipv4' ? 32 : 128;
  let prefix = max;
  if (prefixText !== undefined) {
    if (!/^(0|[1-9][0-9]*)$/.test(prefixText) || Number(prefixText) > max) return undefined;
    prefix = Number(prefixText);
  }
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress() && prefix >= 96) {
    ip = (ip as ipaddr.IPv6).toIPv4Address();
    prefix -= 96;
  }
  const bytes = ip.toByteArray();
  const network = bytes.map((b, i) => {
    const bits = Math.max(0, Math.min(8, prefix - i * 8));
    return b & (0xff << (8 - bits)) & 0xff;
  });
  if (network.some((b, i) => b !== bytes[i])) return undefined;
  if (prefix === 0 && !allowCatchAll) return undefined;
  const net = ipaddr.fromByteArray(network);
  if (!allowCatchAll && net.kind() === 'ipv6' && reachesEveryIpv4(net as ipaddr.IPv6, prefix))
    return undefined;
  const shown = net.kind() === 'ipv4' ? net.toString() : (net as ipaddr.IPv6).toRFC5952String();
  return `${shown}/${prefix}`;
}

/**
 * Whether the networks cover every address of a family: networks are nested or disjoint, so drop the ones
 * inside another and sum the rest (independent of the implementation's sorted interval merge).
 */
export function coversFamily(networks: Set<string | undefined>, kind: 'ipv4' | 'ipv6'): boolean {
  const bits = kind === 'ipv4' ? 32 : 128;
  const nets = [...networks]
    .filter((n): n is string => n !== undefined && n.includes(':') === (kind === 'ipv6'))
    .map((n) => {
      const [ip, prefix] = ipaddr.parseCIDR(n);
      return { start: ip.toByteArray().reduce((a, b) => (a << 8n) | BigInt(b), 0n), prefix };
    });
  const inside = (a: (typeof nets)[0], b: (typeof nets)[0]) =>
    b.prefix < a.prefix && a.start >> BigInt(bits - b.prefix) === b.start >> BigInt(bits - b.prefix);
  const total = nets
    .filter((a) => !nets.some((b) => inside(a, b)))
    .reduce((sum, n) => sum + (1n << BigInt(bits - n.prefix)), 0n);
  return total === 1n << BigInt(bits);
}

/**
 * An IPv6 network that holds a whole IPv4 translation prefix (IPv4-compatible, IPv4-mapped, NAT64, 6to4,
 * Teredo), or a local-use NAT64 network (64:ff9b:1::/48, embedding length unknown) of /96 or wider, reaches
 * every IPv4 address: a catch-all.
 */
export function reachesEveryIpv4(net: ipaddr.IPv6, prefix: number): boolean {
  const whole = ['::/96', '::ffff:0:0/96', '64:ff9b::/96', '2002::/16', '2001::/32'].some((cidr) => {
    const [range, bits] = ipaddr.parseCIDR(cidr);
    return prefix <= bits && range.match(net, prefix);
  });
  const local = ipaddr.parseCIDR('64:ff9b:1::/48');
  return whole || (prefix <= 96 && (net.match(local) || (prefix <= 48 && local[0].match(net, prefix))));
}
