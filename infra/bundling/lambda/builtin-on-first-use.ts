// What the built-in stand-ins of this folder share: Node's module through `require`, and an `instanceof` check
// against a class of it that is loaded only when first asked.
import { createRequire } from 'node:module';

/**
 * A built-in through `require`, which builds no ES module facade. The call is computed, so esbuild leaves it
 * alone (a plain `require('node:fs')` would be aliased back to the stand-in that makes it).
 */
export const requireBuiltin: (name: string) => unknown = createRequire(import.meta.url);

/** Stands in for a class that a bundled module only tests `instanceof` against: loads it on the first test. */
export function instanceCheck(classOf: () => abstract new (...args: never[]) => unknown): {
  [Symbol.hasInstance](value: unknown): boolean;
} {
  return { [Symbol.hasInstance]: (value: unknown) => value instanceof classOf() };
}
