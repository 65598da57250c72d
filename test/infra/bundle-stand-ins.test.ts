// The small modules the function bundles use instead of pure-JavaScript packages and of built-ins loaded on first use (infra/bundling/lambda/,
// aliased by infra/bundling/function-bundle.ts): each must answer as the package it replaces, which stays
// installed (tsx runs and tests use it), so the two are compared on generated inputs.

import * as Fs from 'node:fs';
import * as FsPromises from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Readable, Writable } from 'node:stream';
import * as WebStreams from 'node:stream/web';
import { fileURLToPath } from 'node:url';
import { Sha256 as SmithySha256 } from '@smithy/core/checksum';
import * as stablelib from '@stablelib/base64';
import fc from 'fast-check';
import * as fastSha256 from 'fast-sha256';
import { describe, expect, it } from 'vitest';
import * as base64 from '#infra/bundling/lambda/base64-from-buffer.ts';
import { Sha256 as NodeSha256 } from '#infra/bundling/lambda/checksum-sha256-node.ts';
import * as requiredFsPromises from '#infra/bundling/lambda/fs-promises-required.ts';
import * as lazyFs from '#infra/bundling/lambda/fs-without-streams.ts';
import MapLruCache from '#infra/bundling/lambda/lru-cache-from-map.ts';
import processStandIn, * as processParts from '#infra/bundling/lambda/process-without-stdin.ts';
import * as sha256 from '#infra/bundling/lambda/sha256-from-node.ts';
import * as lazyStreams from '#infra/bundling/lambda/streams-on-first-use.ts';
import { propertyParams } from '#test/helpers/property.ts';

// A CommonJS module whose typings declare an ES default export: required, typed as that export.
const LRUCache = createRequire(import.meta.url)(
  'mnemonist/lru-cache.js',
) as typeof import('mnemonist/lru-cache.js').default;

/** What a function of the package answers: its value, or the message it throws. */
function outcome<T>(run: () => T): { value: T } | { error: string } {
  try {
    return { value: run() };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

const bytes = fc.uint8Array({ maxLength: 200 });

describe('sha256-from-node (for fast-sha256)', () => {
  it('hashes and signs as fast-sha256 does', () => {
    fc.assert(
      fc.property(bytes, bytes, (key, data) => {
        expect(sha256.hash(data)).toEqual(fastSha256.hash(data));
        expect(sha256.hmac(key, data)).toEqual(fastSha256.hmac(key, data));
      }),
      propertyParams(300, [[new Uint8Array(0), new Uint8Array(0)]]),
    );
  });
});

describe('checksum-sha256-node (for @smithy/core/checksum)', () => {
  type Step = { op: 'update'; data: string | Uint8Array } | { op: 'digest' | 'reset' };
  const data = fc.oneof(fc.string({ maxLength: 80 }), bytes);
  const step: fc.Arbitrary<Step> = fc.oneof(
    { weight: 4, arbitrary: fc.record({ op: fc.constant('update' as const), data }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constantFrom('digest' as const, 'reset' as const) }) },
  );

  /** Every digest, and the message of every update refused, in order. */
  async function trace(
    hash: { update(d: string | Uint8Array): void; digest(): Promise<Uint8Array>; reset(): void },
    steps: Step[],
  ) {
    const seen: unknown[] = [];
    for (const s of steps) {
      if (s.op === 'update') seen.push(outcome(() => hash.update(s.data)));
      else if (s.op === 'reset') hash.reset();
      else seen.push(Array.from(await hash.digest()));
    }
    seen.push(Array.from(await hash.digest()));
    return seen;
  }

  it('hashes and signs as the SDK’s Sha256 does, through updates, digests and resets', async () => {
    // No secret, an empty one (a plain hash for both), a string or bytes (an HMAC, which ends at its digest).
    const secret = fc.option(fc.oneof(fc.string({ maxLength: 40 }), bytes), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(secret, fc.array(step, { maxLength: 12 }), async (key, steps) => {
        const ours = await trace(new NodeSha256(key), steps);
        const theirs = await trace(new SmithySha256(key), steps);
        expect(ours).toEqual(theirs);
        expect(new NodeSha256(key).digestLength).toBe(new SmithySha256(key).digestLength);
      }),
      propertyParams<[string | Uint8Array | undefined, Step[]]>(300, [
        ['', [{ op: 'digest' }, { op: 'update', data: 'x' }]],
      ]),
    );
  });
});

describe('base64-from-buffer (for @stablelib/base64)', () => {
  it('encodes as @stablelib/base64 does', () => {
    fc.assert(
      fc.property(bytes, (data) => {
        expect(base64.encode(data)).toBe(stablelib.encode(data));
      }),
      propertyParams(300),
    );
  });

  it('decodes, and refuses, the same strings with the same messages', () => {
    // Mostly alphabet characters with some padding, whitespace, URL-safe and other characters mixed in.
    const character = fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom(...'ABCXYZabcxyz0189+/') },
      { weight: 2, arbitrary: fc.constant('=') },
      { weight: 1, arbitrary: fc.constantFrom('-', '_', ' ', '\n', '.', 'é', '\u0100', '\u{1F600}') },
    );
    const text = fc.oneof(
      fc.array(character, { maxLength: 24 }).map((chars) => chars.join('')),
      bytes.map((data) => stablelib.encode(data)),
      fc.string({ maxLength: 12, unit: 'binary' }),
    );
    fc.assert(
      fc.property(text, (value) => {
        expect(outcome(() => base64.decode(value))).toEqual(outcome(() => stablelib.decode(value)));
      }),
      propertyParams(2000, [
        // A lone last character of a group (not read by the package), short and over-padded strings.
        ['abcd!'],
        ['abc'],
        ['ab=='],
        ['a==='],
        ['abcd==='],
        ['ab=c'],
        [''],
      ]),
    );
  });
});

