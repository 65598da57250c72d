// What a function adds to the shared container (lib/runtime/container.ts `FunctionParts`): the teardown
// composes the KMS sealer, and a function that was not composed to seal never seals with anything else.
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '#lib/config/load.ts';
import { createContainer, SEALING_KEY_ENV, TEARDOWN_PARTS } from '#lib/runtime/container.ts';
import { defaultKmsSealer, localSealer, SealError } from '#lib/secrets/sealer.ts';
import { LOCAL_CONFIG } from '#local/env.ts';
import { recordingLog } from '#local/recording-log.ts';

const KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
/** A Lambda environment with a sealing key (no call leaves the process in these tests). */
const lambdaEnv = {
  AWS_LAMBDA_FUNCTION_NAME: 'teardown',
  AWS_REGION: 'us-east-1',
  STATE_TABLE_NAME: 'state',
  [SEALING_KEY_ENV]: KEY_ARN,
};
const context = { clusterId: 'c-1', clusterName: 'dev', purpose: 'connector-secrets' };

function container(parts?: Parameters<typeof createContainer>[1]) {
  return createContainer({ env: lambdaEnv, config: resolveConfig(LOCAL_CONFIG), log: recordingLog() }, parts);
}

describe('the container’s function parts', () => {
  it('the teardown’s parts are the KMS sealer', () => {
    expect(TEARDOWN_PARTS.kmsSealer).toBe(defaultKmsSealer);
  });

  it('builds the function’s KMS sealer for the configured key on the first seal, not before', async () => {
    // Prepare
    const built: string[] = [];
    const sealer = container({
      kmsSealer: (keyId) => {
        built.push(keyId);
        return localSealer(Buffer.alloc(32, 7));
      },
    }).sealer;
    expect(built).toEqual([]);

    // Act
    const box = await sealer?.seal('{"TOKEN":"x"}', context);

    // Assess
    expect(built).toEqual([KEY_ARN]);
    expect(await sealer?.open(box as NonNullable<typeof box>, context)).toBe('{"TOKEN":"x"}');
  });

  it('a function given a KMS key but not composed to seal fails the seal loudly, with no other key', async () => {
    // Act
    const attempt = container().sealer?.seal('{"TOKEN":"x"}', context);

    // Assess
    await expect(attempt).rejects.toThrow(SealError);
    await expect(attempt).rejects.toThrow(
      `${SEALING_KEY_ENV} is set but this function is not composed with the KMS sealer`,
    );
  });
});
