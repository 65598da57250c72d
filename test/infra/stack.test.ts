// The stack for the `prod` environment of the real automation.config.ts: functions, table, secrets, webhooks,
// outputs (schedules and events are in stack-triggers.test.ts). One synth, bundling skipped.
import { randomBytes } from 'node:crypto';
import { Match } from 'aws-cdk-lib/assertions';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import {
  ASYNC_MAX_EVENT_AGE,
  ASYNC_RETRY_ATTEMPTS,
  FUNCTION_RUNTIME,
} from '#infra/constructs/automation-function.ts';
import { CREDENTIALS_PLACEHOLDER, WEBHOOK_SECRET_PLACEHOLDER } from '#infra/stack.ts';
import { JOBS, type JobName } from '#lib/jobs/types.ts';
import { parseWebhookSecret } from '#lib/runtime/webhook-secrets.ts';
import { TABLE_SCHEMA } from '#lib/state/table.ts';
import { secretsManagerCredentials } from '#lib/token/credentials.ts';
import { TokenError } from '#lib/token/errors.ts';
import { startLocalSecretsManager } from '#local/secrets-manager.ts';
import { logicalId, type Props, render } from '#test/infra/harness.ts';
import { useProdStack } from '#test/infra/prod-stack.ts';

const { config, prod, resourcesOf, fnId } = useProdStack();

const fnProps = (job: JobName) => {
  const r = prod().json.Resources[fnId(job)];
  if (!r?.Properties) throw new Error(`no function for ${job}`);
  return r.Properties;
};

describe('functions', () => {
  it('are the three jobs and the webhook ingress, on arm64, with the newest Node.js runtime aws-cdk-lib offers', () => {
    // Prepare
    const nodeVersions = Object.keys(Runtime)
      .map((k) => /^NODEJS_(\d+)_X$/.exec(k)?.[1])
      .filter((v): v is string => v !== undefined)
      .map(Number);

    // Act
    const functions = resourcesOf('AWS::Lambda::Function');

    // Assess
    expect(FUNCTION_RUNTIME.name).toBe(`nodejs${Math.max(...nodeVersions)}.x`);
    expect(functions).toHaveLength(JOBS.length + 1);
    for (const [, fn] of functions) {
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.Runtime).toBe(FUNCTION_RUNTIME.name);
      expect(fn.Properties.Handler).toBe('index.handler');
    }
  });

  it('take timeout and memory from the config, and have no reserved concurrency when it is 0', () => {
    // Assess
    expect(config.deployment.reservedConcurrency).toBe(0);
    for (const job of JOBS) {
      const p = fnProps(job);
      expect(p.Timeout).toBe(config.deployment.functionTimeoutSeconds);
      expect(p.MemorySize).toBe(config.deployment.memoryMb);
      expect(p).not.toHaveProperty('ReservedConcurrentExecutions');
      expect(p).not.toHaveProperty('TracingConfig');
    }
  });

  it('log as JSON to their own log group, with the environment’s retention, kept when the stack goes', () => {
    for (const job of JOBS) {
      // Act
      const logging = fnProps(job).LoggingConfig as { LogFormat: string; LogGroup: unknown };
      const group = prod().json.Resources[render(logging.LogGroup)];

      // Assess
      expect(logging.LogFormat).toBe('JSON');
      expect(group?.Type).toBe('AWS::Logs::LogGroup');
      expect(group?.Properties?.RetentionInDays).toBe(90); // environments.prod.deployment.logRetentionDays
      expect(group?.DeletionPolicy).toBe('Retain');
    }
  });

  it('get the defaults merged with the stack’s settings: names and ARNs, never a secret value', () => {
    for (const job of JOBS) {
      // Act
      const env = (fnProps(job).Environment as { Variables: Record<string, unknown> }).Variables;

      // Assess
      expect(env).toEqual({
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: job,
        POWERTOOLS_METRICS_NAMESPACE: 'CamundaConsoleAutomation',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        STATE_TABLE_NAME: { Ref: logicalId(prod().stack.table.table) },
        CAMUNDA_CONSOLE_CREDENTIALS_SECRET: { Ref: logicalId(prod().stack.consoleSecret) },
        EVENT_BUS_NAME: { Ref: logicalId(prod().stack.bus) },
        AUTOMATION_ENV: 'prod',
        // The teardown alone seals connector secrets (lib/runtime/container.ts SEALING_KEY_ENV).
        ...(job === 'teardown'
          ? { SECRETS_KMS_KEY_ID: { 'Fn::GetAtt': [logicalId(prod().stack.secretsKey), 'Arn'] } }
          : {}),
      });
    }
  });

  it('only the ingress knows the webhook senders’ secrets: it gets their ARNs by sender, and no Console credentials', () => {
    // Act
    const ingress = prod().json.Resources[logicalId(prod().stack.ingress.fn)]?.Properties ?? {};
    const env = (ingress.Environment as { Variables: Record<string, unknown> }).Variables;

    // Assess
    const senders = JSON.stringify(env.WEBHOOK_SENDER_SECRETS);
    expect(Object.keys(prod().stack.webhookSecrets).sort()).toEqual(['chat-bot', 'network-automation']);
    for (const [sender, secret] of Object.entries(prod().stack.webhookSecrets)) {
      expect(senders).toContain(`\\"${sender}\\":\\"`);
      expect(senders).toContain(logicalId(secret));
    }
    expect(env).not.toHaveProperty('CAMUNDA_CONSOLE_CREDENTIALS_SECRET');
  });

  it('send failed asynchronous invocations, after retries, to the dead-letter queue', () => {
    for (const job of JOBS) {
      prod().template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: fnId(job) },
        MaximumRetryAttempts: ASYNC_RETRY_ATTEMPTS,
        MaximumEventAgeInSeconds: ASYNC_MAX_EVENT_AGE.toSeconds(),
        DestinationConfig: {
          OnFailure: { Destination: { 'Fn::GetAtt': [logicalId(prod().stack.deadLetters), 'Arn'] } },
        },
      });
    }
  });
});

