// The stores' attribute codec: plain values to DynamoDB attributes (undefined left out, as a store writes an
// optional field), and the typed reader that names every missing or mistyped attribute instead of throwing.
import { describe, expect, it } from 'vitest';
import { StateStoreError } from '#lib/state/errors.ts';
import { attributes, ItemReader, itemExpired, keyOf } from '#lib/state/item-codec.ts';

describe('attributes', () => {
  it('encodes strings, numbers, booleans, bytes and string sets, and leaves undefined values out', () => {
    // Act
    const item = attributes({
      name: 'dev-a',
      until: 1_700_000_000_000,
      failed: false,
      summary: new Uint8Array([1, 2]),
      reserved: new Set(['b', 'a']),
      note: undefined,
    });
    // Assess
    expect(item).toEqual({
      name: { S: 'dev-a' },
      until: { N: '1700000000000' },
      failed: { BOOL: false },
      summary: { B: new Uint8Array([1, 2]) },
      reserved: { SS: ['b', 'a'] },
    });
  });

  it('writes the key attributes of the table schema', () => {
    expect(keyOf({ pk: 'snapshot', sk: 'dev-a' })).toEqual({ pk: { S: 'snapshot' }, sk: { S: 'dev-a' } });
  });
});

describe('ItemReader', () => {
  it('reads typed attributes and answers undefined for a missing or mistyped one', () => {
    // Prepare
    const read = new ItemReader({
      sk: { S: 'dev-a' },
      at: { N: '5' },
      flag: { BOOL: true },
      wrong: { N: '1' },
    });
    // Assess
    expect([read.sortKey(), read.number('at'), read.boolean('flag')]).toEqual(['dev-a', 5, true]);
    expect([read.string('wrong'), read.string('absent'), read.bytes('at')]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('names every required attribute that is missing, empty, mistyped or not a finite number, in order', () => {
    // Prepare
    const read = new ItemReader({ a: { S: '' }, b: { N: 'x' }, c: { N: '7' }, d: { S: '' } });
    // Act
    const values = [
      read.requiredString('a'),
      read.requiredNumber('b'),
      read.requiredNumber('c'),
      read.requiredString('d', { allowEmpty: true }),
      read.requiredString('e'),
    ];
    // Assess
    expect(read.missing).toEqual(['a', 'b', 'e']);
    expect(values).toEqual(['', Number.NaN, 7, '', '']);
  });

  it('parses a JSON attribute; a missing or corrupt one is a StateStoreError naming what was stored', () => {
    // Prepare
    const read = new ItemReader({ good: { S: '{"x":1}' }, bad: { S: '{"x":' } });
    // Assess
    expect(read.json('snapshots.get', 'good', 'snapshot')).toEqual({ x: 1 });
    expect(read.optionalJson('snapshots.get', 'absent', 'snapshot')).toBeUndefined();
    expect(() => read.json('snapshots.get', 'bad', 'snapshot')).toThrow(
      new StateStoreError('snapshots.get', undefined, 'snapshots.get: stored snapshot is not valid JSON'),
    );
    expect(() => read.json('snapshots.get', 'absent', 'snapshot')).toThrow(/stored snapshot is missing/);
  });
});

describe('itemExpired', () => {
  it('counts an item as gone from its ttl second on; an item without a ttl never expires', () => {
    expect(itemExpired({ ttl: { N: '100' } }, 99_999)).toBe(false);
    expect(itemExpired({ ttl: { N: '100' } }, 100_000)).toBe(true);
    expect(itemExpired({}, Number.MAX_SAFE_INTEGER)).toBe(false);
  });
});
