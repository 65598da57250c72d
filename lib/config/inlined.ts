// The config of a deployed function. The stack resolves and validates automation.config.ts at synth, with the
// schema of the same commit as the function's code, and inlines the resulting JSON into the bundle together with
// the SHA-256 of that JSON (esbuild `define`, `inlinedConfigDefine`). The function takes it as validated instead
// of checking it again: it cannot change without a new synth (the Lambda environment does not hold it), and the
// schema is then left out of the bundle (lib/runtime/container.ts). The digest ties the JSON to the check: JSON
// inlined by anything but `inlinedConfigDefine`, or altered in the bundle, is refused, never trusted.
import { createHash } from 'node:crypto';
import { ConfigError } from './errors.ts';
import type { AutomationConfig } from './types.ts';

/** The expressions esbuild replaces in a deployed bundle. */
export const INLINED_CONFIG = 'process.env.AUTOMATION_CONFIG';
export const INLINED_CONFIG_SHA256 = 'process.env.AUTOMATION_CONFIG_SHA256';

/** SHA-256 (hex) of the config's JSON, as inlined next to it. */
export function configDigest(json: string): string {
  return createHash('sha256').update(json, 'utf8').digest('hex');
}

/**
 * esbuild `define` entries that inline `config` as a deployed function reads it. `config` must be the output of
 * `resolveConfig`/`parseConfig` (validated, defaults applied): the function does not check it again.
 */
export function inlinedConfigDefine(config: AutomationConfig): Record<string, string> {
  const json = JSON.stringify(config);
  return {
    [INLINED_CONFIG]: JSON.stringify(json),
    [INLINED_CONFIG_SHA256]: JSON.stringify(configDigest(json)),
  };
}

/** The inlined config, when `json` is the JSON the digest was made of; a `ConfigError` otherwise. */
export function inlinedConfig(json: string, sha256: string): AutomationConfig {
  if (configDigest(json) !== sha256) {
    throw new ConfigError([
      {
        path: 'AUTOMATION_CONFIG',
        message:
          'the inlined config does not match the digest inlined with it (the bundle was changed after cdk synth): deploy again with `npx cdk deploy`',
      },
    ]);
  }
  return JSON.parse(json) as AutomationConfig;
}
