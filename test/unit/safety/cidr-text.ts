// CIDR text for the allowlist safety test: valid networks (no host bits, so that accepted CIDRs are common),
// near misses of both families, malformed prefixes, and noise.
import fc from 'fast-check';

const octet = fc.integer({ min: 0, max: 255 });
const quad = fc.tuple(octet, octet, octet, octet);
const dotted = quad.map((q) => q.join('.'));

/** A network address for a prefix (no host bits), so that accepted CIDRs are common. */
export const v4Network = fc
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

export const v6Network = fc
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

export const cidrText = fc.oneof(
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
