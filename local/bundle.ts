// Bundles a TypeScript entry into one ESM file with esbuild, so tests and benchmarks can start many
// cold OS processes quickly (plain `node file.mjs`, no loader). With the functions' own settings
// (infra/bundling/function-bundle.ts: the Lambda-only credential provider included), readable: not minified.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { FUNCTION_BUILD_OPTIONS } from '#infra/bundling/function-bundle.ts';

const cache = new Map<string, Promise<string>>();

export function bundleEntry(entry: string): Promise<string> {
  let out = cache.get(entry);
  if (!out) {
    const dir = mkdtempSync(join(tmpdir(), 'cca-bundle-'));
    const outfile = join(dir, 'entry.mjs');
    out = build({
      ...FUNCTION_BUILD_OPTIONS,
      mainFields: [...FUNCTION_BUILD_OPTIONS.mainFields],
      minify: false,
      sourcemap: false,
      entryPoints: [entry],
      outfile,
      logLevel: 'silent',
    }).then(() => outfile);
    cache.set(entry, out);
  }
  return out;
}
