// The digest summaries and ownership records show of a connector secret value: keyed with the deployment's
// own key (HMAC-SHA-256), so that a reader of a summary cannot confirm a guessed value by hashing it.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deploymentDigest, keyedDigest } from '#functions/secrets-sync/digest.ts';
import { runSecretsSync } from '#functions/secrets-sync/sync.ts';
import { createMemoryStores } from '#test/fakes/state.ts';
import { cluster, policy, world } from './fakes.ts';

const KEY_A = Buffer.alloc(32, 1).toString('base64');
const KEY_B = Buffer.alloc(32, 2).toString('base64');
const sha256Prefix = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex').slice(0, 8);

describe('secret value digests', () => {
  it('gives equal values equal digests under one key, 8 hex characters', () => {
    // Act
    const digest = keyedDigest(KEY_A);
    // Assess
    expect(digest('pin-1234')).toBe(keyedDigest(KEY_A)('pin-1234'));
    expect(digest('pin-1234')).toMatch(/^[0-9a-f]{8}$/);
    expect(digest('pin-1235')).not.toBe(digest('pin-1234'));
  });

  it('is not the plain SHA-256 prefix, and differs from one deployment key to another', () => {
    // Act
    const underA = keyedDigest(KEY_A)('1234');
    const underB = keyedDigest(KEY_B)('1234');
    // Assess
    expect(underA).not.toBe(sha256Prefix('1234'));
    expect(underB).not.toBe(underA);
  });

  it('takes the key the deployment stored first: two runs, each with its own candidate, agree', async () => {
    // Prepare
    const stores = createMemoryStores({ now: () => 0 });
    // Act
    const [first, second] = await Promise.all([
      deploymentDigest(stores.managedSecrets),
      deploymentDigest(stores.managedSecrets),
    ]);
    // Assess
    expect(first('same-value')).toBe(second('same-value'));
    expect(first('same-value')).not.toBe(sha256Prefix('same-value'));
  });

  it('refuses a key that is not 32 bytes of base64 rather than digest with a weak one', () => {
    expect(() => keyedDigest('')).toThrow(/32 bytes/);
    expect(() => keyedDigest(Buffer.alloc(8).toString('base64'))).toThrow(/32 bytes/);
  });
});

describe('secret value digests in a sync', () => {
  it('shows and records one keyed digest per value: equal across clusters and runs, not the SHA-256 prefix', async () => {
    // Prepare
    const value = 'low-entropy-1234';
    const w = world([cluster('prod-a'), cluster('prod-b')], {}, { 'camunda/payments/PIN': { value } });
    // Act
    const first = await w.run((scope) => runSecretsSync(w.deps, scope, policy()));
    w.reader.secrets.set('camunda/payments/PIN', { value: `${value}-rotated` });
    const rotated = await w.run((scope) => runSecretsSync(w.deps, scope, policy()));
    // Assess
    const digests = (summary: typeof first) =>
      summary.clusters.map((c) =>
        c.status === 'done'
          ? (c.detail as { changes: Array<{ digest: string }> }).changes[0]?.digest
          : c.status,
      );
    const [a, b] = digests(first);
    expect(a).toMatch(/^[0-9a-f]{8}$/);
    expect(b).toBe(a);
    expect(a).not.toBe(sha256Prefix(value));
    expect(a).toBe((await deploymentDigest(w.stores.managedSecrets))(value));
    expect(digests(rotated)).toEqual([
      (await deploymentDigest(w.stores.managedSecrets))(`${value}-rotated`),
      (await deploymentDigest(w.stores.managedSecrets))(`${value}-rotated`),
    ]);
    const records = await w.stores.managedSecrets.list(w.idOf('prod-a'));
    expect(records.map((r) => r.digest)).toEqual([digests(rotated)[0]]);
  });
});
