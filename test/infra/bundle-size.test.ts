// Issue #15, goal 8: every function's bundle stays at most 500 kB, and the clients only one function needs
// stay out of the others (the KMS sealer is composed by the teardown alone: lib/runtime/container.ts).
import { beforeAll, describe, expect, it } from 'vitest';
import { type BuiltBundle, bundleAsDeployed, FUNCTIONS } from './bundles.ts';

/** The size goal, in bytes (kB as the cold-start benchmark prints them: 1000 bytes). */
const MAX_BUNDLE_BYTES = 500_000;

const bundles = new Map<string, BuiltBundle>();
beforeAll(async () => {
  // One at a time: esbuild already uses every core for one build.
  for (const job of FUNCTIONS) bundles.set(job, await bundleAsDeployed(job));
}, 240_000);

function bundleOf(job: string): BuiltBundle {
  const bundle = bundles.get(job);
  if (!bundle) throw new Error(`no bundle built for ${job}`);
  return bundle;
}

const hasKms = (bundle: BuiltBundle) =>
  bundle.inputs.some((path) => path.includes('node_modules/@aws-sdk/client-kms/'));

describe('function bundles as deployed', () => {
  it('there is a bundle for each function the stack deploys', () => {
    expect(FUNCTIONS).toEqual(['allowlist-sync', 'backup', 'secrets-sync', 'teardown', 'webhook-ingress']);
  });

  it.each(FUNCTIONS)('%s bundles to at most 500 kB', (job) => {
    expect(bundleOf(job).bytes).toBeLessThanOrEqual(MAX_BUNDLE_BYTES);
  });

  it('the KMS client is in the teardown’s bundle and in no other', () => {
    expect(FUNCTIONS.filter((job) => hasKms(bundleOf(job)))).toEqual(['teardown']);
  });

  it('no bundle carries the pure-JavaScript packages replaced by the stand-ins of infra/bundling/lambda', () => {
    const replaced = [
      'node_modules/fast-sha256/',
      'node_modules/@stablelib/base64/',
      'node_modules/mnemonist/',
      'node_modules/@smithy/core/dist-es/submodules/checksum/',
    ];
    for (const job of FUNCTIONS) {
      expect(bundleOf(job).inputs.filter((path) => replaced.some((part) => path.includes(part)))).toEqual([]);
    }
  });

  it('no bundle carries the config loader or its schemas: a function takes its inlined config as validated', () => {
    for (const job of FUNCTIONS) {
      expect(bundleOf(job).inputs.filter((path) => /lib\/config\/(load|schema)/.test(path))).toEqual([]);
    }
  });
});
