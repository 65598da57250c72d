// Characters refused in every free-text field that reaches a Console write, a notice, an event or a log line
// (descriptions, reasons, names): they make text read differently from what it is (bidi overrides: "Trojan
// Source"), hide content (zero-width and tag characters), or break one-line output (control characters,
// line separators). One rule for config validation, request parsing and the jobs.

/** Named unsafe characters (the rest of a range is named by its range). */
const NAMES: Record<number, string> = {
  9: 'CHARACTER TABULATION',
  10: 'LINE FEED',
  13: 'CARRIAGE RETURN',
  127: 'DELETE',
  1564: 'ARABIC LETTER MARK',
  6158: 'MONGOLIAN VOWEL SEPARATOR',
  8203: 'ZERO WIDTH SPACE',
  8204: 'ZERO WIDTH NON-JOINER',
  8205: 'ZERO WIDTH JOINER',
  8206: 'LEFT-TO-RIGHT MARK',
  8207: 'RIGHT-TO-LEFT MARK',
  8232: 'LINE SEPARATOR',
  8233: 'PARAGRAPH SEPARATOR',
  8234: 'LEFT-TO-RIGHT EMBEDDING',
  8235: 'RIGHT-TO-LEFT EMBEDDING',
  8236: 'POP DIRECTIONAL FORMATTING',
  8237: 'LEFT-TO-RIGHT OVERRIDE',
  8238: 'RIGHT-TO-LEFT OVERRIDE',
  8288: 'WORD JOINER',
  8294: 'LEFT-TO-RIGHT ISOLATE',
  8295: 'RIGHT-TO-LEFT ISOLATE',
  8296: 'FIRST STRONG ISOLATE',
  8297: 'POP DIRECTIONAL ISOLATE',
  65279: 'ZERO WIDTH NO-BREAK SPACE',
};

/** The kind of an unsafe code point, or undefined when it is safe. */
function unsafeKind(cp: number): string | undefined {
  if (cp <= 0x1f || (cp >= 0x7f && cp <= 0x9f)) return 'a control character';
  if (cp === 0x061c || cp === 0x200e || cp === 0x200f || (cp >= 0x202a && cp <= 0x202e))
    return 'a bidi control';
  if (cp >= 0x2066 && cp <= 0x2069) return 'a bidi control';
  if ((cp >= 0x200b && cp <= 0x200d) || cp === 0xfeff || cp === 0x2060 || cp === 0x180e) return 'invisible';
  if (cp === 0x2028 || cp === 0x2029) return 'a line break';
  if (cp >= 0xe0000 && cp <= 0xe007f) return 'an invisible tag character';
  if (cp >= 0xd800 && cp <= 0xdfff) return 'an unpaired surrogate';
  return undefined;
}

export interface UnsafeCharacter {
  /** The code point, e.g. 0x202e. */
  codePoint: number;
  /** `U+202E (RIGHT-TO-LEFT OVERRIDE)`. */
  label: string;
  /** 1-based position among the text's characters (code points). */
  position: number;
}

const hex = (cp: number) => `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;

/** The first unsafe character of `text`, or undefined when there is none. */
export function findUnsafeCharacter(text: string): UnsafeCharacter | undefined {
  let position = 0;
  for (let i = 0; i < text.length; i++) {
    position++;
    const unit = text.charCodeAt(i);
    let cp = unit;
    // A well-formed surrogate pair is one (astral) character; a lone surrogate stays itself.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        cp = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    const kind = unsafeKind(cp);
    if (kind !== undefined) {
      const name = NAMES[cp] ?? kind;
      return { codePoint: cp, label: `${hex(cp)} (${name})`, position };
    }
  }
  return undefined;
}

/** `contains U+202E (RIGHT-TO-LEFT OVERRIDE) at position 4`, or undefined when `text` is safe. */
export function unsafeTextProblem(text: string): string | undefined {
  const found = findUnsafeCharacter(text);
  return found && `contains ${found.label} at position ${found.position}`;
}

/** Error for a field with an unsafe character: `payload.reason: contains U+202E (…) at position 4`. */
export class UnsafeTextError extends Error {
  override readonly name = 'UnsafeTextError';
  readonly field: string;

  constructor(field: string, problem: string, options: { cause?: unknown } = {}) {
    super(`${field}: ${problem}`, options);
    this.field = field;
  }
}

/** Throws an {@link UnsafeTextError} naming `field` when `text` holds an unsafe character. */
export function assertSafeText(field: string, text: string): void {
  const problem = unsafeTextProblem(text);
  if (problem !== undefined) throw new UnsafeTextError(field, problem);
}
