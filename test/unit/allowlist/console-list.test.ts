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

describe('the Console list read defensively', () => {
  it('reads a missing description as empty, trims one, and keeps a non-string ip as unparsed text', () => {
    // Prepare: what a Console answer the spec does not promise could hold.
    const list = [
      { ip: '10.0.0.0/8', description: null },
      { ip: '192.0.2.0/24', description: '  lab  ' },
      { ip: 123, description: 'number' },
    ] as unknown as Array<{ ip: string; description: string }>;
    // Act
    const read = fromConsoleList(list);
    // Assess
    expect(read.entries).toEqual([
      { cidr: '10.0.0.0/8', description: '' },
      { cidr: '192.0.2.0/24', description: 'lab' },
    ]);
    expect(read.unparsed).toEqual(['123']);
  });
});

describe('diffEntries on its edges', () => {
  it('is unequal when only one kind of change is there', () => {
    // Prepare
    const a = { cidr: '10.0.0.0/8', description: 'a' };
    const b = { cidr: '192.0.2.0/24', description: 'b' };
    // Act
    const equal = [
      diffEntries([a], [a, b]).equal,
      diffEntries([a, b], [a]).equal,
      diffEntries([a], [{ ...a, description: 'renamed' }]).equal,
      diffEntries([a, b], [b, a]).equal,
    ];
    // Assess
    expect(equal).toEqual([false, false, false, true]);
  });

  it('sorts entries it cannot parse after the valid ones, by their text', () => {
    // Prepare: not canonical entries (the diff is documented for canonical ones; its order stays total).
    const desired = ['zz', '2001:db8::/32', 'aa', '10.0.0.0/8', 'mm'].map((cidr) => ({
      cidr,
      description: 'd',
    }));
    // Act
    const { added } = diffEntries([], desired);
    // Assess
    expect(added.map((e) => e.cidr)).toEqual(['10.0.0.0/8', '2001:db8::/32', 'aa', 'mm', 'zz']);
  });
});
