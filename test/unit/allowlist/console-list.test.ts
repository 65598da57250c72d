// The Console's side of an allowlist: reading its current list (comma-separated ips, unparsable parts kept)
// and the diff that turns it into the desired one.
import { describe, expect, it } from 'vitest';
import {
  type AllowlistRules,
  diffEntries,
  fromConsoleList,
  normalizeEntries,
  toConsoleList,
} from '#lib/allowlist/entries.ts';

const rules: AllowlistRules = {
  allowCatchAll: false,
  allowEmpty: false,
  maxEntries: 10,
  maxDescriptionLength: 40,
};

describe('fromConsoleList', () => {
  it('splits comma-separated ips, canonicalises, merges and keeps what it cannot parse', () => {
    // Prepare
    const list = [
      { ip: '10.0.0.0/8, 2001:DB8::/32,203.0.113.5', description: 'office' },
      { ip: '10.1.2.3/8', description: 'host bits' },
      { ip: 'not-an-ip,198.51.100.0/24,,', description: 'mixed' },
      { ip: '0.0.0.0/0', description: 'everyone' },
    ];
    // Act
    const { entries, unparsed } = fromConsoleList(list);
    // Assess
    expect(entries).toEqual([
      { cidr: '0.0.0.0/0', description: 'everyone' },
      { cidr: '10.0.0.0/8', description: 'office; host bits' },
      { cidr: '198.51.100.0/24', description: 'mixed' },
      { cidr: '203.0.113.5/32', description: 'office' },
      { cidr: '2001:db8::/32', description: 'office' },
    ]);
    expect(unparsed).toEqual(['not-an-ip']);
  });

  it('round-trips with toConsoleList', () => {
    // Prepare
    const desired = normalizeEntries(
      [
        { cidr: '2001:db8::/32', description: 'vpn' },
        { cidr: '203.0.113.0/24', description: 'office' },
      ],
      rules,
    );
    // Act
    const consoleList = toConsoleList(desired);
    const back = fromConsoleList(consoleList);
    // Assess
    expect(consoleList).toEqual([
      { ip: '203.0.113.0/24', description: 'office' },
      { ip: '2001:db8::/32', description: 'vpn' },
    ]);
    expect(back).toEqual({ entries: desired, unparsed: [] });
  });
});

describe('diffEntries', () => {
  it('reports added, removed and changed descriptions', () => {
    // Prepare
    const current = [
      { cidr: '10.0.0.0/8', description: 'old' },
      { cidr: '198.51.100.0/24', description: 'partner' },
    ];
    const desired = [
      { cidr: '10.0.0.0/8', description: 'new' },
      { cidr: '203.0.113.0/24', description: 'office' },
    ];
    // Act
    const diff = diffEntries(current, desired);
    // Assess
    expect(diff).toEqual({
      added: [{ cidr: '203.0.113.0/24', description: 'office' }],
      removed: [{ cidr: '198.51.100.0/24', description: 'partner' }],
      changedDescription: [{ cidr: '10.0.0.0/8', description: 'new' }],
      equal: false,
    });
  });

  it('is equal for the same set in a different order', () => {
    // Prepare
    const a = [
      { cidr: '10.0.0.0/8', description: 'x' },
      { cidr: '2001:db8::/32', description: 'y' },
    ];
    // Act
    const diff = diffEntries(a, [...a].reverse());
    // Assess
    expect(diff).toEqual({ added: [], removed: [], changedDescription: [], equal: true });
  });

  it('sorts each list numerically', () => {
    // Act
    const diff = diffEntries(
      [],
      [
        { cidr: '2001:db8::/32', description: 'v6' },
        { cidr: '10.0.0.0/8', description: 'ten' },
        { cidr: '9.0.0.0/8', description: 'nine' },
      ],
    );
    // Assess
    expect(diff.added.map((e) => e.cidr)).toEqual(['9.0.0.0/8', '10.0.0.0/8', '2001:db8::/32']);
  });
});
