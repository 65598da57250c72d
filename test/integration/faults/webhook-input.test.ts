// Bad input at the webhook entry point, property-based: the real handlers (middleware, composition root,
// dynalite, simulator) get generated requests — paths, methods, headers in any case, signatures right and
// wrong, timestamps, sizes, base64 and UTF-8 bodies, JSON and not. Every answer is one of the documented
// statuses (never a 5xx or a thrown error), the status is the one the documented order of checks predicts,
// and a rejected request changes nothing: no state-store call, no Console or auth request, no event.
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOB_ACTIONS, type JobName } from '#lib/jobs/types.ts';
import { type Container, setContainer } from '#lib/runtime/container.ts';
import { signWebhook } from '#lib/triggers/sign.ts';
import type { WebhookResponse } from '#lib/triggers/webhook-response.ts';
import { LOCAL_KEEP_ALIVE_SECRET, LOCAL_WEBHOOK_SECRET, lambdaContext } from '#local/env.ts';
import { type FaultEnv, HANDLERS, startFaultEnv } from '#test/helpers/faults.ts';
import { reportRow } from '#test/helpers/faults-report.ts';
import { LeakScanner } from '#test/helpers/faults-secrets.ts';

const ALLOWED = [202, 400, 401, 403, 404, 405, 409, 413, 415, 422];
const MAX_BODY = 4_096;
const TOLERANCE = 300;
const OTHER_SECRET = `whsec_${Buffer.from('another-signing-key-not-ours-0123').toString('base64')}`;
const JOBS: JobName[] = ['backup', 'teardown', 'allowlist-sync'];
const STRUCTURED_RUNS = 8_000;
const RAW_RUNS = 2_500;

const scanner = new LeakScanner();
let env: FaultEnv;
/** Calls to every port of the installed container, by `port.method`. */
const calls = new Map<string, number>();
/**
 * The ledger read that comes before a check which calls the Console (so a store outage fails before any Console
 * or auth call) is the one port call a refused request may make: a read changes nothing.
 */
const READ_BEFORE_CHECKS = 'ledger.get';
const totalCalls = () =>
  [...calls].reduce((sum, [key, count]) => (key === READ_BEFORE_CHECKS ? sum : sum + count), 0);
const ledgerReads = () => calls.get(READ_BEFORE_CHECKS) ?? 0;

function counting<T extends object>(target: T, name: string): T {
  return new Proxy(target, {
    get(t, property, receiver) {
      const value = Reflect.get(t, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const key = `${name}.${String(property)}`;
        calls.set(key, (calls.get(key) ?? 0) + 1);
        return value.apply(t, args);
      };
    },
  });
}

beforeAll(async () => {
  env = await startFaultEnv({
    scanner,
    sim: { seed: 'empty' },
    config: {
      webhooks: { maxBodyBytes: MAX_BODY, toleranceSeconds: TOLERANCE },
      backup: { dryRun: true },
      teardown: { dryRun: true },
      allowlist: { dryRun: true },
    },
  });
  const c = env.container;
  const watched: Container = {
    ...c,
    console: counting(c.console, 'console'),
    ledger: counting(c.ledger, 'ledger'),
    claims: counting(c.claims, 'claims'),
    keepAlives: counting(c.keepAlives, 'keepAlives'),
    snapshots: counting(c.snapshots, 'snapshots'),
    allowlistSources: counting(c.allowlistSources, 'allowlistSources'),
    backupTracking: counting(c.backupTracking, 'backupTracking'),
    events: counting(c.events, 'events'),
    tokens: counting(c.tokens, 'tokens'),
  };
  setContainer(watched);
  scanner.captureOutput();
});
afterAll(async () => {
  scanner.stopOutput();
  await env.close();
});

// ---------------------------------------------------------------------------------------------------------
// Generated requests

type SignatureMode = 'valid' | 'valid-among-others' | 'other-secret' | 'tampered' | 'garbage' | 'base64-text';

