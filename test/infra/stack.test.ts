// The stack for the `prod` environment of the real automation.config.ts: functions, table, secrets, schedules,
// events, webhooks. One synth, bundling skipped.
import { randomBytes } from 'node:crypto';
import { Match } from 'aws-cdk-lib/assertions';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { Webhook } from 'standardwebhooks';
import { beforeAll, describe, expect, it } from 'vitest';
import { NOTICE_EVENT } from '#functions/teardown/notice.ts';
import {
  ASYNC_MAX_EVENT_AGE,
  ASYNC_RETRY_ATTEMPTS,
  FUNCTION_RUNTIME,
} from '#infra/constructs/automation-function.ts';
import { CREDENTIALS_PLACEHOLDER, WEBHOOK_SECRET_PLACEHOLDER } from '#infra/stack.ts';
import { detailTypesFor, PUBLISHED_MARKER, schedulesFor } from '#infra/triggers.ts';
import { resolveConfig } from '#lib/config/load.ts';
import { executeRun } from '#lib/jobs/engine.ts';
import { JOB_ACTIONS, JOBS, type JobName } from '#lib/jobs/types.ts';
import { silentLog } from '#lib/log/log.ts';
import { memoryPublisher } from '#lib/runtime/events.ts';
import { parseWebhookSecret } from '#lib/runtime/webhook-secrets.ts';
import { TABLE_SCHEMA } from '#lib/state/table.ts';
import { secretsManagerCredentials } from '#lib/token/credentials.ts';
import { TokenError } from '#lib/token/errors.ts';
import { TriggerError } from '#lib/triggers/errors.ts';
import {
  CLUSTER_CREATED,
  normalizeTrigger,
  RECREATE_RESULT,
  WEBHOOK_ACCEPTED,
  type WebhookHandover,
} from '#lib/triggers/normalize.ts';
import { startLocalSecretsManager } from '#local/secrets-manager.ts';
import { createMemoryStores } from '#test/fakes/state.ts';
import {
  cluster as teardownCluster,
  harness as teardownHarness,
  policy as teardownPolicy,
} from '#test/fakes/teardown-scenario.ts';
import { configFile, logicalId, render, type Synthesised, synth } from '#test/infra/harness.ts';

const config = resolveConfig(configFile, 'prod');
let s: Synthesised;

beforeAll(() => {
  s = synth({ envName: 'prod' });
}, 120_000);

type Props = Record<string, unknown>;
const resourcesOf = (type: string) =>
  Object.entries(s.json.Resources).filter(([, r]) => r.Type === type) as Array<
    [string, { Properties: Props }]
  >;
