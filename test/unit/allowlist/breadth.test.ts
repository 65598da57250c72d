// Breadth: a list refused when, per address family, the union of its networks (overlaps counted once, IPv6
// translation prefixes counted as the IPv4 they reach) admits more addresses than `maxBreadth` allows. Explicit
// regressions for the covers that slipped through (split, nested, near, translated) and a property against an
// independent reference (drop nested networks, sum the disjoint rest).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AllowlistRules,
  AllowlistValidationError,
  DEFAULT_MAX_BREADTH,
  measureBreadth,
  normalizeEntries,
  unionSize,
} from '#lib/allowlist/entries.ts';
import { propertyParams } from '#test/helpers/property.ts';
import { RULES } from '#test/unit/allowlist/fixtures.ts';

const rules: AllowlistRules = { ...RULES, maxEntries: 1000, maxDescriptionLength: 100 };
const list = (...cidrs: string[]) => cidrs.map((cidr, i) => ({ cidr, description: `entry ${i}` }));
const refusal = (cidrs: string[], r: AllowlistRules = rules): string => {
  try {
    normalizeEntries(list(...cidrs), r);
  } catch (error) {
    expect(error).toBeInstanceOf(AllowlistValidationError);
    return (error as AllowlistValidationError).message;
  }
  throw new Error(`expected ${cidrs.join(', ')} to be refused`);
};
const accepted = (cidrs: string[], r: AllowlistRules = rules) => normalizeEntries(list(...cidrs), r).length;
const V4_ALL = 1n << 32n;

