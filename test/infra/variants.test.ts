// The other shape of the deployment settings, in one synth (with cdk-nag): IAM-authorised webhooks, imported
// secrets, reserved concurrency, other sizes, and only the backup job enabled.
import { describe, expect, it } from 'vitest';
import { JOBS } from '#lib/jobs/types.ts';
import {
  grantsOf,
  logicalId,
  type Props,
  propertiesOfType,
  synthVariantBeforeAll,
} from '#test/infra/harness.ts';

const CONSOLE_ARN = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:camunda/console-AbCdEf';
const WEBHOOK_ARN = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:camunda/webhook-GhIjKl';
const CI_WEBHOOK_ARN = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:camunda/ci-webhook-MnOpQr';

const synthesised = synthVariantBeforeAll((base) => ({
  teardown: { ...base.teardown, enabled: false },
  allowlist: { ...base.allowlist, enabled: false },
  // The single secret of earlier versions kept as sender 'default', and a second imported sender.
  webhooks: { senders: { default: { routes: ['backup.run'] }, ci: { routes: ['backup.run'] } } },
  deployment: {
    consoleCredentialsSecretArn: CONSOLE_ARN,
    webhookSecretArn: WEBHOOK_ARN,
    webhookSecretArns: { ci: CI_WEBHOOK_ARN },
    webhookAuth: 'iam',
    webhookThrottle: { rateLimit: 2, burstLimit: 5 },
    logRetentionDays: 7,
    functionTimeoutSeconds: 600,
    memoryMb: 1024,
    reservedConcurrency: 5,
  },
}));

const resourcesOf = (type: string) => propertiesOfType(synthesised().json, type);

describe('deployment variants', () => {
  it('webhookAuth "iam" requires SigV4 on every webhook route and the status route', () => {
    // Act
    const routes = resourcesOf('AWS::ApiGatewayV2::Route');

    // Assess
    expect(routes).toHaveLength(JOBS.length + 1);
    for (const r of routes) expect(r.AuthorizationType).toBe('AWS_IAM');
  });

  it('imported secrets: none created, the functions read (only) the given ARNs', () => {
    for (const job of JOBS) {
      // Act
      const fn = synthesised().json.Resources[logicalId(synthesised().stack.functions[job].fn)]
        ?.Properties as Props;
      const env = (fn.Environment as { Variables: Record<string, unknown> }).Variables;
      // (The teardown's writes to its published credentials, test/infra/permissions.test.ts, are not reads.)
      const secretGrants = grantsOf(
        synthesised().json,
        logicalId(synthesised().stack.functions[job].role),
        {},
      ).filter((g) => g.includes('secretsmanager:') && !g.includes(':secret:camunda-automation/clusters/*'));

      // Assess
      expect(env.CAMUNDA_CONSOLE_CREDENTIALS_SECRET).toBe(CONSOLE_ARN);
      expect(env).not.toHaveProperty('WEBHOOK_SENDER_SECRETS');
      expect(secretGrants).toEqual([`Allow secretsmanager:GetSecretValue -> ${CONSOLE_ARN}`]);
    }
    const ingressFn =
      synthesised().json.Resources[logicalId(synthesised().stack.ingress.fn)]?.Properties ?? {};
    const ingressEnv = (ingressFn.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(JSON.parse(String(ingressEnv.WEBHOOK_SENDER_SECRETS))).toEqual({
      default: WEBHOOK_ARN,
      ci: CI_WEBHOOK_ARN,
    });
    expect(ingressEnv).not.toHaveProperty('CAMUNDA_CONSOLE_CREDENTIALS_SECRET');
    const ingress = grantsOf(synthesised().json, logicalId(synthesised().stack.ingress.role), {}).filter(
      (g) => g.includes('secretsmanager:'),
    );
    expect(ingress).toEqual(
      [
        `Allow secretsmanager:GetSecretValue -> ${WEBHOOK_ARN}`,
        `Allow secretsmanager:GetSecretValue -> ${CI_WEBHOOK_ARN}`,
      ].sort(),
    );
    expect(resourcesOf('AWS::SecretsManager::Secret')).toEqual([]);
  });

  it('sizes, reserved concurrency, retention and throttling follow the config', () => {
    // Assess
    for (const job of JOBS) {
      const fn = synthesised().json.Resources[logicalId(synthesised().stack.functions[job].fn)]
        ?.Properties as Props;
      expect(fn).toMatchObject({ MemorySize: 1024, Timeout: 600, ReservedConcurrentExecutions: 5 });
    }
    // The ingress answers in well under a second whatever the job's length; no reservation to take from the jobs.
    const ingress = synthesised().json.Resources[logicalId(synthesised().stack.ingress.fn)]
      ?.Properties as Props;
    expect(ingress).toMatchObject({ MemorySize: 1024, Timeout: 10 });
    expect(ingress).not.toHaveProperty('ReservedConcurrentExecutions');
    for (const group of resourcesOf('AWS::Logs::LogGroup')) expect(group.RetentionInDays).toBe(7);
    expect(resourcesOf('AWS::ApiGatewayV2::Stage')[0]?.DefaultRouteSettings).toEqual({
      ThrottlingRateLimit: 2,
      ThrottlingBurstLimit: 5,
    });
  });

  it('disabled jobs get no schedule, but keep their function, events and webhooks (they answer "disabled")', () => {
    // Act
    const schedules = resourcesOf('AWS::Scheduler::Schedule');

    // Assess
    // The backup run, and its readiness check (the config has recovery-point targets); no drill (off).
    expect(schedules).toHaveLength(2);
    const inputs = schedules.map((x) => JSON.parse(String((x.Target as Props | undefined)?.Input)));
    expect(inputs.map((i) => `${i.job}/${i.action}`).sort()).toEqual(['backup/check', 'backup/run']);
    expect(resourcesOf('AWS::Lambda::Function')).toHaveLength(JOBS.length + 1); // + the webhook ingress
    expect(resourcesOf('AWS::Events::Rule')).toHaveLength(JOBS.length * 2); // requests + accepted webhooks
  });

  it('passes cdk-nag without the acknowledgements this shape does not need', () => {
    // Assess
    expect(synthesised().validation?.synthError).toBeUndefined();
    expect(synthesised().validation?.findings).toEqual([]);
    const rules = synthesised().validation?.suppressed.map((f) => f.rule) ?? [];
    expect(rules).not.toContain('AwsSolutions-APIG4');
    expect(rules).not.toContain('AwsSolutions-SMG4');
  });
});