const fnId = (job: JobName) => logicalId(s.stack.functions[job].fn);
const fnProps = (job: JobName) => {
  const r = s.json.Resources[fnId(job)];
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
      const group = s.json.Resources[render(logging.LogGroup)];

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
        STATE_TABLE_NAME: { Ref: logicalId(s.stack.table.table) },
        CAMUNDA_CONSOLE_CREDENTIALS_SECRET: { Ref: logicalId(s.stack.consoleSecret) },
        WEBHOOK_SENDER_SECRETS: expect.anything(),
        EVENT_BUS_NAME: { Ref: logicalId(s.stack.bus) },
        AUTOMATION_ENV: 'prod',
        // The teardown alone seals connector secrets (lib/runtime/container.ts SEALING_KEY_ENV).
        ...(job === 'teardown'
          ? { SECRETS_KMS_KEY_ID: { 'Fn::GetAtt': [logicalId(s.stack.secretsKey), 'Arn'] } }
          : {}),
      });
      const senders = JSON.stringify(env.WEBHOOK_SENDER_SECRETS);
      expect(Object.keys(s.stack.webhookSecrets).sort()).toEqual(['chat-bot', 'network-automation']);
      for (const [sender, secret] of Object.entries(s.stack.webhookSecrets)) {
        expect(senders).toContain(`\\"${sender}\\":\\"`);
        expect(senders).toContain(logicalId(secret));
      }
    }
  });

  it('send failed asynchronous invocations, after retries, to the dead-letter queue', () => {
    for (const job of JOBS) {
      s.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: fnId(job) },
        MaximumRetryAttempts: ASYNC_RETRY_ATTEMPTS,
        MaximumEventAgeInSeconds: ASYNC_MAX_EVENT_AGE.toSeconds(),
        DestinationConfig: {
          OnFailure: { Destination: { 'Fn::GetAtt': [logicalId(s.stack.deadLetters), 'Arn'] } },
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
    s.template.resourceCountIs('AWS::DynamoDB::Table', 1);
    s.template.hasResourceProperties('AWS::DynamoDB::Table', {
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
        KMSMasterKeyId: { 'Fn::GetAtt': [logicalId(s.stack.table.key), 'Arn'] },
      },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: ttlAttribute, Enabled: true },
      DeletionProtectionEnabled: true,
    });
    s.template.hasResourceProperties('AWS::KMS::Key', {
      Description: Match.stringLikeRegexp('state'),
      EnableKeyRotation: true,
    });
  });

  it('and its key survive the stack (RETAIN)', () => {
    // Act
    const table = s.json.Resources[logicalId(s.stack.table.table)];
    const key = s.json.Resources[logicalId(s.stack.table.key)];

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

describe('schedules', () => {
  /** The schedule that runs `job`/`action` at `expression`. */
  const scheduleOf = (job: string, action: string, expression: string) => {
    const found = resourcesOf('AWS::Scheduler::Schedule').filter(([, r]) => {
      const input = JSON.parse(String((r.Properties.Target as Props).Input)) as Props;
      return input.job === job && input.action === action && r.Properties.ScheduleExpression === expression;
    });
    expect(found).toHaveLength(1);
    return found[0]?.[1].Properties as Props;
  };

  it('exist for exactly the enabled jobs and actions of the config, with a follow-up recreate', () => {
    // Act
    const expected = schedulesFor(config).map((x) => `${x.job}/${x.action} ${x.expression}`);

    // Assess
    expect(expected.sort()).toEqual([
      'allowlist-sync/sync rate(1 hour)',
      'backup/check rate(1 hour)',
      'backup/run cron(0 3 * * ? *)',
      'teardown/notice cron(0 18 ? * MON-FRI *)',
      'teardown/recreate cron(0 7 ? * MON-FRI *)',
      'teardown/recreate cron(30 7 ? * MON-FRI *)',
      'teardown/run cron(0 20 ? * MON-FRI *)',
    ]);
    s.template.resourceCountIs('AWS::Scheduler::Schedule', expected.length);
  });

  it('use the config’s expressions in its IANA time zone, no flexible window, retries and the DLQ', () => {
    for (const spec of schedulesFor(config)) {
      // Act
      const p = scheduleOf(spec.job, spec.action, spec.expression);
      const target = p.Target as Props;

      // Assess
      expect(p.ScheduleExpression).toBe(spec.expression);
      expect(p.ScheduleExpressionTimezone).toBe(config.timeZone);
      expect(p.FlexibleTimeWindow).toEqual({ Mode: 'OFF' });
      expect(p.State).toBe('ENABLED');
      expect(target.Arn).toEqual({ 'Fn::GetAtt': [fnId(spec.job), 'Arn'] });
      expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 });
      expect(target.DeadLetterConfig).toEqual({
        Arn: { 'Fn::GetAtt': [logicalId(s.stack.deadLetters), 'Arn'] },
      });
    }
    expect(scheduleOf('teardown', 'run', 'cron(0 20 ? * MON-FRI *)').ScheduleExpressionTimezone).toBe(
      'Europe/Berlin',
    );
  });

  it('pass an input the trigger normalisation turns into the job’s request with a stable idempotency key', async () => {
    for (const spec of schedulesFor(config)) {
      // Prepare: what Scheduler sends once it fills in its placeholders
      const raw = String((scheduleOf(spec.job, spec.action, spec.expression).Target as Props).Input);
      const sent = JSON.parse(
        raw
          .replace('<aws.scheduler.scheduled-time>', '2026-03-02T19:00:00Z')
          .replace('<aws.scheduler.execution-id>', 'exec-1'),
      ) as unknown;

      // Act
      const trigger = await normalizeTrigger(sent, { job: spec.job, eventSource: config.events.source });

      // Assess
      expect(JSON.parse(raw)).toEqual({
        job: spec.job,
        action: spec.action,
        scheduledTime: '<aws.scheduler.scheduled-time>',
        executionId: '<aws.scheduler.execution-id>',
      });
      expect(trigger.kind).toBe('run');
      if (trigger.kind !== 'run') continue;
      expect(trigger.request).toMatchObject({ job: spec.job, action: spec.action });
      expect(trigger.delivery).toEqual({
        source: 'schedule',
        idempotencyKey: `${spec.job}:${spec.action}:2026-03-02T19:00:00Z`,
        at: '2026-03-02T19:00:00Z',
      });
    }
  });
});

