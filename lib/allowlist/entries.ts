// IP allowlist entries: validation, canonical form, and conversion from/to the Console's list.
//
// The Console's `PUT /clusters/{uuid}/ipallowlist` is a full replace and an empty list removes the allowlist
// (opening the cluster to every address), so a list is checked as a whole and refused whole when any entry is
// bad: a half-applied list is never better than the one in place.
import { type BreadthLimit, breadthProblems } from '#lib/allowlist/breadth.ts';
import { compareParsed, type ParsedCidr, parseCidr } from '#lib/allowlist/cidr.ts';
import { AllowlistValidationError, clip, type EntryProblem, show } from '#lib/allowlist/problems.ts';
import { unsafeTextProblem } from '#lib/text/unsafe.ts';

export {
  type AddressRange,
  type BreadthLimit,
  breadthProblems,
  DEFAULT_MAX_BREADTH,
  measureBreadth,
  unionSize,
} from '#lib/allowlist/breadth.ts';
export { AllowlistValidationError, type EntryProblem } from '#lib/allowlist/problems.ts';

export interface AllowlistRules {
  /** Accept a `/0` (0.0.0.0/0, ::/0: the whole internet). */
  allowCatchAll: boolean;
  /** Accept an empty list (which removes the allowlist and opens the cluster to everyone). */
  allowEmpty: boolean;
  /** Most entries (after duplicates are merged). */
  maxEntries: number;
  maxDescriptionLength: number;
  /**
   * The most addresses a list may admit, per address family, as the size of one network of this prefix
   * length (`ipv4PrefixLength: 8`: at most 2^24 IPv4 addresses in total). Counted after merging overlaps, with
   * IPv6 ranges that translate to IPv4 (IPv4-mapped, IPv4-compatible, NAT64, 6to4, Teredo) counted as the IPv4
   * addresses they reach. 0 = no limit (a list admitting every address of a family is still refused). Not applied with `allowCatchAll`. Default {@link DEFAULT_MAX_BREADTH}.
   */
  maxBreadth?: BreadthLimit;
}

/** Canonical: network address + prefix, e.g. `10.0.0.0/8`, `2001:db8::/32`; single addresses as /32 or /128. */
export interface AllowlistEntry {
  cidr: string;
  description: string;
}

/** Sort order of canonical entries: IPv4 before IPv6, then by network address, then by prefix length. */
function compareEntries(a: AllowlistEntry, b: AllowlistEntry): number {
  const pa = parseCidr(a.cidr);
  const pb = parseCidr(b.cidr);
  if (pa.ok && pb.ok) return compareParsed(pa.value, pb.value);
  if (pa.ok !== pb.ok) return pa.ok ? -1 : 1;
  return a.cidr < b.cidr ? -1 : a.cidr > b.cidr ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------------------------
// Merging duplicates

/** Joins distinct descriptions with '; ', cut to `max` characters (ending in '…' when cut). */
function joinDescriptions(descriptions: readonly string[], max: number): string {
  const joined = [...new Set(descriptions)].join('; ');
  if (joined.length <= max) return joined;
  return max <= 1 ? joined.slice(0, max) : `${joined.slice(0, max - 1)}…`;
}

interface Collected {
  parsed: ParsedCidr;
  descriptions: string[];
}

function collect(into: Map<string, Collected>, parsed: ParsedCidr, description: string): void {
  const existing = into.get(parsed.cidr);
  if (existing) existing.descriptions.push(description);
  else into.set(parsed.cidr, { parsed, descriptions: [description] });
}

function finish(collected: Map<string, Collected>, maxDescriptionLength: number): AllowlistEntry[] {
  return [...collected.values()]
    .sort((a, b) => compareParsed(a.parsed, b.parsed))
    .map((c) => ({
      cidr: c.parsed.cidr,
      description: joinDescriptions(c.descriptions, maxDescriptionLength),
    }));
}

// ---------------------------------------------------------------------------------------------------------------
// Public API

const ENTRY_KEYS = new Set(['cidr', 'description']);

/**
 * Validates a whole allowlist (unknown input: an array of `{ cidr, description }` strings) into canonical,
 * sorted, duplicate-free entries. Any bad entry refuses the whole list with an {@link AllowlistValidationError}
 * naming every problem. Duplicates (same canonical CIDR) are merged, their distinct descriptions joined '; '
 * (cut to `maxDescriptionLength`). Descriptions are trimmed.
 */
export function normalizeEntries(entries: unknown, rules: AllowlistRules): AllowlistEntry[] {
  if (!Array.isArray(entries)) {
    throw new AllowlistValidationError([
      {
        index: -1,
        field: 'entry',
        value: show(entries),
        message: 'must be an array of { cidr, description }',
      },
    ]);
  }
  const problems: EntryProblem[] = [];
  const collected = new Map<string, Collected>();

  entries.forEach((entry: unknown, index) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      problems.push({
        index,
        field: 'entry',
        value: show(entry),
        message: 'must be an object { cidr, description }',
      });
      return;
    }
    const record = entry as Record<string, unknown>;
    const unknownKeys = Object.keys(record).filter((k) => !ENTRY_KEYS.has(k));
    if (unknownKeys.length > 0) {
      problems.push({
        index,
        field: 'entry',
        value: clip(unknownKeys.join(', ')),
        message: 'unknown key(s): an entry has only cidr and description',
      });
    }

    const description = checkDescription(record.description, rules.maxDescriptionLength);
    if (typeof description !== 'string') problems.push({ index, field: 'description', ...description });

    const cidr = record.cidr;
    if (typeof cidr !== 'string') {
      problems.push({ index, field: 'cidr', value: show(cidr), message: 'must be a string' });
      return;
    }
    const parsed = parseCidr(cidr);
    if (!parsed.ok) {
      problems.push({ index, field: 'cidr', value: clip(cidr), message: parsed.message });
      return;
    }
    if (parsed.value.hostBitsSet) {
      problems.push({
        index,
        field: 'cidr',
        value: clip(cidr),
        message: `host bits set beyond the /${parsed.value.prefix} prefix (did you mean ${parsed.value.cidr}?)`,
      });
      return;
    }
    if (parsed.value.prefix === 0 && !rules.allowCatchAll) {
      problems.push({
        index,
        field: 'cidr',
        value: clip(cidr),
        message: `${parsed.value.cidr} admits the whole internet (refused unless allowCatchAll is set)`,
      });
      return;
    }
    // Stryker disable next-line ConditionalExpression: equivalent; a bad description already recorded a problem, so the list is refused before anything collected is used
    if (typeof description === 'string') collect(collected, parsed.value, description);
  });

  if (problems.length === 0) {
    problems.push(
      ...breadthProblems(
        [...collected.values()].map((c) => c.parsed),
        rules,
      ),
    );
  }
  if (problems.length === 0) {
    if (collected.size === 0 && !rules.allowEmpty) {
      problems.push({
        index: -1,
        field: 'entry',
        value: '',
        message:
          'empty: an empty allowlist removes the allowlist and opens the cluster to every address (refused unless allowEmpty is set)',
      });
    } else if (collected.size > rules.maxEntries) {
      problems.push({
        index: -1,
        field: 'entry',
        value: '',
        message: `${collected.size} entries (after merging duplicates) exceed maxEntries ${rules.maxEntries}`,
      });
    }
  }
  if (problems.length > 0) throw new AllowlistValidationError(problems);
  return finish(collected, rules.maxDescriptionLength);
}

