// The webhook signing secrets: parsing a stored secret (plain, or JSON during a rotation), the local
// environment source, and the Secrets Manager source with its cache (Powertools Parameters, read from a
// local endpoint speaking the service's JSON protocol).
import { describe, expect, it } from 'vitest';
import {
  envWebhookSecrets,
  parseWebhookSecret,
  secretsManagerSenderSecrets,
  secretsManagerWebhookSecrets,
  WEBHOOK_SECRETS_LOCAL_ENV,
} from '#lib/runtime/webhook-secrets.ts';
import { WebhookSecretError } from '#lib/triggers/errors.ts';
import { controlDate, useLocalSecretsManager } from '#test/helpers/secrets-manager.ts';
import { thrownBy } from '#test/helpers/thrown.ts';

const CURRENT = `whsec_${Buffer.from('current-signing-key-0123456789').toString('base64')}`;
const PREVIOUS = `whsec_${Buffer.from('previous-signing-key-987654321').toString('base64')}`;
const SECRET_ID = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:webhook-AbCdEf';

const localSecrets = useLocalSecretsManager(SECRET_ID);
const { freshSecretId, readsOf } = localSecrets;

describe('parseWebhookSecret', () => {
  it('reads a plain secret, trimmed', () => {
    // Act
    const secrets = parseWebhookSecret(`  ${CURRENT}\n`, 'secret x');
    // Assess
    expect(secrets).toEqual([CURRENT]);
  });

  it('reads both secrets of a rotation, current first', () => {
    // Act
    const secrets = parseWebhookSecret(JSON.stringify({ current: CURRENT, previous: PREVIOUS }), 'secret x');
    // Assess
    expect(secrets).toEqual([CURRENT, PREVIOUS]);
  });

  it('reads a rotation JSON with only the current secret, or an empty previous one', () => {
    // Assess
    expect(parseWebhookSecret(JSON.stringify({ current: CURRENT }), 'secret x')).toEqual([CURRENT]);
    expect(parseWebhookSecret(JSON.stringify({ current: CURRENT, previous: '' }), 'secret x')).toEqual([
      CURRENT,
    ]);
  });

  it('trims the secrets of a rotation JSON, as it does a plain one', () => {
    // Act
    const secrets = parseWebhookSecret(
      JSON.stringify({ current: ` ${CURRENT} `, previous: `${PREVIOUS}\n` }),
      'secret x',
    );
    // Assess: a stray space would make every signature check fail.
    expect(secrets).toEqual([CURRENT, PREVIOUS]);
  });

  it.each([
    ['undefined', undefined, 'secret x is empty'],
    ['blank', '   ', 'secret x is empty'],
    ['invalid JSON', '{"current": ', 'secret x is not valid JSON'],
    ['a short plain secret', 'whsec_short', 'at least 16 characters'],
    ['JSON without secrets', '{}', 'one or two signing secrets'],
    ['a non-string current', '{"current": 12345678901234567890}', 'one or two signing secrets'],
    ['a short previous', JSON.stringify({ current: CURRENT, previous: 'tiny' }), 'at least 16 characters'],
  ])('refuses %s with a WebhookSecretError naming where it came from', (_, raw, message) => {
    // Act
    const err = thrownBy(WebhookSecretError, () => parseWebhookSecret(raw, 'secret x'));
    // Assess
    expect(err).toBeInstanceOf(WebhookSecretError);
    expect(err.message).toContain(message);
  });

  it('never puts the secret in its error', () => {
    // Prepare: valid JSON, but the previous secret is too short.
    const raw = JSON.stringify({ current: CURRENT, previous: 'whsec_tiny' });
    // Act
    const err = thrownBy(Error, () => parseWebhookSecret(raw, 'secret x'));
    // Assess
    expect(err.message).not.toContain(CURRENT);
    expect(err.message).not.toContain('whsec_tiny');
  });
});

