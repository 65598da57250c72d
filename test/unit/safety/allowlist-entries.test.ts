// Allowlist entries against an oracle: ipaddr.js parses, the documented rules decide (plain dotted-quad IPv4 —
// also inside IPv6 —, no zone index, a plain decimal prefix in range, no host bits beyond the prefix, /0 only
// with allowCatchAll, IPv4-mapped IPv6 from /96 up is the IPv4 it stands for). Random and adversarial CIDR
// text is accepted exactly when the oracle accepts it, with the same canonical form; whole lists obey the
// refusal rules (catch-all, empty, limits) for every input.
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { type AllowlistRules, AllowlistValidationError, normalizeEntries } from '#lib/allowlist/entries.ts';
import { reportRow } from '#test/helpers/faults-report.ts';
import { propertyParams, runs } from '#test/helpers/property.ts';

const SINGLE_RUNS = runs(8_000);
const LIST_RUNS = runs(2_500);

// ---------------------------------------------------------------------------------------------------------
// The oracle

/** The canonical `network/prefix` the documented rules give, or undefined when they refuse the text. */
function oracle(text: string, allowCatchAll: boolean): string | undefined {
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

// ---------------------------------------------------------------------------------------------------------
// Generators: valid networks, near misses, and noise

const octet = fc.integer({ min: 0, max: 255 });
const quad = fc.tuple(octet, octet, octet, octet);
const dotted = quad.map((q) => q.join('.'));

/** A network address for a prefix (no host bits), so that accepted CIDRs are common. */
const v4Network = fc
  .tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }))
  .map(([n, prefix]) => {
    const masked = prefix === 0 ? 0 : (n & (0xffffffff << (32 - prefix))) >>> 0;
    return `${[24, 16, 8, 0].map((s) => (masked >>> s) & 0xff).join('.')}/${prefix}`;
  });

const hextets = fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 });

/** IPv6 text from eight groups: zero runs compressed or not, upper or lower case, groups padded or not. */
function v6Text(
  groups: number[],
  zeroFrom: number,
  zeroLen: number,
  compress: boolean,
  upper: boolean,
  pad: boolean,
) {
  const g = groups.map((n, i) => (i >= zeroFrom && i < zeroFrom + zeroLen ? 0 : n));
  const show = (n: number) => {
    const h = pad ? n.toString(16).padStart(4, '0') : n.toString(16);
    return upper ? h.toUpperCase() : h;
  };
  if (!compress || zeroLen === 0) return g.map(show).join(':');
  const before = g.slice(0, zeroFrom).map(show).join(':');
  const after = g
    .slice(zeroFrom + zeroLen)
    .map(show)
    .join(':');
  return `${before}::${after}`;
}

const v6 = fc
  .tuple(
    hextets,
    fc.integer({ min: 0, max: 8 }),
    fc.integer({ min: 0, max: 8 }),
    fc.boolean(),
    fc.boolean(),
    fc.boolean(),
  )
  .map(([g, from, len, compress, upper, pad]) =>
    v6Text(g, from, Math.min(len, 8 - from), compress, upper, pad),
  );

const v6Network = fc
  .tuple(hextets, fc.integer({ min: 0, max: 128 }), fc.boolean())
  .map(([g, prefix, compress]) => {
    const masked = g.map((n, i) => {
      const bits = Math.max(0, Math.min(16, prefix - i * 16));
      return n & (0xffff << (16 - bits)) & 0xffff;
    });
    const zeroFrom = masked.indexOf(0);
    let zeroLen = 0;
    while (zeroFrom >= 0 && zeroFrom + zeroLen < 8 && masked[zeroFrom + zeroLen] === 0) zeroLen++;
    return `${v6Text(masked, Math.max(0, zeroFrom), zeroLen, compress, false, false)}/${prefix}`;
  });

