import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { envCredentials, secretFingerprint, secretsManagerCredentials } from '#lib/token/credentials.ts';
import { TokenError } from '#lib/token/errors.ts';
import { tokenItemKey } from '#lib/token/shared-store.ts';

function fakeSecrets(values: Array<string | Error>) {
  const calls: unknown[] = [];
  const client = {
    send: async (command: { input: unknown }) => {
      calls.push(command.input);
      const v = values[Math.min(calls.length - 1, values.length - 1)];
      if (v instanceof Error) throw v;
      return { SecretString: v };
    },
  } as unknown as SecretsManagerClient;
  return { client, calls };
}

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

  it('caches the Secrets Manager secret for its max age and re-reads on reload', async () => {
    // Prepare
    let t = 0;
    const { client, calls } = fakeSecrets([
      '{"clientId":"a","clientSecret":"one"}',
      '{"clientId":"a","clientSecret":"two"}',
      '{"clientId":"a","clientSecret":"three"}',
    ]);
    const source = secretsManagerCredentials({
      client,
      secretId: 'console-creds',
      maxAgeMs: 1000,
      now: () => t,
    });
    // Act
    const first = await source.get();
    const cached = await source.get();
    t = 1500;
    const aged = await source.get();
    const reloaded = await source.reload();
    // Assess
    expect([first.clientSecret, cached.clientSecret, aged.clientSecret, reloaded.clientSecret]).toEqual([
      'one',
      'one',
      'two',
      'three',
    ]);
    expect(calls).toEqual([
      { SecretId: 'console-creds' },
      { SecretId: 'console-creds' },
      { SecretId: 'console-creds' },
    ]);
  });

  it('refuses a malformed secret with the expected shape in the message, not its content', async () => {
    const { client } = fakeSecrets(['{"client":"a","secret":"leaky-value"}']);
    const err = await secretsManagerCredentials({ client, secretId: 'console-creds' })
      .get()
      .catch((e: unknown) => e);
    expect((err as TokenError).code).toBe('credentials-missing');
    expect((err as Error).message).toContain('{"clientId": "...", "clientSecret": "..."}');
    expect((err as Error).message).not.toContain('leaky-value');
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
