// The whole deployment: one stack composed of constructs per concern. Three functions (one per job) are
// triggered by EventBridge Scheduler (the config's schedules, in its time zone), by events on the project's
// bus, and by signed webhooks, which a fourth function (the ingress, the API's only integration) accepts and
// hands over on the bus; they share one DynamoDB table, the Console API credentials and the webhook
// signing secret; everything that fails ends in one dead-letter queue, and alarms go to one SNS topic.
import { fileURLToPath } from 'node:url';
import {
  CfnOutput,
  Duration,
  RemovalPolicy,
  SecretValue,
  Stack,
  type StackProps,
  TimeZone,
} from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpStage,
  type IHttpRouteAuthorizer,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { EventBus, type EventPattern, Match, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  ContextAttribute,
  Schedule,
  ScheduleExpression,
  ScheduleGroup,
  ScheduleTargetInput,
  TimeWindow,
} from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { NOTICE_EVENT } from '#functions/teardown/notice.ts';
import { READY_EVENT, RECREATE_CONTINUATION } from '#functions/teardown/recreate.ts';
import { SECRETS_PURPOSE } from '#functions/teardown/snapshot.ts';
import { longestGapMs } from '#lib/config/schedule-times.ts';
import type { AutomationConfig } from '#lib/config/types.ts';
import { pascalCase } from '#lib/jobs/names.ts';
import { JOB_ACTIONS, JOBS, type JobName } from '#lib/jobs/types.ts';
import { ENVIRONMENT_ENV } from '#lib/runtime/metrics.ts';
import { DEFAULT_SENDER, WEBHOOK_SENDER_SECRETS_ENV } from '#lib/runtime/webhook-secrets.ts';
import { STATE_TABLE_ENV } from '#lib/state/table.ts';
import { CREDENTIALS_SECRET_ENV } from '#lib/token/from-env.ts';
import { CLUSTER_CREATED, RECREATE_RESULT, WEBHOOK_ACCEPTED } from '#lib/triggers/normalize.ts';
import { AutomationFunction } from './constructs/automation-function.ts';
import {
  HEARTBEAT_SLACK_HOURS,
  type HeartbeatSpec,
  MAX_HEARTBEAT_PERIOD_HOURS,
  Observability,
} from './constructs/observability.ts';
import { SecretsSyncAccess } from './constructs/secrets-sync.ts';
import { StateTable, TABLE_KEY_ACTIONS } from './constructs/state-table.ts';

export interface AutomationStackProps extends StackProps {
  /** The validated config of the environment being deployed. */
  config: AutomationConfig;
  envName: string;
}

const ENTRY: Record<JobName, string> = {
  backup: 'functions/backup/handler.ts',
  teardown: 'functions/teardown/handler.ts',
  'allowlist-sync': 'functions/allowlist-sync/handler.ts',
  'secrets-sync': 'functions/secrets-sync/handler.ts',
};

const DESCRIPTION: Record<JobName, string> = {
  backup: 'Camunda cluster backups by policy',
  teardown: 'Nightly teardown of dev clusters: notice, keep-alive, teardown, morning recreate',
  'allowlist-sync': 'Keeps cluster IP allowlists equal to the desired state',
  'secrets-sync': 'Keeps cluster connector secrets equal to AWS Secrets Manager',
};

/** The env var the functions publish their result events with (lib/runtime/container.ts). */
export const EVENT_BUS_ENV = 'EVENT_BUS_NAME';

/** Placeholders the created secrets hold until the user puts the real values (docs/DEPLOY.md). Never change
 * them: a changed template value would overwrite what the user stored. */
export const CREDENTIALS_PLACEHOLDER = JSON.stringify({ clientId: '', clientSecret: '' });
export const WEBHOOK_SECRET_PLACEHOLDER = JSON.stringify({ current: '', previous: '' });

export interface ScheduleSpec {
  /** Construct id of the schedule (stable: renaming it replaces the schedule). */
  id: string;
  job: JobName;
  action: string;
  /** EventBridge Scheduler expression, evaluated in the config's time zone. */
  expression: string;
}