/** What a generated request gets wrong; most get one or two things wrong, a few nothing. */
const DIMENSIONS = [
  'route',
  'method',
  'size',
  'headers',
  'id',
  'timestamp',
  'signature',
  'scope',
  'media',
  'json',
] as const;
type Dimension = (typeof DIMENSIONS)[number];

interface Spec {
  job: JobName;
  route: { path: string; valid: boolean };
  method: string;
  body: Buffer;
  base64: boolean;
  /** Replace the encoded body by this text (base64 garbage). */
  rawOverride?: string;
  contentType: string | undefined;
  id: string;
  timestampOffset: number | string;
  signature: SignatureMode;
  /** Signed by sender 'keep-alive-bot' (scope: teardown.keep-alive only) instead of 'default' (scope '*'). */
  keepAliveBot: boolean;
  garbageSignature: string;
  omit: Array<'webhook-id' | 'webhook-timestamp' | 'webhook-signature'>;
  /** Reuse the webhook-id of an earlier accepted request (picked by `pick`). */
  reuse: boolean;
  pick: number;
  headerCase: 'lower' | 'title' | 'upper';
}

const text = fc.string({ unit: 'grapheme', maxLength: 40 });
const requestBody = fc.oneof(
  { weight: 3, arbitrary: fc.constant({}) },
  { weight: 3, arbitrary: fc.record({ dryRun: fc.oneof(fc.boolean(), fc.constant('yes'), fc.integer()) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      clusterIds: fc.oneof(
        fc.array(fc.uuid(), { maxLength: 3 }),
        fc.array(text, { maxLength: 3 }),
        fc.constant([]),
        fc.constant('all'),
      ),
    }),
  },
  { weight: 2, arbitrary: fc.record({ job: fc.constantFrom(...JOBS, 'other'), action: text }) },
  {
    weight: 3,
    arbitrary: fc.record({
      payload: fc.oneof(
        fc.record({
          cluster: fc.oneof(text, fc.constant('dev-payments')),
          until: fc.oneof(
            fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
            text,
          ),
          by: text,
          reason: text,
        }),
        fc.record({
          source: fc.oneof(fc.constant('office-vpn'), text),
          entries: fc.array(fc.record({ cidr: text, description: text }), { maxLength: 3 }),
        }),
        fc.jsonValue({ maxDepth: 2 }),
      ),
    }),
  },
  { weight: 2, arbitrary: fc.dictionary(text, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);
const jsonBody = fc.oneof(
  { weight: 8, arbitrary: requestBody.map((b) => Buffer.from(JSON.stringify(b), 'utf8')) },
  { weight: 1, arbitrary: fc.constant(Buffer.from('\ufeff{"dryRun":true}', 'utf8')) },
  { weight: 1, arbitrary: fc.constant(Buffer.from('{"dryRun":true,"x":"\udc00"}', 'utf8')) },
);
const notJsonBody = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }).map((s) => Buffer.from(s, 'utf8')),
  fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
  fc.constant(Buffer.alloc(0)),
  fc.constant(Buffer.from('{"dryRun": tru', 'utf8')),
);
const bigBody = fc
  .integer({ min: MAX_BODY + 1, max: MAX_BODY * 3 })
  .map((n) => Buffer.from(JSON.stringify({ pad: 'x'.repeat(n) })));

