// The Console's side of an allowlist: reading its current list (comma-separated ips, unparsable parts kept)
// and the diff that turns it into the desired one.
import { describe, expect, it } from 'vitest';
import { diffEntries, fromConsoleList, normalizeEntries, toConsoleList } from '#lib/allowlist/entries.ts';
import { entriesOf, RULES } from '#test/unit/allowlist/fixtures.ts';

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
    expect(entries).toEqual(
      entriesOf(
        ['0.0.0.0/0', 'everyone'],
        ['10.0.0.0/8', 'office; host bits'],
        ['198.51.100.0/24', 'mixed'],
        ['203.0.113.5/32', 'office'],
        ['2001:db8::/32', 'office'],
      ),
    );
    expect(unparsed).toEqual(['not-an-ip']);
  });

  it('round-trips with toConsoleList', () => {
    // Prepare
    const desired = normalizeEntries(
      entriesOf(['2001:db8::/32', 'vpn'], ['203.0.113.0/24', 'office']),
      RULES,
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
    const current = entriesOf(['10.0.0.0/8', 'old'], ['198.51.100.0/24', 'partner']);
    const desired = entriesOf(['10.0.0.0/8', 'new'], ['203.0.113.0/24', 'office']);
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
    const a = entriesOf(['10.0.0.0/8', 'x'], ['2001:db8::/32', 'y']);
    // Act
    const diff = diffEntries(a, [...a].reverse());
    // Assess
    expect(diff).toEqual({ added: [], removed: [], changedDescription: [], equal: true });
  });

  it('sorts each list numerically', () => {
    // Act
    const diff = diffEntries(
      [],
      entriesOf(['2001:db8::/32', 'v6'], ['10.0.0.0/8', 'ten'], ['9.0.0.0/8', 'nine']),
    );
    // Assess
    expect(diff.added.map((e) => e.cidr)).toEqual(['9.0.0.0/8', '10.0.0.0/8', '2001:db8::/32']);
  });
});
