// The IAM action inventory: every action every role of the stack is allowed, with the code (or AWS service) that
// needs it. The test reads every role's statements from the synthesised template and fails on an action that is
// not in the table (an extra grant), on one in the table that is not granted (a stale row), and on a row that
// names an SDK command the code no longer sends. To grant something new, add a row here with its reason.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { INGRESS_LEADING_KEYS } from '#infra/constructs/webhooks.ts';
import { publishedDetailTypes } from '#infra/triggers.ts';
import { resolveConfig } from '#lib/config/load.ts';
import { JOBS, type JobName } from '#lib/jobs/types.ts';
import { runKey } from '#lib/state/keys.ts';
import { WEBHOOK_ACCEPTED } from '#lib/triggers/normalize.ts';
import {
  configFile,
  grantsOf,
  iamStatements,
  logicalId,
  render,
  type Synthesised,
  sharedResourceNames,
  synth,
} from '#test/infra/harness.ts';

interface Allowed {
  action: string;
  /** The resource as grantsOf renders it (logical ids replaced by the names below). */
  resource: string;
  /** Who calls it and why. */
  why: string;
  /**
   * The AWS SDK v3 command the code sends for it, or the Powertools provider that sends it (`SecretsProvider`
   * sends GetSecretValue); checked to be constructed somewhere in lib/ or functions/.
   */
  command?: string;
}

/** What every job function's role may do. */
const FUNCTION_ROLE = (job: JobName): Allowed[] => [
  {
    action: 'logs:CreateLogStream',
    resource: `${job}Logs.Arn`,
    why: 'the Lambda runtime writes the function’s logs',
  },
  { action: 'logs:PutLogEvents', resource: `${job}Logs.Arn`, why: 'the Lambda runtime writes the logs' },
  {
    action: 'sqs:SendMessage',
    resource: 'DeadLetters.Arn',
    why: 'Lambda sends a failed async invocation’s record to the on-failure destination with the function’s role',
  },
  ...(['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query'] as const).map((op) => ({
    action: `dynamodb:${op}`,
    resource: 'Table.Arn',
    why: 'lib/state and lib/token (run ledger, claims, snapshots, keep-alives, the shared token)',
    command: `${op}Command`,
  })),
  ...(['Decrypt', 'Encrypt', 'GenerateDataKey', 'DescribeKey'] as const).map((op) => ({
    action: `kms:${op}`,
    resource: 'TableKey.Arn',
    why: 'DynamoDB uses the table’s customer-managed key on the caller’s behalf for every item read and write',
  })),
  // The Console credentials only: webhooks are verified by the ingress, so a job's role cannot read (or a job's
  // bug leak) a sender's signing secret.
  {
    action: 'secretsmanager:GetSecretValue',
    resource: 'ConsoleSecret',
    why: 'lib/token/credentials.ts (Console API client)',
    command: 'SecretsProvider',
  },
  {
    action: 'events:PutEvents',
    resource: 'Bus.Arn',
    why: 'lib/runtime/events.ts publishes result events and the notice (conditioned: source and detail-types)',
    command: 'PutEventsCommand',
  },
  ...(job === 'teardown' ? TEARDOWN_ONLY : []),
];

/** The teardown's own: sealing connector secrets and publishing recreated API clients' credentials. */
const PUBLISHED =
  'arn:AWS::Partition:secretsmanager:AWS::Region:AWS::AccountId:secret:camunda-automation/clusters/*';
const TEARDOWN_ONLY: Allowed[] = [
  {
    action: 'kms:GenerateDataKey',
    resource: 'SecretsKey.Arn',
    why: 'lib/secrets/sealer.ts seals connector-secret values at teardown (condition: the sealer’s purpose)',
    command: 'GenerateDataKeyCommand',
  },
  {
    action: 'kms:Decrypt',
    resource: 'SecretsKey.Arn',
    why: 'lib/secrets/sealer.ts opens them at the morning recreate (condition: the sealer’s purpose)',
    command: 'DecryptCommand',
  },
  {
    action: 'secretsmanager:PutSecretValue',
    resource: PUBLISHED,
    why: 'lib/secrets/credentials.ts writes a recreated API client’s new credentials',
    command: 'PutSecretValueCommand',
  },
  {
    action: 'secretsmanager:CreateSecret',
    resource: PUBLISHED,
    why: 'lib/secrets/credentials.ts creates the client’s secret the first time',
    command: 'CreateSecretCommand',
  },
  {
    action: 'secretsmanager:TagResource',
    resource: PUBLISHED,
    why: 'lib/secrets/credentials.ts tags the secret with the client id it holds',
    command: 'TagResourceCommand',
  },
  {
    action: 'secretsmanager:DescribeSecret',
    resource: PUBLISHED,
    why: 'lib/secrets/credentials.ts reads that tag back (a client whose secret was lost is recreated)',
    command: 'DescribeSecretCommand',
  },
];

