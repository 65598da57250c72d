// Cluster selection: which clusters a policy (or an allowlist source) applies to.
import type { ClusterSelector } from './types.ts';

/**
 * What a selector reads of a cluster: the fields of the Console's `Cluster` it matches on. Declared here
 * (the Console client's type satisfies it) so that the config stays below the Console client.
 */
export interface SelectableCluster {
  uuid: string;
  name: string;
  labels?: readonly string[];
  planType?: { name?: string };
  region?: { uuid?: string; name?: string };
  generation?: { name?: string };
}

/**
 * Compiles a glob (`*`, `?`) to an anchored RegExp: case-sensitive for selection, `ignoreCase` for protection
 * (a cluster named `Prod-db` is protected by `prod-*`: protecting too much is the safe mistake).
 */
export function globToRegExp(glob: string, options: { ignoreCase?: boolean } = {}): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, options.ignoreCase ? 'is' : 's');
}

/**
 * Whether a glob matches every non-empty name: it has no literal character, at least one `*` and at most one
 * `?` (`*`, `**`, `?*`, `*?*`). Cluster names are never empty, so each of these is `all` in disguise.
 */
export function globMatchesEveryName(glob: string): boolean {
  return /^\**\??\**$/.test(glob) && glob.includes('*');
}

/**
 * Whether a selector selects every cluster: `all`, or every criterion it has is a name/generation glob list
 * holding a catch-all glob (`{ names: ['*'] }`). Exclusions are not counted: they may not match anything.
 */
export function selectsEveryCluster(selector: ClusterSelector): boolean {
  if (selector.all === true) return true;
  if (!isExplicit(selector)) return false;
  const others = [selector.ids, selector.labels, selector.planTypes, selector.regions];
  if (others.some((list) => (list?.length ?? 0) > 0)) return false;
  const catchAll = (globs: readonly string[] | undefined) =>
    globs === undefined || globs.length === 0 || globs.some(globMatchesEveryName);
  return catchAll(selector.names) && catchAll(selector.generations);
}

const anyGlob = (globs: readonly string[], value: string | undefined) =>
  value !== undefined && globs.some((g) => globToRegExp(g).test(value));

// A field the cluster lacks never matches (not even a '' in the selector).
const includesDefined = (values: readonly string[], value: string | undefined) =>
  value !== undefined && values.includes(value);

/** True when the selector names at least one criterion (an empty selector selects nothing). */
export function isExplicit(selector: ClusterSelector): boolean {
  return Boolean(
    selector.all ||
      selector.ids?.length ||
      selector.names?.length ||
      selector.labels?.length ||
      selector.planTypes?.length ||
      selector.regions?.length ||
      selector.generations?.length,
  );
}

function matchesCriteria(
  cluster: SelectableCluster,
  s: Omit<ClusterSelector, 'exclude' | 'all'>,
  mode: 'all' | 'any',
): boolean {
  const checks: boolean[] = [];
  if (s.ids?.length) checks.push(s.ids.includes(cluster.uuid));
  if (s.names?.length) checks.push(anyGlob(s.names, cluster.name));
  if (s.labels?.length) checks.push((cluster.labels ?? []).some((l) => s.labels?.includes(l)));
  if (s.planTypes?.length) checks.push(includesDefined(s.planTypes, cluster.planType?.name));
  if (s.regions?.length) {
    checks.push(
      includesDefined(s.regions, cluster.region?.name) || includesDefined(s.regions, cluster.region?.uuid),
    );
  }
  if (s.generations?.length) checks.push(anyGlob(s.generations, cluster.generation?.name));
  if (checks.length === 0) return false;
  return mode === 'all' ? checks.every(Boolean) : checks.some(Boolean);
}

/** Whether a cluster is selected: every criterion matches (or `all`), and nothing in `exclude` matches. */
export function matchesSelector(cluster: SelectableCluster, selector: ClusterSelector): boolean {
  const included = selector.all === true || matchesCriteria(cluster, selector, 'all');
  if (!included) return false;
  return !(selector.exclude && matchesCriteria(cluster, selector.exclude, 'any'));
}

/** The clusters a selector picks, narrowed to `onlyIds` when a request names clusters. */
export function selectClusters<C extends SelectableCluster>(
  clusters: readonly C[],
  selector: ClusterSelector,
  onlyIds?: readonly string[],
): C[] {
  return clusters.filter(
    (c) =>
      matchesSelector(c, selector) &&
      (onlyIds === undefined || onlyIds.length === 0 || onlyIds.includes(c.uuid)),
  );
}

/**
 * Whether a selector may pick the cluster called (or with the uuid) `ref`, judged from the reference alone, as
 * the config can before any cluster is listed: `all`, or every criterion that a name or uuid can answer (`ids`,
 * `names`) matches and at least one such criterion exists, and the `exclude` does not rule it out by name or id.
 * Criteria a reference cannot answer (labels, plan, region, generation) are left to the run-time check against
 * the live cluster.
 */
export function mayMatchReference(selector: ClusterSelector, ref: string): boolean {
  const excluded =
    selector.exclude !== undefined &&
    (Boolean(selector.exclude.ids?.includes(ref)) || anyGlob(selector.exclude.names ?? [], ref));
  if (excluded) return false;
  if (selector.all === true) return true;
  const checks: boolean[] = [];
  if (selector.ids?.length) checks.push(selector.ids.includes(ref));
  if (selector.names?.length) checks.push(anyGlob(selector.names, ref));
  return checks.length > 0 && checks.every(Boolean);
}