const nearMissV4 = fc.oneof(
  quad.chain((q) =>
    fc.integer({ min: 0, max: 3 }).map((i) => q.map((o, j) => (j === i ? `0${o}` : String(o))).join('.')),
  ),
  fc.tuple(octet, octet, octet).map((t) => t.join('.')),
  fc.integer({ min: 0, max: 0xffffffff }).map(String),
  quad.map(([a, b, c, d]) => `0x${a.toString(16)}.${b}.${c}.${d}`),
  fc.tuple(fc.integer({ min: 256, max: 99_999 }), octet, octet, octet).map((t) => t.join('.')),
  dotted.map((s) => `${s}.`),
  dotted.map((s) => s.replace('.', '..')),
  dotted.map((s) => s.replace(/\d/, '\u0663')),
  dotted.map((s) => s.replace(/\d/, '\uff18')),
);

const embedded = fc
  .tuple(
    fc.constantFrom('::ffff:', '::FFFF:', '::', '0:0:0:0:0:ffff:', '1:2:3:4:5:6:', '64:ff9b::'),
    fc.oneof({ weight: 3, arbitrary: dotted }, { weight: 2, arbitrary: nearMissV4 }),
  )
  .map(([head, v4]) => `${head}${v4}`);

const nearMissV6 = fc.oneof(
  v6.map((s) => `${s}%eth0`),
  v6.map((s) => `[${s}]`),
  v6.map((s) => `${s}:1`),
  v6.map((s) => s.replace(':', ':::')),
  fc.constant('1::2::3'),
  fc.constant('12345::1'),
  fc.constant('::g'),
  fc.constant(':'),
  fc.constant('::'),
);

const prefix = fc.oneof(
  { weight: 4, arbitrary: fc.constant('') },
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 140 }).map((n) => `/${n}`) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '/',
      '/08',
      '/+8',
      '/ 8',
      '/8 ',
      '/1e1',
      '/0x10',
      '/\u0663',
      '/-0',
      '//8',
      '/8/8',
      '/096',
    ),
  },
);

const cidrText = fc.oneof(
  { weight: 4, arbitrary: v4Network },
  { weight: 4, arbitrary: v6Network },
  { weight: 4, arbitrary: fc.tuple(fc.oneof(dotted, v6, embedded), prefix).map(([a, p]) => `${a}${p}`) },
  { weight: 3, arbitrary: fc.tuple(fc.oneof(nearMissV4, nearMissV6), prefix).map(([a, p]) => `${a}${p}`) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom('::ffff:', '::'), dotted, fc.integer({ min: 90, max: 130 }))
      .map(([h, a, p]) => `${h}${a}/${p}`),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '0.0.0.0/0',
      '::/0',
      '::ffff:0.0.0.0/96',
      '0.0.0.0',
      '::',
      '::1',
      '255.255.255.255/32',
    ),
  },
  {
    weight: 2,
    arbitrary: fc
      .array(fc.constantFrom(...'0123456789abcdefABCDEF:./%x, '.split('')), { maxLength: 30 })
      .map((cs) => cs.join('')),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 70 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(v4Network, fc.constantFrom(' ', '\t', '\n', ',10.0.0.0/8'))
      .map(([a, b]) => `${a}${b}`),
  },
);

/**
 * Whether the networks cover every address of a family: networks are nested or disjoint, so drop the ones
 * inside another and sum the rest (independent of the implementation's sorted interval merge).
 */
