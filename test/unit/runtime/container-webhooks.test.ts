// Which container verifies webhooks: the ingress (given the senders' secret ARNs) and local runs (secrets from
// the local env). A deployed job function has neither: a signed request sent to it directly is answered 404,
// with no secret read, so a job's role never needs (and is never given) a sender's signing secret.
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '#lib/config/load.ts';
import { createContainer } from '#lib/runtime/container.ts';
import { handleJob } from '#lib/runtime/job-handler.ts';
import type { WebhookResponse } from '#lib/triggers/webhook-response.ts';
import { recordingLog } from '#local/recording-log.ts';
import { context, ENABLED, recordingAction, resetHandlerWorld, webhook } from './job-handler-harness.ts';

const SENDERS = JSON.stringify({
  default: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:hook-AbCdEf',
});
const deployed = { AWS_LAMBDA_FUNCTION_NAME: 'teardown', AWS_REGION: 'us-east-1', STATE_TABLE_NAME: 'state' };

function containerIn(env: Record<string, string>) {
  return createContainer({
    env,
    config: resolveConfig(ENABLED),
    log: recordingLog(),
    now: () => Date.parse('2026-11-27T02:00:00Z'),
  });
}

describe('webhook verification by container', () => {
  it('a deployed job function without the senders’ secrets answers a signed request 404 and runs nothing', async () => {
    // Prepare
    resetHandlerWorld();
    const container = containerIn(deployed);
    const run = recordingAction();
    // Act
    const answer = (await handleJob(
      'teardown',
      { run },
      webhook('teardown', 'run', {}),
      context(),
      container,
    )) as WebhookResponse;
    // Assess
    expect(container.webhookSecrets).toBeUndefined();
    expect(answer.statusCode).toBe(404);
    expect(JSON.parse(answer.body).message).toMatch(/this function has no webhook$/);
    expect(run.scopes).toEqual([]);
  });

  it('the ingress (the senders’ secret ARNs given) and a local run (not in Lambda) verify webhooks', () => {
    expect(containerIn({ ...deployed, WEBHOOK_SENDER_SECRETS: SENDERS }).webhookSecrets).toBeTypeOf(
      'function',
    );
    expect(containerIn({ STATE_TABLE_NAME: 'state', AWS_REGION: 'us-east-1' }).webhookSecrets).toBeTypeOf(
      'function',
    );
  });
});
