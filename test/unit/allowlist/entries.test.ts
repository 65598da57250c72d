import { describe, expect, it } from 'vitest';
import { AllowlistValidationError, normalizeEntries } from '#lib/allowlist/entries.ts';
import { entriesOf, problemsOf, RULES } from '#test/unit/allowlist/fixtures.ts';

const one = (cidr: unknown, description: unknown = 'office') => [{ cidr, description }];

describe('normalizeEntries', () => {
  it('canonicalises addresses and CIDRs and sorts IPv4 before IPv6 in numeric order', () => {
    // Prepare
    const input = entriesOf(
      ['2001:DB8:0:0::/32', 'v6 range'],
      ['10.20.0.0/16', 'b'],
      ['9.255.255.255', 'c'],
      ['2001:db8:0:0:0:0:2:1', 'v6 host'],
      ['10.3.0.0/16', 'a'],
      ['10.0.0.0/9', 'manyEntries'],
    );
    // Act
    const result = normalizeEntries(input, RULES);
    // Assess
    expect(result).toEqual(
      entriesOf(
        ['9.255.255.255/32', 'c'],
        ['10.0.0.0/9', 'manyEntries'],
        ['10.3.0.0/16', 'a'],
        ['10.20.0.0/16', 'b'],
        ['2001:db8::/32', 'v6 range'],
        ['2001:db8::2:1/128', 'v6 host'],
      ),
    );
  });

  it('gives equal sets the same result whatever the input order and spelling', () => {
    // Prepare
    const a = entriesOf(['203.0.113.0/24', 'office'], ['2001:db8::/32', 'vpn']);
    const b = entriesOf(['2001:0db8::/32', ' vpn '], ['203.0.113.0/24', 'office']);
    // Act / Assess
    expect(normalizeEntries(b, RULES)).toEqual(normalizeEntries(a, RULES));
  });

  it('merges duplicates by canonical CIDR and joins their distinct descriptions', () => {
    // Prepare
    const input = entriesOf(
      ['203.0.113.7', 'alice'],
      ['203.0.113.7/32', 'bob'],
      ['::ffff:203.0.113.7', 'alice'],
    );
    // Act
    const result = normalizeEntries(input, RULES);
    // Assess
    expect(result).toEqual([{ cidr: '203.0.113.7/32', description: 'alice; bob' }]);
  });

  it('cuts merged descriptions to the length limit', () => {
    // Prepare
    const input = [
      { cidr: '203.0.113.7', description: 'a'.repeat(30) },
      { cidr: '203.0.113.7', description: 'b'.repeat(30) },
    ];
    // Act
    const [entry] = normalizeEntries(input, RULES);
    // Assess
    expect(entry?.description).toHaveLength(40);
    expect(entry?.description).toBe(`${'a'.repeat(30)}; ${'b'.repeat(7)}…`);
  });

  it('maps IPv4-mapped IPv6 addresses and ranges to IPv4', () => {
    // Act
    const result = normalizeEntries(
      entriesOf(['::ffff:1.2.3.4', 'mapped host'], ['::ffff:198.51.100.0/120', 'mapped range']),
      RULES,
    );
    // Assess
    expect(result.map((e) => e.cidr)).toEqual(['1.2.3.4/32', '198.51.100.0/24']);
  });

  it('treats a mapped ::ffff:0.0.0.0/96 as the IPv4 catch-all', () => {
    // Act
    const problems = problemsOf(one('::ffff:0.0.0.0/96'));
    // Assess
    expect(problems).toEqual([
      expect.objectContaining({
        index: 0,
        field: 'cidr',
        message: expect.stringMatching(/0\.0\.0\.0\/0.*allowCatchAll/),
      }),
    ]);
  });

  it('refuses host bits beyond the prefix and suggests the network address', () => {
    // Act
    const problems = problemsOf([...one('203.0.113.0/24'), ...one('10.1.2.3/8'), ...one('2001:db8::1/32')]);
    // Assess
    expect(problems).toEqual([
      {
        index: 1,
        field: 'cidr',
        value: '10.1.2.3/8',
        message: expect.stringContaining('did you mean 10.0.0.0/8?'),
      },
      {
        index: 2,
        field: 'cidr',
        value: '2001:db8::1/32',
        message: expect.stringContaining('did you mean 2001:db8::/32?'),
      },
    ]);
  });

  it.each([
    ['1.2.3.4/33', /prefix length must be a whole number from 0 to 32/],
    ['2001:db8::/129', /from 0 to 128/],
    ['1.2.3.4/08', /prefix length/],
    ['1.2.3.4/', /prefix length/],
    ['1.2.3.4/-1', /prefix length/],
    ['01.2.3.4', /leading zeros/],
    ['1.2.3.04', /leading zeros/],
    ['1.2.3', /dotted-quad/],
    ['0x7f.0.0.1', /dotted-quad/],
    ['4294967295', /dotted-quad/],
    [' 1.2.3.4', /whitespace/],
    ['1.2.3.4 ', /whitespace/],
    ['1.2.3.4/ 8', /whitespace/],
    ['10.0.0.0/8,10.0.0.0/8', /one CIDR per entry/],
    ['fe80::1%eth0', /zone index/],
    ['fe80::%eth0/64', /zone index/],
    ['', /empty/],
    ['example.com', /not an IPv4\/IPv6 address/],
    ['1.2.3.4.5', /not an IPv4\/IPv6 address/],
    [':::', /not an IPv4\/IPv6 address/],
    ['256.1.1.1', /not an IPv4\/IPv6 address/],
    [`1.2.3.4${'0'.repeat(10_000)}`, /too long/],
  ])('refuses the CIDR %j', (cidr, message) => {
    // Act
    const problems = problemsOf(one(cidr));
    // Assess
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ index: 0, field: 'cidr' });
    expect(problems[0]?.message).toMatch(message);
    expect(problems[0]?.value.length).toBeLessThanOrEqual(80);
  });

  it.each([42, null, undefined, ['1.2.3.4'], { ip: '1.2.3.4' }])('refuses a non-string CIDR %j', (cidr) => {
    // Act
    const problems = problemsOf(one(cidr));
    // Assess
    expect(problems).toContainEqual(
      expect.objectContaining({ index: 0, field: 'cidr', message: 'must be a string' }),
    );
  });

  it.each([
    ['', /must not be empty/],
    ['   ', /must not be empty/],
    ['x'.repeat(41), /longer than 40 characters \(41\)/],
    ['line\nbreak', /contains U\+000A \(LINE FEED\) at position 5/],
    ['office\u202Etxt.exe', /contains U\+202E \(RIGHT-TO-LEFT OVERRIDE\) at position 7/],
    ['vpn\u2066a\u2069', /contains U\+2066 \(LEFT-TO-RIGHT ISOLATE\)/],
    ['zero\u200Bwidth', /contains U\+200B \(ZERO WIDTH SPACE\)/],
    ['lone \uD800', /contains U\+D800 \(an unpaired surrogate\)/],
    ['bell\u0007', /contains U\+0007/],
    [7, /must be a string/],
    [undefined, /must be a string/],
  ])('refuses the description %j', (description, message) => {
    // Act
    const problems = problemsOf([{ cidr: '203.0.113.0/24', description }]);
    // Assess
    expect(problems).toEqual([
      expect.objectContaining({ index: 0, field: 'description', message: expect.stringMatching(message) }),
    ]);
  });

  it.each([null, undefined, 'not a list', { cidr: '1.2.3.4', description: 'x' }, 3])(
    'refuses input that is not an array: %j',
    (input) => {
      // Act
      const problems = problemsOf(input);
      // Assess
      expect(problems).toEqual([
        expect.objectContaining({ index: -1, field: 'entry', message: expect.stringMatching(/array/) }),
      ]);
    },
  );

  it('refuses entries that are not objects and entries with unknown keys', () => {
    // Act
    const problems = problemsOf([
      '203.0.113.0/24',
      null,
      { ip: '203.0.113.0/24', description: 'console-shaped' },
      { cidr: '198.51.100.0/24', description: 'ok' },
    ]);
    // Assess
    expect(problems.map((p) => [p.index, p.field])).toEqual([
      [0, 'entry'],
      [1, 'entry'],
      [2, 'entry'],
      [2, 'cidr'],
    ]);
    expect(problems[2]?.value).toBe('ip');
  });

  it('refuses the whole list for one bad entry, naming every problem in the message', () => {
    // Prepare
    const input = entriesOf(['203.0.113.0/24', 'office'], ['10.1.2.3/8', 'vpn'], ['198.51.100.0/24', '']);
    // Act
    const error = (() => {
      try {
        return normalizeEntries(input, RULES);
      } catch (e) {
        return e;
      }
    })();
    // Assess
    expect(error).toBeInstanceOf(AllowlistValidationError);
    const err = error as AllowlistValidationError;
    expect(err.name).toBe('AllowlistValidationError');
    expect(err.problems).toHaveLength(2);
    expect(err.message).toContain("[1].cidr '10.1.2.3/8': host bits set");
    expect(err.message).toContain('[2].description: must not be empty');
  });

  it('counts the problems beyond the first twenty in the message instead of listing them', () => {
    // Prepare
    const input = Array.from({ length: 25 }, (_, i) => ({ cidr: `bad-${i}`, description: 'x' }));
    // Act
    const problems = problemsOf(input);
    const message = new AllowlistValidationError(problems).message;
    // Assess
    expect(problems).toHaveLength(25);
    expect(message).toContain("[19].cidr 'bad-19'");
    expect(message).not.toContain('bad-20');
    expect(message).toMatch(/and 5 more$/);
  });

  it('refuses any /0 unless allowCatchAll', () => {
    // Prepare
    const input = entriesOf(['0.0.0.0/0', 'everyone v4'], ['::/0', 'everyone v6']);
    // Act
    const refused = problemsOf(input);
    const allowed = normalizeEntries(input, { ...RULES, allowCatchAll: true });
    // Assess
    expect(refused.map((p) => p.message)).toEqual([
      expect.stringMatching(/0\.0\.0\.0\/0 admits the whole internet/),
      expect.stringMatching(/::\/0 admits the whole internet/),
    ]);
    expect(allowed.map((e) => e.cidr)).toEqual(['0.0.0.0/0', '::/0']);
  });

  it('refuses an empty list unless allowEmpty, saying it would open the cluster', () => {
    // Act
    const refused = problemsOf([]);
    const allowed = normalizeEntries([], { ...RULES, allowEmpty: true });
    // Assess
    expect(refused).toEqual([
      expect.objectContaining({
        index: -1,
        field: 'entry',
        message: expect.stringContaining('opens the cluster to every address'),
      }),
    ]);
    expect(allowed).toEqual([]);
  });

  it('refuses more than maxEntries, counting after duplicates are merged', () => {
    // Prepare
    const three = entriesOf(['203.0.113.1', 'a'], ['203.0.113.2', 'b'], ['203.0.113.3', 'c']);
    const threeWithDuplicate = [...three.slice(0, 2), { cidr: '203.0.113.1/32', description: 'a again' }];
    // Act
    const refused = problemsOf(three, { ...RULES, maxEntries: 2 });
    const merged = normalizeEntries(threeWithDuplicate, { ...RULES, maxEntries: 2 });
    // Assess
    expect(refused).toEqual([
      expect.objectContaining({
        index: -1,
        message: expect.stringMatching(/3 entries .* exceed maxEntries 2/),
      }),
    ]);
    expect(merged).toHaveLength(2);
  });
});