/**
 * The schedules the config asks for: only enabled jobs get any; recreate (and its follow-up run, which
 * re-applies allowlists once the new clusters are Healthy) only when enabled.
 */
export function schedulesFor(config: AutomationConfig): ScheduleSpec[] {
  const out: ScheduleSpec[] = [];
  const { backup, teardown, allowlist, secretsSync } = config;
  if (backup.enabled)
    out.push({ id: 'BackupRun', job: 'backup', action: 'run', expression: backup.schedule });
  if (backup.enabled && backup.targets.length > 0)
    out.push({ id: 'BackupCheck', job: 'backup', action: 'check', expression: backup.checkSchedule });
  if (backup.enabled && backup.drill.enabled && backup.drill.cluster !== undefined)
    out.push({ id: 'BackupDrill', job: 'backup', action: 'drill', expression: backup.drill.schedule });
  if (teardown.enabled) {
    out.push({
      id: 'TeardownNotice',
      job: 'teardown',
      action: 'notice',
      expression: teardown.noticeSchedule,
    });
    out.push({ id: 'TeardownRun', job: 'teardown', action: 'run', expression: teardown.schedule });
    if (teardown.recreate.enabled) {
      const { schedule, followUpSchedule } = teardown.recreate;
      out.push({ id: 'TeardownRecreate', job: 'teardown', action: 'recreate', expression: schedule });
      out.push({
        id: 'TeardownRecreateFollowUp',
        job: 'teardown',
        action: 'recreate',
        expression: followUpSchedule,
      });
    }
  }
  if (allowlist.enabled) {
    out.push({
      id: 'AllowlistSyncSync',
      job: 'allowlist-sync',
      action: 'sync',
      expression: allowlist.schedule,
    });
  }
  if (secretsSync.enabled) {
    out.push({
      id: 'SecretsSyncSync',
      job: 'secrets-sync',
      action: 'sync',
      expression: secretsSync.schedule,
    });
  }
  return out;
}

/**
 * The EventBridge `detail-type`s that trigger a job: `<job>.<action>` for each of its actions, and for the
 * allowlist sync also a new cluster and the morning recreate's result (the recreated clusters need their
 * allowlist). Result events (`<job>.<action>.result`) are published on the same bus and source; they match
 * none of these, so no job triggers itself.
 */
export function detailTypesFor(job: JobName): string[] {
  const types: string[] = JOB_ACTIONS[job].map((action) => `${job}.${action}`);
  if (job === 'allowlist-sync') types.push(CLUSTER_CREATED, RECREATE_RESULT);
  // A recreated cluster gets its connector secrets at once (functions/secrets-sync/triggers.ts).
  if (job === 'secrets-sync') types.push(READY_EVENT);
  return types;
}

/**
 * The event pattern of a job's rule. The jobs publish on the same bus and source as they receive, and the evening
 * notice's detail-type (`teardown.notice`) is also a request's. What the jobs publish (run summaries, the notice)
 * always carries `idempotencyKey`, which a request's detail never does (the request schemas refuse unknown keys),
 * so request rules drop details that have one: the notice never comes back as a notice request. The allowlist
 * sync consumes a published summary on purpose (`teardown.recreate.result`) and has no such filter.
 */
export function requestPattern(job: JobName, source: string): EventPattern {
  const detailType = detailTypesFor(job);
  const consumesPublished = detailType.some((t) => t.endsWith('.result') || t === READY_EVENT);
  return consumesPublished
    ? { source: [source], detailType }
    : { source: [source], detailType, detail: { [PUBLISHED_MARKER]: Match.doesNotExist() } };
}

/**
 * The `detail-type`s a job's function publishes (lib/jobs/engine.ts: `<job>.<action>.result` after every run;
 * functions/teardown/notice.ts: the evening notice). Its role may put events with these and no other.
 */
/** The request a drill publishes to resume itself in the next invocation (`{ payload: { resume: true } }`). */
export const DRILL_CONTINUATION = 'backup.drill';

