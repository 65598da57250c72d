// What a cluster's IP allowlist should be: the policy's static entries plus every stored source whose
// declaration applies to the cluster, validated and canonical. A list that cannot be built correctly is
// refused whole (AllowlistValidationError): a sync never writes a half-built or empty list.

import {
  type AllowlistEntry,
  type AllowlistRules,
  AllowlistValidationError,
  normalizeEntries,
} from '#lib/allowlist/entries.ts';
import { matchesSelector } from '#lib/config/selector.ts';
import type { AllowlistPolicy } from '#lib/config/types.ts';
import type { Cluster } from '#lib/console/client.ts';
import type { AllowlistSource } from '#lib/jobs/ports.ts';
import { type Log, silentLog } from '#lib/log/log.ts';

/** The policy's rules for a whole cluster list (empty refused unless `allowEmpty`, `maxEntries` in total). */
export function rulesFor(policy: AllowlistPolicy): AllowlistRules {
  return {
    allowCatchAll: policy.allowCatchAll,
    allowEmpty: policy.allowEmpty,
    maxEntries: policy.maxEntries,
    maxDescriptionLength: policy.maxDescriptionLength,
    ...(policy.maxBreadth ? { maxBreadth: policy.maxBreadth } : {}),
  };
}

/**
 * The rules for one part of a list (the static entries, or one source): the policy's, with the source's
 * own `maxEntries` when it declares one. A part may be empty; only the combined list must not be.
 */
export function partRulesFor(policy: AllowlistPolicy, source?: string): AllowlistRules {
  const declared = source === undefined ? undefined : declaredSource(policy, source);
  return { ...rulesFor(policy), allowEmpty: true, maxEntries: declared?.maxEntries ?? policy.maxEntries };
}

/** The policy's declaration of a source; `undefined` when the policy does not declare it. */
export function declaredSource(
  policy: AllowlistPolicy,
  name: string,
): AllowlistPolicy['sources'][string] | undefined {
  // Object.hasOwn: a source called 'constructor' or '__proto__' is not declared by the prototype.
  return Object.hasOwn(policy.sources, name) ? policy.sources[name] : undefined;
}

/** Whether a declared source applies to a cluster: its selector matches, or it has none (every synced cluster). */
export function sourceApplies(cluster: Cluster, policy: AllowlistPolicy, name: string): boolean {
  const declared = declaredSource(policy, name);
  if (declared === undefined) return false;
  return declared.selector === undefined || matchesSelector(cluster, declared.selector);
}

/** Validates one part on its own, so that a problem names where it came from. */
function normalizePart(entries: unknown, rules: AllowlistRules, origin: string): AllowlistEntry[] {
  try {
    return normalizeEntries(entries, rules);
  } catch (error) {
    if (!(error instanceof AllowlistValidationError)) throw error;
    throw new AllowlistValidationError(
      error.problems.map((p) => ({ ...p, message: `${p.message} (in ${origin})` })),
      { cause: error },
    );
  }
}

/**
 * The allowlist `cluster` should carry: `policy.static`, then every stored source declared in the policy
 * whose selector (`policy.sources[name].selector`, not the copy stored with the source) matches the
 * cluster, in source-name order. Sources the policy does not declare are ignored (warned on `log`).
 * Each part is checked with the policy's rules (a source also against its own `maxEntries`), then the
 * whole list: duplicates merged, sorted, empty refused unless `allowEmpty`, at most `maxEntries`.
 *
 * @throws AllowlistValidationError naming every problem and the part it is in; nothing must be written.
 */
export function desiredFor(
  cluster: Cluster,
  policy: AllowlistPolicy,
  sources: AllowlistSource[],
  log: Log = silentLog,
): AllowlistEntry[] {
  const parts: AllowlistEntry[] = [...normalizePart(policy.static, partRulesFor(policy), 'static entries')];
  const ordered = [...sources].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const source of ordered) {
    if (declaredSource(policy, source.name) === undefined) {
      log.warn('allowlist source not declared in the policy, ignored', { source: source.name });
      continue;
    }
    if (!sourceApplies(cluster, policy, source.name)) continue;
    parts.push(
      ...normalizePart(source.entries, partRulesFor(policy, source.name), `source '${source.name}'`),
    );
  }
  return normalizePart(parts, rulesFor(policy), `the list for cluster '${cluster.name}'`);
}
