// Cross-setting checks.
//
// zod skips an object's refinements once one of its settings is invalid, so a ConfigError would name the broken
// setting but not, say, the empty selector next to it — that would show up only after the first fix. Every
// check across settings therefore runs with `crossCheck` (as long as the section is an object at all) and
// reads only what it can trust: a setting zod could not give its type (`hasType`) is skipped, a selector is
// looked at defensively (`namesClusters`). The checks never fire on a setting that is itself refused in a
// way that leaves its meaning unknown, so they add no misleading issues.
import * as z from 'zod/mini';

type Payload = z.core.ParsePayload;

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Options of a section's cross-setting refinement: it runs despite other issues when the section is an object. */
export const crossCheck = { when: (payload: Payload) => isRecord(payload.value) } as const;

/** A cross-setting refinement of a section (see above). */
export const crossRefine = <T>(fn: (value: T, ctx: z.core.$RefinementCtx<T>) => void) =>
  z.superRefine<T>(fn, crossCheck);

const overlaps = (a: readonly PropertyKey[], b: readonly PropertyKey[]) =>
  a.every((key, i) => i >= b.length || key === b[i]);

/**
 * True when the setting at `path` (relative to the object being refined) has its type: no issue that stops zod
 * (wrong type, unknown enum value, …) sits at it, inside it or on the way to it. A setting with only a
 * non-aborting issue (out of range, bad expression) has its type and counts, as in zod's own refinements.
 */
export function hasType(ctx: Payload, ...path: PropertyKey[]): boolean {
  return !ctx.issues.some((i) => i.continue !== true && overlaps(i.path ?? [], path));
}

/** True when the setting at `path` has no issue at all (a limit that is itself refused is not applied). */
export function isValid(ctx: Payload, ...path: PropertyKey[]): boolean {
  return !ctx.issues.some((i) => i.code !== 'unrecognized_keys' && overlaps(i.path ?? [], path));
}