export function publishedDetailTypes(job: JobName): string[] {
  const types: string[] = JOB_ACTIONS[job].map((action) => `${job}.${action}.result`);
  if (job === 'teardown') {
    types.push(NOTICE_EVENT);
    // The morning recreate: a recreated cluster is ready (functions/teardown/recreate.ts), and a run that ends
    // with clusters still pending asks for its own bounded continuation.
    types.push(READY_EVENT, RECREATE_CONTINUATION);
  }
  // A restore drill that outlasts an invocation asks for its own continuation (functions/backup/run-drill.ts).
  if (job === 'backup') types.push(DRILL_CONTINUATION);
  return types;
}

/**
 * One heartbeat per scheduled action (recreate's two schedules together): the longest gap between its runs in
 * the config's time zone over the coming 400 days (so both daylight-saving changes), plus slack, in whole hours.
 * An action whose gap exceeds CloudWatch's 7-day evaluation limit (a monthly cron, a one-off at()) gets none.
 */
export function heartbeatsFor(config: AutomationConfig, from: Date = new Date()): HeartbeatSpec[] {
  const byAction = new Map<string, ScheduleSpec[]>();
  for (const s of schedulesFor(config)) {
    const key = `${s.job}.${s.action}`;
    byAction.set(key, [...(byAction.get(key) ?? []), s]);
  }
  const out: HeartbeatSpec[] = [];
  for (const specs of byAction.values()) {
    const [first] = specs;
    if (!first) continue;
    const gapMs = longestGapMs(
      specs.map((s) => s.expression),
      config.timeZone,
      from,
    );
    const longestGapHours = gapMs / 3_600_000;
    const periodHours = Math.ceil(longestGapHours + HEARTBEAT_SLACK_HOURS);
    if (!Number.isFinite(periodHours) || periodHours > MAX_HEARTBEAT_PERIOD_HOURS) continue;
    out.push({ job: first.job, action: first.action, longestGapHours, periodHours });
  }
  return out;
}

/**
 * The pattern of a job's hand-over rule: the webhook ingress's `webhook.accepted` events for this job. The request
 * rules drop them (their detail-type is none of a job's, and the detail carries `idempotencyKey`), so an accepted
 * webhook reaches its job through this rule only, and runs under the ledger key the ingress recorded.
 */
export function handoverPattern(job: JobName, source: string): EventPattern {
  return {
    source: [source],
    detailType: [WEBHOOK_ACCEPTED],
    detail: { [PUBLISHED_MARKER]: Match.exists(), request: { job: [job] } },
  };
}

/** The ledger partitions the webhook ingress may read and write: webhook runs' records (lib/state/keys.ts). */
export const INGRESS_LEADING_KEYS = ['run#webhook:*'];

/** A field every event the jobs publish carries and no request may carry. */
export const PUBLISHED_MARKER = 'idempotencyKey';

/**
 * The construct id of a sender's secret. Sender 'default' keeps the id of the single secret of earlier versions,
 * so an existing deployment keeps the secret (and the value) it was given.
 */
export function webhookSecretId(sender: string): string {
  return sender === DEFAULT_SENDER ? 'WebhookSecret' : `WebhookSecret${pascalCase(sender)}`;
}

const root = (p: string) => fileURLToPath(new URL(`../${p}`, import.meta.url));

export class AutomationStack extends Stack {
  readonly functions: Record<JobName, AutomationFunction>;
  /** The webhook ingress: the only function the HTTP API integrates. */
  readonly ingress: AutomationFunction;
  readonly table: StateTable;
  /** Seals connector-secret values between a teardown and the recreate (lib/secrets/sealer.ts); teardown only. */
  readonly secretsKey: Key;
  /** `teardown.recreate.secretPrefix`: the teardown role may write the secrets under it (and no others). */
  readonly publishedSecretsPrefix: string;
  /** The secrets-sync policy (infra/nag.ts acknowledges the wildcards of its source reads). */
  readonly secretsSyncPolicy: AutomationConfig['secretsSync'];
  readonly bus: EventBus;
  readonly api: HttpApi;
  readonly consoleSecret: ISecret;
  /** One signing secret per webhook sender (config `webhooks.senders`). */
  readonly webhookSecrets: Record<string, ISecret>;
  readonly deadLetters: Queue;
  readonly observability: Observability;
  readonly webhookAuth: AutomationConfig['deployment']['webhookAuth'];

