// What the allowlist unit tests share: the rules they start from, compact entry lists, and the problems a
// refused list names.
import { expect } from 'vitest';
import {
  type AllowlistEntry,
  type AllowlistRules,
  AllowlistValidationError,
  type EntryProblem,
  normalizeEntries,
} from '#lib/allowlist/entries.ts';

/** No catch-all, no empty list, at most 10 entries with descriptions of at most 40 characters. */
export const RULES: AllowlistRules = {
  allowCatchAll: false,
  allowEmpty: false,
  maxEntries: 10,
  maxDescriptionLength: 40,
};

/** Allowlist entries from `[cidr, description]` pairs, in the order given. */
export function entriesOf(...pairs: Array<[cidr: string, description: string]>): AllowlistEntry[] {
  return pairs.map(([cidr, description]) => ({ cidr, description }));
}

/** The problems `normalizeEntries` refuses the input with (fails the test when it accepts it). */
export function problemsOf(input: unknown, rules: AllowlistRules = RULES): EntryProblem[] {
  try {
    normalizeEntries(input, rules);
  } catch (error) {
    expect(error).toBeInstanceOf(AllowlistValidationError);
    return (error as AllowlistValidationError).problems;
  }
  throw new Error('expected the list to be refused');
}
