// The one composition root: builds the real clients once per container from the validated config and
// the environment. Handlers and local tools get everything from here; tests pass overrides.

import { createHash } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { inlinedConfig } from '#lib/config/inlined.ts';
import { configFromEnv } from '#lib/config/load.ts';
import type { AutomationConfig } from '#lib/config/types.ts';
import { createConsoleClient, type MeteredConsoleClient } from '#lib/console/client.ts';
import type { EventPublisher, JobDeps, RunMetrics } from '#lib/jobs/ports.ts';
import type { ManagedSecretStore, SecretSourceReader } from '#lib/jobs/secrets-sync-ports.ts';
import type { Log } from '#lib/log/log.ts';
import {
  type CredentialPublisher,
  memoryPublisher as memoryCredentialPublisher,
  secretsManagerPublisher,
} from '#lib/secrets/credentials.ts';
import { jsonFileSource, LOCAL_SECRETS_FILE_ENV } from '#lib/secrets/json-file-source.ts';
import { defaultKmsSealer, localSealer, SealError, type SecretSealer } from '#lib/secrets/sealer.ts';
import { secretsManagerSource } from '#lib/secrets/secrets-manager-source.ts';
import { createDynamoStores } from '#lib/state/dynamo.ts';
import { tableNameFromEnv } from '#lib/state/table.ts';
import { credentialsFromEnv } from '#lib/token/from-env.ts';
import { SharedTokenProvider, type TokenMetrics } from '#lib/token/provider.ts';
import { oauthSettings } from '#lib/token/settings.ts';
import { dynamoTokenStore } from '#lib/token/shared-store.ts';
import type { SenderSecrets } from '#lib/triggers/normalize.ts';
import { defaultEventBridgePublisher } from './eventbridge-publisher.ts';
import { memoryPublisher } from './events.ts';
import { builtOnFirstCall } from './lazy.ts';
import { powertoolsCounters } from './metrics.ts';
import { powertoolsLog, metrics as powertoolsMetrics } from './powertools.ts';
import {
  envWebhookSecrets,
  parseSenderSecretIds,
  secretsManagerSenderSecrets,
  WEBHOOK_SENDER_SECRETS_ENV,
} from './webhook-secrets.ts';

export interface Container extends JobDeps {
  /** The concrete client: the jobs see the port, scripts and benchmarks read its counters too. */
  console: MeteredConsoleClient;
  config: AutomationConfig;
  tokens: SharedTokenProvider;
  /** Every webhook sender's signing secrets (cached); absent in a deployed job function (the ingress verifies). */
  webhookSecrets?: () => Promise<SenderSecrets[]>;
  /** Set per invocation by the handler: the Lambda context's remaining time. */
  invocation: { remainingTimeMs?: () => number };
  /** Seals connector-secret values at rest (KMS in AWS; a local key elsewhere); absent: secrets not kept. */
  sealer?: SecretSealer;
  /** Publishes recreated clusters' API-client credentials (Secrets Manager in AWS; memory locally). */
  credentials: CredentialPublisher;
  sleep: (ms: number) => Promise<void>;
  /** Where secrets-sync reads desired connector secrets: Secrets Manager in AWS, a JSON file locally. */
  secretSources: SecretSourceReader;
  /** The connector secrets this project manages (state table). */
  managedSecrets: ManagedSecretStore;
}

/** Env: the KMS key (id or ARN) that seals connector-secret values between a teardown and the recreate. */
export const SEALING_KEY_ENV = 'SECRETS_KMS_KEY_ID';
/** Env (local runs only): a base64 32-byte key for the local sealer; default a fixed development key. */
export const LOCAL_SEALING_KEY_ENV = 'LOCAL_SEALING_KEY';

/** Published credentials of local runs (npm start, invoke), shared by every container of the process. */
export const localCredentials = memoryCredentialPublisher();

const SEALER_METHODS = ['seal', 'open'] as const;