  constructor(scope: Construct, id: string, props: AutomationStackProps) {
    super(scope, id, props);
    const { config, envName } = props;
    const d = config.deployment;
    this.webhookAuth = d.webhookAuth;
    this.publishedSecretsPrefix = config.teardown.recreate.secretPrefix;
    this.secretsSyncPolicy = config.secretsSync;

    this.table = new StateTable(this, 'State');
    // A key of its own (not the table's, which every function may use unconditionally for DynamoDB): only the
    // teardown function may use it, and only with the sealer's encryption context. RETAINed like the table: the
    // sealed boxes in the table's snapshots open with it only.
    this.secretsKey = new Key(this, 'SecretsKey', {
      description:
        'Camunda console automation: seals connector-secret values between a teardown and the morning recreate',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.bus = new EventBus(this, 'Bus', {
      description: 'Camunda console automation: job requests and results',
    });

    // Secrets Manager, default aws/secretsmanager key. Created holding a placeholder the functions refuse with a
    // clear message (docs/DEPLOY.md has the commands that fill them), or imported by ARN from the config.
    this.consoleSecret = d.consoleCredentialsSecretArn
      ? Secret.fromSecretCompleteArn(this, 'ConsoleCredentials', d.consoleCredentialsSecretArn)
      : new Secret(this, 'ConsoleCredentials', {
          description:
            'Camunda Console API client credentials: JSON {"clientId": "...", "clientSecret": "..."}',
          secretStringValue: SecretValue.unsafePlainText(CREDENTIALS_PLACEHOLDER),
        });
    // One signing secret per webhook sender, so a secret only authorizes its sender's routes. Not generated by
    // Secrets Manager: a generated password is not a Standard Webhooks secret (whsec_ + base64).
    this.webhookSecrets = {};
    for (const sender of Object.keys(config.webhooks.senders)) {
      const id = webhookSecretId(sender);
      const arn =
        d.webhookSecretArns?.[sender] ?? (sender === DEFAULT_SENDER ? d.webhookSecretArn : undefined);
      this.webhookSecrets[sender] = arn
        ? Secret.fromSecretCompleteArn(this, id, arn)
        : new Secret(this, id, {
            description: `Standard Webhooks signing secret of webhook sender '${sender}': "whsec_<base64>", or JSON {"current": "whsec_...", "previous": "whsec_..."} while rotating`,
            secretStringValue: SecretValue.unsafePlainText(WEBHOOK_SECRET_PLACEHOLDER),
          });
    }

    // Failed async invocations (after Lambda's retries), undeliverable events and undeliverable schedules.
    // SQS-managed encryption: EventBridge, Scheduler and Lambda can all write to it without key policies.
    this.deadLetters = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    const environment: Record<string, string> = {
      [STATE_TABLE_ENV]: this.table.table.tableName,
      [CREDENTIALS_SECRET_ENV]: this.consoleSecret.secretArn,
      [WEBHOOK_SENDER_SECRETS_ENV]: this.toJsonString(
        Object.fromEntries(
          Object.entries(this.webhookSecrets).map(([name, secret]) => [name, secret.secretArn]),
        ),
      ),
      [EVENT_BUS_ENV]: this.bus.eventBusName,
      // Also the `environment` dimension of every metric (lib/runtime/powertools.ts), which the alarms name.
      [ENVIRONMENT_ENV]: envName,
    };
    // The validated config is inlined into each bundle (esbuild define): no 4 KB limit as with env vars, no
    // fetch at start. A config change therefore redeploys the code (`cdk diff` shows a new asset, not the
    // config: review automation.config.ts itself).
    const define = { 'process.env.AUTOMATION_CONFIG': JSON.stringify(JSON.stringify(config)) };

    const fns = {} as Record<JobName, AutomationFunction>;
    for (const job of JOBS) {
      const f = new AutomationFunction(this, `${pascalCase(job)}Job`, {
        entry: root(ENTRY[job]),
        service: job,
        description: DESCRIPTION[job],
        timeout: Duration.seconds(d.functionTimeoutSeconds),
        memorySize: d.memoryMb,
        logRetention: d.logRetentionDays as RetentionDays,
        deadLetters: this.deadLetters,
        environment,
        define,
        // Caps this job's simultaneous containers, hence simultaneous cold starts that may each ask Camunda's
        // rate-limited auth server for a token. 0 = no reservation (a new account's quota is often 10 in total,
        // and Lambda refuses a reservation that leaves less than 10 unreserved).
        reservedConcurrentExecutions: d.reservedConcurrency > 0 ? d.reservedConcurrency : undefined,
      });
      // Only what the code uses, per resource: item reads/writes on the table and its key, reading the two
      // secrets, publishing result events.
      this.table.grantItemAccess(f.fn);
      // GetSecretValue only (grantRead would add DescribeSecret, which the code never calls).
      f.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['secretsmanager:GetSecretValue'],
          resources: [
            this.consoleSecret.secretArn,
            ...Object.values(this.webhookSecrets).map((secret) => secret.secretArn),
          ],
        }),
      );
      // PutEvents on this bus, only with the project's source and this job's own published detail-types: a
      // function cannot forge another job's results or a request.
      f.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['events:PutEvents'],
          resources: [this.bus.eventBusArn],
          conditions: {
            StringEquals: {
              'events:source': config.events.source,
              'events:detail-type': publishedDetailTypes(job),
            },
          },
        }),
      );
      if (job === 'teardown') this.grantTeardownSecrets(f, config);
      if (job === 'secrets-sync') {
        new SecretsSyncAccess(this, 'SecretsSyncAccess', {
          fn: f,
          policy: config.secretsSync,
          deadLetters: this.deadLetters,
          envName,
        });
      }
      fns[job] = f;
    }
    this.functions = fns;

    // The webhook ingress: verifies, records the accepted run in the ledger, hands it over on the bus and answers
    // 202. Minimal role: the sender secrets (never the Console credentials), item reads/writes on the webhook
    // runs' ledger partitions only, and PutEvents of `webhook.accepted` alone.
    const ingressEnv: Record<string, string> = { ...environment };
    delete ingressEnv[CREDENTIALS_SECRET_ENV];
    this.ingress = new AutomationFunction(this, 'WebhookIngress', {
      entry: root('functions/webhook-ingress/handler.ts'),
      service: 'webhook-ingress',
      description: 'Webhook ingress: verify, record as accepted, hand over to the job, answer 202',
      // Answers in well under a second; the limit only bounds a stuck dependency.
      timeout: Duration.seconds(10),
      memorySize: d.memoryMb,
      logRetention: d.logRetentionDays as RetentionDays,
      deadLetters: this.deadLetters,
      environment: ingressEnv,
      define,
    });
    this.ingress.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
        resources: [this.table.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': INGRESS_LEADING_KEYS } },
      }),
    );
    this.table.key.grant(this.ingress.role, ...TABLE_KEY_ACTIONS);
    this.ingress.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: Object.values(this.webhookSecrets).map((secret) => secret.secretArn),
      }),
    );
    this.ingress.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['events:PutEvents'],
        resources: [this.bus.eventBusArn],
        conditions: {
          StringEquals: {
            'events:source': config.events.source,
            'events:detail-type': [WEBHOOK_ACCEPTED],
          },
        },
      }),
    );

    // Schedules: EventBridge Scheduler in the config's IANA time zone (right across daylight saving), no
    // flexible window. The input carries the scheduled time and execution id: a retried delivery of the same
    // schedule has the same idempotency key (lib/triggers/normalize.ts).
    // Deleted with the stack (CDK's default is RETAIN): the group has a fixed name derived from the stack, so a
    // retained group would make the next `cdk deploy` of the same stack fail with "already exists". Deleting the
    // group deletes its schedules, which are this stack's anyway.
    const group = new ScheduleGroup(this, 'Schedules', { removalPolicy: RemovalPolicy.DESTROY });
    const timeZone = TimeZone.of(config.timeZone);
    for (const s of schedulesFor(config)) {
      new Schedule(this, `${s.id}Schedule`, {
        scheduleGroup: group,
        description: `${s.job} ${s.action}${s.id.endsWith('FollowUp') ? ' (follow-up)' : ''} (${envName})`,
        schedule: ScheduleExpression.expression(s.expression, timeZone),
        timeWindow: TimeWindow.off(),
        target: new LambdaInvoke(fns[s.job].fn, {
          input: ScheduleTargetInput.fromObject({
            job: s.job,
            action: s.action,
            scheduledTime: ContextAttribute.scheduledTime,
            executionId: ContextAttribute.executionId,
          }),
          deadLetterQueue: this.deadLetters,
          retryAttempts: 3,
          maxEventAge: Duration.hours(1),
        }),
      });
    }

    // Events: one rule per job on the custom bus, routing its detail-types from the config's source.
    for (const job of JOBS) {
      new Rule(this, `${pascalCase(job)}Events`, {
        eventBus: this.bus,
        description: `${job} requests (${envName})`,
        eventPattern: requestPattern(job, config.events.source),
        targets: [
          new LambdaFunction(fns[job].fn, {
            deadLetterQueue: this.deadLetters,
            retryAttempts: 3,
            maxEventAge: Duration.hours(2),
          }),
        ],
      });
    }

    // Accepted webhooks: one rule per job hands the ingress's `webhook.accepted` events to the job.
    for (const job of JOBS) {
      new Rule(this, `${pascalCase(job)}WebhookHandover`, {
        eventBus: this.bus,
        description: `${job} webhooks accepted by the ingress (${envName})`,
        eventPattern: handoverPattern(job, config.events.source),
        targets: [
          new LambdaFunction(fns[job].fn, {
            deadLetterQueue: this.deadLetters,
            retryAttempts: 3,
            maxEventAge: Duration.hours(2),
          }),
        ],
      });
    }

    // Webhooks: POST /webhooks/{job}/{action} on the $default stage, throttled, with JSON access logs. Every
    // request is verified in the function (Standard Webhooks signature); `iam` additionally requires SigV4.
    const accessLogs = new LogGroup(this, 'WebhookAccessLogs', {
      retention: d.logRetentionDays as RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api = new HttpApi(this, 'Webhooks', {
      apiName: `${this.stackName}-webhooks`,
      description: `Camunda console automation webhooks (${envName})`,
      createDefaultStage: false,
    });
    new HttpStage(this, 'WebhooksStage', {
      httpApi: this.api,
      autoDeploy: true,
      throttle: { rateLimit: d.webhookThrottle.rateLimit, burstLimit: d.webhookThrottle.burstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        // Never headers or bodies (they carry signatures and payloads).
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            method: '$context.httpMethod',
            routeKey: '$context.routeKey',
            path: '$context.path',
            status: '$context.status',
            responseLength: '$context.responseLength',
            integrationStatus: '$context.integrationStatus',
            integrationError: '$context.integrationErrorMessage',
            error: '$context.error.message',
            caller: '$context.identity.caller',
          }),
        ),
      },
    });
    const authorizer: IHttpRouteAuthorizer =
      d.webhookAuth === 'iam' ? new HttpIamAuthorizer() : new HttpNoneAuthorizer();
    // Every route integrates the ingress, never a job: the job functions are not reachable from the internet.
    const ingress = new HttpLambdaIntegration('WebhookIngressIntegration', this.ingress.fn);
    for (const job of JOBS) {
      this.api.addRoutes({
        path: `/webhooks/${job}/{action}`,
        methods: [HttpMethod.POST],
        integration: ingress,
        authorizer,
      });
    }
    this.api.addRoutes({
      path: '/runs/{runId}',
      methods: [HttpMethod.GET],
      integration: ingress,
      authorizer,
    });

    this.observability = new Observability(this, 'Observability', {
      functions: fns,
      deadLetters: this.deadLetters,
      alertEmails: config.alerts.emails,
      envName,
      api: this.api,
      ingress: this.ingress,
      heartbeats: heartbeatsFor(config),
    });

    new CfnOutput(this, 'WebhookUrl', {
      description:
        'POST <this>/<job>/<action>, signed with the webhook secret: 202 {runId, state, statusUrl}; GET the statusUrl (signed) for the state and summary',
      value: `${this.api.apiEndpoint}/webhooks`,
    });
    new CfnOutput(this, 'EventBusName', { value: this.bus.eventBusName });
    new CfnOutput(this, 'EventSource', { value: config.events.source });
    new CfnOutput(this, 'ConsoleCredentialsSecretArn', { value: this.consoleSecret.secretArn });
    for (const [sender, secret] of Object.entries(this.webhookSecrets)) {
      new CfnOutput(this, `${webhookSecretId(sender)}Arn`, {
        description: `signing secret of webhook sender '${sender}' (routes: ${config.webhooks.senders[sender]?.routes.join(', ')})`,
        value: secret.secretArn,
      });
    }
    new CfnOutput(this, 'StateTableName', { value: this.table.table.tableName });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: this.deadLetters.queueUrl });
    new CfnOutput(this, 'AlertsTopicArn', { value: this.observability.topic.topicArn });
    new CfnOutput(this, 'DashboardName', { value: this.observability.dashboard.dashboardName });
    new CfnOutput(this, 'ScheduleGroupName', { value: group.scheduleGroupName });
    new CfnOutput(this, 'WebhookIngressFunctionName', { value: this.ingress.fn.functionName });
    for (const job of JOBS) {
      new CfnOutput(this, `${pascalCase(job)}FunctionName`, { value: fns[job].fn.functionName });
    }
  }

  /**
   * What the teardown (and the morning recreate, same function) needs beyond the other jobs: sealing and opening
   * connector-secret values with the secrets key (only under the sealer's purpose), and publishing recreated API
   * clients' credentials under `teardown.recreate.secretPrefix` (lib/secrets/credentials.ts: PutSecretValue,
   * CreateSecret when absent, TagResource with the client id, DescribeSecret to read that tag back).
   */
  private grantTeardownSecrets(f: AutomationFunction, config: AutomationConfig): void {
    f.fn.addEnvironment(SECRETS_KEY_ENV, this.secretsKey.keyArn);
    f.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [...SECRETS_KEY_ACTIONS],
        resources: [this.secretsKey.keyArn],
        conditions: { StringEquals: { 'kms:EncryptionContext:purpose': SECRETS_PURPOSE } },
      }),
    );
    f.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [...PUBLISHED_SECRET_ACTIONS],
        resources: [publishedSecretsArn(this, config.teardown.recreate.secretPrefix)],
      }),
    );
  }
}

/** = SEALING_KEY_ENV of lib/runtime/container.ts (not imported: the container pulls the SDK clients into synth). */
export const SECRETS_KEY_ENV = 'SECRETS_KMS_KEY_ID';

/** The KMS actions lib/secrets/sealer.ts sends (GenerateDataKeyCommand to seal, DecryptCommand to open). */
export const SECRETS_KEY_ACTIONS = ['kms:GenerateDataKey', 'kms:Decrypt'] as const;

/** The Secrets Manager actions lib/secrets/credentials.ts sends on the published credentials. */
export const PUBLISHED_SECRET_ACTIONS = [
  'secretsmanager:CreateSecret',
  'secretsmanager:PutSecretValue',
  'secretsmanager:TagResource',
  'secretsmanager:DescribeSecret',
] as const;

/** Every secret under the prefix (Secrets Manager appends `-XXXXXX` to a secret's name in its ARN). */
export function publishedSecretsArn(stack: Stack, prefix: string): string {
  return `arn:${stack.partition}:secretsmanager:${stack.region}:${stack.account}:secret:${prefix}/*`;
}
