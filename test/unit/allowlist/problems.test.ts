// How a refused list is reported: where each problem is (an entry's field, or the list), the offending
// value cut to a readable length, at most twenty problems spelt out, and the cause kept.
import { describe, expect, it } from 'vitest';
import { AllowlistValidationError, clip, type EntryProblem, show } from '#lib/allowlist/problems.ts';

const problem = (index: number, value = 'x'): EntryProblem => ({
  index,
  field: 'cidr',
  value,
  message: 'bad',
});

describe('AllowlistValidationError', () => {
  it("names the entry's position and field, the list as a whole, and leaves out an empty value", () => {
    // Act
    const err = new AllowlistValidationError([
      problem(0, '10.0.0.1/8'),
      { index: -1, field: 'entry', value: '', message: 'empty' },
    ]);
    // Assess
    expect(err.message).toBe("allowlist refused: [0].cidr '10.0.0.1/8': bad; list: empty");
    expect(err.name).toBe('AllowlistValidationError');
  });

  it('spells out twenty problems; from the twenty-first on it counts them', () => {
    // Act
    const twenty = new AllowlistValidationError(Array.from({ length: 20 }, (_, i) => problem(i)));
    const twentyTwo = new AllowlistValidationError(Array.from({ length: 22 }, (_, i) => problem(i)));
    // Assess
    expect(twenty.message.endsWith("[19].cidr 'x': bad")).toBe(true);
    expect(twentyTwo.message.endsWith("[19].cidr 'x': bad; and 2 more")).toBe(true);
    expect(twentyTwo.problems).toHaveLength(22);
  });

  it('keeps its cause', () => {
    // Prepare
    const cause = new Error('parse failure');
    // Act
    const err = new AllowlistValidationError([problem(0)], { cause });
    // Assess
    expect(err.cause).toBe(cause);
  });
});

describe('clip and show', () => {
  it('keeps a value of up to 80 characters and cuts a longer one to 80, ending in an ellipsis', () => {
    // Act
    const exact = clip('a'.repeat(80));
    const longer = clip('b'.repeat(81));
    // Assess
    expect(exact).toBe('a'.repeat(80));
    expect(longer).toBe(`${'b'.repeat(79)}…`);
  });

  it('shows a string (clipped) and names the type of anything else', () => {
    // Act
    const shown = [show('c'.repeat(81)), show(''), show(null), show([1]), show({}), show(7), show(undefined)];
    // Assess
    expect(shown).toEqual([`${'c'.repeat(79)}…`, '', 'null', 'array', 'object', 'number', 'undefined']);
  });
});