/**
 * What one function adds to the container every function shares. The teardown alone seals connector
 * secrets, so it alone composes the KMS sealer (`TEARDOWN_PARTS`): the other bundles never reference it and
 * esbuild leaves the KMS client (~28 kB) out of them. Local runs seal with the local key and need no part.
 */
export interface FunctionParts {
  /** Builds the sealer for the key named by SEALING_KEY_ENV (called on the first seal or open). */
  kmsSealer?: (keyId: string) => SecretSealer;
}

/** The teardown's parts: the KMS sealer (snapshots of connector secrets, opened again by the recreate). */
export const TEARDOWN_PARTS: FunctionParts = { kmsSealer: defaultKmsSealer };

/** Decided from the environment now; the sealer (and its KMS client) is built by the first seal or open. */
function sealerFromEnv(env: NodeJS.ProcessEnv, parts: FunctionParts): SecretSealer | undefined {
  const keyId = env[SEALING_KEY_ENV];
  if (keyId) {
    const { kmsSealer } = parts;
    return builtOnFirstCall(async () => {
      // A key given to a function that was not composed to seal: fail the seal or open loudly, never fall
      // back to another key.
      if (!kmsSealer) {
        throw new SealError(
          `${SEALING_KEY_ENV} is set but this function is not composed with the KMS sealer (only the teardown seals)`,
        );
      }
      return kmsSealer(keyId);
    }, SEALER_METHODS);
  }
  // In Lambda without a key: no sealer, so the teardown refuses to delete a cluster that has secrets.
  if (env.AWS_LAMBDA_FUNCTION_NAME) return undefined;
  const local = env[LOCAL_SEALING_KEY_ENV];
  const key = local
    ? Buffer.from(local, 'base64')
    : createHash('sha256').update('camunda-console-automation local development sealing key').digest();
  return builtOnFirstCall(async () => localSealer(key), SEALER_METHODS);
}

/** The bus adapter and its client are built by the first event published. */
function eventBridgeEvents(busName: string, source: string): EventPublisher {
  return builtOnFirstCall(async () => defaultEventBridgePublisher(busName, source), ['publish']);
}

export interface ContainerOverrides {
  env?: NodeJS.ProcessEnv;
  config?: AutomationConfig;
  dynamo?: DynamoDBClient;
  fetch?: typeof fetch;
  log?: Log;
  metrics?: RunMetrics & TokenMetrics;
  events?: EventPublisher;
  now?: () => number;
  sealer?: SecretSealer;
  credentials?: CredentialPublisher;
  sleep?: (ms: number) => Promise<void>;
  secretSources?: SecretSourceReader;
}

/** Secrets Manager in Lambda; elsewhere the local JSON file (lib/secrets/json-file-source.ts). */
function secretSourcesFromEnv(env: NodeJS.ProcessEnv): SecretSourceReader {
  if (env.AWS_LAMBDA_FUNCTION_NAME) {
    return builtOnFirstCall(async () => secretsManagerSource(new SecretsManagerClient({})), ['read']);
  }
  return jsonFileSource(env[LOCAL_SECRETS_FILE_ENV] ?? 'local/secrets-source.json');
}

/**
 * A deployed function's config was validated at synth and inlined with its digest (lib/config/inlined.ts). Both
 * `process.env` reads below are then string literals, so esbuild folds the condition and leaves the config
 * loader and its schemas out of the bundle (it does so for a conditional expression, not for an `if`).
 * Elsewhere (local runs, tests) the config comes from the env or a file and is checked here.
 */
function functionConfig(env: NodeJS.ProcessEnv): AutomationConfig {
  return process.env.AUTOMATION_CONFIG !== undefined && process.env.AUTOMATION_CONFIG_SHA256 !== undefined
    ? inlinedConfig(process.env.AUTOMATION_CONFIG, process.env.AUTOMATION_CONFIG_SHA256)
    : checkedConfig(env);
}

