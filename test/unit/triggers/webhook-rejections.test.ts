import { describe, expect, it } from 'vitest';
import { normalizeTrigger, type TriggerOptions } from '#lib/triggers/normalize.ts';
import { signWebhook } from '#lib/triggers/sign.ts';
import * as webhook from '#test/unit/triggers/webhook-harness.ts';
import { eventFixture, NOW_MS, NOW_S, SECRET_NEW, SECRET_OLD, SECRET_OTHER } from './fixtures.ts';

describe('webhook: rejections', () => {
  it('answers 413 for a 10 MB body before reading headers, secrets or JSON', async () => {
    // Prepare
    const { opts, secretReads } = webhook.setup({ maxBodyBytes: 1024 * 1024 });
    const event = eventFixture('apigw-v2-webhook');
    event.body = `{"not json${'x'.repeat(10 * 1024 * 1024)}`;
    event.headers = {};
    // Act
    const result = await normalizeTrigger(event, opts);
    // Assess
    expect(webhook.rejectedWith(result)).toEqual({
      status: 413,
      error: 'payload_too_large',
      message: 'body of 10485770 bytes exceeds the limit of 1048576 bytes',
    });
    expect(secretReads()).toBe(0);
  });

  it('counts the decoded size of a base64 body', async () => {
    // Prepare
    const { opts } = webhook.setup({ maxBodyBytes: 100 });
    const small = webhook.signed(webhook.KEEP_ALIVE_BODY);
    small.body = Buffer.from('x'.repeat(100)).toString('base64');
    small.isBase64Encoded = true;
    const large = { ...small, body: Buffer.from('x'.repeat(101)).toString('base64') };
    // Act
    const atLimit = webhook.rejectedWith(await normalizeTrigger(small, opts));
    const overLimit = webhook.rejectedWith(await normalizeTrigger(large, opts));
    // Assess: 100 bytes pass the size check (and fail the signature), 101 do not.
    expect(atLimit.status).toBe(401);
    expect(overLimit.status).toBe(413);
  });

  it.each(['webhook-id', 'webhook-timestamp', 'webhook-signature'])(
    'answers 401 without the %s header',
    async (header) => {
      // Prepare
      const { opts } = webhook.setup();
      const event = webhook.signed(webhook.KEEP_ALIVE_BODY);
      delete (event.headers as Record<string, string>)[header];
      // Act
      const result = await normalizeTrigger(event, opts);
      // Assess
      expect(webhook.rejectedWith(result)).toEqual({
        status: 401,
        error: 'unauthorized',
        message: `missing ${header} header (Standard Webhooks)`,
      });
    },
  );

  it('answers 401 naming every missing header of an unsigned request', async () => {
    // Prepare
    const { opts, secretReads } = webhook.setup();
    const event = eventFixture('apigw-v2-webhook');
    // Act
    const result = await normalizeTrigger(event, opts);
    // Assess
    expect(webhook.rejectedWith(result).message).toBe(
      'missing webhook-id, webhook-timestamp, webhook-signature headers (Standard Webhooks)',
    );
    expect(secretReads()).toBe(0);
  });

  it.each([
    [
      'a timestamp in milliseconds',
      { 'webhook-timestamp': String(NOW_MS) },
      /invalid webhook-timestamp header: Unix time in seconds/,
    ],
    [
      'a non-numeric timestamp',
      { 'webhook-timestamp': '2026-01-15T21:00:00Z' },
      /invalid webhook-timestamp header/,
    ],
    ['a webhook-id with spaces', { 'webhook-id': 'msg 1' }, /invalid webhook-id header/],
    [
      'a signature without version',
      { 'webhook-signature': 'g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=' },
      /invalid signature/,
    ],
  ])('answers 401 for %s', async (_name, headers, message) => {
    // Prepare
    const { opts } = webhook.setup();
    const event = webhook.signed(webhook.KEEP_ALIVE_BODY, { headers });
    // Act
    const result = await normalizeTrigger(event, opts);
    // Assess
    const answer = webhook.rejectedWith(result);
    expect(answer.status).toBe(401);
    expect(answer.message).toMatch(message);
  });

  it.each([
    ['301 s old', NOW_S - 301, 401],
    ['300 s old', NOW_S - 300, 'run'],
    ['300 s ahead', NOW_S + 300, 'run'],
    ['301 s ahead', NOW_S + 301, 401],
  ])('checks the timestamp against the injected clock: %s', async (_name, timestamp, expected) => {
    // Prepare
    const { opts } = webhook.setup();
    const event = webhook.signed(webhook.KEEP_ALIVE_BODY, { timestamp });
    // Act
    const result = await normalizeTrigger(event, opts);
    // Assess
    if (expected === 'run') expect(result.kind).toBe('run');
    else expect(webhook.rejectedWith(result).status).toBe(expected);
  });

  it('says whether the timestamp is too old or too new', async () => {
    // Prepare
    const { opts } = webhook.setup();
    // Act
    const old = webhook.rejectedWith(
      await normalizeTrigger(webhook.signed(webhook.KEEP_ALIVE_BODY, { timestamp: NOW_S - 3600 }), opts),
    );
    const future = webhook.rejectedWith(
      await normalizeTrigger(webhook.signed(webhook.KEEP_ALIVE_BODY, { timestamp: NOW_S + 3600 }), opts),
    );
    // Assess
    expect(old.message).toBe('webhook-timestamp is more than 300 s old; sign each request when sending it');
    expect(future.message).toBe(
      "webhook-timestamp is more than 300 s in the future; check the sender's clock",
    );
  });

  it('refuses a replayed signature with a fresh timestamp (the timestamp is signed)', async () => {
    // Prepare
    const old = signWebhook(SECRET_NEW, webhook.MSG_ID, NOW_S - 3600, webhook.KEEP_ALIVE_BODY);
    const event = webhook.signed(webhook.KEEP_ALIVE_BODY, {
      headers: { 'webhook-signature': old['webhook-signature'] },
    });
    // Act
    const result = await webhook.normalized(event);
    // Assess
    expect(webhook.rejectedWith(result).status).toBe(401);
  });

  it('refuses a tampered body', async () => {
    // Prepare
    const event = webhook.signed(webhook.KEEP_ALIVE_BODY);
    event.body = webhook.KEEP_ALIVE_BODY.replace('2026-01-16T06:00:00Z', '2026-01-23T06:00:00Z');
    // Act
    const result = await webhook.normalized(event);
    // Assess
    expect(webhook.rejectedWith(result).status).toBe(401);
  });

  it('refuses a signature made for another webhook-id', async () => {
    // Prepare
    const { opts } = webhook.setup();
    const event = webhook.signed(webhook.KEEP_ALIVE_BODY, { headers: { 'webhook-id': 'msg_other' } });
    // Act
    const result = await normalizeTrigger(event, opts);
    // Assess
    expect(webhook.rejectedWith(result).status).toBe(401);
  });

  it.each([
    ['text/plain', { 'content-type': 'text/plain' }],
    ['form data', { 'content-type': 'application/x-www-form-urlencoded' }],
    ['no content-type', { 'content-type': '' }],
  ])('answers 415 for %s once the signature is valid', async (_name, headers) => {
    // Prepare
    const { opts } = webhook.setup();
    const event = webhook.signed(webhook.KEEP_ALIVE_BODY, { headers });
    // Act
    const result = await normalizeTrigger(event, opts);
    // Assess
    expect(webhook.rejectedWith(result)).toEqual({
      status: 415,
      error: 'unsupported_media_type',
      message: 'content-type must be application/json',
    });
  });

  it('checks the signature before the content-type, and the content-type before the JSON', async () => {
    // Prepare
    const { opts } = webhook.setup();
    const unsigned = webhook.signed('not json', {
      headers: { 'content-type': 'text/plain', 'webhook-signature': 'v1,AAAA' },
    });
    const wrongType = webhook.signed('not json', { headers: { 'content-type': 'text/plain' } });
    // Act
    const first = webhook.rejectedWith(await normalizeTrigger(unsigned, opts));
    const second = webhook.rejectedWith(await normalizeTrigger(wrongType, opts));
    // Assess
    expect([first.status, second.status]).toEqual([401, 415]);
  });

  it.each(['not json', '', '{"payload":'])(
    'answers 400 for a signed body that is not JSON: %j',
    async (body) => {
      // Prepare
      const { opts } = webhook.setup();
      // Act
      const result = await normalizeTrigger(webhook.signed(body), opts);
      // Assess
      expect(webhook.rejectedWith(result)).toEqual({
        status: 400,
        error: 'bad_request',
        message: 'body is not valid JSON',
      });
    },
  );

  it.each([
    [
      'an invalid keep-alive time',
      JSON.stringify({ payload: { cluster: 'dev', until: 'tomorrow', by: 'alice', reason: 'demo' } }),
      /payload\.until: must be an ISO 8601 instant/,
    ],
    [
      'an unknown field',
      JSON.stringify({ payload: JSON.parse(webhook.KEEP_ALIVE_BODY).payload, force: true }),
      /unknown field force/,
    ],
    ['a JSON array', '[]', /must be a JSON object, got an array/],
    [
      'another action in the body',
      JSON.stringify({ action: 'run' }),
      /action: the route .* is for keep-alive/,
    ],
  ])('answers 422 naming the field for %s', async (_name, body, message) => {
    // Prepare
    const { opts } = webhook.setup();
    // Act
    const result = await normalizeTrigger(webhook.signed(body), opts);
    // Assess
    const answer = webhook.rejectedWith(result);
    expect([answer.status, answer.error]).toEqual([422, 'invalid_request']);
    expect(answer.message).toMatch(message);
  });

  it.each([
    ["another job's route", '/webhooks/backup/run'],
    ['an unknown action', '/webhooks/teardown/hibernate'],
    ['a path outside /webhooks', '/admin/teardown/run'],
    ['a route without action', '/webhooks/teardown'],
  ])('answers 404 for %s without reading secrets', async (_name, rawPath) => {
    // Prepare
    const { opts, secretReads } = webhook.setup();
    const event = webhook.signed('{}');
    event.rawPath = rawPath;
    // Act
    const result = await normalizeTrigger(event, opts);
    // Assess
    const answer = webhook.rejectedWith(result);
    expect([answer.status, answer.error]).toEqual([404, 'not_found']);
    expect(answer.message).toContain(
      'this function serves POST /webhooks/teardown/{notice|run|recreate|keep-alive}',
    );
    expect(secretReads()).toBe(0);
  });

  it('answers 404 when the function has no webhook configured', async () => {
    // Prepare
    const opts: TriggerOptions = { job: 'teardown', eventSource: 'camunda.automation', now: () => NOW_MS };
    // Act
    const result = await normalizeTrigger(webhook.signed(webhook.KEEP_ALIVE_BODY), opts);
    // Assess
    expect(webhook.rejectedWith(result)).toMatchObject({
      status: 404,
      message: expect.stringMatching(/has no webhook$/),
    });
  });

  it.each(['GET', 'PUT', 'DELETE'])('answers 405 for %s with an allow header', async (method) => {
    // Prepare
    const { opts } = webhook.setup();
    const event = webhook.signed(webhook.KEEP_ALIVE_BODY);
    (event.requestContext as { http: { method: string } }).http.method = method;
    // Act
    const result = await normalizeTrigger(event, opts);
    // Assess
    if (result.kind !== 'webhook-rejected') throw new Error('expected a rejection');
    expect(result.response.statusCode).toBe(405);
    expect(result.response.headers).toEqual({ 'content-type': 'application/json', allow: 'POST' });
  });

  it('never puts a secret or a signature in an answer', async () => {
    // Prepare
    const forged = webhook.signed(webhook.KEEP_ALIVE_BODY, { secret: SECRET_OTHER });
    const forgedSignature = (forged.headers as Record<string, string>)['webhook-signature'] ?? '';
    const good = signWebhook(SECRET_NEW, webhook.MSG_ID, NOW_S, webhook.KEEP_ALIVE_BODY)['webhook-signature'];
    // Act
    const result = await webhook.normalized(forged, { secrets: [SECRET_OLD, SECRET_NEW] });
    // Assess
    if (result.kind !== 'webhook-rejected') throw new Error('expected a rejection');
    const body = result.response.body;
    for (const secret of [SECRET_OLD, SECRET_NEW, SECRET_OTHER]) expect(body).not.toContain(secret.slice(6));
    expect(body).not.toContain(forgedSignature.slice(3));
    expect(body).not.toContain(good.slice(3));
  });

  it('produces no request and no delivery for any rejected webhook', async () => {
    // Prepare
    const events = [
      webhook.signed(webhook.KEEP_ALIVE_BODY, { secret: SECRET_OTHER }),
      webhook.signed('nope'),
      webhook.signed('{"dryRun":"yes"}'),
    ];
    // Act
    const results = await Promise.all(events.map((e) => webhook.normalized(e)));
    // Assess
    expect(results.map((r) => r.kind)).toEqual(['webhook-rejected', 'webhook-rejected', 'webhook-rejected']);
    for (const r of results) expect(Object.keys(r).sort()).toEqual(['kind', 'response']);
  });
});
