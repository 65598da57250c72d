// What the allowlist unit tests share: the rules they start from, and compact entry lists.
import type { AllowlistEntry, AllowlistRules } from '#lib/allowlist/entries.ts';

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
