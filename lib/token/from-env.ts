// Builds the shared token provider from the environment: the wiring every function and tool uses.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Log } from '#lib/log/log.ts';
import { STATE_TABLE_ENV, tableNameFromEnv } from '#lib/state/table.ts';
import { envCredentials, secretsManagerCredentials } from './credentials.ts';
import { SharedTokenProvider, type TokenMetrics, type TokenProviderTuning } from './provider.ts';
import { oauthSettingsFromEnv } from './settings.ts';
import { dynamoTokenStore } from './shared-store.ts';

/** Secrets Manager secret (name or ARN) holding `{"clientId","clientSecret"}`. */
export const CREDENTIALS_SECRET_ENV = 'CAMUNDA_CONSOLE_CREDENTIALS_SECRET';

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

export function tokenProviderFromEnv(options: TokenProviderFromEnvOptions = {}): SharedTokenProvider {
  const env = options.env ?? process.env;
  const secretId = env[CREDENTIALS_SECRET_ENV]?.trim();
  const credentials = secretId
    ? secretsManagerCredentials({ client: options.secretsManager, secretId })
    : envCredentials(env);
  const store = env[STATE_TABLE_ENV]
    ? dynamoTokenStore(options.dynamo ?? new DynamoDBClient({}), tableNameFromEnv(env))
    : undefined;
  return new SharedTokenProvider({
    credentials,
    oauth: oauthSettingsFromEnv(env),
    store,
    log: options.log,
    metrics: options.metrics,
    remainingTimeMs: options.remainingTimeMs,
    fetch: options.fetch,
    tuning: options.tuning,
  });
}