describe('envWebhookSecrets', () => {
  it('reads one secret, or two comma-separated while rotating', async () => {
    // Act
    const one = await envWebhookSecrets({ [WEBHOOK_SECRETS_LOCAL_ENV]: CURRENT })();
    const two = await envWebhookSecrets({ [WEBHOOK_SECRETS_LOCAL_ENV]: `${CURRENT}, ${PREVIOUS}` })();
    // Assess
    expect(one).toEqual([{ sender: 'default', secrets: [CURRENT] }]);
    expect(two).toEqual([{ sender: 'default', secrets: [CURRENT, PREVIOUS] }]);
  });

  it('reads one secret per sender from JSON, reporting a bad one without its value or stopping the others', async () => {
    // Act
    const senders = await envWebhookSecrets({
      [WEBHOOK_SECRETS_LOCAL_ENV]: JSON.stringify({
        'chat-bot': CURRENT,
        network: { current: PREVIOUS, previous: CURRENT },
        broken: 'whsec_tiny',
      }),
    })();
    // Assess
    expect(senders).toEqual([
      { sender: 'chat-bot', secrets: [CURRENT] },
      { sender: 'network', secrets: [PREVIOUS, CURRENT] },
      { sender: 'broken', problem: expect.stringContaining("WEBHOOK_SECRETS (sender 'broken')") },
    ]);
    expect(JSON.stringify(senders[2])).not.toContain('whsec_tiny');
  });

  it('refuses a missing variable, naming it', async () => {
    // Act
    const err = await envWebhookSecrets({})().catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(WebhookSecretError);
    expect((err as Error).message).toContain('WEBHOOK_SECRETS is empty');
  });
});

describe('secretsManagerSenderSecrets', () => {
  it('reads each sender from its own secret; an unreadable one is a problem naming no value', async () => {
    // Prepare
    const network = freshSecretId();
    const bot = freshSecretId();
    localSecrets.endpoint.put(network, CURRENT);
    localSecrets.endpoint.put(bot, PREVIOUS);
    localSecrets.endpoint.deny(bot, 'AccessDeniedException');
    // Act
    const senders = await secretsManagerSenderSecrets(
      { network, bot },
      { client: localSecrets.endpoint.client() },
    )();
    // Assess
    expect(senders).toEqual([
      { sender: 'network', secrets: [CURRENT] },
      { sender: 'bot', problem: 'could not be read (AccessDeniedException)' },
    ]);
  });
});

describe('secretsManagerWebhookSecrets', () => {
  it('reads the secret once and answers from the cache until it is maxAgeSeconds old', async () => {
    // Prepare
    const advance = controlDate();
    const secretId = freshSecretId();
    localSecrets.endpoint.put(secretId, CURRENT);
    const secrets = secretsManagerWebhookSecrets(secretId, {
      maxAgeSeconds: 60,
      client: localSecrets.endpoint.client(),
    });
    // Act
    const first = await secrets();
    advance(30_000);
    localSecrets.endpoint.put(secretId, JSON.stringify({ current: PREVIOUS, previous: CURRENT }));
    const cached = await secrets();
    advance(31_000);
    const refreshed = await secrets();
    // Assess
    expect(readsOf(secretId)).toBe(2);
    expect(first).toEqual([CURRENT]);
    expect(cached).toEqual([CURRENT]);
    expect(refreshed).toEqual([PREVIOUS, CURRENT]);
  });

  it('keeps a value for five minutes by default', async () => {
    // Prepare
    const advance = controlDate();
    const secretId = freshSecretId();
    localSecrets.endpoint.put(secretId, CURRENT);
    const secrets = secretsManagerWebhookSecrets(secretId, { client: localSecrets.endpoint.client() });
    // Act
    await secrets();
    advance(5 * 60_000 - 1);
    await secrets();
    const before = readsOf(secretId);
    advance(2);
    await secrets();
    // Assess
    expect(before).toBe(1);
    expect(readsOf(secretId)).toBe(2);
  });

  it('does not cache a failed read or a bad value: the next call reads again', async () => {
    // Prepare
    controlDate();
    const secretId = freshSecretId();
    localSecrets.endpoint.deny(secretId, 'AccessDeniedException');
    const secrets = secretsManagerWebhookSecrets(secretId, { client: localSecrets.endpoint.client() });
    // Act
    const denied = await secrets().catch((e: unknown) => e);
    localSecrets.endpoint.deny(secretId, undefined);
    localSecrets.endpoint.put(secretId, 'short');
    const bad = await secrets().catch((e: unknown) => e);
    localSecrets.endpoint.put(secretId, CURRENT);
    const good = await secrets();
    // Assess
    expect((denied as Error).name).toBe('AccessDeniedException');
    expect(bad).toBeInstanceOf(WebhookSecretError);
    expect((bad as Error).message).toContain(`secret ${secretId}`);
    expect((bad as Error).message).not.toContain('short');
    expect(good).toEqual([CURRENT]);
    expect(readsOf(secretId)).toBe(3);
  });
});