function routes(job: JobName, valid: boolean) {
  const actions = JOB_ACTIONS[job] as readonly string[];
  const other = JOBS.filter((j) => j !== job);
  if (valid) {
    return fc.oneof(
      {
        weight: 6,
        arbitrary: fc.constantFrom(...actions).map((a) => ({ path: `/webhooks/${job}/${a}`, valid: true })),
      },
      {
        weight: 1,
        arbitrary: fc
          .constantFrom(...actions)
          .map((a) => ({ path: `/prod/webhooks/${job}/${a}/`, valid: true })),
      },
    );
  }
  return fc.oneof(
    fc
      .tuple(fc.constantFrom(...other), fc.constantFrom('run', 'sync', 'notice'))
      .map(([j, a]) => ({ path: `/webhooks/${j}/${a}`, valid: false })),
    fc
      .stringMatching(/^[a-z-]{1,12}$/)
      .filter((a) => !actions.includes(a))
      .map((a) => ({ path: `/webhooks/${job}/${a}`, valid: false })),
    fc
      .string({ maxLength: 60 })
      .filter((p) => !/webhooks/.test(p))
      .map((p) => ({ path: `/${p}`, valid: false })),
    fc.constant({ path: `/a/b/webhooks/${job}/${actions[0]}`, valid: false }),
  );
}

const broken: fc.Arbitrary<Dimension[]> = fc.oneof(
  { weight: 1, arbitrary: fc.constant<Dimension[]>([]) },
  { weight: 14, arbitrary: fc.subarray([...DIMENSIONS], { minLength: 1, maxLength: 2 }) },
);

const spec: fc.Arbitrary<Spec> = fc.tuple(fc.constantFrom(...JOBS), broken).chain(([job, wrong]) => {
  const bad = (d: Dimension) => wrong.includes(d);
  return fc.record({
    job: fc.constant(job),
    route: routes(job, !bad('route')),
    method: bad('method')
      ? fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'P0ST')
      : fc.constantFrom('POST', 'post'),
    body: bad('size') ? bigBody : bad('json') ? notJsonBody : jsonBody,
    base64: fc.boolean(),
    rawOverride: bad('json')
      ? fc.option(fc.constantFrom('!!!not base64!!!', '====', '#'), { nil: undefined, freq: 3 })
      : fc.constant(undefined),
    contentType: bad('media')
      ? fc.constantFrom(undefined, 'text/plain', 'application/jsonp', 'application/x-www-form-urlencoded', '')
      : fc.constantFrom(
          'application/json',
          'application/json; charset=utf-8',
          'Application/JSON',
          ' application/json ',
        ),
    id: bad('id')
      ? fc.oneof(
          fc.constantFrom('has space', 'x'.repeat(257), 'tab\there', 'ünïcode'),
          fc.string({ maxLength: 20 }),
        )
      : fc.uuid().map((u) => `msg_${u}`),
    timestampOffset: bad('timestamp')
      ? fc.oneof(
          fc.integer({ min: 310, max: 10_000_000 }),
          fc.integer({ min: -10_000_000, max: -310 }),
          fc.constantFrom('abc', '-5', '1e9', '12.5', '9999999999999', ' 17'),
        )
      : fc.integer({ min: -290, max: 290 }),
    signature: bad('signature')
      ? fc.constantFrom<SignatureMode>('other-secret', 'tampered', 'garbage', 'base64-text')
      : fc.constantFrom<SignatureMode>('valid', 'valid-among-others'),
    keepAliveBot: fc.constant(bad('scope')),
    garbageSignature: fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.base64String({ maxLength: 60 }).map((s) => `v1,${s}`),
      fc.constant('v2,abc v1a,def'),
    ),
    omit: bad('headers')
      ? fc.subarray(['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const, { minLength: 1 })
      : fc.constant([]),
    headerCase: fc.constantFrom('lower', 'title', 'upper'),
    reuse: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
    pick: fc.nat(),
  });
});

function casing(name: string, how: Spec['headerCase']): string {
  if (how === 'upper') return name.toUpperCase();
  if (how === 'title')
    return name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => `${dash}${c.toUpperCase()}`);
  return name;
}

interface Built {
  event: Record<string, unknown>;
  expected: number[];
}

