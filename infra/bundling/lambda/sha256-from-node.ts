// Stands in for `fast-sha256` in the function bundles only (an esbuild alias, see ../function-bundle.ts).
// standardwebhooks signs with its `hmac`; a pure-JavaScript SHA-256 is for runtimes without a crypto
// module, and Node has one: the same digests from `node:crypto`, without ~6 kB of every bundle.
// test/infra/bundle-stand-ins.test.ts checks the outputs against the package's.
import { createHash, createHmac } from 'node:crypto';

export const digestLength = 32;
export const blockSize = 64;

/** SHA-256 of `data`, as `fast-sha256`'s `hash`. */
export function hash(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

/** HMAC-SHA-256 of `data` under `key`, as `fast-sha256`'s `hmac`. */
export function hmac(key: Uint8Array, data: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac('sha256', key).update(data).digest());
}
