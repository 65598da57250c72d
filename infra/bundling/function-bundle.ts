// How every function is bundled, in one place: the CDK construct (infra/constructs/automation-function.ts)
// turns these settings into NodejsFunction bundling props, and the cold-start benchmark and the tests that
// run bundled workers give them to esbuild's API, so what is measured is what is deployed.
// No aws-cdk-lib import here: the benchmark and tests load this module on their own.
import { fileURLToPath } from 'node:url';

/** esbuild's target for the runtime the functions run on (FUNCTION_RUNTIME, Node 24; a test checks both). */
export const FUNCTION_TARGET = 'node24';

/** CommonJS dependencies inside an ESM bundle still call require() for Node built-ins. */
export const REQUIRE_BANNER =
  "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);";

/**
 * Packages replaced by a small module in the function bundles only (esbuild `alias`; absolute paths, so the
 * working directory does not matter). The AWS SDK itself stays bundled at the version the tests ran with.
 */
export const FUNCTION_ALIASES: Readonly<Record<string, string>> = {
  '@aws-sdk/credential-provider-node': fileURLToPath(
    new URL('./lambda/credentials-from-env.ts', import.meta.url),
  ),
  '@smithy/core/event-streams': fileURLToPath(new URL('./lambda/no-event-streams.ts', import.meta.url)),
  // Pure-JavaScript code for what Node's built-ins do (standardwebhooks' crypto, the SDK's endpoint cache).
  'fast-sha256': fileURLToPath(new URL('./lambda/sha256-from-node.ts', import.meta.url)),
  '@stablelib/base64': fileURLToPath(new URL('./lambda/base64-from-buffer.ts', import.meta.url)),
  'mnemonist/lru-cache': fileURLToPath(new URL('./lambda/lru-cache-from-map.ts', import.meta.url)),
  '@smithy/core/checksum': fileURLToPath(new URL('./lambda/checksum-sha256-node.ts', import.meta.url)),
  // Built-ins only middy's streamed responses use, loaded on first use instead of at every cold start.
  'node:stream/web': fileURLToPath(new URL('./lambda/streams-on-first-use.ts', import.meta.url)),
  'node:stream/promises': fileURLToPath(new URL('./lambda/streams-on-first-use.ts', import.meta.url)),
  'node:fs': fileURLToPath(new URL('./lambda/fs-without-streams.ts', import.meta.url)),
  'node:fs/promises': fileURLToPath(new URL('./lambda/fs-promises-required.ts', import.meta.url)),
  'node:process': fileURLToPath(new URL('./lambda/process-without-stdin.ts', import.meta.url)),
};

/** The settings as esbuild's API takes them (the benchmark, bundled test workers). */
export const FUNCTION_BUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: FUNCTION_TARGET,
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  mainFields: ['module', 'main'],
  // The bundled packages' licence comments (a few hundred bytes of v8 coverage hints) are not shipped.
  legalComments: 'none',
  banner: { js: REQUIRE_BANNER },
  alias: { ...FUNCTION_ALIASES },
} as const;

/** The settings NodejsFunction has no prop for, as its `esbuildArgs` (passed to the esbuild CLI). */
export function functionEsbuildArgs(): Record<string, string | string[]> {
  return {
    '--alias': Object.entries(FUNCTION_ALIASES).map(([from, to]) => `${from}=${to}`),
    '--legal-comments': FUNCTION_BUILD_OPTIONS.legalComments,
  };
}
