// Where `npm run invoke` sends its calls: real Camunda or the Console API simulator, and a DynamoDB endpoint,
// a deployed table or an embedded DynamoDB, chosen from the environment (see `npm run invoke -- --help`).
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureTable } from '#lib/state/create-table.ts';
import { STATE_TABLE_ENV } from '#lib/state/table.ts';
import { type EmbeddedDynamo, LOCAL_AWS, startDynalite } from '#local/dynalite.ts';
import { type RunningSimulator, startSimulator } from '#local/sim/index.ts';
import { UsageError } from './cli.ts';

export const DEFAULT_LOCAL_TABLE = 'camunda-automation-local';

export type Closer = () => Promise<void>;

export interface ConsoleBackend {
  kind: 'camunda' | 'simulator';
  env: NodeJS.ProcessEnv;
  describe: string;
  close?: Closer;
}

export interface DynamoBackend {
  kind: 'embedded' | 'endpoint' | 'aws';
  client: DynamoDBClient;
  tableName: string;
  describe: string;
  close?: Closer;
}

/** Real Camunda when both credentials are set; else a simulator with the seeded org. */
export async function consoleBackend(env: NodeJS.ProcessEnv): Promise<ConsoleBackend> {
  const id = env.CAMUNDA_CONSOLE_CLIENT_ID?.trim();
  const secret = env.CAMUNDA_CONSOLE_CLIENT_SECRET?.trim();
  if (id && secret) {
    const base = env.CAMUNDA_CONSOLE_BASE_URL ?? 'https://api.cloud.camunda.io';
    return { kind: 'camunda', env: {}, describe: `Camunda at ${base} (API client ${id.slice(0, 4)}…)` };
  }
  if (id || secret) {
    throw new UsageError(
      `${id ? 'CAMUNDA_CONSOLE_CLIENT_SECRET' : 'CAMUNDA_CONSOLE_CLIENT_ID'} is not set: set both to talk to Camunda, or neither to use the simulator`,
    );
  }
  const sim: RunningSimulator = await startSimulator({
    seed: 'org',
    backupDurationMs: 100,
    clusterCreateMs: 100,
  });
  return {
    kind: 'simulator',
    env: {
      CAMUNDA_CONSOLE_BASE_URL: sim.url,
      CAMUNDA_OAUTH_URL: sim.oauthUrl,
      CAMUNDA_CONSOLE_OAUTH_AUDIENCE: sim.audience,
      CAMUNDA_CONSOLE_CLIENT_ID: sim.clientId,
      CAMUNDA_CONSOLE_CLIENT_SECRET: sim.clientSecret,
    },
    describe: `the Console API simulator (seeded org, ${sim.state.clusters.size} clusters)`,
    close: () => sim.close(),
  };
}

/** A local DynamoDB endpoint, a deployed table, or an embedded DynamoDB. */
export async function dynamoBackend(env: NodeJS.ProcessEnv): Promise<DynamoBackend> {
  const endpoint = env.AWS_ENDPOINT_URL_DYNAMODB?.trim();
  const named = env[STATE_TABLE_ENV]?.trim();
  if (endpoint) {
    const hasCredentials = Boolean(env.AWS_ACCESS_KEY_ID || env.AWS_PROFILE);
    const client = new DynamoDBClient({
      endpoint,
      region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? LOCAL_AWS.region,
      ...(hasCredentials ? {} : { credentials: LOCAL_AWS.credentials }),
    });
    const tableName = named || DEFAULT_LOCAL_TABLE;
    const created = await ensureTable(client, tableName);
    return {
      kind: 'endpoint',
      client,
      tableName,
      describe: `DynamoDB at ${endpoint}, table ${tableName}${created === 'created' ? ' (created)' : ''}`,
      close: async () => client.destroy(),
    };
  }
  if (named) {
    const client = new DynamoDBClient({});
    return {
      kind: 'aws',
      client,
      tableName: named,
      describe: `DynamoDB table ${named} in your AWS account`,
      close: async () => client.destroy(),
    };
  }
  const db: EmbeddedDynamo = await startDynalite();
  const tableName = await db.createTable(`invoke-${randomUUID().slice(0, 8)}`);
  return {
    kind: 'embedded',
    client: db.client,
    tableName,
    describe: 'an embedded DynamoDB',
    close: () => db.close(),
  };
}
