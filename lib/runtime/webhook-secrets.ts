// The webhook signing secrets (Standard Webhooks `whsec_…`): one secret per sender (config
// `webhooks.senders`), each with up to two values active during a rotation.
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { cachedSecret } from '#lib/secrets/cached-secret.ts';
import { WebhookSecretError } from '#lib/triggers/errors.ts';
import type { SenderSecrets } from '#lib/triggers/normalize.ts';

/** Deployed functions: JSON `{ "<sender>": "<secret ARN>" }` (set by the CDK stack). */
export const WEBHOOK_SENDER_SECRETS_ENV = 'WEBHOOK_SENDER_SECRETS';
/**
 * Local runs only: JSON `{ "<sender>": "whsec_…" | {"current","previous"} }`, or one or two comma-separated
 * `whsec_…` secrets, which are the secrets of sender 'default'.
 */
export const WEBHOOK_SECRETS_LOCAL_ENV = 'WEBHOOK_SECRETS';
/** The sender a single, unnamed secret belongs to (the secret of versions before scopes). */
export const DEFAULT_SENDER = 'default';

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

/** One sender's secret through Powertools Parameters, cached per container (default 5 minutes). */
export function secretsManagerWebhookSecrets(
  secretId: string,
  options: { maxAgeSeconds?: number; client?: SecretsManagerClient } = {},
): () => Promise<string[]> {
  const secret = cachedSecret({
    secretId,
    client: options.client,
    maxAgeSeconds: options.maxAgeSeconds,
    parse: (raw) => parseWebhookSecret(raw, `secret ${secretId}`),
  });
  return () => secret.get();
}

/**
 * Every sender's secrets from one reader per sender. A sender whose secret cannot be read or parsed is
 * reported as a problem (without the value) instead of failing every sender.
 */
export function senderSecrets(
  readers: Readonly<Record<string, () => Promise<string[]>>>,
): () => Promise<SenderSecrets[]> {
  return () =>
    Promise.all(
      Object.entries(readers).map(async ([sender, read]): Promise<SenderSecrets> => {
        try {
          return { sender, secrets: await read() };
        } catch (err) {
          const problem =
            err instanceof WebhookSecretError
              ? err.message
              : `could not be read (${err instanceof Error ? err.name : 'error'})`;
          return { sender, problem };
        }
      }),
    );
}

/** Deployed functions: one Secrets Manager secret per sender, `{ "<sender>": "<secret ARN>" }`. */
export function secretsManagerSenderSecrets(
  secretIds: Readonly<Record<string, string>>,
  options: { client?: SecretsManagerClient } = {},
): () => Promise<SenderSecrets[]> {
  return senderSecrets(
    Object.fromEntries(
      Object.entries(secretIds).map(([sender, id]) => [sender, secretsManagerWebhookSecrets(id, options)]),
    ),
  );
}

/** Parses the `WEBHOOK_SENDER_SECRETS` map the stack sets; a malformed value is a deployment fault. */
export function parseSenderSecretIds(raw: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    Array.isArray(parsed) ||
    !Object.values(parsed).every((v) => typeof v === 'string' && v.length > 0)
  ) {
    throw new WebhookSecretError(`${WEBHOOK_SENDER_SECRETS_ENV} must be JSON { "<sender>": "<secret ARN>" }`);
  }
  return parsed as Record<string, string>;
}

/** Local runs: the senders' secrets from `WEBHOOK_SECRETS` (see WEBHOOK_SECRETS_LOCAL_ENV). */
export function envWebhookSecrets(env: NodeJS.ProcessEnv = process.env): () => Promise<SenderSecrets[]> {
  return async () => {
    const raw = (env[WEBHOOK_SECRETS_LOCAL_ENV] ?? '').trim();
    if (raw.startsWith('{')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        parsed = undefined;
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new WebhookSecretError(
          `${WEBHOOK_SECRETS_LOCAL_ENV} must be JSON { "<sender>": "whsec_…" } or comma-separated whsec_… secrets`,
        );
      }
      const readers = Object.fromEntries(
        Object.entries(parsed).map(([sender, value]) => [
          sender,
          async () =>
            parseWebhookSecret(
              typeof value === 'string' ? value : JSON.stringify(value),
              `${WEBHOOK_SECRETS_LOCAL_ENV} (sender '${sender}')`,
            ),
        ]),
      );
      return senderSecrets(readers)();
    }
    const [current, previous] = raw.split(',').map((s) => s.trim());
    const secrets = parseWebhookSecret(
      current ? JSON.stringify({ current, previous }) : undefined,
      WEBHOOK_SECRETS_LOCAL_ENV,
    );
    return [{ sender: DEFAULT_SENDER, secrets }];
  };
}
