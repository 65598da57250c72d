import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { JOB_ACTIONS, JOBS, type JobName, type RunSummary } from '#lib/jobs/types.ts';
import { WebhookSecretError } from '#lib/triggers/errors.ts';
import {
  type NormalizedTrigger,
  normalizeTrigger,
  type SenderSecrets,
  type TriggerOptions,
} from '#lib/triggers/normalize.ts';
import { signWebhook } from '#lib/triggers/sign.ts';
import { accepted, rejected } from '#lib/triggers/webhook-response.ts';
import { eventFixture, NOW_MS, NOW_S, SECRET_NEW, SECRET_OLD, SECRET_OTHER } from './fixtures.ts';

const MSG_ID = 'msg_2r5YwM0aQ1kTz8Lx';

interface Setup {
  job?: JobName;
  /** The secrets of sender 'default' (scope '*'), unless `senders` is given. */
  secrets?: string[];
  senders?: SenderSecrets[];
  scopes?: Record<string, readonly string[]>;
  maxBodyBytes?: number;
  now?: number;
}

function setup(s: Setup = {}) {
  let secretReads = 0;
  const opts: TriggerOptions = {
    job: s.job ?? 'teardown',
    eventSource: 'camunda.automation',
    now: () => s.now ?? NOW_MS,
    webhook: {
      secrets: async () => {
        secretReads++;
        return s.senders ?? [{ sender: 'default', secrets: s.secrets ?? [SECRET_NEW] }];
      },
      scopes: s.scopes ?? { default: ['*'] },
      maxBodyBytes: s.maxBodyBytes ?? 256 * 1024,
      toleranceSeconds: 300,
    },
  };
  return { opts, secretReads: () => secretReads };
}

/** The API Gateway fixture with `body` signed by `secret` at `timestamp` (and header overrides). */
function signed(
  body: string,
  o: {
    fixture?: string;
    secret?: string;
    timestamp?: number;
    id?: string;
    headers?: Record<string, string>;
  } = {},
) {
  const event = eventFixture(o.fixture ?? 'apigw-v2-webhook');
  const headers = signWebhook(o.secret ?? SECRET_NEW, o.id ?? MSG_ID, o.timestamp ?? NOW_S, body);
  event.body = body;
  event.headers = { ...(event.headers as Record<string, string>), ...headers, ...o.headers };
  return event;
}

function rejectedWith(result: NormalizedTrigger) {
  if (result.kind !== 'webhook-rejected') throw new Error(`expected a rejection, got ${result.kind}`);
  return {
    status: result.response.statusCode,
    ...(JSON.parse(result.response.body) as { error: string; message: string }),
  };
}

const KEEP_ALIVE_BODY = JSON.stringify({
  payload: {
    cluster: 'dev-payments',
    until: '2026-01-16T06:00:00Z',
    by: 'alice@example.com',
    reason: 'load test',
  },
});