/** What the webhook ingress's role may do: verify, record the accepted run, hand it over. Nothing of the jobs'. */
const INGRESS_ROLE: Allowed[] = [
  {
    action: 'logs:CreateLogStream',
    resource: 'ingressLogs.Arn',
    why: 'the Lambda runtime writes the ingress’s logs',
  },
  { action: 'logs:PutLogEvents', resource: 'ingressLogs.Arn', why: 'the Lambda runtime writes the logs' },
  {
    action: 'sqs:SendMessage',
    resource: 'DeadLetters.Arn',
    why: 'the on-failure destination every AutomationFunction has (the ingress is only invoked synchronously)',
  },
  {
    action: 'dynamodb:GetItem',
    resource: 'Table.Arn',
    why: 'lib/state/run-ledger.ts get (GET /runs/{runId}) and accept (a redelivery’s record); webhook runs’ partitions only',
    command: 'GetItemCommand',
  },
  {
    action: 'dynamodb:PutItem',
    resource: 'Table.Arn',
    why: 'lib/state/run-ledger.ts accept: the conditional put of the accepted run; webhook runs’ partitions only',
    command: 'PutItemCommand',
  },
  ...(['Decrypt', 'Encrypt', 'GenerateDataKey', 'DescribeKey'] as const).map((op) => ({
    action: `kms:${op}`,
    resource: 'TableKey.Arn',
    why: 'DynamoDB uses the table’s customer-managed key on the caller’s behalf for every item read and write',
  })),
  ...(['chat-botSecret', 'network-automationSecret'] as const).map((secret) => ({
    action: 'secretsmanager:GetSecretValue',
    resource: secret,
    why: 'lib/runtime/webhook-secrets.ts: the sender’s signing secret (never the Console credentials)',
    command: 'SecretsProvider',
  })),
  {
    action: 'events:PutEvents',
    resource: 'Bus.Arn',
    why: 'functions/webhook-ingress/accept.ts hands the accepted request over (conditioned: source, webhook.accepted)',
    command: 'PutEventsCommand',
  },
];

/** What the role EventBridge Scheduler assumes for one job's schedules may do. */
const SCHEDULER_ROLE = (job: JobName): Allowed[] => [
  {
    action: 'lambda:InvokeFunction',
    resource: `${job}Function.Arn`,
    why: 'Scheduler invokes the job',
  },
  {
    action: 'lambda:InvokeFunction',
    resource: `${job}Function.Arn:*`,
    why: 'added by grantInvoke: the same function’s versions/aliases',
  },
  {
    action: 'sqs:SendMessage',
    resource: 'DeadLetters.Arn',
    why: 'Scheduler puts an undeliverable invocation in the dead-letter queue',
  },
];

const line = (a: Allowed) => `Allow ${a.action} -> ${a.resource}`;

let s: Synthesised;
let names: Record<string, string>;
const config = resolveConfig(configFile, 'prod');

beforeAll(() => {
  s = synth({ envName: 'prod' });
  names = sharedResourceNames(s.stack);
  names[logicalId(s.stack.ingress.logGroup)] = 'ingressLogs';
  for (const job of JOBS) {
    names[logicalId(s.stack.functions[job].logGroup)] = `${job}Logs`;
    names[logicalId(s.stack.functions[job].fn)] = `${job}Function`;
  }
}, 120_000);

/** Every role in the template, with the inventory it must match exactly. */
function inventory(): Array<{ role: string; expected: Allowed[] }> {
  const out: Array<{ role: string; expected: Allowed[] }> = [];
  for (const [id, r] of Object.entries(s.json.Resources)) {
    if (r.Type !== 'AWS::IAM::Role') continue;
    const job = JOBS.find((j) => logicalId(s.stack.functions[j].role) === id);
    if (job) {
      out.push({ role: id, expected: FUNCTION_ROLE(job) });
      continue;
    }
    if (logicalId(s.stack.ingress.role) === id) {
      out.push({ role: id, expected: INGRESS_ROLE });
      continue;
    }
    const trust = JSON.stringify(r.Properties?.AssumeRolePolicyDocument);
    const invoked = grantsOf(s.json, id, names).find((g) => g.includes('lambda:InvokeFunction'));
    const target = JOBS.find((j) => invoked?.endsWith(`-> ${j}Function.Arn`));
    if (trust.includes('scheduler.amazonaws.com') && target) {
      out.push({ role: id, expected: SCHEDULER_ROLE(target) });
      continue;
    }
    out.push({ role: id, expected: [] }); // a role nobody listed: every grant of it is an extra
  }
  return out;
}

