// Cluster selectors: which clusters a policy applies to. Unknown keys are refused with the known ones listed
// (a typo must not silently select everything or nothing).
import * as z from 'zod/mini';
import { crossRefine, hasType, isRecord } from './cross-check.ts';
import { bool, list, text } from './primitives.ts';

const CRITERIA = ['ids', 'names', 'labels', 'planTypes', 'regions', 'generations'] as const;

const criteriaShape = () => ({
  ids: z.optional(list(text())),
  names: z.optional(list(text('a name glob'))),
  labels: z.optional(list(text())),
  planTypes: z.optional(list(text())),
  regions: z.optional(list(text())),
  generations: z.optional(list(text('a generation glob'))),
});

const unknownSelectorKey = (known: readonly string[]) => (issue: { code?: string }) =>
  issue.code === 'unrecognized_keys' ? `unknown selector key (known: ${known.join(', ')})` : undefined;

const excludeSchema = () => z.strictObject(criteriaShape(), { error: unknownSelectorKey(CRITERIA) });

/** A criterion counts when it is a non-empty list, or given with a bad value (which is refused on its own). */
const hasCriteria = (s: Record<string, unknown>) =>
  CRITERIA.some((k) => {
    const value = s[k];
    return Array.isArray(value) ? value.length > 0 : value !== undefined;
  });

/**
 * `isExplicit` for a selector that may hold refused settings: a selector that is not an object, or a criterion
 * or `all` with a bad value, counts as naming clusters, so its refusal is not joined by a misleading "selects
 * none". On a valid selector it equals `isExplicit`.
 */
export function namesClusters(selector: unknown): boolean {
  if (!isRecord(selector)) return true;
  const all = selector.all;
  return all === true || (all !== undefined && typeof all !== 'boolean') || hasCriteria(selector);
}

export const selectorSchema = () =>
  z
    .strictObject(
      { ...criteriaShape(), all: z.optional(bool()), exclude: z.optional(excludeSchema()) },
      { error: unknownSelectorKey([...CRITERIA, 'all', 'exclude']) },
    )
    .check(
      crossRefine((s, ctx) => {
        if (hasType(ctx, 'all') && s.all === true && hasCriteria(s)) {
          ctx.addIssue({
            code: 'custom',
            path: ['all'],
            message:
              'all: true selects every cluster, so the other criteria would be ignored: drop one or the other',
          });
        }
      }),
    );
