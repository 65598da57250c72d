// Envelope encryption of connector-secret values: round trip, bound to the cluster context, tamper-evident,
// and the plaintext never in the stored box. The KMS adapter is tested against a fake KMS at the SDK
// boundary (it checks the encryption context like KMS does).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kmsSealer, localSealer, type SealContext, SealError } from '#lib/secrets/sealer.ts';

const CTX: SealContext = { clusterId: 'c-1', clusterName: 'dev-payments', purpose: 'connector-secrets' };

/** A KMS stand-in: data keys wrapped under a master key, the encryption context required to match. */
function fakeKms(): KMSClient & { calls: string[] } {
  const master = randomBytes(32);
  const calls: string[] = [];
  const wrap = (key: Buffer, ctx: unknown) => {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', master, iv);
    c.setAAD(Buffer.from(JSON.stringify(ctx)));
    const data = Buffer.concat([c.update(key), c.final()]);
    return Buffer.concat([iv, c.getAuthTag(), data]);
  };
  const unwrap = (blob: Uint8Array, ctx: unknown) => {
    const b = Buffer.from(blob);
    const d = createDecipheriv('aes-256-gcm', master, b.subarray(0, 12));
    d.setAAD(Buffer.from(JSON.stringify(ctx)));
    d.setAuthTag(b.subarray(12, 28));
    return Buffer.concat([d.update(b.subarray(28)), d.final()]);
  };
  return {
    calls,
    async send(command: unknown) {
      if (command instanceof GenerateDataKeyCommand) {
        calls.push(`GenerateDataKey ${JSON.stringify(command.input.EncryptionContext)}`);
        const key = randomBytes(32);
        return { Plaintext: new Uint8Array(key), CiphertextBlob: wrap(key, command.input.EncryptionContext) };
      }
      if (command instanceof DecryptCommand) {
        calls.push(`Decrypt ${JSON.stringify(command.input.EncryptionContext)}`);
        try {
          return {
            Plaintext: new Uint8Array(
              unwrap(command.input.CiphertextBlob as Uint8Array, command.input.EncryptionContext),
            ),
          };
        } catch {
          throw Object.assign(new Error('InvalidCiphertextException'), {
            name: 'InvalidCiphertextException',
          });
        }
      }
      throw new Error('unexpected KMS command');
    },
  } as unknown as KMSClient & { calls: string[] };
}

const adapters = [
  ['local', () => localSealer(randomBytes(32))],
  ['kms', () => kmsSealer(fakeKms(), 'alias/test')],
] as const;

describe.each(adapters)('%s sealer', (_name, make) => {
  it('opens what it sealed, for any text (property)', async () => {
    const sealer = make();
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', maxLength: 300 }), async (text) => {
        const box = await sealer.seal(text, CTX);
        expect(await sealer.open(box, CTX)).toBe(text);
      }),
      { numRuns: 50, seed: 20261201 },
    );
  });

  it('keeps the plaintext out of the stored box', async () => {
    const sealer = make();
    const box = await sealer.seal('{"PAYMENT_API_KEY":"sim-not-a-real-key"}', CTX);
    expect(JSON.stringify(box)).not.toContain('sim-not-a-real-key');
  });

  it('does not open for another cluster (the context is bound)', async () => {
    const sealer = make();
    const box = await sealer.seal('value', CTX);
    await expect(sealer.open(box, { ...CTX, clusterId: 'c-2' })).rejects.toBeInstanceOf(SealError);
    await expect(sealer.open(box, { ...CTX, clusterName: 'dev-orders' })).rejects.toBeInstanceOf(SealError);
  });

  it('does not open a tampered box', async () => {
    const sealer = make();
    const box = await sealer.seal('value', CTX);
    const data = Buffer.from(box.data, 'base64');
    data[0] = (data[0] ?? 0) ^ 1;
    await expect(sealer.open({ ...box, data: data.toString('base64') }, CTX)).rejects.toBeInstanceOf(
      SealError,
    );
  });

  it('uses a fresh data key per seal', async () => {
    const sealer = make();
    const a = await sealer.seal('same', CTX);
    const b = await sealer.seal('same', CTX);
    expect(a.key).not.toBe(b.key);
    expect(a.data).not.toBe(b.data);
  });
});

describe('kms sealer', () => {
  it('passes the cluster context as the KMS encryption context', async () => {
    const kms = fakeKms();
    const sealer = kmsSealer(kms, 'alias/test');
    await sealer.open(await sealer.seal('v', CTX), CTX);
    const ctx = JSON.stringify({
      clusterId: 'c-1',
      clusterName: 'dev-payments',
      purpose: 'connector-secrets',
    });
    expect(kms.calls).toEqual([`GenerateDataKey ${ctx}`, `Decrypt ${ctx}`]);
  });

  it('a local box does not open with the KMS adapter, nor the reverse', async () => {
    const local = localSealer(randomBytes(32));
    const kms = kmsSealer(fakeKms(), 'alias/test');
    await expect(kms.open(await local.seal('v', CTX), CTX)).rejects.toBeInstanceOf(SealError);
    await expect(local.open(await kms.seal('v', CTX), CTX)).rejects.toBeInstanceOf(SealError);
  });

  it('refuses a local key that is not 32 bytes', () => {
    expect(() => localSealer(randomBytes(16))).toThrow(/32 bytes/);
  });
});