/** The TypeScript sources of the deployed code. */
function sources(): string {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) files.push(p);
    }
  };
  walk('lib');
  walk('functions');
  return files.map((f) => readFileSync(f, 'utf8')).join('\n');
}

describe('IAM action inventory', () => {
  it('knows every role of the stack (four jobs, the webhook ingress, three Scheduler target roles)', () => {
    expect(inventory().map((r) => r.expected.length > 0)).toEqual(Array(8).fill(true));
  });

  it('every role is granted exactly the actions of its inventory: no extra, none missing', () => {
    for (const { role, expected } of inventory()) {
      // Act
      const granted = grantsOf(s.json, role, names);

      // Assess
      expect({ role, granted }).toEqual({ role, granted: expected.map(line).sort() });
    }
  });

  it('every SDK command the inventory names is sent by the code', () => {
    // Prepare
    const code = sources();
    const commands = new Set(
      [...JOBS.flatMap((j) => FUNCTION_ROLE(j)), ...INGRESS_ROLE].flatMap((a) => a.command ?? []),
    );

    // Act
    const unused = [...commands].filter((c) => !code.includes(`new ${c}(`));

    // Assess
    expect(commands.size).toBeGreaterThan(5);
    expect(unused).toEqual([]);
  });

  it('every row says why', () => {
    for (const job of JOBS) {
      for (const a of [...FUNCTION_ROLE(job), ...SCHEDULER_ROLE(job), ...INGRESS_ROLE])
        expect(a.why.length).toBeGreaterThan(10);
    }
  });

  it.each(JOBS)(
    '%s: events:PutEvents only with the project’s source and the job’s own published detail-types',
    (job) => {
      // Act
      const statements = iamStatements(s.json)
        .filter((x) => x.roles.includes(logicalId(s.stack.functions[job].role)))
        .map((x) => x.statement)
        .filter((st) => [st.Action].flat().includes('events:PutEvents'));

      // Assess
      expect(statements).toHaveLength(1);
      expect(render(statements[0]?.Resource)).toBe(`${logicalId(s.stack.bus)}.Arn`);
      expect(statements[0]?.Condition).toEqual({
        StringEquals: {
          'events:source': config.events.source,
          'events:detail-type': publishedDetailTypes(job),
        },
      });
    },
  );

  it('webhook ingress: PutEvents only of webhook.accepted from the project’s source; items only in webhook runs’ partitions', () => {
    // Act
    const statements = iamStatements(s.json)
      .filter((x) => x.roles.includes(logicalId(s.stack.ingress.role)))
      .map((x) => x.statement);
    const putEvents = statements.filter((st) => [st.Action].flat().includes('events:PutEvents'));
    const items = statements.filter((st) =>
      [st.Action].flat().some((a) => String(a).startsWith('dynamodb:')),
    );

    // Assess
    expect(putEvents).toHaveLength(1);
    expect(putEvents[0]?.Condition).toEqual({
      StringEquals: { 'events:source': config.events.source, 'events:detail-type': [WEBHOOK_ACCEPTED] },
    });
    expect(items).toHaveLength(1);
    expect(items[0]?.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': INGRESS_LEADING_KEYS },
    });
    // The ledger's keys of webhook runs are what the condition admits (lib/state/keys.ts: run#<idempotencyKey>).
    expect(INGRESS_LEADING_KEYS).toEqual(['run#webhook:*']);
    expect(runKey('ledger.accept', 'webhook:msg_1').pk).toBe('run#webhook:msg_1');
    expect(runKey('ledger.accept', 'backup:run:2026-03-02T19:00:00Z').pk).not.toMatch(/^run#webhook:/);
  });

  it('the published detail-types are the results of every action of the job (and the teardown notice)', () => {
    expect(publishedDetailTypes('backup')).toEqual([
      'backup.run.result',
      'backup.check.result',
      'backup.drill.result',
      'backup.drill', // a drill's continuation request
    ]);
    expect(publishedDetailTypes('teardown')).toEqual([
      'teardown.notice.result',
      'teardown.run.result',
      'teardown.recreate.result',
      'teardown.keep-alive.result',
      'teardown.notice.sent',
      'teardown.cluster.ready', // a recreated cluster is ready
      'teardown.recreate', // a recreate's bounded continuation
    ]);
    expect(publishedDetailTypes('allowlist-sync')).toEqual([
      'allowlist-sync.sync.result',
      'allowlist-sync.set-source.result',
    ]);
  });
});
