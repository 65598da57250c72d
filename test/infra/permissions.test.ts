// Least privilege, pinned: every statement of every role, resource policies, and no wildcard actions.
import { beforeAll, describe, expect, it } from 'vitest';
import { SECRETS_PURPOSE } from '#functions/teardown/snapshot.ts';
import { JOBS, type JobName } from '#lib/jobs/types.ts';
import { SEALING_KEY_ENV } from '#lib/runtime/container.ts';
import {
  grantsOf,
  iamStatements,
  logicalId,
  type Props,
  propsOf,
  render,
  resourcesOfType,
  type Synthesised,
  sharedResourceNames,
  synth,
} from '#test/infra/harness.ts';

let s: Synthesised;
let names: Record<string, string>;

beforeAll(() => {
  s = synth({ envName: 'prod' });
  names = sharedResourceNames(s.stack);
  for (const job of JOBS) {
    names[logicalId(s.stack.functions[job].logGroup)] = `${job}Logs`;
    names[logicalId(s.stack.functions[job].fn)] = `${job}Function`;
  }
}, 120_000);

/** The published credentials' secrets (teardown.recreate.secretPrefix), as grantsOf renders the ARN. */
const published = () =>
  `arn:AWS::Partition:secretsmanager:AWS::Region:AWS::AccountId:secret:${s.stack.publishedSecretsPrefix}/*`;

/** The confused-deputy condition on the alerts topic and key: CloudWatch alarms of this account and region. */
const ALARMS_OF_THIS_ACCOUNT = {
  StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
  ArnLike: {
    'aws:SourceArn': {
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':cloudwatch:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          ':alarm:*',
        ],
      ],
    },
  },
};
const resourcesOf = (type: string) => resourcesOfType(s.json, type);

describe('function roles', () => {
  it.each(JOBS)(
    '%s: exactly its log group, the DLQ, item access to the table and its key, the Console secret, the bus',
    (job: JobName) => {
      // Act
      const grants = grantsOf(s.json, logicalId(s.stack.functions[job].role), names);

      // Assess
      expect(grants).toEqual(
        [
          `Allow logs:CreateLogStream -> ${job}Logs.Arn`,
          `Allow logs:PutLogEvents -> ${job}Logs.Arn`,
          'Allow sqs:SendMessage -> DeadLetters.Arn',
          'Allow dynamodb:GetItem -> Table.Arn',
          'Allow dynamodb:PutItem -> Table.Arn',
          'Allow dynamodb:UpdateItem -> Table.Arn',
          'Allow dynamodb:DeleteItem -> Table.Arn',
          'Allow dynamodb:Query -> Table.Arn',
          'Allow kms:Decrypt -> TableKey.Arn',
          'Allow kms:Encrypt -> TableKey.Arn',
          'Allow kms:GenerateDataKey -> TableKey.Arn',
          'Allow kms:DescribeKey -> TableKey.Arn',
          // The Console credentials only: the ingress alone reads the webhook senders' signing secrets.
          'Allow secretsmanager:GetSecretValue -> ConsoleSecret',
          'Allow events:PutEvents -> Bus.Arn',
          // The teardown alone seals connector secrets and publishes recreated clients' credentials.
          ...(job === 'teardown'
            ? [
                'Allow kms:GenerateDataKey -> SecretsKey.Arn',
                'Allow kms:Decrypt -> SecretsKey.Arn',
                ...['CreateSecret', 'PutSecretValue', 'TagResource', 'DescribeSecret'].map(
                  (a) => `Allow secretsmanager:${a} -> ${published()}`,
                ),
              ]
            : []),
        ].sort(),
      );
    },
  );

  it('teardown: the secrets key only under the sealer’s purpose, and in its environment', () => {
    // Act
    const statements = iamStatements(s.json)
      .filter((x) => x.roles.includes(logicalId(s.stack.functions.teardown.role)))
      .map((x) => x.statement)
      .filter((st) => render(st.Resource) === `${logicalId(s.stack.secretsKey)}.Arn`);
    const fn = s.json.Resources[logicalId(s.stack.functions.teardown.fn)]?.Properties as
      | { Environment: { Variables: Record<string, unknown> } }
      | undefined;
    const env = fn?.Environment.Variables ?? {};

    // Assess
    expect(statements).toHaveLength(1);
    expect(statements[0]?.Condition).toEqual({
      StringEquals: { 'kms:EncryptionContext:purpose': SECRETS_PURPOSE },
    });
    expect(env[SEALING_KEY_ENV]).toEqual({ 'Fn::GetAtt': [logicalId(s.stack.secretsKey), 'Arn'] });
  });

  it('the secrets key is used by no other role', () => {
    for (const job of ['backup', 'allowlist-sync'] as const) {
      const grants = grantsOf(s.json, logicalId(s.stack.functions[job].role), names);
      expect(grants.filter((g) => g.includes('SecretsKey') || g.includes(':secret:'))).toEqual([]);
    }
  });

  it('have no managed or inline policies and trust only Lambda', () => {
    for (const job of JOBS) {
      // Act
      const role = s.json.Resources[logicalId(s.stack.functions[job].role)]?.Properties as Props;

      // Assess
      expect(role).not.toHaveProperty('ManagedPolicyArns');
      expect(role).not.toHaveProperty('Policies');
      expect(role.AssumeRolePolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [
          { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
        ],
      });
    }
  });
});