describe('lru-cache-from-map (for mnemonist/lru-cache)', () => {
  type Operation =
    | { op: 'set'; key: string; value: number }
    | { op: 'get' | 'peek' | 'has'; key: string }
    | { op: 'clear' };
  // Few keys, so that sequences overwrite, evict and reread them.
  const key = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f');
  const operation: fc.Arbitrary<Operation> = fc.oneof(
    { weight: 4, arbitrary: fc.record({ op: fc.constant('set' as const), key, value: fc.nat(99) }) },
    {
      weight: 4,
      arbitrary: fc.record({ op: fc.constantFrom('get' as const, 'peek' as const, 'has' as const), key }),
    },
    { weight: 1, arbitrary: fc.constant({ op: 'clear' as const }) },
  );

  it('answers every operation sequence as mnemonist’s LRU cache does, evictions included', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(operation, { maxLength: 40 }),
        (capacity, operations) => {
          const theirs = new LRUCache<string, number>(capacity);
          const ours = new MapLruCache<string, number>(capacity);
          for (const step of operations) {
            if (step.op === 'set') {
              theirs.set(step.key, step.value);
              ours.set(step.key, step.value);
            } else if (step.op === 'clear') {
              theirs.clear();
              ours.clear();
            } else {
              expect(ours[step.op](step.key)).toEqual(theirs[step.op](step.key));
            }
            expect(ours.size).toBe(theirs.size);
          }
          for (const k of ['a', 'b', 'c', 'd', 'e', 'f']) expect(ours.peek(k)).toEqual(theirs.peek(k));
        },
      ),
      propertyParams(500),
    );
  });

  it('refuses a capacity that is not positive, as mnemonist does', () => {
    for (const capacity of [0, -1]) {
      expect(outcome(() => new MapLruCache(capacity))).toEqual(outcome(() => new LRUCache(capacity)));
    }
  });
});

describe('streams-on-first-use (for node:stream/web and node:stream/promises, which only middy imports)', () => {
  it('tells a web ReadableStream as Node’s class does, for streams and for anything else', () => {
    const samples: unknown[] = [
      new WebStreams.ReadableStream(),
      new globalThis.ReadableStream(),
      Readable.from(['x']),
      new WebStreams.WritableStream(),
      'body',
      { _readableState: {} },
      null,
      undefined,
      42,
    ];
    for (const value of samples) {
      expect(value instanceof lazyStreams.ReadableStream).toBe(value instanceof WebStreams.ReadableStream);
    }
  });

  it('pipes a stream to its end as node:stream/promises does', async () => {
    // Prepare
    const chunks: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        chunks.push(String(chunk));
        done();
      },
    });
    // Act
    await lazyStreams.pipeline(Readable.from(['a', 'b', 'c']), sink);
    // Assess
    expect(chunks.join('')).toBe('abc');
    expect(sink.writableFinished).toBe(true);
  });
});

describe('fs-without-streams and fs-promises-required (for node:fs and node:fs/promises, taken without a facade)', () => {
  it('give Node’s own functions', () => {
    expect([lazyFs.fstatSync, lazyFs.lstatSync, lazyFs.readFileSync]).toEqual([
      Fs.fstatSync,
      Fs.lstatSync,
      Fs.readFileSync,
    ]);
    expect(requiredFsPromises.readFile).toBe(FsPromises.readFile);
  });

  it('tell a file ReadStream as Node’s class does', () => {
    const stream = Fs.createReadStream(fileURLToPath(import.meta.url));
    try {
      for (const value of [stream, Readable.from(['x']), { path: 'x' }, null, 'x']) {
        expect(value instanceof lazyFs.ReadStream).toBe(value instanceof Fs.ReadStream);
      }
    } finally {
      stream.destroy();
    }
  });
});

describe('process-without-stdin (for node:process, taken without a facade)', () => {
  it('gives the global process and its own env and versions', () => {
    expect(processStandIn).toBe(process);
    expect(processParts.env).toBe(process.env);
    expect(processParts.versions).toBe(process.versions);
  });
});