function checkDescription(value: unknown, max: number): string | { value: string; message: string } {
  if (typeof value !== 'string') return { value: show(value), message: 'must be a string' };
  const trimmed = value.trim();
  if (trimmed.length === 0) return { value: '', message: 'must not be empty (say whose address this is)' };
  if (trimmed.length > max) {
    return { value: clip(trimmed), message: `longer than ${max} characters (${trimmed.length})` };
  }
  // Control, bidi and invisible characters: a description is shown in the Console and in run summaries.
  const unsafe = unsafeTextProblem(trimmed);
  if (unsafe !== undefined) return { value: clip(JSON.stringify(trimmed).slice(1, -1)), message: unsafe };
  return trimmed;
}

/**
 * Reads the Console's current list. Each `ip` may be a comma-separated list of CIDRs/addresses: split, trimmed
 * and canonicalised (host bits beyond the prefix are dropped, as the network would); duplicates merged as in
 * {@link normalizeEntries} (descriptions are not cut). What cannot be parsed is kept, verbatim, in `unparsed`
 * — a sync that would overwrite a list it could not read should say so.
 */
export function fromConsoleList(list: ReadonlyArray<{ ip: string; description: string }>): {
  entries: AllowlistEntry[];
  unparsed: string[];
} {
  const collected = new Map<string, Collected>();
  const unparsed: string[] = [];
  for (const item of list) {
    const description = typeof item.description === 'string' ? item.description.trim() : '';
    const ips = typeof item.ip === 'string' ? item.ip.split(',') : [String(item.ip)];
    for (const raw of ips) {
      const part = raw.trim();
      if (part === '') continue;
      const parsed = parseCidr(part);
      if (parsed.ok) collect(collected, parsed.value, description);
      else unparsed.push(part);
    }
  }
  return { entries: finish(collected, Number.POSITIVE_INFINITY), unparsed };
}

/** The Console's request shape: one `{ ip, description }` per entry, `ip` the canonical CIDR. */
export function toConsoleList(
  entries: readonly AllowlistEntry[],
): Array<{ ip: string; description: string }> {
  return entries.map((e) => ({ ip: e.cidr, description: e.description }));
}

/**
 * What turns `current` into `desired` (both canonical, as returned by {@link normalizeEntries} or
 * {@link fromConsoleList}): entries to add, to remove, and those whose description changes (with the desired
 * description). `equal` when there is nothing to do. Each list is sorted.
 */
export function diffEntries(
  current: readonly AllowlistEntry[],
  desired: readonly AllowlistEntry[],
): {
  added: AllowlistEntry[];
  removed: AllowlistEntry[];
  changedDescription: AllowlistEntry[];
  equal: boolean;
} {
  const currentByCidr = new Map(current.map((e) => [e.cidr, e]));
  const desiredByCidr = new Map(desired.map((e) => [e.cidr, e]));
  const added = desired.filter((e) => !currentByCidr.has(e.cidr));
  const removed = current.filter((e) => !desiredByCidr.has(e.cidr));
  const changedDescription = desired.filter((e) => {
    const before = currentByCidr.get(e.cidr);
    return before !== undefined && before.description !== e.description;
  });
  const copy = (list: AllowlistEntry[]) => list.map((e) => ({ ...e })).sort(compareEntries);
  return {
    added: copy(added),
    removed: copy(removed),
    changedDescription: copy(changedDescription),
    equal: added.length === 0 && removed.length === 0 && changedDescription.length === 0,
  };
}
