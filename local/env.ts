// A complete local deployment in one process: the Console API + OAuth simulator, an embedded DynamoDB
// with the state table, and the composition root wired to them. Used by the handler tests and `npm start`.
import { randomUUID } from 'node:crypto';
import { deepMerge, resolveConfig } from '#lib/config/load.ts';
import type { AutomationConfig } from '#lib/config/types.ts';
import { type Container, createContainer, setContainer } from '#lib/runtime/container.ts';
import { memoryPublisher } from '#lib/runtime/events.ts';
import { memoryCounters } from '#lib/runtime/metrics.ts';
import { signWebhook } from '#lib/triggers/sign.ts';
import { type EmbeddedDynamo, startDynalite } from '#local/dynalite.ts';
import { type RecordedLine, recordingLog } from '#local/recording-log.ts';

export { lambdaContext } from '#local/lambda-context.ts';

import { type RunningSimulator, type SimOptions, startSimulator } from '#local/sim/index.ts';

/** The secret of local webhook sender 'default', which may call every route. */
export const LOCAL_WEBHOOK_SECRET = `whsec_${Buffer.from('local-webhook-signing-key-0123456789').toString('base64')}`;
/** The secret of local webhook sender 'keep-alive-bot', which may only call teardown.keep-alive. */
export const LOCAL_KEEP_ALIVE_SECRET = `whsec_${Buffer.from('local-keep-alive-bot-key-0123456789').toString('base64')}`;
/** `WEBHOOK_SECRETS` of the local environment: both senders' secrets. */
export const LOCAL_WEBHOOK_SECRETS = JSON.stringify({
  default: LOCAL_WEBHOOK_SECRET,
  'keep-alive-bot': LOCAL_KEEP_ALIVE_SECRET,
});

/** A policy that fits the simulator's seeded org (names, labels and plans of local/sim/seed.ts). */
export const LOCAL_CONFIG = {
  timeZone: 'UTC',
  concurrency: 4,
  timeMarginSeconds: 5,
  events: { source: 'camunda.automation' },
  webhooks: {
    senders: {
      default: { routes: ['*'] },
      'keep-alive-bot': { routes: ['teardown.keep-alive'] },
    },
  },
  backup: {
    enabled: true,
    schedule: 'cron(0 2 * * ? *)',
    dryRun: false,
    mode: 'manual',
    minIntervalHours: 12,
    selector: { labels: ['env-prod', 'env-stage'] },
    targets: [
      { selector: { labels: ['env-prod'] }, maxAgeHours: 24 },
      // stage-legacy-reports runs a generation too old for backups: it has no promise to keep.
      { selector: { labels: ['env-stage'], exclude: { names: ['stage-legacy-*'] } }, maxAgeHours: 48 },
    ],
    productionSelector: { labels: ['env-prod'] },
    drill: { enabled: true, cluster: 'stage-payments', maxMinutes: 30, pollSeconds: 1 },
  },
  teardown: {
    enabled: true,
    dryRun: false,
    selector: { names: ['dev-*'] },
    protect: { ids: [], names: [], labels: ['protected'] },
    minAgeHours: 4,
    maxDeletionsPerRun: 5,
    noticeSchedule: 'cron(30 19 ? * MON-FRI *)',
    schedule: 'cron(0 20 ? * MON-FRI *)',
    recreate: { enabled: true, schedule: 'cron(0 7 ? * MON-FRI *)' },
    keepAlive: { maxHours: 24 },
  },
  allowlist: {
    enabled: true,
    dryRun: false,
    schedule: 'rate(1 hour)',
    selector: { planTypes: ['Enterprise S', 'Enterprise M'] },
    static: [{ cidr: '203.0.113.0/24', description: 'office' }],
    sources: { 'office-vpn': {} },
  },
  // Desired connector secrets from the local JSON source (local/secrets-source.json; SECRETS_SYNC_LOCAL_FILE).
  secretsSync: {
    enabled: true,
    selector: { labels: ['env-prod'] },
    sources: {
      payments: { prefix: 'camunda/payments/', selector: { labels: ['team-payments', 'team-billing'] } },
    },
  },
} as const;

export interface LocalEnv {
  sim: RunningSimulator;
  db: EmbeddedDynamo;
  tableName: string;
  config: AutomationConfig;
  container: Container;
  log: ReturnType<typeof recordingLog>;
  counters: ReturnType<typeof memoryCounters>;
  events: ReturnType<typeof memoryPublisher>;
  env: NodeJS.ProcessEnv;
  /** A fresh container on the same simulator and table: another cold Lambda instance. */
  coldContainer(): Container;
  close(): Promise<void>;
}

