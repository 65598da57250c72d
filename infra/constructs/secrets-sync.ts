// What the secrets-sync function needs beyond every job's grants: reading only the configured source secrets
// (by name prefix and/or tag condition) and decrypting with only the KMS keys they use (through Secrets
// Manager), and the EventBridge rule that turns a Secrets Manager change recorded by CloudTrail into a sync.
import { Arn, ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SECRET_CHANGE_EVENTS } from '#lib/catalog/secret-change-events.ts';
import type { SecretsSyncPolicy, SecretsSyncSource } from '#lib/config/schema/secrets-sync.ts';
import type { AutomationFunction } from './automation-function.ts';

export interface SecretsSyncAccessProps {
  fn: AutomationFunction;
  policy: SecretsSyncPolicy;
  deadLetters: IQueue;
  envName: string;
}

/** The ARN pattern of every secret under a name prefix (Secrets Manager appends `-XXXXXX` to the name). */
export function sourceSecretsArn(stack: Stack, prefix: string | undefined): string {
  return Arn.format(
    {
      service: 'secretsmanager',
      resource: 'secret',
      resourceName: `${prefix ?? ''}*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    },
    stack,
  );
}

/** One GetSecretValue statement per source: its prefix as the resource, its tags as conditions. */
function readStatement(stack: Stack, source: SecretsSyncSource): PolicyStatement {
  const tags = Object.entries(source.tags ?? {});
  return new PolicyStatement({
    actions: ['secretsmanager:GetSecretValue'],
    resources: [sourceSecretsArn(stack, source.prefix)],
    ...(tags.length > 0
      ? {
          conditions: {
            StringEquals: Object.fromEntries(tags.map(([k, v]) => [`secretsmanager:ResourceTag/${k}`, v])),
          },
        }
      : {}),
  });
}

export class SecretsSyncAccess extends Construct {
  readonly changeRule?: Rule;
  /** Whether the role was granted source reads (cdk-nag acknowledges their wildcards, infra/nag.ts). */
  readonly granted: boolean = false;

  constructor(scope: Construct, id: string, props: SecretsSyncAccessProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { fn, policy } = props;
    const sources = Object.values(policy.sources);
    // A disabled job reads nothing: no grant until the config turns it on.
    if (!policy.enabled || sources.length === 0) return;

    // ListSecrets has no resource-level permissions (AWS: resource type "*" only); it returns names and tags,
    // never values. Values are readable only under the configured prefixes/tags.
    fn.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['secretsmanager:ListSecrets'], resources: ['*'] }),
    );
    for (const source of sources) fn.role.addToPrincipalPolicy(readStatement(stack, source));
    if (policy.kmsKeyArns.length > 0) {
      fn.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: [...policy.kmsKeyArns],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.amazonaws.com` } },
        }),
      );
    }

    // Secrets Manager API calls and rotation events recorded by CloudTrail arrive on the default bus. The
    // function narrows them to the configured sources (a tag-only source cannot be judged from the event).
    this.changeRule = new Rule(this, 'SecretChanges', {
      description: `secrets-sync: Secrets Manager changes reach every cluster at once (${props.envName})`,
      eventPattern: {
        source: ['aws.secretsmanager'],
        detailType: ['AWS API Call via CloudTrail', 'AWS Service Event via CloudTrail'],
        detail: { eventName: [...SECRET_CHANGE_EVENTS] },
      },
      targets: [
        new LambdaFunction(fn.fn, {
          deadLetterQueue: props.deadLetters,
          retryAttempts: 3,
          maxEventAge: Duration.hours(1),
        }),
      ],
    });
  }
}

/** The cdk-nag IAM5 findings the source reads raise: `Resource::*` of ListSecrets and each prefix pattern. */
export function secretsSyncWildcards(policy: SecretsSyncPolicy): Array<{ resource: string; reason: string }> {
  if (!policy.enabled) return [];
  const prefixes = [...new Set(Object.values(policy.sources).map((s) => s.prefix ?? ''))];
  return [
    {
      resource: '*',
      reason:
        'secretsmanager:ListSecrets supports no resource-level permission (resource type "*" only); it returns names and tags, never values. Values are readable only under the configured prefixes/tags.',
    },
    ...prefixes.map((prefix) => ({
      resource: `arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${prefix}*`,
      reason: `secrets-sync reads the source secrets under the configured prefix '${prefix}' (secretsSync.sources; tag sources add a secretsmanager:ResourceTag condition); their names are known only at run time, and Secrets Manager appends a random suffix to every secret ARN.`,
    })),
  ];
}
