// The CIDR reader's edges, each an explicit example: the length limit, a lenient IPv4 inside IPv6, and
// the canonical order of one network under two prefix lengths.
import { describe, expect, it } from 'vitest';
import { compareParsed, parseCidr } from '#lib/allowlist/cidr.ts';

const message = (text: string) => {
  const parsed = parseCidr(text);
  return parsed.ok ? undefined : parsed.message;
};

describe('parseCidr', () => {
  it('reads texts of up to 64 characters; a longer one is refused for its length', () => {
    // Act
    const at64 = message('x'.repeat(64));
    const at65 = message('x'.repeat(65));
    // Assess
    expect(at64).toBe('not an IPv4/IPv6 address or CIDR');
    expect(at65).toBe('too long to be an address or CIDR (65 characters)');
  });

  it('refuses an IPv4 inside IPv6 that is not a plain dotted quad (octal- or hex-looking)', () => {
    // Act
    const refused = ['::ffff:010.0.0.1', '::ffff:0x10.0.0.1', '::ffff:10.0.0.01/128'].map(message);
    const plain = parseCidr('::ffff:10.0.0.1');
    // Assess
    expect(refused).toEqual(Array(3).fill('not an IPv4/IPv6 address or CIDR'));
    expect(plain.ok && plain.value.cidr).toBe('10.0.0.1/32');
  });

  it('maps an IPv4-mapped network to IPv4 from /96 on; a shorter one stays the IPv6 network it is', () => {
    // Act
    const [at96, below] = ['::ffff:10.0.0.1/96', '::ffff:10.0.0.1/95'].map(parseCidr);
    // Assess
    expect(at96?.ok && [at96.value.kind, at96.value.cidr]).toEqual(['ipv4', '0.0.0.0/0']);
    expect(below?.ok && [below.value.kind, below.value.cidr]).toEqual(['ipv6', '::fffe:0:0/95']);
  });
});

describe('compareParsed', () => {
  it('orders one network by prefix length, the wider first', () => {
    // Prepare
    const wide = parseCidr('10.0.0.0/8');
    const narrow = parseCidr('10.0.0.0/16');
    if (!wide.ok || !narrow.ok) throw new Error('both parse');
    // Act
    const order = [compareParsed(wide.value, narrow.value), compareParsed(narrow.value, wide.value)];
    // Assess
    expect(order).toEqual([-8, 8]);
  });
});
