// Bundles a TypeScript entry into one ESM file with esbuild, so tests and benchmarks can start many
// cold OS processes quickly (plain `node file.mjs`, no loader).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

const cache = new Map<string, Promise<string>>();

export function bundleEntry(entry: string): Promise<string> {
  let out = cache.get(entry);
  if (!out) {
    const dir = mkdtempSync(join(tmpdir(), 'cca-bundle-'));
    const outfile = join(dir, 'entry.mjs');
    out = build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'silent',
      banner: {
        js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
      },
    }).then(() => outfile);
    cache.set(entry, out);
  }
  return out;
}
