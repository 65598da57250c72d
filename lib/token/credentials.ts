// Where the Console API client credentials come from: Secrets Manager in AWS, env vars for local runs.
import { createHash } from 'node:crypto';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { cachedSecret } from '#lib/secrets/cached-secret.ts';
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
  secretId: string;
  /** The SDK client to read with; default Powertools' own (built on the first read). */
  client?: SecretsManagerClient;
  /** How long a read secret is reused in this container. Default 300 (5 minutes). */
  maxAgeSeconds?: number;
}

function parseCredentials(secretId: string, raw: string | undefined): Credentials {
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
  return { clientId: parsed.clientId, clientSecret: parsed.clientSecret };
}

/**
 * Secret JSON `{"clientId": "...", "clientSecret": "..."}` through Powertools Parameters: cached per container
 * for its max age; `reload` (after the auth server rejected them) reads Secrets Manager again.
 */
export function secretsManagerCredentials(options: SecretsManagerCredentialsOptions): CredentialsSource {
  const { secretId } = options;
  const secret = cachedSecret({
    secretId,
    client: options.client,
    maxAgeSeconds: options.maxAgeSeconds,
    parse: (raw) => parseCredentials(secretId, raw),
  });
  const readFailed = (err: unknown): never => {
    if (err instanceof TokenError) throw err;
    throw new TokenError(
      'credentials-missing',
      `cannot read secret ${secretId}: ${(err as Error).name ?? 'error'}`,
      { cause: err },
    );
  };
  return {
    describe: `secret ${secretId}`,
    get: () => secret.get().catch(readFailed),
    reload: () => secret.refresh().catch(readFailed),
  };
}