/** The API Gateway (payload 2.0) event for a spec, and the statuses the documented order of checks allows. */
function build(s: Spec, nowSeconds: number): Built {
  const raw = s.rawOverride ?? (s.base64 ? s.body.toString('base64') : s.body.toString('utf8'));
  const bytes = s.base64 ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  const timestamp =
    typeof s.timestampOffset === 'number' ? String(nowSeconds + s.timestampOffset) : s.timestampOffset;
  const signedAt = typeof s.timestampOffset === 'number' ? nowSeconds + s.timestampOffset : nowSeconds;
  const sign = (secret: string, body: Buffer | string) =>
    signWebhook(secret, s.id || 'msg_fallback', signedAt, body)['webhook-signature'];
  const ours = s.keepAliveBot ? LOCAL_KEEP_ALIVE_SECRET : LOCAL_WEBHOOK_SECRET;
  let signature: string;
  switch (s.signature) {
    case 'valid':
      signature = sign(ours, bytes);
      break;
    case 'valid-among-others':
      signature = `${sign(OTHER_SECRET, bytes)} v1,${Buffer.from('x').toString('base64')} ${sign(ours, bytes)}`;
      break;
    case 'other-secret':
      signature = sign(OTHER_SECRET, bytes);
      break;
    case 'tampered':
      signature = sign(ours, Buffer.concat([bytes, Buffer.from(' ')]));
      break;
    case 'base64-text':
      signature = s.base64 && raw !== bytes.toString('utf8') ? sign(ours, raw) : s.garbageSignature;
      break;
    default:
      signature = s.garbageSignature;
  }
  const headers: Record<string, string> = {};
  const put = (name: string, value: string | undefined) => {
    if (value !== undefined) headers[casing(name, s.headerCase)] = value;
  };
  put('content-type', s.contentType);
  if (!s.omit.includes('webhook-id')) put('webhook-id', s.id);
  if (!s.omit.includes('webhook-timestamp')) put('webhook-timestamp', timestamp);
  if (!s.omit.includes('webhook-signature')) put('webhook-signature', signature);

  // The documented order: route 404, method 405, size 413, Standard Webhooks headers and signature 401, the
  // signing sender's scope 403, media type 415, JSON 400, then the request itself (422), then the webhook-id
  // (409 when it belongs to another route or body; the caller adjusts for reused ids) or the run (202).
  const expected = ((): number[] => {
    if (!s.route.valid) return [404];
    if (s.method.toUpperCase() !== 'POST') return [405];
    const padding = raw.endsWith('==') ? 2 : raw.endsWith('=') ? 1 : 0;
    const size = s.base64 ? Math.floor((raw.length * 3) / 4) - padding : Buffer.byteLength(raw, 'utf8');
    if (size > MAX_BODY) return [413];
    const id = s.omit.includes('webhook-id') ? '' : s.id;
    const ts = s.omit.includes('webhook-timestamp') ? '' : timestamp;
    if (!id || !ts || s.omit.includes('webhook-signature') || !signature) return [401];
    if (!/^[\x21-\x7e]{1,256}$/.test(id)) return [401];
    if (!/^\d{1,12}$/.test(ts) || Math.abs(Number(ts) - nowSeconds) > TOLERANCE) return [401];
    if (s.signature !== 'valid' && s.signature !== 'valid-among-others') return [401];
    if (s.keepAliveBot && !/\/webhooks\/teardown\/keep-alive\/?$/.test(s.route.path)) return [403];
    const media = (s.contentType ?? '').split(';')[0]?.trim().toLowerCase();
    if (media !== 'application/json') return [415];
    try {
      JSON.parse(bytes.toString('utf8'));
    } catch {
      return [400];
    }
    return [202, 422];
  })();

  const method = s.method;
  return {
    event: {
      version: '2.0',
      routeKey: '$default',
      rawPath: s.route.path,
      rawQueryString: '',
      headers,
      requestContext: {
        accountId: '123456789012',
        apiId: 'fuzz',
        domainName: 'localhost',
        domainPrefix: 'fuzz',
        http: { method, path: s.route.path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'fuzz' },
        requestId: 'fuzz',
        routeKey: '$default',
        stage: '$default',
        time: new Date().toUTCString(),
        timeEpoch: Date.now(),
      },
      body: raw,
      isBase64Encoded: s.base64,
    },
    expected,
  };
}

