// The secrets-sync function's extra grants and rule with the job enabled (one synth with cdk-nag): source
// secrets readable only under their prefix / tag condition, KMS only through Secrets Manager, the CloudTrail
// change rule, the hourly schedule, and cdk-nag clean with each wildcard acknowledged on that role alone.
import { describe, expect, it } from 'vitest';
import { grantsOf, logicalId, propertiesOfType, render, synthVariantBeforeAll } from '#test/infra/harness.ts';

const KEY = 'arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const synthesised = synthVariantBeforeAll((_base) => ({
  secretsSync: {
    enabled: true,
    selector: { labels: ['env-prod'] },
    sources: {
      payments: { prefix: 'camunda/connectors/payments/' },
      shared: { prefix: 'camunda/connectors/', tags: { 'camunda-sync': 'true' } },
    },
    kmsKeyArns: [KEY],
  },
}));

const resourcesOf = (type: string) => propertiesOfType(synthesised().json, type);

describe('secrets-sync stack', () => {
  it('reads source values only under the configured prefixes (tags as a condition), decrypts only via Secrets Manager', () => {
    // Act
    const grants = grantsOf(
      synthesised().json,
      logicalId(synthesised().stack.functions['secrets-sync'].role),
      {},
    ).filter((g) => g.includes('secretsmanager:') || g.includes('kms:Decrypt'));
    // Assess
    expect(grants.join('\n')).toContain('secretsmanager:ListSecrets -> *');
    expect(
      grants.filter((g) => g.includes('secretsmanager:GetSecretValue') && g.includes('camunda/connectors/')),
    ).toHaveLength(2);
    const statements = render(synthesised().json);
    expect(statements).toContain('secretsmanager:ResourceTag/camunda-sync');
    expect(statements).toContain('secretsmanager.');
    expect(grants.join('\n')).toContain(`kms:Decrypt -> ${KEY}`);
    // No other job may read the source secrets.
    for (const job of ['backup', 'teardown', 'allowlist-sync'] as const) {
      const other = grantsOf(synthesised().json, logicalId(synthesised().stack.functions[job].role), {});
      expect(other.join('\n')).not.toContain('camunda/connectors/');
    }
  });

  it('routes Secrets Manager changes recorded by CloudTrail and teardown.cluster.ready to the function', () => {
    // Act
    const patterns = resourcesOf('AWS::Events::Rule').map((r) => JSON.stringify(r.EventPattern ?? {}));
    // Assess
    expect(patterns.some((p) => p.includes('aws.secretsmanager') && p.includes('RotationSucceeded'))).toBe(
      true,
    );
    expect(
      patterns.some((p) => p.includes('secrets-sync.sync') && p.includes('teardown.cluster.ready')),
    ).toBe(true);
  });

  it('schedules the hourly sync', () => {
    const schedules = resourcesOf('AWS::Scheduler::Schedule').map((r) => JSON.stringify(r));
    expect(schedules.some((r) => r.includes('rate(1 hour)') && r.includes('secrets-sync'))).toBe(true);
  });

  it('is cdk-nag clean, the source wildcards acknowledged on the secrets-sync role only', () => {
    expect(synthesised().validation?.synthError).toBeUndefined();
    expect(synthesised().validation?.findings).toEqual([]);
    const wildcards = (synthesised().validation?.suppressed ?? []).filter((f) =>
      f.paths.some((p) => p.includes('SecretsSyncJob/Role')),
    );
    expect(wildcards.map((f) => f.rule).sort()).toEqual(
      [
        'AwsSolutions-IAM5[Resource::*]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:camunda/connectors/*]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:camunda/connectors/payments/*]',
      ].sort(),
    );
  });
});
