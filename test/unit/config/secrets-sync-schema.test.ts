// The `secretsSync` block: defaults, and every bad setting refused with its path named.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '#lib/config/errors.ts';
import { parseConfig } from '#lib/config/schema.ts';
import { thrownBy } from '#test/helpers/thrown.ts';

function issuesOf(input: unknown): Array<{ path: string; message: string }> {
  return thrownBy(ConfigError, () => parseConfig(input)).issues.map((i) => ({
    path: i.path,
    message: i.message,
  }));
}

const on = {
  enabled: true,
  selector: { names: ['prod-*'] },
  sources: { payments: { prefix: 'camunda/payments/' } },
};

describe('secretsSync config', () => {
  it('accepts a source by prefix and tags with a selector and a name prefix, filling defaults', () => {
    // Act
    const config = parseConfig({
      secretsSync: {
        ...on,
        sources: {
          payments: { prefix: 'camunda/payments/', tags: { team: 'payments' }, namePrefix: 'PAY_' },
          shared: { tags: { 'camunda-sync': 'true' }, selector: { labels: ['shared'] } },
        },
        kmsKeyArns: ['arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'],
      },
    });
    // Assess
    expect(config.secretsSync).toMatchObject({
      enabled: true,
      schedule: 'rate(1 hour)',
      exclusive: false,
      conflictRetry: { attempts: 6, baseDelayMs: 1000, maxDelayMs: 20000 },
      sources: { shared: { selector: { labels: ['shared'] } } },
    });
  });

  it.each([
    [{ ...on, sources: { payments: {} } }, 'secretsSync.sources.payments.prefix', 'needs a prefix or tags'],
    [{ ...on, sources: { Payments: { prefix: 'x/' } } }, 'secretsSync.sources.Payments', 'lower-case'],
    [
      { ...on, sources: { p: { prefix: 'x/', namePrefix: 'BAD-' } } },
      'secretsSync.sources.p.namePrefix',
      'letters, digits and _',
    ],
    [{ ...on, selector: {} }, 'secretsSync.selector', 'must name the clusters'],
    [{ ...on, sources: {} }, 'secretsSync.sources', 'at least one Secrets Manager source'],
    [{ ...on, exclusive: 'yes' }, 'secretsSync.exclusive', 'true or false'],
    [{ ...on, conflictRetry: { attempts: 0 } }, 'secretsSync.conflictRetry.attempts', 'from 1 to 20'],
    [{ ...on, kmsKeyArns: ['alias/x'] }, 'secretsSync.kmsKeyArns[0]', 'KMS key ARN'],
    [{ ...on, schedule: 'every hour' }, 'secretsSync.schedule', ''],
    [{ ...on, typo: 1 }, 'secretsSync.typo', 'unknown setting'],
  ])('refuses %j naming %s', (block, path, message) => {
    // Act
    const issues = issuesOf({ secretsSync: block });
    // Assess
    expect(issues).toContainEqual({ path, message: expect.stringContaining(message) });
  });
});
