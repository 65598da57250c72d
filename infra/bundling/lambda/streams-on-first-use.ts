// Stands in for `node:stream/web` and `node:stream/promises` in the function bundles only (an esbuild alias, see
// ../function-bundle.ts). Only @middy/core imports them, for streamed responses (`streamifyResponse`), which no
// function here gives; importing them costs every cold start their loading. Here they load on first use, so a
// streamed response would still work.
import { createRequire } from 'node:module';
import type * as StreamPromises from 'node:stream/promises';
import type * as WebStreams from 'node:stream/web';

// A computed `require`, which esbuild leaves alone (a plain `require('node:stream/web')` would be aliased back here).
const load = createRequire(import.meta.url);

/** `instanceof ReadableStream` as middy checks it, against Node's class, loaded when first asked. */
export const ReadableStream = {
  [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof (load('node:stream/web') as typeof WebStreams).ReadableStream;
  },
};

export const pipeline: typeof StreamPromises.pipeline = ((
  ...args: Parameters<typeof StreamPromises.pipeline>
) =>
  (load('node:stream/promises') as typeof StreamPromises).pipeline(
    ...args,
  )) as typeof StreamPromises.pipeline;