/** One request through the real handler; asserts the answer and, when refused, that nothing happened. */
async function check(
  event: unknown,
  job: JobName,
  expected: readonly number[],
  signature?: string,
): Promise<number> {
  const readsBefore = ledgerReads();
  const before = {
    calls: totalCalls(),
    console: env.sim.stats.console.requests,
    auth: env.sim.stats.auth.requests,
    events: env.events.events.length,
  };
  const table = expected.includes(409) ? await tableItems() : undefined;
  const answer = (await HANDLERS[job](event, lambdaContext(job))) as WebhookResponse;
  expect(ALLOWED).toContain(answer.statusCode);
  expect(expected).toContain(answer.statusCode);
  const body = JSON.parse(answer.body) as Record<string, unknown>;
  if (signature && signature.length >= 8) expect(answer.body).not.toContain(signature);
  if (answer.statusCode === 409) {
    // The ledger (and a keep-alive's read of the cluster list) was consulted; nothing was written.
    scanner.addText('webhook answer', answer.body);
    expect(Object.keys(body).sort()).toEqual(['error', 'message']);
    expect(body.message).toMatch(/^webhook-id '.+' was already used for [a-z-]+\.[a-z-]+/);
    expect(await tableItems()).toBe(table);
    expect(env.events.events.length).toBe(before.events);
    expect(env.sim.stats.auth.requests).toBe(before.auth);
  } else if (answer.statusCode !== 202) {
    scanner.addText('webhook answer', answer.body);
    expect(Object.keys(body).sort()).toEqual(['error', 'message']);
    expect({
      calls: totalCalls(),
      console: env.sim.stats.console.requests,
      auth: env.sim.stats.auth.requests,
      events: env.events.events.length,
    }).toEqual(before);
    expect(ledgerReads() - readsBefore).toBeLessThanOrEqual(1);
  }
  return answer.statusCode;
}

async function tableItems(): Promise<string> {
  const out = await env.db.client.send(new ScanCommand({ TableName: env.tableName, ConsistentRead: true }));
  return JSON.stringify((out.Items ?? []).map((i) => JSON.stringify(i)).sort());
}

