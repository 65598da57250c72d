// The Secrets Manager adapter with the real SDK client against a local endpoint speaking the service's JSON
// protocol: prefix and tag selection, paging, secrets scheduled for deletion, and errors that never carry values.
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SecretSourceError } from '#lib/jobs/secrets-sync-ports.ts';
import { secretsManagerSource } from '#lib/secrets/secrets-manager-source.ts';
import { LOCAL_AWS } from '#local/dynalite.ts';
import { type LocalSecretsManager, startLocalSecretsManager } from '#local/secrets-manager.ts';

let sm: LocalSecretsManager;
let client: SecretsManagerClient;

beforeEach(async () => {
  sm = await startLocalSecretsManager([
    { name: 'camunda/payments/PAYMENT_KEY', value: 'pay-key-value-0001', tags: { team: 'payments' } },
    { name: 'camunda/payments/mail', value: '{"SMTP_PASSWORD":"smtp-value-0002"}', tags: { team: 'mail' } },
    { name: 'camunda/payments/old', value: 'old-value-0003', deleted: true },
    { name: 'camunda/paymentsX/lookalike', value: 'lookalike-value' },
    { name: 'other/secret', value: 'other-value', tags: { team: 'payments' } },
  ]);
  client = new SecretsManagerClient({ endpoint: sm.endpoint, ...LOCAL_AWS, maxAttempts: 1 });
});

afterEach(async () => {
  client.destroy();
  await sm.close();
});

describe('Secrets Manager source (real SDK, local JSON-protocol endpoint)', () => {
  it('reads the secrets under a prefix with their values, flagging one scheduled for deletion', async () => {
    // Act
    const read = await secretsManagerSource(client).read({ prefix: 'camunda/payments/' });
    // Assess
    expect(read).toEqual([
      { name: 'camunda/payments/PAYMENT_KEY', value: 'pay-key-value-0001', plannedDeletion: false },
      { name: 'camunda/payments/mail', value: '{"SMTP_PASSWORD":"smtp-value-0002"}', plannedDeletion: false },
      { name: 'camunda/payments/old', plannedDeletion: true },
    ]);
    const list = sm.requests.find((r) => r.target === 'secretsmanager.ListSecrets');
    expect(list?.body).toMatchObject({
      Filters: [{ Key: 'name', Values: ['camunda/payments/'] }],
      IncludePlannedDeletion: true,
    });
    // Values are fetched by ARN, and never for a secret scheduled for deletion.
    const gets = sm.requests.filter((r) => r.target === 'secretsmanager.GetSecretValue');
    expect(gets.map((g) => g.body.SecretId)).toEqual([
      expect.stringMatching(/^arn:aws:secretsmanager:.*:secret:camunda\/payments\/PAYMENT_KEY-/),
      expect.stringMatching(/:secret:camunda\/payments\/mail-/),
    ]);
  });

  it('selects by tags exactly (key and value paired), whatever the service filters loosely', async () => {
    // Act
    const read = await secretsManagerSource(client).read({ prefix: 'camunda/', tags: { team: 'payments' } });
    // Assess
    expect(read.map((s) => s.name)).toEqual(['camunda/payments/PAYMENT_KEY']);
  });

  it('follows NextToken across pages', async () => {
    // Prepare
    for (let i = 0; i < 130; i++) {
      const n = String(i).padStart(3, '0');
      sm.secrets.set(`bulk/K${n}`, { name: `bulk/K${n}`, value: `v${n}` });
    }
    // Act
    const read = await secretsManagerSource(client).read({ prefix: 'bulk/' });
    // Assess
    expect(read).toHaveLength(130);
    expect(sm.requests.filter((r) => r.target === 'secretsmanager.ListSecrets')).toHaveLength(2);
  });

  it('treats a secret deleted between the listing and the read as scheduled for deletion', async () => {
    // Prepare
    sm.failNext('GetSecretValue', 'ResourceNotFoundException');
    // Act
    const read = await secretsManagerSource(client).read({ prefix: 'camunda/payments/PAYMENT' });
    // Assess
    expect(read).toEqual([{ name: 'camunda/payments/PAYMENT_KEY', plannedDeletion: true }]);
  });

  it('fails the whole read with a SecretSourceError naming the call when access is denied', async () => {
    // Prepare
    sm.failNext('GetSecretValue', 'AccessDeniedException');
    // Act
    const error = await secretsManagerSource(client)
      .read({ prefix: 'camunda/payments/' })
      .catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(SecretSourceError);
    expect((error as Error).message).toBe(
      "GetSecretValue of 'camunda/payments/PAYMENT_KEY' failed: AccessDeniedException",
    );
  });

  it('refuses a binary secret by name (a connector secret is text)', async () => {
    // Prepare
    sm.secrets.set('bin/key', { name: 'bin/key', value: 'binary-value', binary: true });
    // Act
    const error = await secretsManagerSource(client)
      .read({ prefix: 'bin/' })
      .catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(SecretSourceError);
    expect((error as Error).message).not.toContain('binary-value');
  });
});
