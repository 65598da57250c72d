// The webhook trigger: signed requests it accepts, and sender secrets rotating.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhook } from '#lib/triggers/sign.ts';
import * as webhook from '#test/unit/triggers/webhook-harness.ts';
import { eventFixture, NOW_S, SECRET_NEW, SECRET_OLD, SECRET_OTHER } from './fixtures.ts';

describe('webhook: accepted requests', () => {
  it('turns a signed API Gateway request into a run keyed by webhook-id', async () => {
    // Prepare
    const event = webhook.signed(webhook.KEEP_ALIVE_BODY);
    // Act
    const result = await webhook.normalized(event);
    // Assess
    expect(result).toEqual({
      kind: 'run',
      request: {
        job: 'teardown',
        action: 'keep-alive',
        payload: {
          cluster: 'dev-payments',
          until: '2026-01-16T06:00:00Z',
          by: 'alice@example.com',
          reason: 'load test',
        },
      },
      delivery: {
        source: 'webhook',
        idempotencyKey: `webhook:${webhook.MSG_ID}`,
        at: '2026-01-15T21:00:00.000Z',
        sender: 'default',
        bodyDigest: createHash('sha256').update(webhook.KEEP_ALIVE_BODY).digest('hex'),
      },
    });
  });

  it('accepts a Function URL request with a charset in its content-type', async () => {
    // Prepare
    const body = String(eventFixture('function-url-webhook').body);
    const event = webhook.signed(body, { fixture: 'function-url-webhook' });
    // Act
    const result = await webhook.normalized(event, { job: 'backup' });
    // Assess
    expect(result).toMatchObject({
      kind: 'run',
      request: {
        job: 'backup',
        action: 'run',
        dryRun: true,
        clusterIds: ['1b0d1e0d-1111-2222-3333-444455556666'],
      },
    });
  });

  it('accepts a base64-encoded body signed over its decoded bytes', async () => {
    // Prepare
    const event = webhook.signed(webhook.KEEP_ALIVE_BODY);
    event.body = Buffer.from(webhook.KEEP_ALIVE_BODY).toString('base64');
    event.isBase64Encoded = true;
    // Act
    const result = await webhook.normalized(event);
    // Assess
    expect(result.kind).toBe('run');
  });

  it('refuses a base64 body whose signature covers the base64 text', async () => {
    // Prepare
    const encoded = Buffer.from(webhook.KEEP_ALIVE_BODY).toString('base64');
    const event = webhook.signed(encoded);
    event.isBase64Encoded = true;
    // Act
    const result = await webhook.normalized(event);
    // Assess
    expect(webhook.rejectedWith(result).status).toBe(401);
  });

  it('reads headers whatever their case', async () => {
    // Prepare
    const sig = signWebhook(SECRET_NEW, webhook.MSG_ID, NOW_S, webhook.KEEP_ALIVE_BODY);
    const event = eventFixture('apigw-v2-webhook');
    event.body = webhook.KEEP_ALIVE_BODY;
    event.headers = {
      'Content-Type': 'Application/JSON',
      'Webhook-Id': sig['webhook-id'],
      'Webhook-Timestamp': sig['webhook-timestamp'],
      'WEBHOOK-SIGNATURE': sig['webhook-signature'],
    };
    // Act
    const result = await webhook.normalized(event);
    // Assess
    expect(result.kind).toBe('run');
  });

  it('accepts a route behind a named API Gateway stage and with a trailing slash', async () => {
    // Prepare
    const event = webhook.signed(webhook.KEEP_ALIVE_BODY);
    event.rawPath = '/prod/webhooks/teardown/keep-alive/';
    // Act
    const result = await webhook.normalized(event);
    // Assess
    expect(result.kind).toBe('run');
  });

  it('verifies the Standard Webhooks reference vector', async () => {
    // Prepare: the example from the Standard Webhooks specification's reference libraries.
    const event = eventFixture('function-url-webhook');
    const body = '{"test": 2432232314}';
    event.body = body;
    event.headers = {
      'content-type': 'application/json',
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    };
    // Act
    const result = await webhook.normalized(event, {
      job: 'backup',
      secrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
      now: 1614265330_000,
    });
    // Assess: the signature verified; only the body's schema is refused.
    expect(webhook.rejectedWith(result)).toMatchObject({
      status: 422,
      message: expect.stringMatching(/unknown field test/),
    });
  });
});

describe('webhook: secret rotation', () => {
  it.each([
    ['the old secret', SECRET_OLD],
    ['the new secret', SECRET_NEW],
  ])('accepts a request signed with %s while both are active', async (_name, secret) => {
    // Act
    const result = await webhook.normalized(webhook.signed(webhook.KEEP_ALIVE_BODY, { secret }), {
      secrets: [SECRET_OLD, SECRET_NEW],
    });
    // Assess
    expect(result.kind).toBe('run');
  });

  it('refuses a secret that is not active', async () => {
    // Act
    const result = await webhook.normalized(
      webhook.signed(webhook.KEEP_ALIVE_BODY, { secret: SECRET_OTHER }),
      {
        secrets: [SECRET_OLD, SECRET_NEW],
      },
    );
    // Assess
    expect(webhook.rejectedWith(result)).toEqual({
      status: 401,
      error: 'unauthorized',
      message: 'invalid signature: webhook-signature matches none of the active signing secrets',
    });
  });

  it('accepts a header carrying several signatures when one matches', async () => {
    // Prepare
    const other = signWebhook(SECRET_OTHER, webhook.MSG_ID, NOW_S, webhook.KEEP_ALIVE_BODY)[
      'webhook-signature'
    ];
    const good = signWebhook(SECRET_NEW, webhook.MSG_ID, NOW_S, webhook.KEEP_ALIVE_BODY)['webhook-signature'];
    const event = webhook.signed(webhook.KEEP_ALIVE_BODY, {
      headers: { 'webhook-signature': `v2,abc ${other} ${good}` },
    });
    // Act
    const result = await webhook.normalized(event, { secrets: [SECRET_NEW] });
    // Assess
    expect(result.kind).toBe('run');
  });
});