describe('webhook: accepted requests', () => {
  it('turns a signed API Gateway request into a run keyed by webhook-id', async () => {
    // Prepare
    const { opts } = setup();
    const event = signed(KEEP_ALIVE_BODY);
    // Act
    const result = await normalizeTrigger(event, opts);
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
        idempotencyKey: `webhook:${MSG_ID}`,
        at: '2026-01-15T21:00:00.000Z',
        sender: 'default',
        bodyDigest: createHash('sha256').update(KEEP_ALIVE_BODY).digest('hex'),
      },
    });
  });

  it('accepts a Function URL request with a charset in its content-type', async () => {
    // Prepare
    const { opts } = setup({ job: 'backup' });
    const body = String(eventFixture('function-url-webhook').body);
    const event = signed(body, { fixture: 'function-url-webhook' });
    // Act
    const result = await normalizeTrigger(event, opts);
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
    const { opts } = setup();
    const event = signed(KEEP_ALIVE_BODY);
    event.body = Buffer.from(KEEP_ALIVE_BODY).toString('base64');
    event.isBase64Encoded = true;
    // Act
    const result = await normalizeTrigger(event, opts);
    // Assess
    expect(result.kind).toBe('run');
  });

  it('refuses a base64 body whose signature covers the base64 text', async () => {
    // Prepare
    const { opts } = setup();
    const encoded = Buffer.from(KEEP_ALIVE_BODY).toString('base64');
    const event = signed(encoded);
    event.isBase64Encoded = true;
    // Act
    const result = await normalizeTrigger(event, opts);
    // Assess
    expect(rejectedWith(result).status).toBe(401);
  });

  it('reads headers whatever their case', async () => {
    // Prepare
    const { opts } = setup();
    const sig = signWebhook(SECRET_NEW, MSG_ID, NOW_S, KEEP_ALIVE_BODY);
    const event = eventFixture('apigw-v2-webhook');
    event.body = KEEP_ALIVE_BODY;
    event.headers = {
      'Content-Type': 'Application/JSON',
      'Webhook-Id': sig['webhook-id'],
      'Webhook-Timestamp': sig['webhook-timestamp'],
      'WEBHOOK-SIGNATURE': sig['webhook-signature'],
    };
    // Act
    const result = await normalizeTrigger(event, opts);
    // Assess
    expect(result.kind).toBe('run');
  });

  it('accepts a route behind a named API Gateway stage and with a trailing slash', async () => {
    // Prepare
    const { opts } = setup();
    const event = signed(KEEP_ALIVE_BODY);
    event.rawPath = '/prod/webhooks/teardown/keep-alive/';
    // Act
    const result = await normalizeTrigger(event, opts);
    // Assess
    expect(result.kind).toBe('run');
  });

  it('verifies the Standard Webhooks reference vector', async () => {
    // Prepare: the example from the Standard Webhooks specification's reference libraries.
    const { opts } = setup({
      job: 'backup',
      secrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
      now: 1614265330_000,
    });
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
    const result = await normalizeTrigger(event, opts);
    // Assess: the signature verified; only the body's schema is refused.
    expect(rejectedWith(result)).toMatchObject({
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
    // Prepare
    const { opts } = setup({ secrets: [SECRET_OLD, SECRET_NEW] });
    // Act
    const result = await normalizeTrigger(signed(KEEP_ALIVE_BODY, { secret }), opts);
    // Assess
    expect(result.kind).toBe('run');
  });

  it('refuses a secret that is not active', async () => {
    // Prepare
    const { opts } = setup({ secrets: [SECRET_OLD, SECRET_NEW] });
    // Act
    const result = await normalizeTrigger(signed(KEEP_ALIVE_BODY, { secret: SECRET_OTHER }), opts);
    // Assess
    expect(rejectedWith(result)).toEqual({
      status: 401,
      error: 'unauthorized',
      message: 'invalid signature: webhook-signature matches none of the active signing secrets',
    });
  });

  it('accepts a header carrying several signatures when one matches', async () => {
    // Prepare
    const { opts } = setup({ secrets: [SECRET_NEW] });
    const other = signWebhook(SECRET_OTHER, MSG_ID, NOW_S, KEEP_ALIVE_BODY)['webhook-signature'];
    const good = signWebhook(SECRET_NEW, MSG_ID, NOW_S, KEEP_ALIVE_BODY)['webhook-signature'];
    const event = signed(KEEP_ALIVE_BODY, { headers: { 'webhook-signature': `v2,abc ${other} ${good}` } });
    // Act
    const result = await normalizeTrigger(event, opts);
    // Assess
    expect(result.kind).toBe('run');
  });
});

const ROUTES = JOBS.flatMap((job) => JOB_ACTIONS[job].map((action) => `${job}.${action}`));

/** An API Gateway event for `route` (`<job>.<action>`) signed by `secret`. */
function signedFor(route: string, body: string, secret: string, headers: Record<string, string> = {}) {
  const [job, action] = route.split('.') as [string, string];
  const event = signed(body, { secret, headers });
  event.rawPath = `/webhooks/${job}/${action}`;
  return event;
}