describe('webhook entry point, generated input', () => {
  it(`answers every one of ${STRUCTURED_RUNS} generated requests with the status the order of checks predicts, and a refused one changes nothing`, {
    timeout: 240_000,
  }, async () => {
    // Prepare
    const byStatus = new Map<number, number>();
    /** Requests answered 202: their webhook-id, route and body bytes (reused by `reuse` specs). */
    const accepted: Array<{ id: string; route: string; body: string }> = [];
    const identity = (event: Record<string, unknown>) => {
      const raw = String(event.body);
      const bytes = event.isBase64Encoded === true ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
      const m = /\/webhooks\/([^/]+)\/([^/]+)\/?$/.exec(String(event.rawPath));
      return { route: m ? `${m[1]}.${m[2]}` : '', body: bytes.toString('hex') };
    };
    // Act / Assess (per case)
    await fc.assert(
      fc.asyncProperty(spec, async (generated) => {
        // A generated id can also equal an accepted one by chance (short arbitrary strings such as '!'): the
        // same id again, so the same rules as a deliberate reuse (seed 1994609787 found it).
        const earlier = generated.reuse
          ? accepted[generated.pick % Math.max(1, accepted.length)]
          : accepted.find((a) => a.id === generated.id);
        const s = earlier ? { ...generated, id: earlier.id } : generated;
        const built = build(s, Math.floor(Date.now() / 1000));
        const mine = identity(built.event);
        // After the request's own checks (…, 422), the idempotency key: the same webhook-id on another route
        // or with another body is a conflict (409); with the same route and body, a redelivery (202).
        const reusedByOther =
          earlier !== undefined && (earlier.route !== mine.route || earlier.body !== mine.body);
        const expected =
          reusedByOther && built.expected.includes(202)
            ? built.expected.map((status) => (status === 202 ? 409 : status))
            : built.expected;
        const headers = built.event.headers as Record<string, string>;
        const signature = Object.entries(headers).find(([k]) => k.toLowerCase() === 'webhook-signature')?.[1];
        const status = await check(built.event, s.job, expected, signature);
        if (status === 202 && !earlier) accepted.push({ id: s.id, ...mine });
        byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
      }),
      { numRuns: STRUCTURED_RUNS },
    );
    // Assess: the generator reached every kind of answer.
    const seen = [...byStatus.keys()].sort();
    expect(seen).toEqual(ALLOWED);
    scanner.addText('status counts', JSON.stringify([...byStatus]));
    const refused = [...byStatus].filter(([s]) => s !== 202).reduce((a, [, n]) => a + n, 0);
    reportRow({
      group: 'bad input',
      row: 'webhook requests (structured, real handlers)',
      cases: STRUCTURED_RUNS,
      faults: refused,
      duplicates: 0,
      losses: 0,
    });
  });

  it(`refuses ${RAW_RUNS} arbitrary requests without a valid signature, never with a 5xx, and the table does not change`, {
    timeout: 120_000,
  }, async () => {
    // Prepare
    const raw = fc.record({
      job: fc.constantFrom(...JOBS),
      path: fc.oneof(fc.string({ maxLength: 80 }), fc.constantFrom(...JOBS.map((j) => `/webhooks/${j}/run`))),
      method: fc.oneof(fc.string({ maxLength: 8 }), fc.constant('POST')),
      headers: fc.dictionary(
        fc.oneof(
          fc.string({ maxLength: 20 }),
          fc.constantFrom('webhook-id', 'webhook-timestamp', 'webhook-signature', 'content-type'),
        ),
        fc.oneof(
          fc.string({ maxLength: 80 }),
          fc.jsonValue().map((v) => v as unknown as string),
        ),
        { maxKeys: 6 },
      ),
      body: fc.oneof(
        fc.string({ maxLength: 300 }),
        fc.jsonValue().map((v) => v as unknown as string),
      ),
      isBase64Encoded: fc.oneof(fc.boolean(), fc.constant('true' as unknown as boolean)),
    });
    const itemsBefore = await tableItems();
    // Act
    await fc.assert(
      fc.asyncProperty(raw, async (r) => {
        const event = {
          version: '2.0',
          rawPath: r.path,
          headers: r.headers,
          requestContext: { http: { method: r.method } },
          body: r.body,
          isBase64Encoded: r.isBase64Encoded,
        };
        const status = await check(event, r.job, [400, 401, 404, 405, 413]);
        expect(status).not.toBe(202);
      }),
      { numRuns: RAW_RUNS },
    );
    // Assess
    expect(await tableItems()).toBe(itemsBefore);
    reportRow({
      group: 'bad input',
      row: 'webhook requests (arbitrary, unsigned)',
      cases: RAW_RUNS,
      faults: RAW_RUNS,
      duplicates: 0,
      losses: 0,
    });
  });

  it('leaks no secret into answers, logs or output', () => {
    // Prepare
    scanner.addSecret(LOCAL_WEBHOOK_SECRET);
    scanner.addSecret(LOCAL_WEBHOOK_SECRET.slice('whsec_'.length));
    scanner.addSecret(LOCAL_KEEP_ALIVE_SECRET);
    scanner.addSecret(LOCAL_KEEP_ALIVE_SECRET.slice('whsec_'.length));
    scanner.addSecret(env.credentials.clientSecret);
    for (const token of env.issuedTokens) scanner.addSecret(token);
    scanner.addValue('log lines', env.log.lines);
    // Act
    scanner.stopOutput();
    // Assess
    expect(scanner.findings()).toEqual([]);
  });
});
