// Every cdk-nag finding this stack accepts, each with its reason, on the narrowest construct it concerns.
// Anything not acknowledged here fails `cdk synth` and `npm test` (test/infra/nag.test.ts).
import { type CfnElement, Validations } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IConstruct } from 'constructs';
import { JOBS } from '#lib/jobs/types.ts';
import { secretsSyncWildcards } from './constructs/secrets-sync.ts';
import type { AutomationStack } from './stack.ts';

type Pack = 'AwsSolutions' | 'Serverless';

/** Acknowledges one finding (`rule` with its `[finding]` suffix when the rule reports several) on `scope`. */
function acknowledge(scope: IConstruct, pack: Pack, rule: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `${pack}::${pack}-${rule}`, reason });
}

export function acknowledgeFindings(stack: AutomationStack): void {
  for (const secret of [stack.consoleSecret, ...Object.values(stack.webhookSecrets)]) {
    // Imported secrets (config deployment.*SecretArn) are not resources of this stack.
    if (!(secret instanceof Secret)) continue;
    acknowledge(
      secret,
      'AwsSolutions',
      'SMG4',
      'Rotated by people, not a Lambda: the Console API client secret is issued in the Camunda Console (no API to rotate it), and the webhook secret must change at the sender at the same time (the functions accept {"current","previous"} during a rotation). docs/DEPLOY.md has both procedures.',
    );
  }

  acknowledge(
    stack.deadLetters,
    'AwsSolutions',
    'SQS3',
    'This queue is the dead-letter queue (of Lambda async invocations, EventBridge rule targets and Scheduler targets); its depth is alarmed and a person reads it. A DLQ of the DLQ would hold nothing.',
  );
  acknowledge(
    stack.deadLetters,
    'Serverless',
    'SQSRedrivePolicy',
    'This queue is the dead-letter queue itself: nothing consumes it automatically, so there is nothing to redrive from it.',
  );

  for (const job of JOBS) {
    const fn = stack.functions[job].fn;
    acknowledge(
      fn,
      'Serverless',
      'LambdaDLQ',
      'Failed asynchronous invocations go to the on-failure destination (the dead-letter queue), which records the request AND the error; a legacy DeadLetterConfig as well would put every failure in the queue twice.',
    );
    acknowledge(
      fn,
      'Serverless',
      'LambdaTracing',
      'The code has no X-Ray instrumentation; runs are observed through one structured summary log line, EMF metrics and result events. Active tracing would add an xray:* policy on Resource::* for service segments only.',
    );
    // EventBridge Scheduler's role gets lambda:InvokeFunction on the function and on `<arn>:*` from CDK's
    // grantInvoke: the same function's versions and aliases, not other functions.
    const logicalId = stack.getLogicalId(fn.node.defaultChild as CfnElement);
    acknowledge(
      stack,
      'AwsSolutions',
      `IAM5[Resource::<${logicalId}.Arn>:*]`,
      `The Scheduler role may invoke the ${job} function and its versions/aliases (<arn>:*, added by grantInvoke); no other function.`,
    );
  }

  // The secrets-sync role's source reads, on that role alone.
  for (const { resource, reason } of secretsSyncWildcards(stack.secretsSyncPolicy)) {
    acknowledge(stack.functions['secrets-sync'].role, 'AwsSolutions', `IAM5[Resource::${resource}]`, reason);
  }

  acknowledge(
    stack,
    'AwsSolutions',
    `IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${stack.publishedSecretsPrefix}/*]`,
    'The morning recreate publishes each recreated API client’s new credentials as its own secret, named <teardown.recreate.secretPrefix>/<cluster>/<client> (lib/secrets/credentials.ts); the names are only known at run time, so the teardown role may create/write/tag/describe secrets under that prefix and no others (Secrets Manager also appends a random suffix to every secret ARN).',
  );
  acknowledge(
    stack.ingress.fn,
    'Serverless',
    'LambdaDLQ',
    'The webhook ingress is invoked synchronously by API Gateway only: a failure is answered 5xx to the sender (who retries), and its errors alarm; there is no asynchronous invocation whose request a dead-letter target could keep.',
  );
  acknowledge(
    stack.ingress.fn,
    'Serverless',
    'LambdaTracing',
    'The code has no X-Ray instrumentation; the ingress logs one structured line per accepted webhook and API Gateway writes access logs. Active tracing would add an xray:* policy on Resource::* for service segments only.',
  );

  if (stack.webhookAuth === 'signature') {
    acknowledge(
      stack.api,
      'AwsSolutions',
      'APIG4',
      'Webhook senders (and status reads of GET /runs/{runId}) are authenticated in the ingress function by their Standard Webhooks signature (HMAC-SHA256 over id, timestamp and body, with a timestamp tolerance and idempotency on webhook-id); unsigned requests are answered 401 before anything runs. Set deployment.webhookAuth to "iam" to also require SigV4.',
    );
  }

  acknowledge(
    stack.observability.topic,
    'Serverless',
    'SNSRedrivePolicy',
    'E-mail subscriptions: an alert that cannot be delivered bounces at the mail server; the alarm itself stays in ALARM state in CloudWatch and on the dashboard, so nothing is lost that a DLQ would keep.',
  );
}
