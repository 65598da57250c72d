import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '#lib/jobs/types.ts';
import { WebhookSecretError } from '#lib/triggers/errors.ts';
import { normalizeTrigger, type TriggerOptions } from '#lib/triggers/normalize.ts';
import { signWebhook } from '#lib/triggers/sign.ts';
import { accepted, rejected } from '#lib/triggers/webhook-response.ts';
import { KEEP_ALIVE_BODY, MSG_ID, setup, signed } from '#test/unit/triggers/webhook-harness.ts';
import { NOW_MS, SECRET_NEW, SECRET_OLD, SECRET_OTHER } from './fixtures.ts';

describe('webhook: secret faults are errors, not 401', () => {
  it('throws WebhookSecretError when the secrets cannot be read', async () => {
    // Prepare
    const opts: TriggerOptions = {
      job: 'teardown',
      eventSource: 'camunda.automation',
      now: () => NOW_MS,
      webhook: {
        secrets: async () => {
          throw new Error('AccessDeniedException: not authorized to perform secretsmanager:GetSecretValue');
        },
        scopes: { default: ['*'] },
        maxBodyBytes: 1024,
        toleranceSeconds: 300,
      },
    };
    // Act
    const err = await normalizeTrigger(signed(KEEP_ALIVE_BODY), opts).catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(WebhookSecretError);
    expect(err).toMatchObject({
      name: 'WebhookSecretError',
      message: 'webhook signing secrets could not be read',
    });
    expect((err as Error).cause).toBeInstanceOf(Error);
  });

  it('throws when no secret is configured', async () => {
    // Prepare
    const { opts } = setup({ senders: [] });
    // Act
    const err = await normalizeTrigger(signed(KEEP_ALIVE_BODY), opts).catch((e: unknown) => e);
    // Assess
    expect(err).toMatchObject({
      name: 'WebhookSecretError',
      message: 'no webhook signing secret is configured',
    });
  });

  it('throws naming which secret is malformed, without its value', async () => {
    // Prepare
    const { opts } = setup({ secrets: [SECRET_OLD, 'whsec_not base64!'] });
    // Act
    const err = await normalizeTrigger(signed(KEEP_ALIVE_BODY), opts).catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(WebhookSecretError);
    expect((err as Error).message).toBe(
      "webhook signing secret #2 of sender 'default' is not a whsec_ base64 secret",
    );
  });

  it("a sender's unusable secret does not stop the others; a request no usable secret verifies is an error naming it", async () => {
    // Prepare
    const { opts } = setup({
      senders: [
        { sender: 'bot', problem: 'secret arn:bot is empty: set the webhook signing secret (whsec_…)' },
        { sender: 'default', secrets: [SECRET_NEW] },
      ],
      scopes: { bot: ['*'], default: ['*'] },
    });
    // Act
    const good = await normalizeTrigger(signed(KEEP_ALIVE_BODY), opts);
    const err = await normalizeTrigger(signed(KEEP_ALIVE_BODY, { secret: SECRET_OTHER }), opts).catch(
      (e: unknown) => e,
    );
    // Assess
    expect(good.kind).toBe('run');
    expect(err).toBeInstanceOf(WebhookSecretError);
    expect((err as Error).message).toBe(
      "the signing secret of webhook sender 'bot' is unusable: secret arn:bot is empty: set the webhook signing secret (whsec_…)",
    );
  });
});

describe('signWebhook', () => {
  it("produces headers the standardwebhooks library's own verify accepts", () => {
    // Prepare
    const nowSeconds = Math.floor(Date.now() / 1000);
    // Act
    const headers = signWebhook(SECRET_OLD, 'msg_1', nowSeconds, KEEP_ALIVE_BODY);
    // Assess
    expect(new Webhook(SECRET_OLD).verify(KEEP_ALIVE_BODY, { ...headers })).toEqual(
      JSON.parse(KEEP_ALIVE_BODY),
    );
    expect(() => new Webhook(SECRET_NEW).verify(KEEP_ALIVE_BODY, { ...headers })).toThrow(
      /No matching signature/,
    );
  });

  it('matches the Standard Webhooks reference vector and whole seconds', () => {
    // Act
    const headers = signWebhook(
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      'msg_p5jXN8AQM9LWM0D4loKWxJek',
      1614265330.9,
      '{"test": 2432232314}',
    );
    // Assess
    expect(headers).toEqual({
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    });
  });
});

describe('webhook responses', () => {
  it('rejected() answers JSON { error, message }', () => {
    // Act
    const response = rejected(422, 'payload.until: must be an ISO 8601 instant');
    // Assess
    expect(response).toEqual({
      statusCode: 422,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        error: 'invalid_request',
        message: 'payload.until: must be an ISO 8601 instant',
      }),
    });
  });

  it('accepted() answers 202 with the run summary', () => {
    // Prepare
    const summary: RunSummary = {
      job: 'teardown',
      action: 'keep-alive',
      idempotencyKey: `webhook:${MSG_ID}`,
      trigger: 'webhook',
      dryRun: false,
      startedAt: '2026-01-15T21:00:00.000Z',
      finishedAt: '2026-01-15T21:00:01.000Z',
      counts: { done: 1, skipped: 0, failed: 0, deferred: 0 },
      clusters: [{ clusterId: 'c-1', clusterName: 'dev-payments', status: 'done', action: 'keep-alive-set' }],
      notes: [],
      failed: false,
    };
    // Act
    const response = accepted(summary);
    // Assess
    expect(response.statusCode).toBe(202);
    expect(response.headers['content-type']).toBe('application/json');
    expect(JSON.parse(response.body)).toEqual(summary);
  });
});
