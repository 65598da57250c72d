// A deployed function takes the config the stack validated and inlined (lib/config/inlined.ts) without checking
// it again. That is safe only if the inlined JSON reads back as exactly what a check would give, and only if JSON
// not made by the stack's define, or changed after it, is refused.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '#lib/config/errors.ts';
import {
  configDigest,
  INLINED_CONFIG,
  INLINED_CONFIG_SHA256,
  inlinedConfig,
  inlinedConfigDefine,
} from '#lib/config/inlined.ts';
import { resolveConfig } from '#lib/config/load.ts';
import { parseConfig } from '#lib/config/schema.ts';
import type { AutomationConfig } from '#lib/config/types.ts';
import { LOCAL_CONFIG } from '#local/env.ts';
import { propertyParams } from '#test/helpers/property.ts';
import configFile from '../../../automation.config.ts';

/** What the function's code sees after esbuild replaced the two expressions: the JSON text and its digest. */
function asInlined(config: AutomationConfig): { json: string; sha256: string } {
  const define = inlinedConfigDefine(config);
  return {
    json: JSON.parse(define[INLINED_CONFIG] ?? 'null') as string,
    sha256: JSON.parse(define[INLINED_CONFIG_SHA256] ?? 'null') as string,
  };
}

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const environments = Object.keys(configFile.environments ?? {});

/** Valid configs with the settings that have defaults, transforms or cross-checks varied. */
const validConfig = fc
  .record({
    timeZone: fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata'),
    concurrency: fc.integer({ min: 1, max: 50 }),
    maxDeletionsPerRun: fc.integer({ min: 1, max: 20 }),
    extraPerWindow: fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }),
    names: fc.array(fc.stringMatching(/^[a-z][a-z0-9-]{0,8}\*?$/), { minLength: 1, maxLength: 3 }),
    cidrs: fc.uniqueArray(
      fc.tuple(
        fc.integer({ min: 11, max: 99 }),
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 24, max: 32 }),
      ),
      { minLength: 1, maxLength: 4, selector: ([a, b]) => `${a}.${b}` },
    ),
    storeUnavailable: fc.constantFrom('fail', 'local-auth'),
  })
  .map((v) => ({
    timeZone: v.timeZone,
    concurrency: v.concurrency,
    token: { storeUnavailable: v.storeUnavailable },
    teardown: {
      enabled: true,
      selector: { names: v.names },
      maxDeletionsPerRun: v.maxDeletionsPerRun,
      ...(v.extraPerWindow === undefined
        ? {}
        : { maxDeletionsPerWindow: v.maxDeletionsPerRun + v.extraPerWindow }),
    },
    allowlist: {
      enabled: true,
      selector: { names: v.names },
      static: v.cidrs.map(([a, b, prefix]) => ({
        cidr: `${a}.${b}.0.0/${prefix}`,
        description: `office ${a}`,
      })),
    },
  }));

describe('the inlined config of a deployed function', () => {
  const sources: [string, () => AutomationConfig][] = [
    ['the local config', () => resolveConfig(LOCAL_CONFIG)],
    ['automation.config.ts without an environment', () => resolveConfig(configFile)],
    ...environments.map((name): [string, () => AutomationConfig] => [
      `automation.config.ts, environment '${name}'`,
      () => resolveConfig(configFile, name),
    ]),
  ];
  it.each(sources)(
    '%s reads back as the validated config, and as a second check would give it',
    (_name, resolve) => {
      // Prepare
      const resolved = resolve();
      const { json, sha256 } = asInlined(resolved);
      // Act
      const trusted = inlinedConfig(json, sha256);
      // Assess
      expect(trusted).toEqual(resolved);
      expect(trusted).toEqual(parseConfig(JSON.parse(json), { context: 'AUTOMATION_CONFIG' }));
    },
  );

  it('any valid config survives the trip through its inlined JSON unchanged (the check is idempotent)', () => {
    fc.assert(
      fc.property(validConfig, (input) => {
        const resolved = parseConfig(input);
        const { json, sha256 } = asInlined(resolved);
        const trusted = inlinedConfig(json, sha256);
        expect(trusted).toEqual(resolved);
        expect(parseConfig(trusted)).toEqual(trusted);
      }),
      propertyParams(200),
    );
  });

  it('refuses JSON changed after the digest was made, naming AUTOMATION_CONFIG and what to do, without the config', () => {
    const { json, sha256 } = asInlined(resolveConfig(LOCAL_CONFIG));
    fc.assert(
      fc.property(fc.nat({ max: json.length - 1 }), fc.string({ minLength: 1, maxLength: 3 }), (at, text) => {
        const changed = json.slice(0, at) + text + json.slice(at + 1);
        fc.pre(changed !== json);
        const error = errorOf(() => inlinedConfig(changed, sha256));
        expect(error.issues.map((issue) => issue.path)).toEqual(['AUTOMATION_CONFIG']);
        expect(error.message).toMatch(/does not match the digest.*cdk deploy/);
        expect(error.message).not.toContain(json.slice(0, 40));
      }),
      propertyParams(300),
    );
  });

  it('refuses a digest that is not the one of its JSON (another config’s, or none)', () => {
    // Prepare
    const { json } = asInlined(resolveConfig(LOCAL_CONFIG));
    const other = configDigest(JSON.stringify(resolveConfig(configFile)));
    // Act / Assess
    for (const digest of [other, '', other.toUpperCase(), `${configDigest(json)} `]) {
      expect(errorOf(() => inlinedConfig(json, digest)).issues[0]?.path).toBe('AUTOMATION_CONFIG');
    }
  });
});