describe('catch-all in disguise', () => {
  const manyEntries = { ...RULES, maxEntries: 50, maxDescriptionLength: 100 };

  it('refuses networks that together cover every IPv4 or IPv6 address', () => {
    // Act
    const halves = () =>
      normalizeEntries(
        entriesOf(
          ['0.0.0.0/1', 'lower half'],
          ['128.0.0.0/2', 'a quarter'],
          ['192.0.0.0/2', 'the last quarter'],
        ),
        manyEntries,
      );
    const v6 = () => normalizeEntries(entriesOf(['::/1', 'a'], ['8000::/1', 'b']), manyEntries);
    // Assess
    expect(halves).toThrow(AllowlistValidationError);
    expect(halves).toThrow(/admit every IPv4 address/);
    expect(v6).toThrow(/admit every IPv6 address/);
  });

  it('accepts them when allowCatchAll is set; a gap of one address passes only without a breadth limit', () => {
    const entries = entriesOf(['0.0.0.0/1', 'lower half'], ['128.0.0.0/1', 'upper half']);
    expect(normalizeEntries(entries, { ...manyEntries, allowCatchAll: true })).toHaveLength(2);
    const almost = [
      { cidr: '0.0.0.0/1', description: 'lower half' },
      { cidr: '128.0.0.0/2', description: 'a quarter' },
      { cidr: '192.0.0.0/3', description: 'an eighth' },
      { cidr: '224.0.0.0/4', description: 'a sixteenth' },
      { cidr: '240.0.0.0/5', description: 'and so on' },
      { cidr: '248.0.0.0/6', description: '.' },
      { cidr: '252.0.0.0/7', description: '.' },
      { cidr: '254.0.0.0/8', description: '.' },
      { cidr: '255.0.0.0/9', description: '.' },
      { cidr: '255.128.0.0/10', description: '.' },
      { cidr: '255.192.0.0/11', description: '.' },
      { cidr: '255.224.0.0/12', description: '.' },
      { cidr: '255.240.0.0/13', description: '.' },
      { cidr: '255.248.0.0/14', description: '.' },
      { cidr: '255.252.0.0/15', description: '.' },
      { cidr: '255.254.0.0/16', description: '.' },
      { cidr: '255.255.0.0/17', description: '.' },
      { cidr: '255.255.128.0/18', description: '.' },
      { cidr: '255.255.192.0/19', description: '.' },
      { cidr: '255.255.224.0/20', description: '.' },
      { cidr: '255.255.240.0/21', description: '.' },
      { cidr: '255.255.248.0/22', description: '.' },
      { cidr: '255.255.252.0/23', description: '.' },
      { cidr: '255.255.254.0/24', description: '.' },
      { cidr: '255.255.255.0/25', description: '.' },
      { cidr: '255.255.255.128/26', description: '.' },
      { cidr: '255.255.255.192/27', description: '.' },
      { cidr: '255.255.255.224/28', description: '.' },
      { cidr: '255.255.255.240/29', description: '.' },
      { cidr: '255.255.255.248/30', description: '.' },
      { cidr: '255.255.255.252/31', description: '.' },
      // 255.255.255.254/32 and 255.255.255.255 left out
    ];
    // Without a breadth limit only the exact cover is refused; with the default even the near cover is.
    const unlimited = { ...manyEntries, maxBreadth: { ipv4PrefixLength: 0, ipv6PrefixLength: 0 } };
    expect(normalizeEntries(almost, unlimited)).toHaveLength(almost.length);
    expect(() =>
      normalizeEntries([...almost, { cidr: '255.255.255.254/31', description: 'the rest' }], unlimited),
    ).toThrow(/admit every IPv4 address/);
    expect(() => normalizeEntries(almost, manyEntries)).toThrow(/admit 4294967294 IPv4 addresses/);
  });
});
