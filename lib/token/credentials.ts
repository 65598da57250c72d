// Where the Console API client credentials come from: Secrets Manager in AWS, env vars for local runs.
import { createHash } from 'node:crypto';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { TokenError } from './errors.ts';
import type { Credentials } from './oauth.ts';

export interface CredentialsSource {
  /** Where the credentials live, for error messages (an env var name or a secret id, never a value). */
  readonly describe: string;
  get(): Promise<Credentials>;
  /** Drop any cached copy and read again (after the auth server rejected them: the secret may have rotated). */
  reload(): Promise<Credentials>;
}

/** A hash that tells two secrets apart without revealing either. */
export function secretFingerprint(credentials: Credentials): string {
  return createHash('sha256')
    .update(`${credentials.clientId}\n${credentials.clientSecret}`)
    .digest('hex')
    .slice(0, 32);
}

export function envCredentials(env: NodeJS.ProcessEnv = process.env): CredentialsSource {
  const read = async (): Promise<Credentials> => {
    const clientId = env.CAMUNDA_CONSOLE_CLIENT_ID?.trim();
    const clientSecret = env.CAMUNDA_CONSOLE_CLIENT_SECRET?.trim();
    if (!clientId || !clientSecret) {
      throw new TokenError(
        'credentials-missing',
        'CAMUNDA_CONSOLE_CLIENT_ID and CAMUNDA_CONSOLE_CLIENT_SECRET must both be set',
      );
    }
    return { clientId, clientSecret };
  };
  return { describe: 'CAMUNDA_CONSOLE_CLIENT_ID/CAMUNDA_CONSOLE_CLIENT_SECRET', get: read, reload: read };
}

export interface SecretsManagerCredentialsOptions {
  client: SecretsManagerClient;
  secretId: string;
  /** How long a read secret is reused in this container. Default 5 minutes. */
  maxAgeMs?: number;
  now?: () => number;
}

/** Secret JSON `{"clientId": "...", "clientSecret": "..."}`, cached per container with a max age. */
export function secretsManagerCredentials(options: SecretsManagerCredentialsOptions): CredentialsSource {
  const { client, secretId } = options;
  const maxAgeMs = options.maxAgeMs ?? 5 * 60_000;
  const now = options.now ?? Date.now;
  let cached: { value: Credentials; at: number } | undefined;
  let inflight: Promise<Credentials> | undefined;

  const fetchSecret = async (): Promise<Credentials> => {
    let raw: string | undefined;
    try {
      raw = (await client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
    } catch (err) {
      throw new TokenError(
        'credentials-missing',
        `cannot read secret ${secretId}: ${(err as Error).name ?? 'error'}`,
        { cause: err },
      );
    }
    let parsed: { clientId?: unknown; clientSecret?: unknown } = {};
    try {
      parsed = JSON.parse(raw ?? '');
    } catch {}
    if (
      typeof parsed.clientId !== 'string' ||
      !parsed.clientId ||
      typeof parsed.clientSecret !== 'string' ||
      !parsed.clientSecret
    ) {
      throw new TokenError(
        'credentials-missing',
        `secret ${secretId} must be JSON {"clientId": "...", "clientSecret": "..."} with both fields set`,
      );
    }
    const value = { clientId: parsed.clientId, clientSecret: parsed.clientSecret };
    cached = { value, at: now() };
    return value;
  };
  const load = (): Promise<Credentials> => {
    inflight ??= fetchSecret().finally(() => {
      inflight = undefined;
    });
    return inflight;
  };
  return {
    describe: `secret ${secretId}`,
    async get() {
      if (cached && now() - cached.at < maxAgeMs) return cached.value;
      return load();
    },
    reload() {
      cached = undefined;
      return load();
    },
  };
}