function coversFamily(networks: Set<string | undefined>, kind: 'ipv4' | 'ipv6'): boolean {
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
function reachesEveryIpv4(net: ipaddr.IPv6, prefix: number): boolean {
  const whole = ['::/96', '::ffff:0:0/96', '64:ff9b::/96', '2002::/16', '2001::/32'].some((cidr) => {
    const [range, bits] = ipaddr.parseCIDR(cidr);
    return prefix <= bits && range.match(net, prefix);
  });
  const local = ipaddr.parseCIDR('64:ff9b:1::/48');
  return whole || (prefix <= 96 && (net.match(local) || (prefix <= 48 && local[0].match(net, prefix))));
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: descriptions with control characters are refused
const CONTROL = /[\u0000-\u001f\u007f]/;

// No breadth limit here (test/unit/allowlist/breadth.test.ts checks it against its own reference): only the
// catch-all (every address of a family, directly or through a translation prefix) is refused.
const RULES: AllowlistRules = {
  allowCatchAll: false,
  allowEmpty: true,
  maxEntries: 1_000,
  maxDescriptionLength: 100,
  maxBreadth: { ipv4PrefixLength: 0, ipv6PrefixLength: 0 },
};

describe('allowlist entries against ipaddr.js', () => {
  it(`accepts exactly what the oracle accepts, in the same canonical form (${SINGLE_RUNS} CIDR texts)`, {
    timeout: 120_000,
  }, () => {
    // Prepare
    let accepted = 0;
    // Act / Assess
    fc.assert(
      fc.property(cidrText, fc.boolean(), (text, allowCatchAll) => {
        const expected = oracle(text, allowCatchAll);
        let got: string | undefined;
        try {
          const [entry, ...rest] = normalizeEntries([{ cidr: text, description: 'x' }], {
            ...RULES,
            allowCatchAll,
          });
          expect(rest).toEqual([]);
          got = entry?.cidr;
        } catch (error) {
          expect(error).toBeInstanceOf(AllowlistValidationError);
          const problems = (error as AllowlistValidationError).problems;
          // A /0 is named at the entry; a catch-all through a translation prefix at the list.
          expect(problems.map((p) => [p.index, p.field])).toSatisfy(
            (got: unknown[]) =>
              JSON.stringify(got) === '[[0,"cidr"]]' || JSON.stringify(got) === '[[-1,"entry"]]',
          );
        }
        expect(got, JSON.stringify(text)).toBe(expected);
        if (got !== undefined) accepted++;
      }),
      propertyParams(SINGLE_RUNS),
    );
    // Assess: the generator reached both sides.
    expect(accepted).toBeGreaterThan(SINGLE_RUNS / 5);
    expect(accepted).toBeLessThan(SINGLE_RUNS * 0.8);
    reportRow({
      group: 'bad input',
      row: 'allowlist CIDR text vs ipaddr.js',
      cases: SINGLE_RUNS,
      faults: SINGLE_RUNS - accepted,
      duplicates: 0,
      losses: 0,
    });
  });

  it(`refuses whole lists that break a rule and keeps every rule on what it accepts (${LIST_RUNS} lists)`, {
    timeout: 120_000,
  }, () => {
    // Prepare
    const description = fc.oneof(
      { weight: 6, arbitrary: fc.string({ minLength: 1, maxLength: 30 }) },
      { weight: 1, arbitrary: fc.constantFrom('', '   ', 'tab\tinside', 'x'.repeat(120), ' padded ') },
      { weight: 1, arbitrary: fc.constantFrom(undefined, 7, null) },
    );
    const entry = fc.record({
      cidr: fc.oneof(
        { weight: 5, arbitrary: v4Network },
        { weight: 3, arbitrary: v6Network },
        { weight: 1, arbitrary: cidrText },
      ),
      description,
    });
    const rules = fc.record({
      allowCatchAll: fc.boolean(),
      allowEmpty: fc.boolean(),
      maxEntries: fc.integer({ min: 1, max: 8 }),
      maxDescriptionLength: fc.integer({ min: 5, max: 60 }),
      maxBreadth: fc.constant({ ipv4PrefixLength: 0, ipv6PrefixLength: 0 }),
    });
    let refused = 0;
    // Found by seeds -949261033 and 111717423 (an exact split cover the oracle did not model): kept explicit.
    expect(() =>
      normalizeEntries(
        [
          { cidr: '128.0.0.0/1', description: '!' },
          { cidr: '0.0.0.0/1', description: '!' },
        ],
        { ...RULES, allowEmpty: false, maxEntries: 2 },
      ),
    ).toThrow(/admit every IPv4 address/);
    expect(coversFamily(new Set(['128.0.0.0/1', '0.0.0.0/1']), 'ipv4')).toBe(true);
    // Act / Assess
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 10 }), rules, (entries, r) => {
        const badIndexes = entries
          .map((e, i) => {
            const d = typeof e.description === 'string' ? e.description.trim() : undefined;
            const descriptionOk =
              d !== undefined && d.length > 0 && d.length <= r.maxDescriptionLength && !CONTROL.test(d);
            const network = oracle(e.cidr, true);
            const cidrOk = network !== undefined && (r.allowCatchAll || !network.endsWith('/0'));
            return cidrOk && descriptionOk ? -1 : i;
          })
          .filter((i) => i >= 0);
        const networks = new Set(entries.map((e) => oracle(e.cidr, true)));
        // A network reaching every IPv4 address through a translation prefix refuses the list as a whole.
        const translatedCatchAll =
          !r.allowCatchAll &&
          [...networks].some((n) => {
            if (n === undefined || !n.includes(':')) return false;
            const [ip, bits] = ipaddr.parseCIDR(n);
            return reachesEveryIpv4(ip as ipaddr.IPv6, bits);
          });
        let result: Array<{ cidr: string; description: string }> | undefined;
        let problems: AllowlistValidationError['problems'] = [];
        try {
          result = normalizeEntries(entries, r);
        } catch (error) {
          expect(error).toBeInstanceOf(AllowlistValidationError);
          problems = (error as AllowlistValidationError).problems;
        }
        if (badIndexes.length > 0) {
          // One bad entry refuses the whole list, and every bad entry is named.
          expect(result).toBeUndefined();
          expect([...new Set(problems.map((p) => p.index))].sort((a, b) => a - b)).toEqual(badIndexes);
        } else if (!r.allowCatchAll && (coversFamily(networks, 'ipv4') || coversFamily(networks, 'ipv6'))) {
          expect(result, 'an exact cover of a family is the catch-all').toBeUndefined();
          expect(problems.map((p) => p.index)).toContain(-1);
        } else if (translatedCatchAll) {
          expect(result, 'a catch-all through a translation prefix').toBeUndefined();
          expect(problems.map((p) => p.index)).toContain(-1);
        } else if (networks.size === 0 && !r.allowEmpty) {
          expect(result, 'an empty list opens the cluster').toBeUndefined();
          expect(problems.map((p) => p.index)).toEqual([-1]);
        } else if (networks.size > r.maxEntries) {
          expect(result).toBeUndefined();
          expect(problems.map((p) => p.index)).toEqual([-1]);
        } else {
          if (!result) throw new Error(`refused a valid list: ${JSON.stringify(problems)}`);
          expect(new Set(result.map((e) => e.cidr))).toEqual(networks);
          expect(result.length).toBe(networks.size);
          if (!r.allowCatchAll) expect(result.some((e) => e.cidr.endsWith('/0'))).toBe(false);
          for (const e of result) {
            expect(e.description.length).toBeGreaterThan(0);
            expect(e.description.length).toBeLessThanOrEqual(r.maxDescriptionLength);
          }
          // Canonical output is a fixed point.
          expect(normalizeEntries(result, r)).toEqual(result);
        }
        if (result === undefined) refused++;
      }),
      propertyParams(LIST_RUNS),
    );
    expect(refused).toBeGreaterThan(0);
    expect(refused).toBeLessThan(LIST_RUNS);
    reportRow({
      group: 'bad input',
      row: 'allowlist lists: refusal rules',
      cases: LIST_RUNS,
      faults: refused,
      duplicates: 0,
      losses: 0,
    });
  });
});
