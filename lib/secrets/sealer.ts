// Envelope encryption of secret material at rest (connector-secret values kept between a teardown and the
// recreate). A fresh 256-bit data key per seal encrypts the plaintext with AES-256-GCM; the data key itself
// is encrypted by KMS (`GenerateDataKey` with the stack's key) or, locally, by a local key with the same
// envelope format. The encryption context {clusterId, clusterName, purpose} is bound twice: as the KMS
// encryption context (a key policy can require it; CloudTrail logs it) and as the GCM additional data, so
// a sealed box moved to another cluster's record does not open.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';

export interface SealContext {
  clusterId: string;
  clusterName: string;
  purpose: string;
}

/** What is stored: nothing in it is readable without the key. */
export interface SealedBox {
  v: 1;
  /** 'kms' or 'local': which adapter can open it. */
  kind: 'kms' | 'local';
  /** The encrypted data key (base64). */
  key: string;
  iv: string;
  tag: string;
  data: string;
}

export interface SecretSealer {
  seal(plaintext: string, context: SealContext): Promise<SealedBox>;
  /** Throws SealError when the box does not open (wrong key, wrong context, tampered). */
  open(box: SealedBox, context: SealContext): Promise<string>;
}

export class SealError extends Error {
  override readonly name = 'SealError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}

/** The context as a KMS encryption context and as canonical GCM additional data. */
function contextOf(c: SealContext): { kms: Record<string, string>; aad: Buffer } {
  const kms = { clusterId: c.clusterId, clusterName: c.clusterName, purpose: c.purpose };
  return { kms, aad: Buffer.from(JSON.stringify([kms.clusterId, kms.clusterName, kms.purpose]), 'utf8') };
}

function gcmSeal(key: Buffer, plaintext: Buffer, aad: Buffer): { iv: Buffer; tag: Buffer; data: Buffer } {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const data = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, tag: cipher.getAuthTag(), data };
}

function gcmOpen(key: Buffer, iv: Buffer, tag: Buffer, data: Buffer, aad: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(data), decipher.final()]);
}

function isBox(box: unknown): box is SealedBox {
  const b = box as Partial<SealedBox> | null;
  return (
    typeof b === 'object' &&
    b !== null &&
    b.v === 1 &&
    (b.kind === 'kms' || b.kind === 'local') &&
    [b.key, b.iv, b.tag, b.data].every((x) => typeof x === 'string')
  );
}

function sealWith(
  dataKey: Buffer,
  encryptedKey: Buffer,
  kind: SealedBox['kind'],
  plaintext: string,
  aad: Buffer,
) {
  try {
    const { iv, tag, data } = gcmSeal(dataKey, Buffer.from(plaintext, 'utf8'), aad);
    const box: SealedBox = {
      v: 1,
      kind,
      key: encryptedKey.toString('base64'),
      iv: iv.toString('base64'),
      tag: tag.toString('base64'),
      data: data.toString('base64'),
    };
    return box;
  } finally {
    dataKey.fill(0);
  }
}

function openWith(dataKey: Buffer, box: SealedBox, aad: Buffer): string {
  try {
    return gcmOpen(
      dataKey,
      Buffer.from(box.iv, 'base64'),
      Buffer.from(box.tag, 'base64'),
      Buffer.from(box.data, 'base64'),
      aad,
    ).toString('utf8');
  } catch (err) {
    throw new SealError('sealed secrets do not open: wrong key, wrong cluster context or tampered', {
      cause: err,
    });
  } finally {
    dataKey.fill(0);
  }
}

/** KMS envelope: `GenerateDataKey` (AES_256) and `Decrypt`, both with the encryption context. */
export function kmsSealer(kms: KMSClient, keyId: string): SecretSealer {
  return {
    async seal(plaintext, context) {
      const { kms: encryptionContext, aad } = contextOf(context);
      const out = await kms.send(
        new GenerateDataKeyCommand({
          KeyId: keyId,
          KeySpec: 'AES_256',
          EncryptionContext: encryptionContext,
        }),
      );
      if (!out.Plaintext || !out.CiphertextBlob) throw new SealError('KMS GenerateDataKey returned no key');
      return sealWith(Buffer.from(out.Plaintext), Buffer.from(out.CiphertextBlob), 'kms', plaintext, aad);
    },
    async open(box, context) {
      if (!isBox(box) || box.kind !== 'kms') throw new SealError('not a KMS-sealed box');
      const { kms: encryptionContext, aad } = contextOf(context);
      let plainKey: Uint8Array | undefined;
      try {
        const out = await kms.send(
          new DecryptCommand({
            KeyId: keyId,
            CiphertextBlob: Buffer.from(box.key, 'base64'),
            EncryptionContext: encryptionContext,
          }),
        );
        plainKey = out.Plaintext;
      } catch (err) {
        throw new SealError('KMS refused to decrypt the data key (wrong key or cluster context)', {
          cause: err,
        });
      }
      if (!plainKey) throw new SealError('KMS Decrypt returned no key');
      return openWith(Buffer.from(plainKey), box, aad);
    },
  };
}

/**
 * The same envelope with a local 32-byte key wrapping the data key (AES-256-GCM, the context as
 * additional data): for `npm start`, `npm run invoke` and tests. Never used in Lambda.
 */
export function localSealer(localKey: Buffer): SecretSealer {
  if (localKey.length !== 32) throw new RangeError('the local sealing key must be 32 bytes');
  const key = Buffer.from(localKey);
  return {
    async seal(plaintext, context) {
      const { aad } = contextOf(context);
      const dataKey = randomBytes(32);
      const wrapped = gcmSeal(key, dataKey, aad);
      const encryptedKey = Buffer.concat([wrapped.iv, wrapped.tag, wrapped.data]);
      return sealWith(dataKey, encryptedKey, 'local', plaintext, aad);
    },
    async open(box, context) {
      if (!isBox(box) || box.kind !== 'local') throw new SealError('not a locally sealed box');
      const { aad } = contextOf(context);
      const raw = Buffer.from(box.key, 'base64');
      let dataKey: Buffer;
      try {
        dataKey = gcmOpen(key, raw.subarray(0, 12), raw.subarray(12, 28), raw.subarray(28), aad);
      } catch (err) {
        throw new SealError('sealed secrets do not open: wrong key, wrong cluster context or tampered', {
          cause: err,
        });
      }
      return openWith(dataKey, box, aad);
    },
  };
}

/** The KMS sealer with a default client (the composition root builds it on the first seal or open). */
export function defaultKmsSealer(keyId: string): SecretSealer {
  return kmsSealer(new KMSClient({}), keyId);
}