function checkedConfig(env: NodeJS.ProcessEnv): AutomationConfig {
  const inlined = process.env.AUTOMATION_CONFIG;
  return configFromEnv(inlined ? { ...env, AUTOMATION_CONFIG: inlined } : env);
}

export function createContainer(overrides: ContainerOverrides = {}, parts: FunctionParts = {}): Container {
  const env = overrides.env ?? process.env;
  const config = overrides.config ?? functionConfig(env);
  const log = overrides.log ?? powertoolsLog();
  const counters = overrides.metrics ?? powertoolsCounters(powertoolsMetrics);
  const dynamo = overrides.dynamo ?? new DynamoDBClient({});
  const invocation: Container['invocation'] = {};
  const now = overrides.now ?? Date.now;
  const sleep = overrides.sleep ?? ((ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const d = config.deployment;
  // The env names Camunda's SDKs use win over the config, as they do for every Camunda client.
  const tokens = new SharedTokenProvider({
    credentials: credentialsFromEnv(env),
    oauth: oauthSettings(
      env.CAMUNDA_OAUTH_URL ?? d.oauthUrl,
      env.CAMUNDA_CONSOLE_OAUTH_AUDIENCE ?? d.oauthAudience,
    ),
    store: dynamoTokenStore(dynamo, tableNameFromEnv(env)),
    now,
    sleep,
    log,
    metrics: counters,
    fetch: overrides.fetch,
    remainingTimeMs: () => invocation.remainingTimeMs?.(),
    tuning: {
      storeUnavailable: config.token.storeUnavailable,
      storeRetryMs: config.token.storeRetrySeconds * 1000,
    },
  });
  const consoleClient = createConsoleClient({
    tokenSource: tokens,
    baseUrl: env.CAMUNDA_CONSOLE_BASE_URL ?? d.consoleBaseUrl,
    fetch: overrides.fetch,
    log,
  });
  const busName = env.EVENT_BUS_NAME;
  const events =
    overrides.events ?? (busName ? eventBridgeEvents(busName, config.events.source) : memoryPublisher());
  // The ingress is given the senders' secret ARNs; a local run reads its secrets from the env. A deployed job
  // function gets neither (webhooks reach it verified, through the ingress and the bus): it has no webhook.
  const senderSecretIds = env[WEBHOOK_SENDER_SECRETS_ENV];
  const webhookSecrets = senderSecretIds
    ? secretsManagerSenderSecrets(parseSenderSecretIds(senderSecretIds))
    : env.AWS_LAMBDA_FUNCTION_NAME
      ? undefined
      : envWebhookSecrets(env);
  const sealer = overrides.sealer ?? sealerFromEnv(env, parts);
  return {
    config,
    tokens,
    console: consoleClient,
    clock: { now },
    log,
    metrics: counters,
    events,
    ...(webhookSecrets ? { webhookSecrets } : {}),
    invocation,
    ...(sealer ? { sealer } : {}),
    credentials:
      overrides.credentials ??
      (env.AWS_LAMBDA_FUNCTION_NAME
        ? // The published secrets use Secrets Manager's default key (not the sealing key, which the teardown
          // role may only use under the sealer's purpose): their readers need GetSecretValue and nothing else.
          builtOnFirstCall(
            async () => secretsManagerPublisher(new SecretsManagerClient({})),
            ['publish', 'publishedClientId'],
          )
        : localCredentials),
    sleep,
    secretSources: overrides.secretSources ?? secretSourcesFromEnv(env),
    ...createDynamoStores(dynamo, tableNameFromEnv(env)),
  };
}

let current: Container | undefined;

/** The container of this Lambda execution environment, built on first use (with the function's parts). */
export function getContainer(parts: FunctionParts = {}): Container {
  current ??= createContainer({}, parts);
  return current;
}

/** Replaces the memoised container (tests, local runs). */
export function setContainer(container: Container | undefined): void {
  current = container;
}