describe('the whole template', () => {
  it('has no IAM statement with a wildcard action or a `*` resource', () => {
    // Act
    const statements = iamStatements(s.json).map((x) => x.statement);
    const actions = statements.flatMap((st) => (Array.isArray(st.Action) ? st.Action : [st.Action]));
    const resources = statements.flatMap((st) => (Array.isArray(st.Resource) ? st.Resource : [st.Resource]));

    // Assess
    expect(statements.length).toBeGreaterThan(20);
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
    expect(resources.filter((r) => r === '*')).toEqual([]);
  });

  it('has only Allow statements in role policies', () => {
    expect(iamStatements(s.json).every((x) => x.statement.Effect === 'Allow')).toBe(true);
  });
});

describe('EventBridge Scheduler', () => {
  it('assumes a role (per target) that only invokes that function (and its versions) and writes the DLQ', () => {
    // Act
    const roles = resourcesOf('AWS::IAM::Role').filter(([, r]) =>
      JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('scheduler.amazonaws.com'),
    );
    const grants = roles.map(([id]) => grantsOf(s.json, id, names));

    // Assess
    expect(grants.sort()).toEqual(
      (['allowlist-sync', 'backup', 'teardown'] as const).map((job) =>
        [
          `Allow lambda:InvokeFunction -> ${job}Function.Arn`,
          `Allow lambda:InvokeFunction -> ${job}Function.Arn:*`,
          'Allow sqs:SendMessage -> DeadLetters.Arn',
        ].sort(),
      ),
    );
    for (const [, role] of roles) {
      const trust = (role.Properties.AssumeRolePolicyDocument as { Statement: Props[] }).Statement;
      expect(trust).toHaveLength(1);
      expect(trust[0]?.Condition).toEqual({
        StringEquals: {
          'aws:SourceAccount': { Ref: 'AWS::AccountId' },
          'aws:SourceArn': { 'Fn::GetAtt': [expect.any(String), 'Arn'] },
        },
      });
    }
  });
});

describe('resource policies', () => {
  it('let only the job’s own rules (requests, accepted webhooks) invoke each job function, never the webhook API', () => {
    for (const job of JOBS) {
      // Act
      const permissions = resourcesOf('AWS::Lambda::Permission')
        .map(([, r]) => r.Properties)
        .filter((p) => render(p.FunctionName) === `${logicalId(s.stack.functions[job].fn)}.Arn`);

      // Assess
      expect(permissions.map((p) => p.Principal)).toEqual(['events.amazonaws.com', 'events.amazonaws.com']);
      for (const p of permissions) {
        expect(p.Action).toBe('lambda:InvokeFunction');
        expect(p.SourceArn).toBeDefined();
      }
    }
  });

  it('let only the webhook API’s routes invoke the ingress', () => {
    // Act
    const permissions = resourcesOf('AWS::Lambda::Permission')
      .map(([, r]) => r.Properties)
      .filter((p) => render(p.FunctionName) === `${logicalId(s.stack.ingress.fn)}.Arn`);

    // Assess
    expect(permissions).toHaveLength(JOBS.length + 1);
    const arns = permissions.map((p) => render(p.SourceArn)).sort();
    for (const p of permissions) {
      expect(p).toMatchObject({ Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com' });
    }
    expect(arns.some((a) => /\/runs\/\{runId\}$/.test(a))).toBe(true);
    for (const job of JOBS) expect(arns.some((a) => a.endsWith(`/webhooks/${job}/{action}`))).toBe(true);
  });

  it('the dead-letter queue refuses plain HTTP and accepts events only from this stack’s rules', () => {
    // Act
    const [[, policy] = ['', { Properties: {} }]] = resourcesOf('AWS::SQS::QueuePolicy');
    const statements = (policy.Properties.PolicyDocument as { Statement: Props[] }).Statement;

    // Assess
    expect(statements[0]).toMatchObject({
      Effect: 'Deny',
      Action: 'sqs:*',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
    const allows = statements.filter((st) => st.Effect === 'Allow');
    expect(allows).toHaveLength(JOBS.length * 2); // request and hand-over rules
    for (const st of allows) {
      expect(st).toMatchObject({ Action: 'sqs:SendMessage', Principal: { Service: 'events.amazonaws.com' } });
      expect(st.Condition).toEqual({
        ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [expect.any(String), 'Arn'] } },
      });
    }
  });

  it('the table key trusts only the account (its IAM policies decide); the alerts key lets CloudWatch encrypt', () => {
    // Act
    const keyPolicy = (id: string) => (propsOf(s.json, id).KeyPolicy as { Statement: Props[] }).Statement;
    const alertsKey = Object.entries(s.json.Resources).find(
      ([, r]) => r.Type === 'AWS::KMS::Key' && String(r.Properties?.Description).includes('alerts'),
    );

    // Assess
    expect(keyPolicy(logicalId(s.stack.table.key))).toHaveLength(1);
    expect(keyPolicy(alertsKey?.[0] ?? '')[1]).toEqual({
      Sid: 'AlarmsOfThisAccountUseTheKey',
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: '*',
      Condition: ALARMS_OF_THIS_ACCOUNT,
    });
    expect(keyPolicy(alertsKey?.[0] ?? '')).toHaveLength(2);
  });

  it('the alerts topic accepts sns:Publish from CloudWatch alarms of this account and region only', () => {
    // Act
    const [[, policy] = ['', { Properties: {} }]] = resourcesOf('AWS::SNS::TopicPolicy');
    const statements = (policy.Properties.PolicyDocument as { Statement: Props[] }).Statement;

    // Assess
    expect(statements.filter((st) => st.Effect === 'Allow')).toEqual([
      {
        Sid: 'AlarmsOfThisAccountPublish',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: expect.anything(),
        Condition: ALARMS_OF_THIS_ACCOUNT,
      },
    ]);
  });
});
