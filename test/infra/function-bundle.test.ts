// The functions' bundling (infra/bundling/function-bundle.ts): the settings the stack, the cold-start
// benchmark and the bundled test workers share, the Lambda-only stand-ins they alias in, and one real CDK
// bundling run (NodejsFunction → the esbuild CLI) showing that the stand-ins reach the deployed asset.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { build } from 'esbuild';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FUNCTION_BUILD_OPTIONS, FUNCTION_TARGET } from '#infra/bundling/function-bundle.ts';
import { defaultProvider, MissingEnvCredentialsError } from '#infra/bundling/lambda/credentials-from-env.ts';
import { EventStreamSerde } from '#infra/bundling/lambda/no-event-streams.ts';
import { AutomationFunction, FUNCTION_RUNTIME } from '#infra/constructs/automation-function.ts';

const CREDENTIAL_VARS = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_CREDENTIAL_EXPIRATION',
] as const;

/** What the SDK's default credential chain and event-stream codec bring into a bundle. */
const LEFT_OUT = [
  '@aws-sdk/credential-provider-node/',
  '@aws-sdk/credential-provider-ini/',
  '@aws-sdk/credential-provider-sso/',
  '@aws-sdk/nested-clients/',
  '@smithy/credential-provider-imds/',
  '@smithy/core/dist-es/submodules/event-streams/',
];

describe('credentials-from-env (the Lambda bundles’ credential provider)', () => {
  let saved: Record<string, string | undefined>;
  beforeEach(() => {
    saved = Object.fromEntries(CREDENTIAL_VARS.map((name) => [name, process.env[name]]));
    for (const name of CREDENTIAL_VARS) delete process.env[name];
  });
  afterEach(() => {
    for (const name of CREDENTIAL_VARS) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  it('returns the role credentials Lambda sets, session token and expiry included', async () => {
    // Prepare
    process.env.AWS_ACCESS_KEY_ID = 'ASIAEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret-value';
    process.env.AWS_SESSION_TOKEN = 'session-value';
    process.env.AWS_CREDENTIAL_EXPIRATION = '2026-12-02T03:00:00Z';

    // Act
    const credentials = await defaultProvider({})();

    // Assess
    expect(credentials).toEqual({
      accessKeyId: 'ASIAEXAMPLE',
      secretAccessKey: 'secret-value',
      sessionToken: 'session-value',
      expiration: new Date('2026-12-02T03:00:00Z'),
    });
  });

  it('reads the environment at each call (no value kept from an earlier call)', async () => {
    // Prepare
    const provider = defaultProvider();
    process.env.AWS_ACCESS_KEY_ID = 'first';
    process.env.AWS_SECRET_ACCESS_KEY = 'first-secret';
    await provider();
    process.env.AWS_ACCESS_KEY_ID = 'second';
    process.env.AWS_SECRET_ACCESS_KEY = 'second-secret';

    // Act
    const credentials = await provider();

    // Assess
    expect(credentials).toEqual({ accessKeyId: 'second', secretAccessKey: 'second-secret' });
  });

  it('fails naming the missing variable, never a value', async () => {
    // Prepare
    process.env.AWS_ACCESS_KEY_ID = 'ASIAEXAMPLE';

    // Act
    const attempt = defaultProvider()();

    // Assess
    await expect(attempt).rejects.toThrow(MissingEnvCredentialsError);
    await expect(attempt).rejects.toThrow(/AWS_SECRET_ACCESS_KEY not set/);
    await expect(attempt).rejects.not.toThrow(/ASIAEXAMPLE|AWS_ACCESS_KEY_ID/);
  });
});

describe('function bundles', () => {
  it('the event-stream stand-in fails loudly if an event-stream operation ever reaches it', () => {
    expect(() => EventStreamSerde()).toThrow(/event streams are not bundled/);
  });

  it('targets the runtime the functions run on', () => {
    expect(FUNCTION_TARGET).toBe(FUNCTION_RUNTIME.name.replace(/^nodejs(\d+)\.x$/, 'node$1'));
  });

  it('carry the stand-ins instead of the default credential chain and the event-stream codec', async () => {
    // Act
    const result = await build({
      ...FUNCTION_BUILD_OPTIONS,
      mainFields: [...FUNCTION_BUILD_OPTIONS.mainFields],
      entryPoints: ['functions/teardown/handler.ts'],
      outfile: join(tmpdir(), 'unused-teardown.mjs'),
      write: false,
      metafile: true,
      logLevel: 'error',
    });

    // Assess
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((path) => LEFT_OUT.some((part) => path.includes(part)))).toEqual([]);
    expect(inputs).toContain('infra/bundling/lambda/credentials-from-env.ts');
    expect(inputs).toContain('infra/bundling/lambda/no-event-streams.ts');
    // The SDK itself stays bundled (its version pinned by the lock file, not the runtime's).
    expect(inputs.some((path) => path.includes('node_modules/@aws-sdk/client-dynamodb/'))).toBe(true);
  });

  describe('bundled by the CDK construct', () => {
    let outdir: string;
    beforeEach(() => {
      outdir = mkdtempSync(join(tmpdir(), 'cca-cdk-bundle-'));
    });
    afterEach(() => {
      rmSync(outdir, { recursive: true, force: true });
    });

    it('NodejsFunction passes the shared settings to the esbuild CLI: the asset has the stand-ins', () => {
      // Prepare
      const app = new App({ outdir });
      const stack = new Stack(app, 'BundleProbe');
      new AutomationFunction(stack, 'Ingress', {
        entry: 'functions/webhook-ingress/handler.ts',
        service: 'webhook-ingress',
        description: 'bundling probe',
        timeout: Duration.seconds(10),
        memorySize: 256,
        logRetention: RetentionDays.ONE_WEEK,
        deadLetters: new Queue(stack, 'DeadLetters'),
      });

      // Act
      app.synth();

      // Assess
      const assets = readdirSync(outdir).filter((name) => name.startsWith('asset.'));
      expect(assets).toHaveLength(1);
      const code = readFileSync(join(outdir, assets[0] ?? '', 'index.mjs'), 'utf8');
      expect(code).toContain('event streams are not bundled');
      expect(code).toContain('no AWS credentials in the environment');
      // The SSO and STS clients of the default chain are gone with it.
      expect(code).not.toContain('AWSSecurityTokenServiceV20110615');
      expect(code).not.toContain('SWBPortalService');
      // No pure-JavaScript SHA-256 (fast-sha256, the SDK's fallback): its first round constant, minified.
      expect(code).not.toContain('1116352408');
      // Built-ins the cold start does not need are loaded on first use, and node:fs without an ES module facade.
      expect(code).not.toMatch(/from\s*"node:(zlib|stream\/web|stream\/promises|fs|fs\/promises|process)"/);
    });
  });
});
