// Generated webhook requests for the bad-input matrix (webhook-input.test.ts): specs that get one or two things
// wrong (route, method, size, headers, id, timestamp, signature, scope, media type, JSON) or nothing, the API
// Gateway event each becomes, and the statuses the documented order of checks allows for it.
import fc from 'fast-check';
import { JOB_ACTIONS, type JobName } from '#lib/jobs/types.ts';
import { signWebhook } from '#lib/triggers/sign.ts';
import { LOCAL_KEEP_ALIVE_SECRET, LOCAL_WEBHOOK_SECRET } from '#local/env.ts';

/** The fault environment's `webhooks.maxBodyBytes` and `webhooks.toleranceSeconds`. */
export const MAX_BODY = 4_096;
export const TOLERANCE = 300;
const OTHER_SECRET = `whsec_${Buffer.from('another-signing-key-not-ours-0123').toString('base64')}`;
export const JOBS: JobName[] = ['backup', 'teardown', 'allowlist-sync'];

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

export interface Spec {
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

export const webhookRequestSpec: fc.Arbitrary<Spec> = fc
  .tuple(fc.constantFrom(...JOBS), broken)
  .chain(([job, wrong]) => {
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
        ? fc.constantFrom(
            undefined,
            'text/plain',
            'application/jsonp',
            'application/x-www-form-urlencoded',
            '',
          )
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

export interface Built {
  event: Record<string, unknown>;
  expected: number[];
}

/** The API Gateway (payload 2.0) event for a spec, and the statuses the documented order of checks allows. */
export function buildWebhookRequest(s: Spec, nowSeconds: number): Built {
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
