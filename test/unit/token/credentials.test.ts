// Where the Console credentials come from: the environment locally, Secrets Manager in AWS (through
// Powertools Parameters, read here from a local endpoint speaking the service's JSON protocol).
import { describe, expect, it } from 'vitest';
import { envCredentials, secretFingerprint, secretsManagerCredentials } from '#lib/token/credentials.ts';
import { TokenError } from '#lib/token/errors.ts';
import { tokenItemKey } from '#lib/token/shared-store.ts';
import { controlDate, useLocalSecretsManager } from '#test/helpers/secrets-manager.ts';

const localSecrets = useLocalSecretsManager('console-creds');
const { freshSecretId, readsOf } = localSecrets;

describe('credentials', () => {
  it('reads env credentials and names both variables when one is missing', async () => {
    expect(
      await envCredentials({ CAMUNDA_CONSOLE_CLIENT_ID: 'a', CAMUNDA_CONSOLE_CLIENT_SECRET: 'b' }).get(),
    ).toEqual({ clientId: 'a', clientSecret: 'b' });
    const err = await envCredentials({ CAMUNDA_CONSOLE_CLIENT_ID: 'a' })
      .get()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TokenError);
    expect((err as Error).message).toMatch(/CAMUNDA_CONSOLE_CLIENT_ID and CAMUNDA_CONSOLE_CLIENT_SECRET/);
  });

  it('caches the Secrets Manager secret for its max age, picks up a rotation after it, and re-reads on reload', async () => {
    // Prepare
    const advance = controlDate();
    const secretId = freshSecretId();
    localSecrets.endpoint.put(secretId, '{"clientId":"a","clientSecret":"one"}');
    const source = secretsManagerCredentials({
      client: localSecrets.endpoint.client(),
      secretId,
      maxAgeSeconds: 60,
    });
    // Act
    const first = await source.get();
    localSecrets.endpoint.put(secretId, '{"clientId":"a","clientSecret":"two"}');
    advance(30_000);
    const cached = await source.get();
    advance(31_000);
    const rotated = await source.get();
    localSecrets.endpoint.put(secretId, '{"clientId":"a","clientSecret":"three"}');
    const reloaded = await source.reload();
    // Assess
    expect([first.clientSecret, cached.clientSecret, rotated.clientSecret, reloaded.clientSecret]).toEqual([
      'one',
      'one',
      'two',
      'three',
    ]);
    expect(readsOf(secretId)).toBe(3);
  });

  it('re-reads a rejected credential at once, within its max age, and serves the new one from then on', async () => {
    // Prepare
    controlDate();
    const secretId = freshSecretId();
    localSecrets.endpoint.put(secretId, '{"clientId":"a","clientSecret":"old"}');
    const source = secretsManagerCredentials({ client: localSecrets.endpoint.client(), secretId });
    await source.get();
    localSecrets.endpoint.put(secretId, '{"clientId":"a","clientSecret":"rotated"}');
    // Act
    const reloaded = await source.reload();
    const after = await source.get();
    // Assess
    expect(reloaded.clientSecret).toBe('rotated');
    expect(after.clientSecret).toBe('rotated');
    expect(readsOf(secretId)).toBe(2);
  });

  it('asks Secrets Manager once for concurrent first reads in one container', async () => {
    // Prepare
    const secretId = freshSecretId();
    localSecrets.endpoint.put(secretId, '{"clientId":"a","clientSecret":"one"}');
    const source = secretsManagerCredentials({ client: localSecrets.endpoint.client(), secretId });
    // Act
    const values = await Promise.all([source.get(), source.get(), source.get()]);
    // Assess
    expect(values.map((v) => v.clientSecret)).toEqual(['one', 'one', 'one']);
    expect(readsOf(secretId)).toBe(1);
  });

  it('names the service error of an unreadable secret, and reads again on the next call', async () => {
    // Prepare
    const secretId = freshSecretId();
    localSecrets.endpoint.put(secretId, '{"clientId":"a","clientSecret":"one"}');
    localSecrets.endpoint.deny(secretId, 'AccessDeniedException');
    const source = secretsManagerCredentials({ client: localSecrets.endpoint.client(), secretId });
    // Act
    const denied = await source.get().catch((e: unknown) => e);
    localSecrets.endpoint.deny(secretId, undefined);
    const read = await source.get();
    // Assess
    expect(denied).toBeInstanceOf(TokenError);
    expect((denied as TokenError).code).toBe('credentials-missing');
    expect((denied as Error).message).toBe(`cannot read secret ${secretId}: AccessDeniedException`);
    expect(read.clientSecret).toBe('one');
  });

  it('refuses a malformed secret with the expected shape in the message, not its content, and never serves it again', async () => {
    // Prepare
    const secretId = freshSecretId();
    localSecrets.endpoint.put(secretId, '{"client":"a","secret":"leaky-value"}');
    const source = secretsManagerCredentials({ client: localSecrets.endpoint.client(), secretId });
    // Act
    const err = await source.get().catch((e: unknown) => e);
    localSecrets.endpoint.put(secretId, '{"clientId":"a","clientSecret":"fixed"}');
    const fixed = await source.get();
    // Assess
    expect((err as TokenError).code).toBe('credentials-missing');
    expect((err as Error).message).toContain('{"clientId": "...", "clientSecret": "..."}');
    expect((err as Error).message).not.toContain('leaky-value');
    expect(fixed.clientSecret).toBe('fixed');
  });

  it('fingerprints secrets without revealing them and keys items without the secret', () => {
    const a = secretFingerprint({ clientId: 'id', clientSecret: 'one' });
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(a).not.toBe(secretFingerprint({ clientId: 'id', clientSecret: 'two' }));
    expect(tokenItemKey('id', 'aud', 'https://x')).toBe(tokenItemKey('id', 'aud', 'https://x'));
    expect(tokenItemKey('id', 'aud', 'https://x')).not.toBe(tokenItemKey('id', 'aud2', 'https://x'));
    expect(tokenItemKey('id', 'aud', 'https://x')).not.toBe(tokenItemKey('id', 'aud', 'https://y'));
  });
});