describe('allowlist breadth: explicit covers', () => {
  it('defaults to at most a /8 of IPv4 and a /32 of IPv6', () => {
    expect(DEFAULT_MAX_BREADTH).toEqual({ ipv4PrefixLength: 8, ipv6PrefixLength: 32 });
    expect(accepted(['10.0.0.0/8', '2001:db8::/32'])).toBe(2);
    expect(refusal(['10.0.0.0/7'])).toMatch(/admit 2\^25 IPv4 addresses.*10\.0\.0\.0\/7 \(2\^25\)/);
    expect(refusal(['2001:db8::/31'])).toMatch(/admit 2\^97 IPv6 addresses.*maxBreadth\.ipv6PrefixLength/);
  });

  it('refuses a single /1 and a catch-all split in halves or quarters, in any input order', () => {
    expect(refusal(['0.0.0.0/1'])).toMatch(/2\^31 IPv4 addresses/);
    for (const split of [
      ['0.0.0.0/1', '128.0.0.0/1'],
      ['128.0.0.0/1', '0.0.0.0/1'],
      ['192.0.0.0/2', '0.0.0.0/2', '128.0.0.0/2', '64.0.0.0/2'],
    ]) {
      expect(refusal(split)).toMatch(/admit every IPv4 address/);
      // The union does not depend on the order the networks come in.
      expect(measureBreadth(split).ipv4).toBe(V4_ALL);
    }
    expect(refusal(['::/1', '8000::/1'])).toMatch(/admit every IPv6 address/);
  });

  it('counts a network nested inside one already counted once, before and after wider ones', () => {
    // A /9 and a /16 inside a /8: one /8's worth, accepted.
    expect(accepted(['10.0.0.0/8', '10.0.0.0/9', '10.128.0.0/9', '10.7.0.0/16'])).toBe(4);
    expect(measureBreadth(['10.0.0.0/8', '10.0.0.0/9', '10.7.0.0/16']).ipv4).toBe(1n << 24n);
    // A nested network between the two halves must not stop the count: every address, refused.
    for (const nested of [
      ['0.0.0.0/1', '10.0.0.0/8', '128.0.0.0/1'],
      ['0.0.0.0/1', '0.0.0.0/2', '128.0.0.0/1'],
      ['0.0.0.0/1', '127.255.255.255/32', '128.0.0.0/1', '200.0.0.0/8'],
    ]) {
      expect(measureBreadth(nested).ipv4).toBe(V4_ALL);
      expect(refusal(nested)).toMatch(/admit every IPv4 address/);
    }
    expect(
      unionSize([
        { start: 0n, end: 99n },
        { start: 10n, end: 20n },
        { start: 50n, end: 150n },
        { start: 200n, end: 200n },
      ]),
    ).toBe(152n);
  });

  it('refuses many /8s whose union exceeds a /8, and a near-cover with a gap of one address', () => {
    const eights = Array.from({ length: 17 }, (_, i) => `${i + 1}.0.0.0/8`);
    const message = refusal(eights);
    expect(message).toMatch(/admit 285212672 IPv4 addresses/);
    // The widest entries are named, the rest counted.
    expect(message).toMatch(/1\.0\.0\.0\/8 \(2\^24\), 2\.0\.0\.0\/8 \(2\^24\).* and 12 more/);
    const nearly = Array.from({ length: 32 }, (_, i) => {
      const prefix = i + 1;
      const start = (V4_ALL - (V4_ALL >> BigInt(i))) & (V4_ALL - 1n);
      const n = Number(start);
      return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}/${prefix}`;
    }).slice(0, 31);
    expect(measureBreadth(nearly).ipv4).toBe(V4_ALL - 2n);
    expect(refusal(nearly)).toMatch(/IPv4 addresses/);
  });

  it('counts IPv6 ranges that translate to IPv4 as the IPv4 addresses they reach', () => {
    // Whole translation prefixes reach every IPv4 address.
    for (const cidr of [
      '::fffe:0:0/95', // contains IPv4-mapped ::ffff:0:0/96
      '::/80', // contains IPv4-compatible and IPv4-mapped
      '::/96', // IPv4-compatible
      '64:ff9b::/96', // NAT64 well-known
      '64:ff9b:1::/48', // NAT64 local use
      '64:ff9b:1::/64', // ... embedding at /64 or /96 leaves every IPv4 address free
      '2002::/16', // 6to4
      '2001::/32', // Teredo
      '2000::/3', // all global unicast IPv6 (contains 6to4 and Teredo)
    ]) {
      expect(measureBreadth([cidr]).ipv4, cidr).toBe(V4_ALL);
      expect(refusal([cidr]), cidr).toMatch(/admit every IPv4 address/);
    }
    // The IPv4-mapped /96 itself is 0.0.0.0/0.
    expect(refusal(['::ffff:0:0/96'])).toMatch(/admits the whole internet/);
    // A translated /8 is one /8 worth: accepted alone, refused next to another /8.
    expect(measureBreadth(['64:ff9b::a00:0/104']).ipv4).toBe(1n << 24n);
    expect(measureBreadth(['2002:a00::/24']).ipv4).toBe(1n << 24n);
    expect(accepted(['64:ff9b::a00:0/104'])).toBe(1);
    expect(accepted(['64:ff9b::a00:0/104', '10.0.0.0/8'])).toBe(2);
    // A 6to4 /24 is also 2^104 IPv6 addresses: refused by the IPv6 limit unless it is lifted.
    expect(refusal(['2002:a00::/24'])).toMatch(/2\^104 IPv6 addresses/);
    const v6Lifted = { ...rules, maxBreadth: { ipv4PrefixLength: 8, ipv6PrefixLength: 0 } };
    expect(accepted(['64:ff9b::a00:0/104', '10.0.0.0/8', '2002:a00::/24'], v6Lifted)).toBe(3);
    expect(refusal(['64:ff9b::a00:0/104', '11.0.0.0/8'])).toMatch(/2\^25 IPv4 addresses/);
    expect(refusal(['64:ff9b::a00:0/103'])).toMatch(/64:ff9b::a00:0\/103 \(2\^25\)/);
    // Addresses outside every translation prefix reach no IPv4 address.
    expect(measureBreadth(['2001:db8::/32']).ipv4).toBe(0n);
  });

  it('counts unsorted and nested ranges once (survivors of mutation testing: the sort, the nested skip)', () => {
    // [start, end] ranges and the size of their union.
    const cases: Array<[Array<[bigint, bigint]>, bigint]> = [
      [
        [
          [128n, 255n],
          [0n, 127n],
        ],
        256n,
      ],
      [
        [
          [50n, 60n],
          [0n, 100n],
          [200n, 210n],
        ],
        112n,
      ],
      [
        [
          [0n, 10n],
          [11n, 11n],
          [5n, 6n],
        ],
        12n,
      ],
      [[], 0n],
    ];
    for (const [ranges, size] of cases) {
      expect(unionSize(ranges.map(([start, end]) => ({ start, end })))).toBe(size);
    }
  });

  it('names the widest entries first, per family, with their sizes', () => {
    const message = refusal(['10.0.0.0/16', '2001:db8::/31', '11.0.0.0/8', '12.0.0.0/9', '13.0.0.1/32']);
    expect(message).toMatch(
      /admit 25231361 IPv4 addresses .*: 11\.0\.0\.0\/8 \(2\^24\), 12\.0\.0\.0\/9 \(2\^23\), 10\.0\.0\.0\/16 \(2\^16\), 13\.0\.0\.1\/32 \(2\^0\) \(refused/,
    );
    expect(message).toMatch(
      /admit 2\^97 IPv6 addresses \(overlaps counted once\), more than .*: 2001:db8::\/31 \(2\^97\) \(refused/,
    );
    const many = refusal(Array.from({ length: 7 }, (_, i) => `${20 + i}.0.0.0/${8 + i}`));
    expect(many).toMatch(/20\.0\.0\.0\/8 \(2\^24\), 21\.0\.0\.0\/9 .* and 2 more \(refused/);
    expect(measureBreadth(['2001:db8::/32', '10.0.0.0/8']).entries).toEqual([
      { cidr: '2001:db8::/32', ipv4: 0n, ipv6: 1n << 96n },
      { cidr: '10.0.0.0/8', ipv4: 1n << 24n, ipv6: 0n },
    ]);
  });

  it('follows the Teredo client address, stored inverted, to the IPv4 addresses it reaches', () => {
    // 2001::ffff:ff00/120: client bits ffff:ff inverted are 0.0.0.0/24, the server bits 0.0.0.0, so with
    // 0.0.0.0/24 itself the union stays 256 addresses (not inverted, or one bit too many, it would not).
    expect(measureBreadth(['2001::ffff:ff00/120', '0.0.0.0/24']).ipv4).toBe(256n);
    expect(measureBreadth(['2001::ffff:ff00/120']).entries[0]?.ipv4).toBe(256n);
  });

  it('skips what it cannot parse when measuring (it measures canonical entries only)', () => {
    expect(measureBreadth(['not-a-cidr', '10.0.0.0/8'])).toEqual({
      ipv4: 1n << 24n,
      ipv6: 0n,
      entries: [{ cidr: '10.0.0.0/8', ipv4: 1n << 24n, ipv6: 0n }],
    });
  });

  it('counts a large unsorted list of ranges once each (the sort beyond small inputs)', () => {
    // 300 ranges of 5 addresses, 10 apart, in a scrambled order, each with a nested copy.
    const ranges = Array.from({ length: 300 }, (_, i) => (i * 7919) % 300).flatMap((i) => [
      { start: BigInt(i * 10), end: BigInt(i * 10 + 4) },
      { start: BigInt(i * 10 + 1), end: BigInt(i * 10 + 2) },
    ]);
    expect(unionSize(ranges)).toBe(1500n);
  });

  it('words the refusal: list-level, translation note for IPv4 only, five entries named, ≈ for large counts', () => {
    // Prepare
    const five = Array.from({ length: 5 }, (_, i) => `${20 + i}.0.0.0/8`);
    const six = [...five, '30.0.0.0/9'];
    // Act
    const fiveMessage = refusal(five);
    const sixMessage = refusal(six);
    const v6 = refusal(['2001:db8::/32', '2001:dc8::/33']);
    // Assess
    expect(fiveMessage).toMatch(
      /^allowlist refused: list: together these entries admit .* \(overlaps counted once, IPv4 reached through IPv6 translation prefixes included\), more than/,
    );
    expect(fiveMessage).toMatch(/24\.0\.0\.0\/8 \(2\^24\) \(refused/);
    expect(fiveMessage).not.toContain('more (refused');
    expect(sixMessage).toMatch(/24\.0\.0\.0\/8 \(2\^24\) and 1 more \(refused/);
    expect(sixMessage).not.toContain('30.0.0.0/9');
    expect(v6).toMatch(/admit ≈2\^96\.58 IPv6 addresses \(overlaps counted once\), more than/);
  });

  it('is configurable per family, 0 lifts the limit, and allowCatchAll still accepts everything', () => {
    const limit = (ipv4PrefixLength: number, ipv6PrefixLength: number): AllowlistRules => ({
      ...rules,
      maxBreadth: { ipv4PrefixLength, ipv6PrefixLength },
    });
    expect(accepted(['0.0.0.0/1'], limit(1, 32))).toBe(1);
    expect(refusal(['10.0.0.0/8'], limit(16, 32))).toMatch(/more than the 2\^16 of one \/16/);
    expect(refusal(['2001:db8::/32'], limit(8, 48))).toMatch(/maxBreadth\.ipv6PrefixLength/);
    expect(accepted(['0.0.0.0/1', '128.0.0.0/2', '2400::/6'], limit(0, 0))).toBe(3);
    // Without a limit, every address of a family is still the catch-all.
    expect(refusal(['0.0.0.0/1', '128.0.0.0/1'], limit(0, 0))).toMatch(
      /admit every IPv4 address .*like 0\.0\.0\.0\/0/,
    );
    expect(refusal(['::/1', '8000::/1'], limit(0, 0))).toMatch(/admit every IPv6 address .*like ::\/0/);
    expect(accepted(['0.0.0.0/1', '128.0.0.0/1', '2000::/3'], { ...rules, allowCatchAll: true })).toBe(3);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Property: the breadth decision against an independent reference.

interface Net {
  start: bigint;
  prefix: number;
}
const V6_BITS = 128;

/** Reference union size: networks are nested or disjoint, so drop every one inside another and sum the rest. */
function referenceSize(nets: readonly Net[], bits: number): bigint {
  const inside = (a: Net, b: Net) =>
    b.prefix <= a.prefix && a.start >> BigInt(bits - b.prefix) === b.start >> BigInt(bits - b.prefix);
  const kept = nets.filter(
    (a, i) => !nets.some((b, j) => inside(a, b) && (b.prefix < a.prefix || (b.prefix === a.prefix && j < i))),
  );
  return kept.reduce((sum, n) => sum + (1n << BigInt(bits - n.prefix)), 0n);
}

const v4Text = (n: Net) => {
  const v = Number(n.start);
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}/${n.prefix}`;
};
const v6Text = (start: bigint, prefix: number) => {
  const groups = Array.from({ length: 8 }, (_, i) =>
    ((start >> BigInt(112 - 16 * i)) & 0xffffn).toString(16),
  );
  return `${groups.join(':')}/${prefix}`;
};
const masked = (value: bigint, prefix: number, bits: number) =>
  prefix === 0 ? 0n : (value >> BigInt(bits - prefix)) << BigInt(bits - prefix);

/** An IPv4 network, biased towards wide prefixes and a few shared starts so that covers and nesting happen. */
const v4Net = fc
  .record({
    prefix: fc.oneof(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 32 })),
    start: fc.oneof(
      fc.constantFrom(0n, 1n << 31n, 10n << 24n, 3n << 30n),
      fc.bigInt({ min: 0n, max: V4_ALL - 1n }),
    ),
  })
  .map(({ prefix, start }) => ({ start: masked(start, prefix, 32), prefix }));

/** Plain IPv6 (2400::/6 and up: outside every translation prefix). */
const v6Net = fc
  .record({
    prefix: fc.integer({ min: 6, max: 64 }),
    start: fc.bigInt({ min: 0x2400n << 112n, max: (0x3000n << 112n) - 1n }),
  })
  .map(({ prefix, start }) => ({ start: masked(start, prefix, V6_BITS), prefix }));

/** An IPv4 network written as an IPv6 translation range (NAT64 or 6to4): counts as that IPv4 network. */
const translated = fc.tuple(v4Net, fc.constantFrom('nat64', '6to4')).map(([n, how]) => {
  const text =
    how === 'nat64'
      ? v6Text((0x0064ff9bn << 96n) | n.start, 96 + n.prefix)
      : v6Text((0x2002n << 112n) | (n.start << 80n), 16 + n.prefix);
  return { v4: n, text };
});

/** Counterexamples found while building the check, kept as examples. */
const FOUND: Array<
  [Net[], Net[], Array<{ v4: Net; text: string }>, { ipv4PrefixLength: number; ipv6PrefixLength: number }]
> = [
  [
    [
      { start: 0n, prefix: 1 },
      { start: 0n, prefix: 2 },
      { start: 1n << 31n, prefix: 1 },
    ],
    [],
    [],
    { ipv4PrefixLength: 1, ipv6PrefixLength: 32 },
  ],
  [
    [
      { start: 1n << 31n, prefix: 1 },
      { start: 10n << 24n, prefix: 8 },
    ],
    [],
    [{ v4: { start: 0n, prefix: 1 }, text: '64:ff9b::/97' }],
    { ipv4PrefixLength: 1, ipv6PrefixLength: 32 },
  ],
];

describe('allowlist breadth: property', () => {
  it('refuses exactly the lists whose reference union exceeds the limit (1500 lists)', {
    timeout: 120_000,
  }, () => {
    let refused = 0;
    fc.assert(
      fc.property(
        fc.array(v4Net, { maxLength: 8 }),
        fc.array(v6Net, { maxLength: 4 }),
        fc.array(translated, { maxLength: 3 }),
        fc.record({
          ipv4PrefixLength: fc.integer({ min: 0, max: 12 }),
          ipv6PrefixLength: fc.integer({ min: 0, max: 40 }),
        }),
        (v4, v6, via, maxBreadth) => {
          const texts = [
            ...v4.map(v4Text),
            ...v6.map((n) => v6Text(n.start, n.prefix)),
            ...via.map((t) => t.text),
          ];
          if (texts.length === 0) return;
          const ipv4 = referenceSize([...v4, ...via.map((t) => t.v4)], 32);
          const ipv6 = referenceSize(v6, V6_BITS);
          const breadth = measureBreadth(texts);
          expect(breadth.ipv4).toBe(ipv4);
          const tooWide =
            ipv4 > 1n << BigInt(32 - maxBreadth.ipv4PrefixLength) ||
            ipv4 === V4_ALL ||
            ipv6 > 1n << BigInt(128 - maxBreadth.ipv6PrefixLength);
          let ok = true;
          try {
            normalizeEntries(list(...texts), { ...rules, maxBreadth });
          } catch (error) {
            expect(error).toBeInstanceOf(AllowlistValidationError);
            ok = false;
          }
          // Translated ranges also count as IPv6 addresses: compare with what the implementation measured for IPv6.
          const tooWideV6 =
            breadth.ipv6 > 1n << BigInt(128 - maxBreadth.ipv6PrefixLength) || breadth.ipv6 === 1n << 128n;
          expect(ok).toBe(!(tooWide || tooWideV6));
          if (!ok) refused++;
        },
      ),
      propertyParams(1500, FOUND),
    );
    expect(refused).toBeGreaterThan(0);
  });

  it('measures plain IPv6 against the reference (1000 lists)', { timeout: 120_000 }, () => {
    fc.assert(
      fc.property(fc.array(v6Net, { minLength: 1, maxLength: 8 }), (v6) => {
        expect(measureBreadth(v6.map((n) => v6Text(n.start, n.prefix))).ipv6).toBe(
          referenceSize(v6, V6_BITS),
        );
      }),
      propertyParams(1000),
    );
  });
});
