// The exact problem records of a refused list (position, field, value, message), since an operator reads
// them to fix the list: entries that are not objects, unknown keys, an empty or over-long list, a
// description with a control character; and how merged descriptions are cut at the limit.
import { describe, expect, it } from 'vitest';
import { normalizeEntries } from '#lib/allowlist/entries.ts';
import { problemsOf, RULES } from '#test/unit/allowlist/fixtures.ts';

describe('problem records', () => {
  it('an entry that is not an object, and one with unknown keys', () => {
    // Act
    const problems = problemsOf(['text', { cidr: '10.0.0.0/8', description: 'office', note: 1, owner: 'x' }]);
    // Assess
    expect(problems).toEqual([
      { index: 0, field: 'entry', value: 'text', message: 'must be an object { cidr, description }' },
      {
        index: 1,
        field: 'entry',
        value: 'note, owner',
        message: 'unknown key(s): an entry has only cidr and description',
      },
    ]);
  });

  it('the list as a whole: empty, or more entries than allowed', () => {
    // Act
    const empty = problemsOf([]);
    const many = problemsOf(
      ['10.0.0.1', '10.0.0.2', '10.0.0.3'].map((cidr) => ({ cidr, description: 'host' })),
      { ...RULES, maxEntries: 2 },
    );
    // Assess
    expect(empty).toEqual([
      {
        index: -1,
        field: 'entry',
        value: '',
        message:
          'empty: an empty allowlist removes the allowlist and opens the cluster to every address (refused unless allowEmpty is set)',
      },
    ]);
    expect(many).toEqual([
      {
        index: -1,
        field: 'entry',
        value: '',
        message: '3 entries (after merging duplicates) exceed maxEntries 2',
      },
    ]);
  });

  it('a description with a control character is shown escaped, without quotes', () => {
    // Act
    const [problem] = problemsOf([{ cidr: '10.0.0.0/8', description: 'office\u0007bell' }]);
    // Assess
    expect(problem).toMatchObject({ index: 0, field: 'description', value: 'office\\u0007bell' });
  });
});

describe('merged descriptions at the limit', () => {
  const merged = (max: number, descriptions: string[]) =>
    normalizeEntries(
      descriptions.map((description) => ({ cidr: '10.0.0.0/8', description })),
      { ...RULES, maxDescriptionLength: max },
    )[0]?.description;

  it('are kept whole when they fit exactly, cut with an ellipsis when one character longer', () => {
    // Act
    const fits = merged(6, ['ab', 'cd']);
    const cut = merged(5, ['ab', 'cd']);
    // Assess
    expect(fits).toBe('ab; cd');
    expect(cut).toBe('ab; …');
  });

  it('with a limit of one character, are cut without an ellipsis', () => {
    expect(merged(1, ['a', 'b'])).toBe('a');
  });
});
