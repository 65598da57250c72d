// The allowlist rules the unit tests of lib/allowlist start from, and the problems a refused list names.
import { expect } from 'vitest';
import {
  type AllowlistRules,
  AllowlistValidationError,
  type EntryProblem,
  normalizeEntries,
} from '#lib/allowlist/entries.ts';

export const rules: AllowlistRules = {
  allowCatchAll: false,
  allowEmpty: false,
  maxEntries: 10,
  maxDescriptionLength: 40,
};

/** The problems `normalizeEntries` refuses the input with (fails the test when it accepts it). */
export function problemsOf(input: unknown, r: AllowlistRules = rules): EntryProblem[] {
  try {
    normalizeEntries(input, r);
  } catch (error) {
    expect(error).toBeInstanceOf(AllowlistValidationError);
    return (error as AllowlistValidationError).problems;
  }
  throw new Error('expected the list to be refused');
}
