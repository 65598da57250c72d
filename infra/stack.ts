// The whole deployment: one stack composed of constructs per concern. Three functions (one per job) are
// triggered by EventBridge Scheduler (the config's schedules, in its time zone), by events on the project's
// bus, and by signed webhooks, which a fourth function (the ingress, the API's only integration) accepts and
// hands over on the bus; they share one DynamoDB table, the Console API credentials and the webhook
// signing secret; everything that fails ends in one dead-letter queue, and alarms go to one SNS topic.
import { fileURLToPath } from 'node:url';
import { CfnOutput, Duration, RemovalPolicy, SecretValue, Stack, type StackProps } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { SECRETS_PURPOSE } from '#functions/teardown/snapshot.ts';
import { inlinedConfigDefine } from '#lib/config/inlined.ts';
import type { AutomationConfig } from '#lib/config/types.ts';
import { pascalCase } from '#lib/jobs/names.ts';
import { JOBS, type JobName } from '#lib/jobs/types.ts';
import { ENVIRONMENT_ENV } from '#lib/runtime/metrics.ts';
import { DEFAULT_SENDER, WEBHOOK_SENDER_SECRETS_ENV } from '#lib/runtime/webhook-secrets.ts';
import { STATE_TABLE_ENV } from '#lib/state/table.ts';
import { CREDENTIALS_SECRET_ENV } from '#lib/token/from-env.ts';
import { AutomationFunction } from './constructs/automation-function.ts';
import { addEventRules, addSchedules } from './constructs/job-triggers.ts';
import { Observability } from './constructs/observability.ts';
import { SecretsSyncAccess } from './constructs/secrets-sync.ts';
import { StateTable } from './constructs/state-table.ts';
import { addWebhookApi, addWebhookIngress } from './constructs/webhooks.ts';
import { heartbeatsFor, publishedDetailTypes } from './triggers.ts';

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
      [EVENT_BUS_ENV]: this.bus.eventBusName,
      // Also the `environment` dimension of every metric (lib/runtime/powertools.ts), which the alarms name.
      [ENVIRONMENT_ENV]: envName,
    };
    // The validated config is inlined into each bundle with its digest (esbuild define; lib/config/inlined.ts):
    // the functions take it as validated. No 4 KB limit as with env vars, no
    // fetch at start. A config change therefore redeploys the code (`cdk diff` shows a new asset, not the
    // config: review automation.config.ts itself).
    const define = inlinedConfigDefine(config);

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
      // Only what the code uses, per resource: item reads/writes on the table and its key, reading the Console
      // credentials (not the webhook senders' secrets: the ingress verifies webhooks), publishing result events.
      this.table.grantItemAccess(f.fn);
      // GetSecretValue only (grantRead would add DescribeSecret, which the code never calls).
      f.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['secretsmanager:GetSecretValue'],
          resources: [this.consoleSecret.secretArn],
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

    this.ingress = addWebhookIngress(this, {
      deployment: d,
      eventSource: config.events.source,
      environment: {
        ...environment,
        [WEBHOOK_SENDER_SECRETS_ENV]: this.toJsonString(
          Object.fromEntries(
            Object.entries(this.webhookSecrets).map(([name, secret]) => [name, secret.secretArn]),
          ),
        ),
      },
      define,
      table: this.table,
      bus: this.bus,
      webhookSecrets: this.webhookSecrets,
      deadLetters: this.deadLetters,
    });

    const triggers = { config, envName, functions: fns, deadLetters: this.deadLetters };
    const group = addSchedules(this, triggers);
    addEventRules(this, this.bus, triggers);

    this.api = addWebhookApi(this, { deployment: d, envName, ingress: this.ingress });

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