describe('state table', () => {
  it('is on-demand, encrypted with its own rotating key, with PITR and TTL, from the code’s key schema', () => {
    // Prepare
    const { partitionKey, sortKey, ttlAttribute } = TABLE_SCHEMA;

    // Assess
    prod().template.resourceCountIs('AWS::DynamoDB::Table', 1);
    prod().template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: partitionKey.name, KeyType: 'HASH' },
        { AttributeName: sortKey.name, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: partitionKey.name, AttributeType: partitionKey.type },
        { AttributeName: sortKey.name, AttributeType: sortKey.type },
      ],
      SSESpecification: {
        SSEEnabled: true,
        SSEType: 'KMS',
        KMSMasterKeyId: { 'Fn::GetAtt': [logicalId(prod().stack.table.key), 'Arn'] },
      },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: ttlAttribute, Enabled: true },
      DeletionProtectionEnabled: true,
    });
    prod().template.hasResourceProperties('AWS::KMS::Key', {
      Description: Match.stringLikeRegexp('state'),
      EnableKeyRotation: true,
    });
  });

  it('and its key survive the stack (RETAIN)', () => {
    // Act
    const table = prod().json.Resources[logicalId(prod().stack.table.table)];
    const key = prod().json.Resources[logicalId(prod().stack.table.key)];

    // Assess
    expect(table?.DeletionPolicy).toBe('Retain');
    expect(table?.UpdateReplacePolicy).toBe('Retain');
    expect(key?.DeletionPolicy).toBe('Retain');
  });
});

describe('secrets', () => {
  it('are created holding a placeholder the functions refuse, never a generated password', () => {
    // Act
    const secrets = resourcesOf('AWS::SecretsManager::Secret').map(([, r]) => r.Properties);

    // Assess
    // The Console credentials, and one signing secret per webhook sender (chat-bot, network-automation).
    expect(secrets).toHaveLength(3);
    expect(secrets.map((p) => p.SecretString).sort()).toEqual(
      [CREDENTIALS_PLACEHOLDER, WEBHOOK_SECRET_PLACEHOLDER, WEBHOOK_SECRET_PLACEHOLDER].sort(),
    );
    for (const p of secrets) expect(p).not.toHaveProperty('GenerateSecretString');
  });

  it('the placeholders are refused by the functions with a message naming the secret', async () => {
    // Prepare: Secrets Manager answering with what the stack stored
    const secretsManager = await startLocalSecretsManager();
    secretsManager.put('arn:console', CREDENTIALS_PLACEHOLDER);

    try {
      // Act
      const credentials = secretsManagerCredentials({
        client: secretsManager.client(),
        secretId: 'arn:console',
      });

      // Assess
      await expect(credentials.get()).rejects.toThrow(TokenError);
      await expect(credentials.get()).rejects.toThrow(/secret arn:console must be JSON/);
    } finally {
      await secretsManager.close();
    }
    expect(() => parseWebhookSecret(WEBHOOK_SECRET_PLACEHOLDER, 'secret arn:webhook')).toThrow(
      /secret arn:webhook must hold one or two signing secrets/,
    );
  });

  it('the documented webhook secret (whsec_ + base64 of 32 random bytes) is accepted and signs', () => {
    // Prepare: what `"whsec_$(openssl rand -base64 32)"` produces
    const secret = `whsec_${randomBytes(32).toString('base64')}`;

    // Act
    const [parsed] = parseWebhookSecret(secret, 'secret');
    const signature = new Webhook(parsed ?? '').sign('msg_1', new Date(), '{}');

    // Assess
    expect(parsed).toBe(secret);
    expect(signature).toMatch(/^v1,/);
  });
});