describe('events', () => {
  const rules = () => resourcesOf('AWS::Events::Rule').map(([, r]) => r.Properties);

  it('one rule per job on the custom bus routes the config’s source and the job’s detail-types to it', () => {
    // Assess: and one hand-over rule per job (below)
    expect(rules()).toHaveLength(JOBS.length * 2);
    expect(detailTypesFor('allowlist-sync')).toEqual([
      'allowlist-sync.sync',
      'allowlist-sync.set-source',
      'cluster.created',
      'teardown.recreate.result',
    ]);
    expect(detailTypesFor('teardown')).toEqual([
      'teardown.notice',
      'teardown.run',
      'teardown.recreate',
      'teardown.keep-alive',
    ]);
    for (const job of JOBS) {
      s.template.hasResourceProperties('AWS::Events::Rule', {
        EventBusName: { Ref: logicalId(s.stack.bus) },
        EventPattern: { source: [config.events.source], 'detail-type': detailTypesFor(job) },
        Targets: [
          {
            Arn: { 'Fn::GetAtt': [fnId(job), 'Arn'] },
            DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalId(s.stack.deadLetters), 'Arn'] } },
            RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 7200 },
            Id: Match.anyValue(),
          },
        ],
      });
    }
  });

  /** EventBridge matching, for the pattern features the rules use: value lists and `exists`. */
  function matches(pattern: Props, event: Props): boolean {
    return Object.entries(pattern).every(([key, rule]) => {
      const present = Object.hasOwn(event, key);
      const value = event[key];
      if (Array.isArray(rule)) {
        return rule.some((r: unknown) =>
          r !== null && typeof r === 'object' && 'exists' in r
            ? (r as { exists: boolean }).exists === present
            : present && (Array.isArray(value) ? value.includes(r) : value === r),
        );
      }
      return present && typeof value === 'object' && value !== null && matches(rule as Props, value as Props);
    });
  }

  /** The jobs whose rule an event on the bus reaches. */
  const routedTo = (detailType: string, detail: Props): JobName[] => {
    const event = { source: config.events.source, 'detail-type': detailType, detail };
    return JOBS.filter((job) =>
      rules().some(
        (r) =>
          render((r.Targets as Props[])[0]?.Arn) === `${fnId(job)}.Arn` &&
          matches(r.EventPattern as Props, event),
      ),
    );
  };

  it('what the jobs publish never comes back as a request; only the recreate result reaches the allowlist sync', async () => {
    // Prepare: the real teardown notice (its detail-type is also a request's), and every job's run summary
    const h = teardownHarness([teardownCluster('dev-a')]);
    await h.run('notice', teardownPolicy());
    const published: Array<{ detailType: string; detail: Props }> = [...h.events];
    for (const job of JOBS) {
      for (const action of JOB_ACTIONS[job]) {
        const events = memoryPublisher();
        const stores = createMemoryStores({ now: () => 0 });
        await executeRun(
          {
            ledger: stores.ledger,
            claims: stores.claims,
            clock: { now: () => 0 },
            log: silentLog,
            metrics: { count() {} },
            events,
          },
          { job, action },
          { source: 'direct', idempotencyKey: `${job}:${action}:1`, at: '2026-03-02T19:00:00Z' },
          { dryRun: false, concurrency: 1, timeMarginMs: 0, leaseMs: 60_000, retryFailed: true },
          async () => ({ clusters: [] }),
        );
        published.push(...events.events);
      }
    }

    // Act
    const routes = Object.fromEntries(published.map((e) => [e.detailType, routedTo(e.detailType, e.detail)]));

    // Assess
    expect(published.map((e) => e.detailType)).toContain(NOTICE_EVENT);
    expect(detailTypesFor('teardown')).not.toContain(NOTICE_EVENT);
    expect(routes[NOTICE_EVENT]).toEqual([]);
    expect(routes[RECREATE_RESULT]).toEqual(['allowlist-sync']);
    for (const [detailType, jobs] of Object.entries(routes)) {
      if (detailType !== RECREATE_RESULT) expect({ detailType, jobs }).toEqual({ detailType, jobs: [] });
    }
  });

  it('every request reaches exactly its job, which accepts it', async () => {
    // Prepare: one valid request detail per job and action (and a new cluster)
    const requests: Array<[JobName, string, Props]> = [
      ['backup', 'backup.run', { dryRun: true }],
      ['teardown', 'teardown.notice', {}],
      ['teardown', 'teardown.run', { dryRun: true }],
      ['teardown', 'teardown.recreate', {}],
      [
        'teardown',
        'teardown.keep-alive',
        { payload: { cluster: 'dev-a', until: '2026-03-03T06:00:00Z', by: 'alice', reason: 'demo' } },
      ],
      ['allowlist-sync', 'allowlist-sync.sync', {}],
      [
        'allowlist-sync',
        'allowlist-sync.set-source',
        { payload: { source: 'office-vpn', entries: [{ cidr: '198.51.100.0/24', description: 'vpn' }] } },
      ],
      ['allowlist-sync', CLUSTER_CREATED, { clusterId: 'uuid-new' }],
    ];

    for (const [job, detailType, detail] of requests) {
      // Act
      const jobs = routedTo(detailType, detail);
      const trigger = await normalizeTrigger(
        {
          source: config.events.source,
          'detail-type': detailType,
          detail,
          id: 'ev-1',
          time: '2026-03-02T19:00:00Z',
        },
        { job, eventSource: config.events.source },
      );

      // Assess
      expect({ detailType, jobs }).toEqual({ detailType, jobs: [job] });
      expect(trigger.kind).toBe('run');
    }
  });

  it('an accepted webhook (the ingress’s hand-over) reaches exactly its job, which runs it under the ingress’s key', async () => {
    for (const job of JOBS) {
      // Prepare: what functions/webhook-ingress/accept.ts publishes for this job
      const action = JOB_ACTIONS[job][0] ?? '';
      const handover: WebhookHandover = {
        idempotencyKey: 'webhook:msg_1',
        runId: 'run_bXNnXzE',
        at: '2026-03-02T19:00:00Z',
        sender: 'chat-bot',
        bodyDigest: 'sha256:abc',
        request: { job, action } as WebhookHandover['request'],
      };

      // Act
      const jobs = routedTo(WEBHOOK_ACCEPTED, handover as unknown as Props);
      const trigger = await normalizeTrigger(
        {
          source: config.events.source,
          'detail-type': WEBHOOK_ACCEPTED,
          detail: handover,
          id: 'ev-3',
          time: '2026-03-02T19:00:00Z',
        },
        { job, eventSource: config.events.source },
      );

      // Assess
      expect({ job, jobs }).toEqual({ job, jobs: [job] });
      expect(trigger.kind === 'run' && trigger.delivery.idempotencyKey).toBe('webhook:msg_1');
    }
    for (const job of JOBS) {
      s.template.hasResourceProperties('AWS::Events::Rule', {
        EventBusName: { Ref: logicalId(s.stack.bus) },
        EventPattern: {
          source: [config.events.source],
          'detail-type': [WEBHOOK_ACCEPTED],
          detail: { [PUBLISHED_MARKER]: [{ exists: true }], request: { job: [job] } },
        },
        Targets: [
          {
            Arn: { 'Fn::GetAtt': [fnId(job), 'Arn'] },
            DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalId(s.stack.deadLetters), 'Arn'] } },
            RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 7200 },
            Id: Match.anyValue(),
          },
        ],
      });
    }
  });

  it('a request detail carrying the published marker would be refused anyway: the filter drops no valid request', async () => {
    // Act
    const attempt = normalizeTrigger(
      {
        source: config.events.source,
        'detail-type': NOTICE_EVENT,
        detail: { [PUBLISHED_MARKER]: 'x' },
        id: 'ev-2',
        time: '2026-03-02T19:00:00Z',
      },
      { job: 'teardown', eventSource: config.events.source },
    );

    // Assess
    await expect(attempt).rejects.toThrow(TriggerError);
  });
});

