// The one validated config drives the stack: environments through CDK context, and a bad config stops
// `cdk synth` with the setting named, before anything is built.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { buildApp, STACK_NAME } from '#infra/build-app.ts';
import { ConfigError } from '#lib/config/errors.ts';
import { resolveConfig } from '#lib/config/load.ts';
import { DOCUMENTED_DEPLOYMENT_DEFAULTS } from '#test/helpers/config-defaults.ts';
import { configFile, SKIP_BUNDLING } from '#test/infra/harness.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Runs infra/app.ts the way `cdk synth -c …` does: context in CDK_CONTEXT_JSON, output in CDK_OUTDIR. */
function runApp(
  context: Record<string, unknown>,
): Promise<{ code: number | null; stderr: string; outdir: string }> {
  const outdir = mkdtempSync(join(tmpdir(), 'cca-infra-'));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'infra/app.ts'], {
      cwd: ROOT,
      // No CloudFormation schema validation here (seconds); the nag test runs it.
      env: {
        ...process.env,
        CDK_CONTEXT_JSON: JSON.stringify(context),
        CDK_OUTDIR: outdir,
        CDK_VALIDATION: 'false',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr, outdir }));
  });
}

type ConfigFileShape = typeof configFile;
const withBase = (patch: (c: ConfigFileShape) => unknown): unknown =>
  patch(structuredClone(configFile) as ConfigFileShape);

describe('environments', () => {
  it('`-c env=dev` deploys the dev environment as its own stack, with dev’s overrides', async () => {
    // Act
    const { code, stderr, outdir } = await runApp({ ...SKIP_BUNDLING, env: 'dev' });
    const templateFile = join(outdir, `${STACK_NAME}-dev.template.json`);

    // Assess
    expect(stderr).not.toMatch(/error/i);
    expect(code).toBe(0);
    expect(existsSync(templateFile)).toBe(true);
    const template = JSON.parse(readFileSync(templateFile, 'utf8')) as {
      Resources: Record<string, { Type: string; Properties?: { RetentionInDays?: number } }>;
    };
    const retentions = Object.values(template.Resources)
      .filter((r) => r.Type === 'AWS::Logs::LogGroup')
      .map((r) => r.Properties?.RetentionInDays);
    expect(retentions).toEqual([14, 14, 14, 14, 14, 14]); // environments.dev.deployment.logRetentionDays
  }, 120_000);

  it('an unknown environment stops `cdk synth` naming the known ones, without a stack trace', async () => {
    // Act
    const { code, stderr } = await runApp({ ...SKIP_BUNDLING, env: 'staging' });

    // Assess
    expect(code).toBe(1);
    expect(stderr).toContain("environments: unknown environment 'staging' (known: dev, prod)");
    expect(stderr).not.toMatch(/^\s+at /m);
  }, 120_000);

  it('no context means the base config, deployed as the plain stack name', () => {
    // Act
    const { stack } = buildApp({
      configFile,
      nag: false,
      appProps: { context: SKIP_BUNDLING, builtinCloudFormationValidation: false },
    });

    // Assess
    expect(stack.stackName).toBe(STACK_NAME);
  });
});

describe('a bad config', () => {
  it('fails synth with the bad field named, before any stack exists', () => {
    // Prepare
    const bad = withBase((c) => ({ ...c, teardown: { ...c.teardown, maxDeletionsPerRun: 0 } }));
    const app = new App({ context: SKIP_BUNDLING });

    // Act
    const attempt = () => buildApp({ configFile: bad, appProps: { context: SKIP_BUNDLING } });

    // Assess
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/teardown\.maxDeletionsPerRun: must be an integer >= 1/);
    expect(app.node.children).toHaveLength(0);
  });

  it('in one environment’s override names that environment and the field', () => {
    // Prepare
    const bad = withBase((c) => ({
      ...c,
      environments: { ...c.environments, prod: { deployment: { memoryMb: 64, webhookAuth: 'mtls' } } },
    }));

    // Act
    const attempt = () =>
      buildApp({ configFile: bad, envName: 'prod', appProps: { context: SKIP_BUNDLING } });

    // Assess
    expect(attempt).toThrow(/environment 'prod'/);
    expect(attempt).toThrow(/deployment\.memoryMb: must be an integer from 128 to 10240/);
    expect(attempt).toThrow(/deployment\.webhookAuth: must be 'signature' or 'iam'/);
  });

  it('with a secret ARN that is not complete is refused (a partial ARN would grant on the wrong resource)', () => {
    // Prepare
    const bad = withBase((c) => ({
      ...c,
      deployment: {
        ...c.deployment,
        consoleCredentialsSecretArn: 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:camunda',
      },
    }));

    // Act
    const attempt = () => buildApp({ configFile: bad, appProps: { context: SKIP_BUNDLING } });

    // Assess
    expect(attempt).toThrow(
      /deployment\.consoleCredentialsSecretArn: must be a complete Secrets Manager secret ARN/,
    );
  });
});

describe('deployment defaults', () => {
  it('a config without a deployment section gets the documented defaults', () => {
    // Prepare
    const {
      deployment: _omitted,
      environments: _none,
      ...rest
    } = structuredClone(configFile) as ConfigFileShape;

    // Act
    const config = resolveConfig(rest);

    // Assess
    expect(config.deployment).toEqual(DOCUMENTED_DEPLOYMENT_DEFAULTS);
  });
});