describe('webhooks', () => {
  const integrationOf = (route: Props) =>
    prod().json.Resources[render(route.Target).replace('integrations/', '')]?.Properties as Props | undefined;

  it('POST /webhooks/<job>/{action} and GET /runs/{runId} reach the ingress, signature-verified in code (no gateway auth)', () => {
    for (const key of [...JOBS.map((job) => `POST /webhooks/${job}/{action}`), 'GET /runs/{runId}']) {
      // Act
      const route = resourcesOf('AWS::ApiGatewayV2::Route').find(([, r]) => r.Properties.RouteKey === key);

      // Assess
      expect(route, key).toBeDefined();
      expect(route?.[1].Properties.AuthorizationType).toBe('NONE');
      expect(integrationOf(route?.[1].Properties ?? {})).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
        IntegrationUri: { 'Fn::GetAtt': [logicalId(prod().stack.ingress.fn), 'Arn'] },
      });
    }
    prod().template.resourceCountIs('AWS::ApiGatewayV2::Route', JOBS.length + 1);
  });

  it('no route’s integration targets a job function: the jobs are not reachable from the internet', () => {
    // Prepare
    const jobFunctions = new Set(JOBS.map((job) => fnId(job)));
    const routes = resourcesOf('AWS::ApiGatewayV2::Route');
    const integrations = resourcesOf('AWS::ApiGatewayV2::Integration');

    // Act: every integration (routed or not), and every route's target
    const targets = [
      ...integrations.map(([, i]) => render(i.Properties.IntegrationUri)),
      ...routes.map(([, r]) => render(integrationOf(r.Properties)?.IntegrationUri)),
    ];

    // Assess
    expect(routes.length).toBeGreaterThan(JOBS.length);
    expect(integrations.length).toBeGreaterThan(0);
    expect(targets.filter((t) => jobFunctions.has(t.replace(/\.Arn$/, '')))).toEqual([]);
    expect(new Set(targets)).toEqual(new Set([`${logicalId(prod().stack.ingress.fn)}.Arn`]));
  });

  it('API Gateway may invoke the ingress and no job function', () => {
    // Act
    const permissions = resourcesOf('AWS::Lambda::Permission')
      .map(([, p]) => p.Properties)
      .filter((p) => p.Principal === 'apigateway.amazonaws.com')
      .map((p) => render(p.FunctionName));

    // Assess
    expect(permissions.length).toBeGreaterThan(0);
    expect(new Set(permissions)).toEqual(new Set([`${logicalId(prod().stack.ingress.fn)}.Arn`]));
  });

  it('the $default stage is throttled per the config and writes JSON access logs without headers or bodies', () => {
    // Act
    const [[, stage] = ['', { Properties: {} }]] = resourcesOf('AWS::ApiGatewayV2::Stage');
    const logs = stage.Properties.AccessLogSettings as { DestinationArn: unknown; Format: string };
    const format = JSON.parse(logs.Format) as Record<string, string>;

    // Assess
    expect(stage.Properties).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingRateLimit: config.deployment.webhookThrottle.rateLimit,
        ThrottlingBurstLimit: config.deployment.webhookThrottle.burstLimit,
      },
    });
    expect(prod().json.Resources[render(logs.DestinationArn).replace('.Arn', '')]?.Type).toBe(
      'AWS::Logs::LogGroup',
    );
    expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
    expect(Object.values(format).some((v) => /header|body|authorization/i.test(v))).toBe(false);
  });
});

describe('outputs', () => {
  it('name what the deploy guide needs: secrets, bus, webhook URL, table, queue, topic, functions', () => {
    // Act
    const outputs = Object.keys(prod().json.Outputs ?? {});

    // Assess
    expect(outputs).toEqual(
      expect.arrayContaining([
        'ConsoleCredentialsSecretArn',
        'WebhookSecretChatBotArn',
        'WebhookSecretNetworkAutomationArn',
        'EventBusName',
        'EventSource',
        'WebhookUrl',
        'StateTableName',
        'DeadLetterQueueUrl',
        'AlertsTopicArn',
        'DashboardName',
        'BackupFunctionName',
        'TeardownFunctionName',
        'AllowlistSyncFunctionName',
      ]),
    );
  });
});
