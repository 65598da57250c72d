// Builds a function's bundle in memory as the stack deploys it: the shared esbuild settings
// (infra/bundling/function-bundle.ts, minified) and the resolved config file inlined as the stack inlines it.
// The size and the contents are deterministic for a given lock file, so tests may pin them.
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { FUNCTION_BUILD_OPTIONS } from '#infra/bundling/function-bundle.ts';
import { inlinedConfigDefine } from '#lib/config/inlined.ts';
import { resolveConfig } from '#lib/config/load.ts';
import { configFile } from './harness.ts';

export interface BuiltBundle {
  /** Bytes of the `.mjs` file (the source map, a separate file, not counted). */
  bytes: number;
  /** The modules with code in it, as paths relative to the repository (not those tree-shaken away). */
  inputs: string[];
}

/** Every function of the repository (the folders of functions/, each with its handler.ts). */
export const FUNCTIONS = readdirSync('functions', { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

export async function bundleAsDeployed(job: string): Promise<BuiltBundle> {
  const config = resolveConfig(configFile);
  const result = await build({
    ...FUNCTION_BUILD_OPTIONS,
    mainFields: [...FUNCTION_BUILD_OPTIONS.mainFields],
    entryPoints: [`functions/${job}/handler.ts`],
    outfile: join(tmpdir(), `unused-${job}.mjs`),
    define: inlinedConfigDefine(config),
    write: false,
    metafile: true,
    logLevel: 'error',
  });
  const code = result.outputFiles.find((file) => file.path.endsWith('.mjs'));
  if (!code) throw new Error(`esbuild wrote no .mjs for ${job}`);
  const output = Object.values(result.metafile.outputs).find((entry) => entry.entryPoint !== undefined);
  if (!output) throw new Error(`esbuild's metafile has no output for ${job}`);
  const inputs = Object.entries(output.inputs).filter(([, input]) => input.bytesInOutput > 0);
  return { bytes: code.contents.byteLength, inputs: inputs.map(([path]) => path) };
}
