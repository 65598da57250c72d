// The webhook signing secrets: parsing a stored secret (plain, or JSON during a rotation), the local
// environment source, and the Secrets Manager source with its cache (Powertools Parameters, read from a
// local endpoint speaking the service's JSON protocol).
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  envWebhookSecrets,
  parseWebhookSecret,
  secretsManagerSenderSecrets,
  secretsManagerWebhookSecrets,
  WEBHOOK_SECRETS_LOCAL_ENV,
} from '#lib/runtime/webhook-secrets.ts';
import { WebhookSecretError } from '#lib/triggers/errors.ts';
import { type LocalSecretsManager, startLocalSecretsManager } from '#local/secrets-manager.ts';

const CURRENT = `whsec_${Buffer.from('current-signing-key-0123456789').toString('base64')}`;
const PREVIOUS = `whsec_${Buffer.from('previous-signing-key-987654321').toString('base64')}`;
const SECRET_ID = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:webhook-AbCdEf';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

let secretsManager: LocalSecretsManager;
let secretNumber = 0;
/** A secret id of its own per test: nothing cached by an earlier test answers for it. */
const freshSecretId = () => `${SECRET_ID}-${++secretNumber}`;
const readsOf = (secretId: string) => secretsManager.reads.filter((id) => id === secretId).length;

beforeAll(async () => {
  secretsManager = await startLocalSecretsManager();
});
afterAll(() => secretsManager.close());
afterEach(() => {
  vi.useRealTimers();
});

/** Moves only `Date` (Powertools' cache clock), never the timers the HTTP exchange uses. */
function controlDate(start = '2026-11-27T02:00:00Z') {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(start));
  return (ms: number) => vi.setSystemTime(new Date(Date.now() + ms));
}

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
    const err = thrown(() => parseWebhookSecret(raw, 'secret x'));
    // Assess
    expect(err).toBeInstanceOf(WebhookSecretError);
    expect((err as Error).message).toContain(message);
  });

  it('never puts the secret in its error', () => {
    // Prepare: valid JSON, but the previous secret is too short.
    const raw = JSON.stringify({ current: CURRENT, previous: 'whsec_tiny' });
    // Act
    const err = thrown(() => parseWebhookSecret(raw, 'secret x')) as Error;
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
    secretsManager.put(network, CURRENT);
    secretsManager.put(bot, PREVIOUS);
    secretsManager.deny(bot, 'AccessDeniedException');
    // Act
    const senders = await secretsManagerSenderSecrets(
      { network, bot },
      { client: secretsManager.client() },
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
    secretsManager.put(secretId, CURRENT);
    const secrets = secretsManagerWebhookSecrets(secretId, {
      maxAgeSeconds: 60,
      client: secretsManager.client(),
    });
    // Act
    const first = await secrets();
    advance(30_000);
    secretsManager.put(secretId, JSON.stringify({ current: PREVIOUS, previous: CURRENT }));
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
    secretsManager.put(secretId, CURRENT);
    const secrets = secretsManagerWebhookSecrets(secretId, { client: secretsManager.client() });
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
    secretsManager.deny(secretId, 'AccessDeniedException');
    const secrets = secretsManagerWebhookSecrets(secretId, { client: secretsManager.client() });
    // Act
    const denied = await secrets().catch((e: unknown) => e);
    secretsManager.deny(secretId, undefined);
    secretsManager.put(secretId, 'short');
    const bad = await secrets().catch((e: unknown) => e);
    secretsManager.put(secretId, CURRENT);
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
