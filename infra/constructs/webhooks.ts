// The webhook side of the stack: the ingress function (the API's only integration) and the HTTP API in front
// of it. Added to the stack itself, not under a construct of their own: the resources keep the logical ids of
// every earlier deployment (a new id would replace them, and with them the API's URL).
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, type Stack } from 'aws-cdk-lib';
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
import type { EventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { AutomationConfig } from '#lib/config/types.ts';
import { JOBS } from '#lib/jobs/types.ts';
import { CREDENTIALS_SECRET_ENV } from '#lib/token/from-env.ts';
import { WEBHOOK_ACCEPTED } from '#lib/triggers/normalize.ts';
import { AutomationFunction } from './automation-function.ts';
import { type StateTable, TABLE_KEY_ACTIONS } from './state-table.ts';

/** The ledger partitions the webhook ingress may read and write: webhook runs' records (lib/state/keys.ts). */
export const INGRESS_LEADING_KEYS = ['run#webhook:*'];

export interface WebhookIngressProps {
  deployment: AutomationConfig['deployment'];
  eventSource: string;
  /** The job functions' environment plus the senders' secret ARNs; the ingress gets it without the Console credentials. */
  environment: Record<string, string>;
  define: Record<string, string>;
  table: StateTable;
  bus: EventBus;
  webhookSecrets: Record<string, ISecret>;
  deadLetters: Queue;
}

/**
 * The webhook ingress: verifies, records the accepted run in the ledger, hands it over on the bus and answers
 * 202. Minimal role: the sender secrets (never the Console credentials), item reads/writes on the webhook runs'
 * ledger partitions only, and PutEvents of `webhook.accepted` alone.
 */
export function addWebhookIngress(stack: Stack, props: WebhookIngressProps): AutomationFunction {
  const { deployment: d, table, bus } = props;
  const environment: Record<string, string> = { ...props.environment };
  delete environment[CREDENTIALS_SECRET_ENV];
  const ingress = new AutomationFunction(stack, 'WebhookIngress', {
    entry: fileURLToPath(new URL('../../functions/webhook-ingress/handler.ts', import.meta.url)),
    service: 'webhook-ingress',
    description: 'Webhook ingress: verify, record as accepted, hand over to the job, answer 202',
    // Answers in well under a second; the limit only bounds a stuck dependency.
    timeout: Duration.seconds(10),
    memorySize: d.memoryMb,
    logRetention: d.logRetentionDays as RetentionDays,
    deadLetters: props.deadLetters,
    environment,
    define: props.define,
  });
  ingress.role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
      resources: [table.table.tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': INGRESS_LEADING_KEYS } },
    }),
  );
  table.key.grant(ingress.role, ...TABLE_KEY_ACTIONS);
  ingress.role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['secretsmanager:GetSecretValue'],
      resources: Object.values(props.webhookSecrets).map((secret) => secret.secretArn),
    }),
  );
  ingress.role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['events:PutEvents'],
      resources: [bus.eventBusArn],
      conditions: {
        StringEquals: {
          'events:source': props.eventSource,
          'events:detail-type': [WEBHOOK_ACCEPTED],
        },
      },
    }),
  );
  return ingress;
}

/**
 * Webhooks: POST /webhooks/{job}/{action} and GET /runs/{runId} on the $default stage, throttled, with JSON
 * access logs. Every request is verified in the function (Standard Webhooks signature); `iam` additionally
 * requires SigV4.
 */
export function addWebhookApi(
  stack: Stack,
  props: { deployment: AutomationConfig['deployment']; envName: string; ingress: AutomationFunction },
): HttpApi {
  const { deployment: d, envName } = props;
  const accessLogs = new LogGroup(stack, 'WebhookAccessLogs', {
    retention: d.logRetentionDays as RetentionDays,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const api = new HttpApi(stack, 'Webhooks', {
    apiName: `${stack.stackName}-webhooks`,
    description: `Camunda console automation webhooks (${envName})`,
    createDefaultStage: false,
  });
  new HttpStage(stack, 'WebhooksStage', {
    httpApi: api,
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
  const integration = new HttpLambdaIntegration('WebhookIngressIntegration', props.ingress.fn);
  for (const job of JOBS) {
    api.addRoutes({
      path: `/webhooks/${job}/{action}`,
      methods: [HttpMethod.POST],
      integration,
      authorizer,
    });
  }
  api.addRoutes({
    path: '/runs/{runId}',
    methods: [HttpMethod.GET],
    integration,
    authorizer,
  });
  return api;
}