export interface LocalEnvOptions {
  /** Deep-merged over LOCAL_CONFIG. */
  config?: Record<string, unknown>;
  sim?: SimOptions;
  now?: () => number;
  /** The bus the container publishes on (default: a memory publisher that records). */
  events?: ReturnType<typeof memoryPublisher>;
  /** How the handlers wait (the recreate's backoff); default a real timer. */
  sleep?: (ms: number) => Promise<void>;
}

export async function startLocalEnv(options: LocalEnvOptions = {}): Promise<LocalEnv> {
  const [sim, db] = await Promise.all([
    startSimulator({
      seed: 'org',
      backupDurationMs: 100,
      clusterCreateMs: 100,
      tarPitMs: 50,
      ...options.sim,
    }),
    startDynalite(),
  ]);
  const tableName = await db.createTable(`local-state-${randomUUID().slice(0, 8)}`);
  // Restores fast enough for a local drill (a few one-second looks), unless a test set its own.
  sim.state.restores.durationMs = 1_500;
  sim.state.restores.resumeMs = 500;
  const config = resolveConfig(deepMerge(LOCAL_CONFIG, options.config ?? {}));
  const env: NodeJS.ProcessEnv = {
    STATE_TABLE_NAME: tableName,
    CAMUNDA_CONSOLE_BASE_URL: sim.url,
    CAMUNDA_OAUTH_URL: sim.oauthUrl,
    CAMUNDA_CONSOLE_OAUTH_AUDIENCE: sim.audience,
    CAMUNDA_CONSOLE_CLIENT_ID: sim.clientId,
    CAMUNDA_CONSOLE_CLIENT_SECRET: sim.clientSecret,
    WEBHOOK_SECRETS: LOCAL_WEBHOOK_SECRETS,
  };
  const log = recordingLog();
  const counters = memoryCounters();
  const events = options.events ?? memoryPublisher();
  const build = () =>
    createContainer({
      env,
      config,
      dynamo: db.client,
      log,
      metrics: counters,
      events,
      now: options.now,
      ...(options.sleep ? { sleep: options.sleep } : {}),
    });
  const container = build();
  setContainer(container);
  return {
    sim,
    db,
    tableName,
    config,
    container,
    log,
    counters,
    events,
    env,
    coldContainer: build,
    async close() {
      setContainer(undefined);
      await Promise.all([sim.close(), db.close()]);
    },
  };
}

/**
 * A scheduled time `minutes` before now, for scheduler events: a scheduled teardown notice, run or recreate
 * delivered later than teardown.maxLatenessMinutes (default 60) after its time is refused.
 */
export function minutesAgo(minutes: number, now: () => number = Date.now): string {
  // Whole seconds, as the Scheduler sends <aws.scheduler.scheduled-time>.
  return `${new Date(now() - minutes * 60_000).toISOString().slice(0, 19)}Z`;
}

/** The input EventBridge Scheduler sends (what the CDK stack configures). */
export function schedulerEvent(job: string, action: string, scheduledTime: string) {
  return { job, action, scheduledTime, executionId: randomUUID() };
}

/** A custom EventBridge event on the project's bus. */
export function eventBridgeEvent(
  detailType: string,
  detail: Record<string, unknown>,
  id: string = randomUUID(),
) {
  return {
    version: '0',
    id,
    'detail-type': detailType,
    source: 'camunda.automation',
    account: '123456789012',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: [],
    detail,
  };
}

/** An API Gateway HTTP API (payload 2.0) webhook request, signed per Standard Webhooks. */
export function webhookEvent(
  job: string,
  action: string,
  body: unknown,
  options: { id?: string; secret?: string; timestampSeconds?: number; headers?: Record<string, string> } = {},
) {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const id = options.id ?? `msg_${randomUUID()}`;
  const signed = signWebhook(
    options.secret ?? LOCAL_WEBHOOK_SECRET,
    id,
    options.timestampSeconds ?? Math.floor(Date.now() / 1000),
    raw,
  );
  const path = `/webhooks/${job}/${action}`;
  return {
    version: '2.0',
    routeKey: 'POST /webhooks/{job}/{action}',
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...signed, ...options.headers },
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'local',
      http: { method: 'POST', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'local' },
      requestId: randomUUID(),
      routeKey: 'POST /webhooks/{job}/{action}',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    pathParameters: { job, action },
    body: raw,
    isBase64Encoded: false,
  };
}

/** Every logged line as one string, to scan for secrets. */
export function allLogText(lines: RecordedLine[]): string {
  return JSON.stringify(lines);
}
