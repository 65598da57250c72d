// The short digest summaries and ownership records show of a connector secret value. A plain hash of a
// low-entropy value (a PIN, a dictionary password) would let anyone who reads a summary (logs, result
// events, webhook answers) confirm a guess by hashing it, so the digest is an HMAC-SHA-256 under a random
// key of the deployment's own: equal values give equal digests within the deployment, and the digest tells
// nothing to whoever lacks the key. The key is made once and kept in the state table (see
// ManagedSecretStore.digestKey); it never appears in a log, summary, event or error.
import { createHmac, randomBytes } from 'node:crypto';
import type { ManagedSecretStore } from '#lib/jobs/secrets-sync-ports.ts';

/** A value → its 8-hex-character digest. */
export type Digest = (value: string) => string;

const KEY_BYTES = 32;

export class DigestKeyError extends Error {
  override readonly name = 'DigestKeyError';
}

/** The digest under `key` (base64 of 32 bytes); refuses any other key rather than digest with a weak one. */
export function keyedDigest(key: string): Digest {
  const bytes = Buffer.from(key, 'base64');
  if (bytes.length !== KEY_BYTES) {
    throw new DigestKeyError(
      `the secrets digest key must be ${KEY_BYTES} bytes of base64, got ${bytes.length} bytes (the key itself is not shown)`,
    );
  }
  return (value) => createHmac('sha256', bytes).update(value, 'utf8').digest('hex').slice(0, 8);
}

/**
 * The deployment's digest: its stored key, or a fresh random one stored now if it has none yet. A dry run writes
 * nothing: without a stored key it digests under a one-off key (no record holds a digest to compare with yet).
 */
export async function deploymentDigest(
  store: Pick<ManagedSecretStore, 'digestKey' | 'storedDigestKey'>,
  options: { dryRun?: boolean } = {},
): Promise<Digest> {
  const fresh = () => randomBytes(KEY_BYTES).toString('base64');
  if (options.dryRun) return keyedDigest((await store.storedDigestKey()) ?? fresh());
  return keyedDigest(await store.digestKey(fresh()));
}
