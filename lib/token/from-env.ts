// The edge for processes that are not a function's composition root (the herd and benchmark workers,
// scripts): reads the environment once and builds the provider from what it found. The composition root
// (lib/runtime/container.ts) builds the provider from its validated config instead.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Log } from '#lib/log/log.ts';
import { STATE_TABLE_ENV, tableNameFromEnv } from '#lib/state/table.ts';
import { type CredentialsSource, envCredentials, secretsManagerCredentials } from './credentials.ts';
import { SharedTokenProvider, type TokenMetrics, type TokenProviderTuning } from './provider.ts';
import { oauthSettingsFromEnv } from './settings.ts';
import { dynamoTokenStore } from './shared-store.ts';

/** Secrets Manager secret (name or ARN) holding `{"clientId","clientSecret"}`. */
export const CREDENTIALS_SECRET_ENV = 'CAMUNDA_CONSOLE_CREDENTIALS_SECRET';

/** The secret named by CAMUNDA_CONSOLE_CREDENTIALS_SECRET, else CAMUNDA_CONSOLE_CLIENT_ID/_SECRET. */
export function credentialsFromEnv(
  env: NodeJS.ProcessEnv,
  secretsManager?: SecretsManagerClient,
): CredentialsSource {
  const secretId = env[CREDENTIALS_SECRET_ENV]?.trim();
  return secretId ? secretsManagerCredentials({ client: secretsManager, secretId }) : envCredentials(env);
}

export interface TokenProviderFromEnvOptions {
  env?: NodeJS.ProcessEnv;
  dynamo?: DynamoDBClient;
  secretsManager?: SecretsManagerClient;
  log?: Log;
  metrics?: TokenMetrics;
  remainingTimeMs?: () => number | undefined;
  fetch?: typeof fetch;
  tuning?: Partial<TokenProviderTuning>;
}

/** Without STATE_TABLE_NAME the provider keeps its token in this process only (local runs). */
export function tokenProviderFromEnv(options: TokenProviderFromEnvOptions = {}): SharedTokenProvider {
  const env = options.env ?? process.env;
  const store = env[STATE_TABLE_ENV]
    ? dynamoTokenStore(options.dynamo ?? new DynamoDBClient({}), tableNameFromEnv(env))
    : undefined;
  return new SharedTokenProvider({
    credentials: credentialsFromEnv(env, options.secretsManager),
    oauth: oauthSettingsFromEnv(env),
    store,
    log: options.log,
    metrics: options.metrics,
    remainingTimeMs: options.remainingTimeMs,
    fetch: options.fetch,
    tuning: options.tuning,
  });
}
