// Stands in for `node:fs` in the function bundles only (an esbuild alias, see ../function-bundle.ts). Importing
// `node:fs` as an ES module builds a facade that reads every export, and reading `ReadStream` loads Node's file
// streams at every cold start. Only the SDK imports `node:fs` here, for `fstatSync`, `lstatSync` and an
// `instanceof ReadStream` check on a request body; these are taken through `require`, which builds no facade, and
// the check loads the class on first use. Any other name imported from `node:fs` fails the bundling.

import type * as Fs from 'node:fs';
import { createRequire } from 'node:module';

const fs = createRequire(import.meta.url)('node:fs') as typeof Fs;

export const { fstatSync, lstatSync, readFileSync } = fs;

/** `instanceof ReadStream` against Node's class, loaded when first asked. */
export const ReadStream = {
  [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof fs.ReadStream;
  },
};
