// The unsafe-text rule against an independent oracle (Unicode property classes with the `u` flag, lone
// surrogates by \p{Cs}), and its position/label reporting.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertSafeText, findUnsafeCharacter, UnsafeTextError, unsafeTextProblem } from '#lib/text/unsafe.ts';
import { propertyParams } from '#test/helpers/property.ts';

const ORACLE =
  /[\p{Cc}\u061C\u180E\u200B-\u200F\u2028\u2029\u202A-\u202E\u2060\u2066-\u2069\uFEFF\u{E0000}-\u{E007F}]/u;
const unsafeOracle = (c: string) => ORACLE.test(c) || /\p{Cs}/u.test(c);

/** The first unsafe character by the oracle: [1-based position, code point]. */
function oracle(text: string): [number, number] | undefined {
  const chars = Array.from(text);
  const i = chars.findIndex(unsafeOracle);
  return i < 0 ? undefined : [i + 1, chars[i]?.codePointAt(0) ?? -1];
}

const UNSAFE = [
  0x00, 0x07, 0x09, 0x0a, 0x0d, 0x1b, 0x7f, 0x85, 0x9f, 0x061c, 0x180e, 0x200b, 0x200c, 0x200d, 0x200e,
  0x200f, 0x2028, 0x2029, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2060, 0x2066, 0x2067, 0x2068, 0x2069,
  0xfeff, 0xe0001, 0xe0041, 0xe007f,
];

describe('unsafe text', () => {
  it('names the code point and its position (bidi override, control, zero-width, lone surrogate)', () => {
    expect(unsafeTextProblem('abc\u202Edef')).toBe('contains U+202E (RIGHT-TO-LEFT OVERRIDE) at position 4');
    expect(unsafeTextProblem('line\nbreak')).toBe('contains U+000A (LINE FEED) at position 5');
    expect(unsafeTextProblem('x\u200By')).toBe('contains U+200B (ZERO WIDTH SPACE) at position 2');
    expect(unsafeTextProblem('\u2066rtl\u2069')).toMatch(/U\+2066 \(LEFT-TO-RIGHT ISOLATE\) at position 1/);
    expect(unsafeTextProblem('a\u0085')).toBe('contains U+0085 (a control character) at position 2');
    // An emoji (surrogate pair) is one character; a lone surrogate is refused.
    expect(unsafeTextProblem('😀\uD800')).toBe('contains U+D800 (an unpaired surrogate) at position 2');
    expect(unsafeTextProblem('😀 Zürich office, 東京 (ok)')).toBeUndefined();
    // Tag characters hide text ("ASCII smuggling").
    expect(unsafeTextProblem('ok\u{E0041}')).toMatch(/U\+E0041 \(an invisible tag character\) at position 3/);
    for (const cp of UNSAFE) expect(findUnsafeCharacter(`a${String.fromCodePoint(cp)}`)?.codePoint).toBe(cp);
  });

  it('throws an UnsafeTextError naming the field', () => {
    expect(() => assertSafeText('payload.reason', 'ok\u202E')).toThrow(UnsafeTextError);
    expect(() => assertSafeText('payload.reason', 'ok\u202E')).toThrow(
      'payload.reason: contains U+202E (RIGHT-TO-LEFT OVERRIDE) at position 3',
    );
    expect(() => assertSafeText('payload.reason', 'fine')).not.toThrow();
  });

  it('agrees with the oracle on random text (property)', { timeout: 120_000 }, () => {
    const unit = fc.oneof(
      { weight: 8, arbitrary: fc.string({ unit: 'grapheme', maxLength: 3 }) },
      { weight: 2, arbitrary: fc.constantFrom(...UNSAFE.map((cp) => String.fromCodePoint(cp))) },
      { weight: 1, arbitrary: fc.constantFrom('\uD800', '\uDFFF', '\uDBFF', '\uDC00') },
      { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 3 }) },
    );
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 12 }), (parts) => {
        const text = parts.join('');
        const found = findUnsafeCharacter(text);
        const expected = oracle(text);
        expect(found ? [found.position, found.codePoint] : undefined, JSON.stringify(text)).toEqual(expected);
      }),
      propertyParams(3000, [[['\uD800', '\uDC00']], [['\uDBFF']], [['a', '\u202E']]]),
    );
  });
});