describe('webhooks', () => {
  const integrationOf = (route: Props) =>
    s.json.Resources[render(route.Target).replace('integrations/', '')]?.Properties as Props | undefined;

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
        IntegrationUri: { 'Fn::GetAtt': [logicalId(s.stack.ingress.fn), 'Arn'] },
      });
    }
    s.template.resourceCountIs('AWS::ApiGatewayV2::Route', JOBS.length + 1);
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
    expect(new Set(targets)).toEqual(new Set([`${logicalId(s.stack.ingress.fn)}.Arn`]));
  });

  it('API Gateway may invoke the ingress and no job function', () => {
    // Act
    const permissions = resourcesOf('AWS::Lambda::Permission')
      .map(([, p]) => p.Properties)
      .filter((p) => p.Principal === 'apigateway.amazonaws.com')
      .map((p) => render(p.FunctionName));

    // Assess
    expect(permissions.length).toBeGreaterThan(0);
    expect(new Set(permissions)).toEqual(new Set([`${logicalId(s.stack.ingress.fn)}.Arn`]));
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
    expect(s.json.Resources[render(logs.DestinationArn).replace('.Arn', '')]?.Type).toBe(
      'AWS::Logs::LogGroup',
    );
    expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
    expect(Object.values(format).some((v) => /header|body|authorization/i.test(v))).toBe(false);
  });
});

describe('outputs', () => {
  it('name what the deploy guide needs: secrets, bus, webhook URL, table, queue, topic, functions', () => {
    // Act
    const outputs = Object.keys(s.json.Outputs ?? {});

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
