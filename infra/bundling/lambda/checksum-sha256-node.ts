// Stands in for `@smithy/core/checksum` in the function bundles only (an esbuild alias, see
// ../function-bundle.ts). The SDK clients take one thing from it, `Sha256` (request signing and payload
// hashes), whose Node class falls back to a pure-JavaScript SHA-256 for runtimes without a crypto module;
// Lambda's Node always has one, and the fallback was ~4 kB of every bundle. The class below is the SDK's
// Node class (node:crypto) without the fallback. Should a client import anything else from the module, the
// build fails on the missing export. test/infra/bundle-stand-ins.test.ts compares it with the SDK's `Sha256`.
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';

type SourceData = string | ArrayBuffer | ArrayBufferView;

function toKey(data: SourceData): string | Buffer {
  if (typeof data === 'string') return data;
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/** SHA-256, or HMAC-SHA-256 with a secret: the SDK's `Checksum` interface, as `@smithy/core`'s `Sha256`. */
export class Sha256 {
  readonly digestLength = 32;
  readonly #secret: SourceData | undefined;
  #hash: Hash | Hmac;
  #finished = false;

  constructor(secret?: SourceData) {
    this.#secret = secret;
    this.#hash = this.#create();
  }

  update(data: string | NodeJS.ArrayBufferView): void {
    if (this.#finished) throw new Error('Attempted to update an already finished hash.');
    this.#hash.update(data);
  }

  /** An HMAC ends with its digest; a plain hash may go on being updated (its digest is of a copy). */
  async digest(): Promise<Uint8Array> {
    let digest: Buffer;
    if (this.#secret) {
      this.#finished = true;
      digest = this.#hash.digest();
    } else {
      digest = (this.#hash as Hash).copy().digest();
    }
    return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
  }

  reset(): void {
    this.#hash = this.#create();
    this.#finished = false;
  }

  #create(): Hash | Hmac {
    return this.#secret ? createHmac('sha256', toKey(this.#secret)) : createHash('sha256');
  }
}
