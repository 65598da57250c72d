// cdk-nag (AwsSolutions + Serverless) runs as CDK policy-validation plugins on every synth. cdk-nag 3 reports
// through CDK's validation report (validation-report.json in the cloud assembly). CDK fails synth on a failed
// plugin report, but once any finding of a pack is acknowledged it re-rates that pack's report by its remaining
// errors only: a new warning would pass `cdk synth`. So this test reads the report and fails on ANY
// unacknowledged finding, warnings included. The controls at the end prove the check sees both levels.
import { App, Stack, Validations } from 'aws-cdk-lib';
import { CfnLogGroup } from 'aws-cdk-lib/aws-logs';
import { CfnQueue } from 'aws-cdk-lib/aws-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, registerNag } from '#infra/build-app.ts';
import { resolveConfig } from '#lib/config/load.ts';
import { JOBS } from '#lib/jobs/types.ts';
import { configFile, logicalId, SKIP_BUNDLING, type Validation, validate } from '#test/infra/harness.ts';

let result: Validation;
let fnIds: string[];

beforeAll(() => {
  // The base config as `npx cdk synth` builds it (CloudFormation schema validation on, like the CLI).
  const { app, stack } = buildApp({ configFile, appProps: { context: SKIP_BUNDLING } });
  // The jobs with a schedule in this config (the Scheduler role's grant); secrets-sync ships disabled.
  const scheduled = JOBS.filter(
    (job) => job !== 'secrets-sync' || resolveConfig(configFile).secretsSync.enabled,
  );
  fnIds = scheduled.map((job) => logicalId(stack.functions[job].fn));
  result = validate(app);
}, 180_000);

describe('cdk-nag on the stack', () => {
  it('ran both packs', () => {
    expect(result.plugins).toEqual(expect.arrayContaining(['AwsSolutions', 'Serverless']));
  });

  it('leaves no unacknowledged finding of any severity, in any plugin', () => {
    // Assess (the findings are listed in the failure message)
    expect(result.synthError).toBeUndefined();
    expect(result.findings).toEqual([]);
  });

  it('accepts exactly the reviewed findings, each with its reason', () => {
    // Act
    const schedulerRole =
      /^CamundaConsoleAutomation\/SchedulerRoleForTarget-[0-9a-f]+\/DefaultPolicy\/Resource$/;
    const accepted = result.suppressed
      .flatMap((f) =>
        f.paths.map((path) =>
          f.rule.startsWith('AwsSolutions-IAM5') && schedulerRole.test(path)
            ? `${f.rule} @ the Scheduler role`
            : `${f.rule} @ ${path}`,
        ),
      )
      .sort();

    // Assess: a new acknowledgement must be reviewed here too
    const root = 'CamundaConsoleAutomation';
    expect(accepted).toEqual(
      [
        `AwsSolutions-SMG4 @ ${root}/ConsoleCredentials/Resource`,
        `AwsSolutions-SMG4 @ ${root}/WebhookSecretChatBot/Resource`,
        `AwsSolutions-SMG4 @ ${root}/WebhookSecretNetworkAutomation/Resource`,
        `AwsSolutions-SQS3 @ ${root}/DeadLetters/Resource`,
        `Serverless-SQSRedrivePolicy @ ${root}/DeadLetters/Resource`,
        ...JOBS.map(
          (job) => `AwsSolutions-APIG4 @ ${root}/Webhooks/POST--webhooks--${job}--{action}/Resource`,
        ),
        `AwsSolutions-APIG4 @ ${root}/Webhooks/GET--runs--{runId}/Resource`,
        ...resolveConfig(configFile).alerts.emails.map(
          (email) => `Serverless-SNSRedrivePolicy @ ${root}/Observability/Alerts/${email}/Resource`,
        ),
        ...['BackupJob', 'TeardownJob', 'AllowlistSyncJob', 'SecretsSyncJob', 'WebhookIngress'].flatMap(
          (fn) => [
            `Serverless-LambdaDLQ @ ${root}/${fn}/Function/Resource`,
            `Serverless-LambdaTracing @ ${root}/${fn}/Function/Resource`,
          ],
        ),
        ...fnIds.map((id) => `AwsSolutions-IAM5[Resource::<${id}.Arn>:*] @ the Scheduler role`),
        // The recreated API clients' credentials: names known only at run time, under the config's prefix.
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:camunda-automation/clusters/*] @ ${root}/TeardownJob/Role/DefaultPolicy/Resource`,
      ].sort(),
    );
    for (const f of result.suppressed) expect(f.reason.length).toBeGreaterThan(60);
  });
});

describe('the check itself', () => {
  it('catches error-level findings (synth fails, the report lists them)', () => {
    // Prepare: a queue without encryption, TLS-only policy or DLQ
    const app = new App({ builtinCloudFormationValidation: false });
    new CfnQueue(new Stack(app, 'Control'), 'Queue', { sqsManagedSseEnabled: false });
    registerNag(app);

    // Act
    const control = validate(app);

    // Assess
    expect(control.synthError?.message).toMatch(/AwsSolutions-SQS4/);
    expect(control.findings.map((f) => f.rule)).toEqual(
      expect.arrayContaining(['AwsSolutions-SQS2', 'AwsSolutions-SQS3', 'AwsSolutions-SQS4']),
    );
  });

  it('catches warning-level findings, which CDK lets through once any finding of that pack is acknowledged', () => {
    // Prepare: a queue whose error-level findings are acknowledged, and a log group without retention (a warning)
    const app = new App({ builtinCloudFormationValidation: false });
    const stack = new Stack(app, 'Control');
    const queue = new CfnQueue(stack, 'Queue', { sqsManagedSseEnabled: true });
    for (const id of [
      'AwsSolutions::AwsSolutions-SQS3',
      'AwsSolutions::AwsSolutions-SQS4',
      'Serverless::Serverless-SQSRedrivePolicy',
    ]) {
      Validations.of(queue).acknowledge({ id, reason: 'control' });
    }
    new CfnLogGroup(stack, 'Logs');
    registerNag(app);

    // Act
    const control = validate(app);

    // Assess: CDK re-rates a report with suppressions by its errors only, so synth passes; the check does not
    expect(control.synthError).toBeUndefined();
    expect(control.findings).toEqual([
      expect.objectContaining({ rule: 'Serverless-CloudWatchLogGroupRetentionPeriod', severity: 'warning' }),
    ]);
  });
});
