// Stands in for `node:fs` in the function bundles only (an esbuild alias, see ../function-bundle.ts). Importing
// `node:fs` as an ES module builds a facade that reads every export, and reading `ReadStream` loads Node's file
// streams at every cold start. The bundles import `fstatSync`, `lstatSync` and an `instanceof ReadStream` check
// on a request body (the SDK) and `readFileSync` (the config loader, linked though tree-shaken away); these are
// taken through `require`, and the check loads the class on first use. Any other name imported from `node:fs`
// fails the bundling.
import type * as Fs from 'node:fs';
import { instanceCheck, requireBuiltin } from './builtin-on-first-use.ts';

const fs = requireBuiltin('node:fs') as typeof Fs;

export const { fstatSync, lstatSync, readFileSync } = fs;

/** `instanceof ReadStream` against Node's class, loaded when first asked. */
export const ReadStream = instanceCheck(() => fs.ReadStream);