describe('webhook: sender scopes', () => {
  const SENDERS: SenderSecrets[] = [
    { sender: 'chat-bot', secrets: [SECRET_OLD] },
    { sender: 'network', secrets: [SECRET_NEW] },
  ];
  const SCOPES = { 'chat-bot': ['teardown.keep-alive'], network: ['allowlist-sync.set-source'] };

  it('runs a request whose route is in the scope of the sender whose secret signed it, naming the sender', async () => {
    // Prepare
    const { opts } = setup({ senders: SENDERS, scopes: SCOPES });
    // Act
    const result = await normalizeTrigger(signed(KEEP_ALIVE_BODY, { secret: SECRET_OLD }), opts);
    // Assess
    expect(result).toMatchObject({ kind: 'run', delivery: { sender: 'chat-bot' } });
  });

  it('answers 403 naming the sender and the route when the route is outside its scope', async () => {
    // Prepare: the network team's secret, a keep-alive route.
    const { opts } = setup({ senders: SENDERS, scopes: SCOPES });
    // Act
    const result = await normalizeTrigger(signed(KEEP_ALIVE_BODY, { secret: SECRET_NEW }), opts);
    // Assess
    expect(rejectedWith(result)).toEqual({
      status: 403,
      error: 'forbidden',
      message: "webhook sender 'network' may not call teardown.keep-alive",
    });
  });

  it('checks the signature before the scope, and the scope before the content-type and the body', async () => {
    // Prepare
    const { opts } = setup({ senders: SENDERS, scopes: SCOPES });
    const forged = signed(KEEP_ALIVE_BODY, { secret: SECRET_OTHER });
    const outOfScope = signed('not json', { secret: SECRET_NEW, headers: { 'content-type': 'text/plain' } });
    // Act
    const statuses = [
      rejectedWith(await normalizeTrigger(forged, opts)).status,
      rejectedWith(await normalizeTrigger(outOfScope, opts)).status,
    ];
    // Assess
    expect(statuses).toEqual([401, 403]);
  });

  it('a sender with no scope entry may call nothing', async () => {
    // Prepare: a secret exists for 'ghost' but the policy gives it no routes.
    const { opts } = setup({ senders: [{ sender: 'ghost', secrets: [SECRET_NEW] }], scopes: {} });
    // Act
    const result = await normalizeTrigger(signed(KEEP_ALIVE_BODY), opts);
    // Assess
    expect(rejectedWith(result)).toMatchObject({
      status: 403,
      message: "webhook sender 'ghost' may not call teardown.keep-alive",
    });
  });

  it.each([
    ['the previous secret', SECRET_OLD],
    ['the current secret', SECRET_NEW],
  ])("keeps a sender's scope while it rotates: %s verifies and is scoped alike", async (_name, secret) => {
    // Prepare
    const { opts } = setup({
      senders: [{ sender: 'chat-bot', secrets: [SECRET_NEW, SECRET_OLD] }],
      scopes: { 'chat-bot': ['teardown.keep-alive'] },
    });
    // Act
    const keepAlive = await normalizeTrigger(signed(KEEP_ALIVE_BODY, { secret }), opts);
    const teardown = await normalizeTrigger(signedFor('teardown.run', '{}', secret), opts);
    // Assess
    expect(keepAlive).toMatchObject({ kind: 'run', delivery: { sender: 'chat-bot' } });
    expect(rejectedWith(teardown).status).toBe(403);
  });

  it("property: a signed request runs exactly when its route is in the signing sender's scope", async () => {
    // Prepare: random scopes for two senders, a random route of this function's job, a random signer.
    const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
    const scope = fc.oneof(
      { weight: 1, arbitrary: fc.constant<string[]>(['*']) },
      { weight: 6, arbitrary: fc.subarray([...ROUTES]) },
    );
    // Act / Assess
    await fc.assert(
      fc.asyncProperty(
        scope,
        scope,
        fc.constantFrom(...JOB_ACTIONS.teardown),
        fc.constantFrom(0, 1),
        async (scopeA, scopeB, action, signer) => {
          const { opts } = setup({
            senders: [
              { sender: 'a', secrets: [SECRET_OLD] },
              { sender: 'b', secrets: [SECRET_NEW] },
            ],
            scopes: { a: scopeA, b: scopeB },
          });
          const route = `teardown.${action}`;
          const granted = [scopeA, scopeB][signer] ?? [];
          const body = action === 'keep-alive' ? KEEP_ALIVE_BODY : '{}';
          const result = await normalizeTrigger(
            signedFor(route, body, [SECRET_OLD, SECRET_NEW][signer] ?? ''),
            opts,
          );
          const allowed = granted.includes('*') || granted.includes(route);
          if (allowed) expect(result.kind).toBe('run');
          else expect(rejectedWith(result).status).toBe(403);
        },
      ),
      { numRuns: 300, seed },
    );
  });
});

