// `cdk destroy` then `cdk deploy` of the same stack name: what each resource does on delete, pinned per type
// with the reason (docs/DEPLOY.md §8 says the same to the user), and the property that makes the redeploy work:
// nothing that outlives the stack has a fixed physical name (a retained resource with a fixed name makes the next
// create fail with "already exists"; with a generated name it is an orphan the redeploy does not collide with).
import { beforeAll, describe, expect, it } from 'vitest';
import { type Synthesised, synth } from '#test/infra/harness.ts';

type Policy = 'Retain' | 'Delete';

/**
 * Every resource type the stack may contain, with what happens to it when the stack is deleted and why. A new
 * type fails the test below until it is added here (and to DEPLOY.md §8 when it is retained).
 */
const ON_DELETE: Record<string, { policy: Policy; why: string }> = {
  'AWS::DynamoDB::Table': {
    policy: 'Retain',
    why: 'run ledger, snapshots of torn-down clusters (the recreate needs them) and keep-alives',
  },
  'AWS::KMS::Key': {
    policy: 'Retain',
    why: 'the table key is retained with the table (the table is unreadable without it); the alerts key is deleted (7-day window)',
  },
  'AWS::Logs::LogGroup': {
    policy: 'Retain',
    why: 'function logs are the record of which clusters were deleted and why; the API access logs are deleted',
  },
  'AWS::SecretsManager::Secret': {
    policy: 'Delete',
    why: 'credentials must not outlive the stack that uses them; a redeploy creates new ones to fill',
  },
  'AWS::SQS::Queue': { policy: 'Delete', why: 'dead letters are alarmed and read while the stack lives' },
  'AWS::Scheduler::ScheduleGroup': {
    policy: 'Delete',
    why: 'its name is fixed (derived from the stack): a retained group blocks the next deploy',
  },
};

/** Types CloudFormation deletes by default (no DeletionPolicy in the template); they hold no data. */
const DELETED_BY_DEFAULT = new Set([
  'AWS::ApiGatewayV2::Api',
  'AWS::ApiGatewayV2::Integration',
  'AWS::ApiGatewayV2::Route',
  'AWS::ApiGatewayV2::Stage',
  'AWS::CloudWatch::Alarm',
  'AWS::CloudWatch::Dashboard',
  'AWS::Events::EventBus',
  'AWS::Events::Rule',
  'AWS::IAM::Policy',
  'AWS::IAM::Role',
  'AWS::Lambda::EventInvokeConfig',
  'AWS::Lambda::Function',
  'AWS::Lambda::Permission',
  'AWS::SNS::Subscription',
  'AWS::SNS::Topic',
  'AWS::SNS::TopicPolicy',
  'AWS::SQS::QueuePolicy',
  'AWS::Scheduler::Schedule',
]);

/** The exceptions to ON_DELETE's per-type policy: resources deleted although their type is usually retained. */
const DELETED_INSTEAD = (id: string) =>
  id.startsWith('ObservabilityTopicKey') || id.startsWith('WebhookAccessLogs');

/** Properties that give a resource a fixed physical name, per type. */
const NAME_PROPERTIES = [
  'TableName',
  'LogGroupName',
  'Name',
  'QueueName',
  'TopicName',
  'FunctionName',
  'RoleName',
  'EventBusName',
];

let prod: Synthesised;
let base: Synthesised;

beforeAll(() => {
  prod = synth({ envName: 'prod' });
  base = synth();
}, 180_000);

describe('on cdk destroy', () => {
  it.each(['prod', 'base'] as const)(
    '%s: every resource is retained or deleted as its type says, and every type is known',
    (which) => {
      // Prepare
      const s = which === 'prod' ? prod : base;

      // Act
      const seen = Object.entries(s.json.Resources).map(([id, r]) => ({
        id,
        type: r.Type,
        policy: r.DeletionPolicy ?? 'Delete',
        replace: r.UpdateReplacePolicy ?? 'Delete',
      }));

      // Assess
      const unknown = seen.filter((r) => !(r.type in ON_DELETE) && !DELETED_BY_DEFAULT.has(r.type));
      expect(unknown).toEqual([]);
      for (const r of seen) {
        const expected: Policy =
          r.type in ON_DELETE && !DELETED_INSTEAD(r.id) ? (ON_DELETE[r.type]?.policy ?? 'Delete') : 'Delete';
        expect({ id: r.id, policy: r.policy, replace: r.replace }).toEqual({
          id: r.id,
          policy: expected,
          replace: expected,
        });
      }
    },
  );

  it('retains exactly the state table, its key, the secrets key and the log groups of the four jobs and the webhook ingress', () => {
    // Act
    const retained = Object.entries(prod.json.Resources)
      .filter(([, r]) => r.DeletionPolicy === 'Retain')
      .map(([, r]) => r.Type)
      .sort();

    // Assess
    expect(retained).toEqual([
      'AWS::DynamoDB::Table',
      'AWS::KMS::Key',
      'AWS::KMS::Key', // the secrets key: sealed connector secrets in the retained table open with it only
      'AWS::Logs::LogGroup',
      'AWS::Logs::LogGroup',
      'AWS::Logs::LogGroup',
      'AWS::Logs::LogGroup',
      'AWS::Logs::LogGroup',
    ]);
  });

  it('leaves nothing with a fixed physical name behind, so a redeploy of the same stack name creates afresh', () => {
    // Act
    const named = Object.entries(prod.json.Resources)
      .filter(([, r]) => r.DeletionPolicy === 'Retain')
      .flatMap(([id, r]) =>
        NAME_PROPERTIES.filter((p) => r.Properties && p in r.Properties).map((p) => `${id}.${p}`),
      );

    // Assess
    expect(named).toEqual([]);
  });

  it('deletes the schedule group, whose name is derived from the stack', () => {
    // Act
    const [group, ...more] = Object.values(prod.json.Resources).filter(
      (r) => r.Type === 'AWS::Scheduler::ScheduleGroup',
    );

    // Assess
    expect(more).toEqual([]);
    expect(group?.Properties?.Name).toMatch(/^CamundaConsoleAutomationprod-/);
    expect(group?.DeletionPolicy).toBe('Delete');
  });

  it('keeps the table deletion-protected (a retained table must not be deleted by hand by accident)', () => {
    const [table] = Object.values(prod.json.Resources).filter((r) => r.Type === 'AWS::DynamoDB::Table');
    expect(table?.Properties?.DeletionProtectionEnabled).toBe(true);
  });
});
