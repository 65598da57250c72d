// The client must stay cheap to load in a Lambda cold start: bundled on its own it is the client plus
// the parts of zod/mini it uses, not the whole validation library.
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

describe('console client bundle', () => {
  it('bundles to under 64 kB minified (zod/mini tree-shaken, no locales)', async () => {
    // Act
    const result = await build({
      entryPoints: ['lib/console/client.ts'],
      bundle: true,
      minify: true,
      platform: 'node',
      format: 'esm',
      write: false,
      metafile: true,
    });

    // Assess
    const [output] = result.outputFiles;
    const bundled = Object.values(result.metafile.outputs).flatMap((meta) =>
      Object.entries(meta.inputs)
        .filter(([, input]) => input.bytesInOutput > 0)
        .map(([path]) => path),
    );
    expect(bundled.filter((path) => path.includes('zod/v4/locales'))).toEqual([]);
    expect(output?.contents.byteLength).toBeLessThan(64 * 1024);
  }, 60_000);
});
