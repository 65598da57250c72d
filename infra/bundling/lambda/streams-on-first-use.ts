// Stands in for `node:stream/web` and `node:stream/promises` in the function bundles only (an esbuild alias, see
// ../function-bundle.ts). Only @middy/core imports them, for streamed responses (`streamifyResponse`), which no
// function here gives; importing them costs every cold start their loading. Here they load on first use, so a
// streamed response would still work.
import type * as StreamPromises from 'node:stream/promises';
import type * as WebStreams from 'node:stream/web';
import { instanceCheck, requireBuiltin } from './builtin-on-first-use.ts';

/** `instanceof ReadableStream` as middy checks it, against Node's class, loaded when first asked. */
export const ReadableStream = instanceCheck(
  () => (requireBuiltin('node:stream/web') as typeof WebStreams).ReadableStream,
);

export const pipeline: typeof StreamPromises.pipeline = ((
  ...args: Parameters<typeof StreamPromises.pipeline>
) =>
  (requireBuiltin('node:stream/promises') as typeof StreamPromises).pipeline(
    ...args,
  )) as typeof StreamPromises.pipeline;
