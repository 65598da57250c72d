// Where the container's config comes from: a deployed bundle's inlined config is taken as the stack validated it
// (and refused if it does not match its digest); any other config is checked when the container is built.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '#lib/config/errors.ts';
import { INLINED_CONFIG_SHA256, inlinedConfigDefine } from '#lib/config/inlined.ts';
import { resolveConfig } from '#lib/config/load.ts';
import type { AutomationConfig } from '#lib/config/types.ts';
import { createContainer } from '#lib/runtime/container.ts';
import { LOCAL_CONFIG } from '#local/env.ts';
import { recordingLog } from '#local/recording-log.ts';

const env = { STATE_TABLE_NAME: 'state', AWS_REGION: 'us-east-1' };

/** What esbuild's define puts into a deployed bundle, set where the unbundled code reads it. */
function inline(config: AutomationConfig, sha256?: string): void {
  const define = inlinedConfigDefine(config);
  vi.stubEnv('AUTOMATION_CONFIG', JSON.parse(define['process.env.AUTOMATION_CONFIG'] ?? 'null') as string);
  vi.stubEnv(
    'AUTOMATION_CONFIG_SHA256',
    sha256 ?? (JSON.parse(define[INLINED_CONFIG_SHA256] ?? 'null') as string),
  );
}

function containerError(): ConfigError {
  try {
    createContainer({ env, log: recordingLog() });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('the container’s config', () => {
  it('takes the inlined config with its digest as the stack validated it', () => {
    // Prepare
    const resolved = resolveConfig({ ...LOCAL_CONFIG, concurrency: 9 });
    inline(resolved);
    // Act
    const { config } = createContainer({ env, log: recordingLog() });
    // Assess
    expect(config).toEqual(resolved);
  });

  it('refuses an inlined config that does not match its digest, naming AUTOMATION_CONFIG', () => {
    // Prepare
    inline(resolveConfig(LOCAL_CONFIG), '0'.repeat(64));
    // Act / Assess
    expect(containerError().issues.map((issue) => issue.path)).toEqual(['AUTOMATION_CONFIG']);
  });

  it('checks a config given without a digest, naming the bad setting', () => {
    // Prepare: JSON no stack validated (a hand-set AUTOMATION_CONFIG in a local run).
    vi.stubEnv('AUTOMATION_CONFIG', JSON.stringify({ concurrency: 0 }));
    vi.stubEnv('AUTOMATION_CONFIG_SHA256', undefined);
    // Act / Assess
    expect(containerError().issues.map((issue) => issue.path)).toEqual(['concurrency']);
  });
});