describe('webhook: rejections', () => {
  it('answers 413 for a 10 MB body before reading headers, secrets or JSON', async () => {
    // Prepare
    const { opts, secretReads } = setup({ maxBodyBytes: 1024 * 1024 });
    const event = eventFixture('apigw-v2-webhook');
    event.body = `{"not json${'x'.repeat(10 * 1024 * 1024)}`;
    event.headers = {};
    // Act
    const result = await normalizeTrigger(event, opts);
    // Assess
    expect(rejectedWith(result)).toEqual({
      status: 413,
      error: 'payload_too_large',
      message: 'body of 10485770 bytes exceeds the limit of 1048576 bytes',
    });
    expect(secretReads()).toBe(0);
  });

  it('counts the decoded size of a base64 body', async () => {
    // Prepare
    const { opts } = setup({ maxBodyBytes: 100 });
    const small = signed(KEEP_ALIVE_BODY);
    small.body = Buffer.from('x'.repeat(100)).toString('base64');
    small.isBase64Encoded = true;
    const large = { ...small, body: Buffer.from('x'.repeat(101)).toString('base64') };
    // Act
    const atLimit = rejectedWith(await normalizeTrigger(small, opts));
    const overLimit = rejectedWith(await normalizeTrigger(large, opts));
    // Assess: 100 bytes pass the size check (and fail the signature), 101 do not.
    expect(atLimit.status).toBe(401);
    expect(overLimit.status).toBe(413);
  });

  it.each([
    ['webhook-id', 'missing webhook-id header (Standard Webhooks)'],
    ['webhook-timestamp', 'missing webhook-timestamp header (Standard Webhooks)'],
    ['webhook-signature', 'missing webhook-signature header (Standard Webhooks)'],
  ])('answers 401 without the %s header', async (header, message) => {
    // Prepare
    const { opts } = setup();
    const event = signed(KEEP_ALIVE_BODY);
    delete (event.headers as Record<string, string>)[header];
    // Act
    const result = await normalizeTrigger(event, opts);
    // Assess
    expect(rejectedWith(result)).toEqual({ status: 401, error: 'unauthorized', message });
  });

  it('answers 401 naming every missing header of an unsigned request', async () => {
    // Prepare
    const { opts, secretReads } = setup();
    const event = eventFixture('apigw-v2-webhook');
    // Act
    const result = await normalizeTrigger(event, opts);
    // Assess
    expect(rejectedWith(result).message).toBe(
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
    const { opts } = setup();
    const event = signed(KEEP_ALIVE_BODY, { headers });
    // Act
    const result = await normalizeTrigger(event, opts);
    // Assess
    const answer = rejectedWith(result);
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
    const { opts } = setup();
    const event = signed(KEEP_ALIVE_BODY, { timestamp });
    // Act
    const result = await normalizeTrigger(event, opts);
    // Assess
    if (expected === 'run') expect(result.kind).toBe('run');
    else expect(rejectedWith(result).status).toBe(expected);
  });

  it('says whether the timestamp is too old or too new', async () => {
    // Prepare
    const { opts } = setup();
    // Act
    const old = rejectedWith(
      await normalizeTrigger(signed(KEEP_ALIVE_BODY, { timestamp: NOW_S - 3600 }), opts),
    );
    const future = rejectedWith(
      await normalizeTrigger(signed(KEEP_ALIVE_BODY, { timestamp: NOW_S + 3600 }), opts),
    );
    // Assess
    expect(old.message).toBe('webhook-timestamp is more than 300 s old; sign each request when sending it');
    expect(future.message).toBe(
      "webhook-timestamp is more than 300 s in the future; check the sender's clock",
    );
  });

  it('refuses a replayed signature with a fresh timestamp (the timestamp is signed)', async () => {
    // Prepare
    const { opts } = setup();
    const old = signWebhook(SECRET_NEW, MSG_ID, NOW_S - 3600, KEEP_ALIVE_BODY);
    const event = signed(KEEP_ALIVE_BODY, { headers: { 'webhook-signature': old['webhook-signature'] } });
    // Act
    const result = await normalizeTrigger(event, opts);
    // Assess
    expect(rejectedWith(result).status).toBe(401);
  });

  it('refuses a tampered body', async () => {
    // Prepare
    const { opts } = setup();
    const event = signed(KEEP_ALIVE_BODY);
    event.body = KEEP_ALIVE_BODY.replace('2026-01-16T06:00:00Z', '2026-01-23T06:00:00Z');
    // Act
    const result = await normalizeTrigger(event, opts);
    // Assess
    expect(rejectedWith(result).status).toBe(401);
  });

  it('refuses a signature made for another webhook-id', async () => {
    // Prepare
    const { opts } = setup();
    const event = signed(KEEP_ALIVE_BODY, { headers: { 'webhook-id': 'msg_other' } });
    // Act
    const result = await normalizeTrigger(event, opts);
    // Assess
    expect(rejectedWith(result).status).toBe(401);
  });

  it.each([
    ['text/plain', { 'content-type': 'text/plain' }],
    ['form data', { 'content-type': 'application/x-www-form-urlencoded' }],
    ['no content-type', { 'content-type': '' }],
  ])('answers 415 for %s once the signature is valid', async (_name, headers) => {
    // Prepare
    const { opts } = setup();
    const event = signed(KEEP_ALIVE_BODY, { headers });
    // Act
    const result = await normalizeTrigger(event, opts);
    // Assess
    expect(rejectedWith(result)).toEqual({
      status: 415,
      error: 'unsupported_media_type',
      message: 'content-type must be application/json',
    });
  });

  it('checks the signature before the content-type, and the content-type before the JSON', async () => {
    // Prepare
    const { opts } = setup();
    const unsigned = signed('not json', {
      headers: { 'content-type': 'text/plain', 'webhook-signature': 'v1,AAAA' },
    });
    const wrongType = signed('not json', { headers: { 'content-type': 'text/plain' } });
    // Act
    const first = rejectedWith(await normalizeTrigger(unsigned, opts));
    const second = rejectedWith(await normalizeTrigger(wrongType, opts));
    // Assess
    expect([first.status, second.status]).toEqual([401, 415]);
  });

  it.each(['not json', '', '{"payload":'])(
    'answers 400 for a signed body that is not JSON: %j',
    async (body) => {
      // Prepare
      const { opts } = setup();
      // Act
      const result = await normalizeTrigger(signed(body), opts);
      // Assess
      expect(rejectedWith(result)).toEqual({
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
      JSON.stringify({ payload: JSON.parse(KEEP_ALIVE_BODY).payload, force: true }),
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
    const { opts } = setup();
    // Act
    const result = await normalizeTrigger(signed(body), opts);
    // Assess
    const answer = rejectedWith(result);
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
    const { opts, secretReads } = setup();
    const event = signed('{}');
    event.rawPath = rawPath;
    // Act
    const result = await normalizeTrigger(event, opts);
    // Assess
    const answer = rejectedWith(result);
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
    const result = await normalizeTrigger(signed(KEEP_ALIVE_BODY), opts);
    // Assess
    expect(rejectedWith(result)).toMatchObject({
      status: 404,
      message: expect.stringMatching(/has no webhook$/),
    });
  });

  it.each(['GET', 'PUT', 'DELETE'])('answers 405 for %s with an allow header', async (method) => {
    // Prepare
    const { opts } = setup();
    const event = signed(KEEP_ALIVE_BODY);
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
    const { opts } = setup({ secrets: [SECRET_OLD, SECRET_NEW] });
    const forged = signed(KEEP_ALIVE_BODY, { secret: SECRET_OTHER });
    const forgedSignature = (forged.headers as Record<string, string>)['webhook-signature'] ?? '';
    const good = signWebhook(SECRET_NEW, MSG_ID, NOW_S, KEEP_ALIVE_BODY)['webhook-signature'];
    // Act
    const result = await normalizeTrigger(forged, opts);
    // Assess
    if (result.kind !== 'webhook-rejected') throw new Error('expected a rejection');
    const body = result.response.body;
    for (const secret of [SECRET_OLD, SECRET_NEW, SECRET_OTHER]) expect(body).not.toContain(secret.slice(6));
    expect(body).not.toContain(forgedSignature.slice(3));
    expect(body).not.toContain(good.slice(3));
  });

  it('produces no request and no delivery for any rejected webhook', async () => {
    // Prepare
    const { opts } = setup();
    const events = [
      signed(KEEP_ALIVE_BODY, { secret: SECRET_OTHER }),
      signed('nope'),
      signed('{"dryRun":"yes"}'),
    ];
    // Act
    const results = await Promise.all(events.map((e) => normalizeTrigger(e, opts)));
    // Assess
    expect(results.map((r) => r.kind)).toEqual(['webhook-rejected', 'webhook-rejected', 'webhook-rejected']);
    for (const r of results) expect(Object.keys(r).sort()).toEqual(['kind', 'response']);
  });
});

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
