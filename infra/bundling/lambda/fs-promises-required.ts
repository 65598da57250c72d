// Stands in for `node:fs/promises` in the function bundles only: the `node:fs` alias (./fs-without-streams.ts)
// would otherwise take it over too (esbuild aliases a path and everything below it). It is Node's module, taken
// through `require` (no ES module facade), with the one name the bundles import; any other fails the bundling.
import type * as FsPromises from 'node:fs/promises';
import { requireBuiltin } from './builtin-on-first-use.ts';

export const { readFile } = requireBuiltin('node:fs/promises') as typeof FsPromises;
