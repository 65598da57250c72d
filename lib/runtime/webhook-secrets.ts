// The webhook signing secrets (Standard Webhooks `whsec_…`): up to two active during a rotation.
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { WebhookSecretError } from '#lib/triggers/errors.ts';

export const WEBHOOK_SECRET_ENV = 'WEBHOOK_SIGNING_SECRET';
/** Local runs only: comma-separated secrets in the environment. */
export const WEBHOOK_SECRETS_LOCAL_ENV = 'WEBHOOK_SECRETS';

/**
 * Parses a stored secret: a plain `whsec_…` string, or JSON `{"current": "whsec_…", "previous": "whsec_…"}`
 * while rotating (both verify; the sender signs with either).
 */
export function parseWebhookSecret(raw: string | undefined, where: string): string[] {
  const text = raw?.trim();
  if (!text) throw new WebhookSecretError(`${where} is empty: set the webhook signing secret (whsec_…)`);
  let secrets: unknown[] = [text];
  if (text.startsWith('{')) {
    try {
      const parsed = JSON.parse(text) as { current?: unknown; previous?: unknown };
      secrets = [parsed.current, parsed.previous].filter((s) => s !== undefined && s !== '');
    } catch {
      throw new WebhookSecretError(
        `${where} is not valid JSON {"current": "whsec_…", "previous": "whsec_…"}`,
      );
    }
  }
  if (secrets.length === 0 || !secrets.every((s) => typeof s === 'string' && s.trim().length >= 16)) {
    throw new WebhookSecretError(`${where} must hold one or two signing secrets of at least 16 characters`);
  }
  // Trimmed like a plain secret: a stray space or newline in the JSON would make the key undecodable.
  return (secrets as string[]).map((s) => s.trim());
}

export function secretsManagerWebhookSecrets(
  client: SecretsManagerClient,
  secretId: string,
  options: { maxAgeMs?: number; now?: () => number } = {},
): () => Promise<string[]> {
  const maxAgeMs = options.maxAgeMs ?? 5 * 60_000;
  const now = options.now ?? Date.now;
  let cached: { at: number; value: string[] } | undefined;
  return async () => {
    if (cached && now() - cached.at < maxAgeMs) return cached.value;
    const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    const value = parseWebhookSecret(out.SecretString, `secret ${secretId}`);
    cached = { at: now(), value };
    return value;
  };
}

export function envWebhookSecrets(env: NodeJS.ProcessEnv = process.env): () => Promise<string[]> {
  return async () => {
    const [current, previous] = (env[WEBHOOK_SECRETS_LOCAL_ENV] ?? '').split(',').map((s) => s.trim());
    return parseWebhookSecret(
      current ? JSON.stringify({ current, previous }) : undefined,
      WEBHOOK_SECRETS_LOCAL_ENV,
    );
  };
}
