// Signed webhooks (API Gateway HTTP API / Function URL, payload 2.0): route, method, size, Standard
// Webhooks headers and signature, the sender's scope, content type, JSON, the request. Bad input is
// answered (4xx), never thrown.
import { createHash, timingSafeEqual } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { isJobAction, JOB_ACTIONS } from '#lib/catalog/jobs.ts';
import { TriggerError, WebhookSecretError } from './errors.ts';
import { parseJobRequest } from './requests.ts';
import {
  clip,
  type Dict,
  isRecord,
  type NormalizedTrigger,
  type SenderSecrets,
  type TriggerOptions,
  type WebhookTriggerOptions,
  withRoute,
} from './trigger.ts';
import { rejected } from './webhook-response.ts';

const WEBHOOK_PATH = /^(?:\/[^/]+)?\/webhooks\/([^/]+)\/([^/]+)\/?$/;
const WEBHOOK_ID = /^[\x21-\x7e]{1,256}$/;

interface HttpEvent extends Dict {
  rawPath: string;
  requestContext: { http: { method: string } };
}

export function isHttpEvent(event: Dict): event is HttpEvent {
  const ctx = event.requestContext;
  return (
    event.version === '2.0' &&
    typeof event.rawPath === 'string' &&
    isRecord(ctx) &&
    isRecord(ctx.http) &&
    typeof ctx.http.method === 'string'
  );
}

export async function fromWebhook(
  event: HttpEvent,
  options: TriggerOptions,
  now: () => number,
): Promise<NormalizedTrigger> {
  try {
    return await verifiedWebhook(event, options, now);
  } catch (err) {
    if (err instanceof TriggerError)
      return { kind: 'webhook-rejected', response: rejected(err.status, err.message) };
    throw err;
  }
}

/** Decoded size of a base64 string, without decoding it. */
function base64Bytes(text: string): number {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return Math.floor((text.length * 3) / 4) - padding;
}

function lowerCaseHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(headers)) return out;
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string') out[name.toLowerCase()] = value;
  }
  return out;
}

async function verifiedWebhook(
  event: HttpEvent,
  options: TriggerOptions,
  now: () => number,
): Promise<NormalizedTrigger> {
  const job = options.job;
  const routes = `POST /webhooks/${job}/{${JOB_ACTIONS[job].join('|')}}`;
  const match = WEBHOOK_PATH.exec(event.rawPath);
  const [routeJob, routeAction] = match ? [match[1], match[2]] : [undefined, undefined];
  if (!options.webhook || routeJob !== job || !isJobAction(job, routeAction) || routeAction === undefined) {
    const served = options.webhook ? `this function serves ${routes}` : 'this function has no webhook';
    throw new TriggerError(404, `no webhook at ${clip(event.rawPath)}; ${served}`);
  }
  const method = event.requestContext.http.method.toUpperCase();
  if (method !== 'POST') throw new TriggerError(405, `method ${clip(method, 10)} not allowed; use POST`);

  const webhook = options.webhook;
  const rawBody = typeof event.body === 'string' ? event.body : '';
  const base64 = event.isBase64Encoded === true;
  const size = base64 ? base64Bytes(rawBody) : Buffer.byteLength(rawBody, 'utf8');
  if (size > webhook.maxBodyBytes) {
    throw new TriggerError(413, `body of ${size} bytes exceeds the limit of ${webhook.maxBodyBytes} bytes`);
  }

  const body = base64 ? Buffer.from(rawBody, 'base64') : Buffer.from(rawBody, 'utf8');
  const { id, sentAt, signers, headers } = await authenticate(event, webhook, now, body);
  // The scope is checked right after the signature, before the body is even parsed: a sender may not learn
  // anything about a route it may not call, and nothing is stored for it.
  const route = `${job}.${routeAction}`;
  const sender = signers.find((name) => mayCall(webhook.scopes[name], route));
  if (sender === undefined) {
    throw new TriggerError(403, `webhook sender '${clip(signers[0] ?? '', 64)}' may not call ${route}`);
  }

  const mediaType = (headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json') {
    throw new TriggerError(415, 'content-type must be application/json');
  }
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new TriggerError(400, 'body is not valid JSON');
  }
  const request = parseJobRequest(withRoute(json, job, routeAction, `route ${event.rawPath}`), job);
  return {
    kind: 'run',
    request,
    delivery: {
      source: 'webhook',
      idempotencyKey: `webhook:${id}`,
      at: new Date(sentAt * 1000).toISOString(),
      sender,
      bodyDigest: createHash('sha256').update(body).digest('hex'),
    },
  };
}

/**
 * Checks the Standard Webhooks headers of a request (present, well-formed, timestamp within the tolerance)
 * and its signature over `body`: 401 otherwise. Answers which senders' secrets made the signature.
 */
export async function authenticate(
  event: Dict,
  webhook: WebhookTriggerOptions,
  now: () => number,
  body: Buffer,
): Promise<{ id: string; sentAt: number; signers: string[]; headers: Record<string, string> }> {
  const headers = lowerCaseHeaders(event.headers);
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signature = headers['webhook-signature'];
  const missing = [
    ['webhook-id', id],
    ['webhook-timestamp', timestamp],
    ['webhook-signature', signature],
  ]
    .filter(([, v]) => !v)
    .map(([name]) => name);
  if (missing.length > 0 || id === undefined || timestamp === undefined || signature === undefined) {
    throw new TriggerError(
      401,
      `missing ${missing.join(', ')} header${missing.length > 1 ? 's' : ''} (Standard Webhooks)`,
    );
  }
  if (!WEBHOOK_ID.test(id))
    throw new TriggerError(401, 'invalid webhook-id header: 1-256 printable characters');
  if (!/^\d{1,12}$/.test(timestamp)) {
    throw new TriggerError(401, 'invalid webhook-timestamp header: Unix time in seconds');
  }
  const sentAt = Number(timestamp);
  const nowSeconds = Math.floor(now() / 1000);
  if (nowSeconds - sentAt > webhook.toleranceSeconds) {
    throw new TriggerError(
      401,
      `webhook-timestamp is more than ${webhook.toleranceSeconds} s old; sign each request when sending it`,
    );
  }
  if (sentAt - nowSeconds > webhook.toleranceSeconds) {
    throw new TriggerError(
      401,
      `webhook-timestamp is more than ${webhook.toleranceSeconds} s in the future; check the sender's clock`,
    );
  }

  const signers = await signingSenders(webhook, id, sentAt, body, signature);
  return { id, sentAt, signers, headers };
}

/** True when `scope` (a sender's routes) grants `route`; `'*'` grants every route. */
export function mayCall(scope: readonly string[] | undefined, route: string): boolean {
  return scope !== undefined && (scope.includes('*') || scope.includes(route));
}

/**
 * The senders one of whose secrets made `signature` (usually one). 401 when none did; a deployment fault
 * (`WebhookSecretError`, a 5xx) when none did and some sender's secret could not be used — the request may
 * be that sender's, and a 401 would blame the caller for our unfilled secret.
 */
async function signingSenders(
  webhook: WebhookTriggerOptions,
  id: string,
  sentAt: number,
  body: Buffer,
  signature: string,
): Promise<string[]> {
  let senders: SenderSecrets[];
  try {
    senders = await webhook.secrets();
  } catch (err) {
    throw new WebhookSecretError('webhook signing secrets could not be read', { cause: err });
  }
  if (!Array.isArray(senders) || senders.length === 0) {
    throw new WebhookSecretError('no webhook signing secret is configured');
  }
  const matched: string[] = [];
  const unusable: Array<{ sender: string; problem: string; cause?: unknown }> = [];
  for (const entry of senders) {
    if ('problem' in entry) {
      unusable.push({
        sender: entry.sender,
        problem: `the signing secret of webhook sender '${entry.sender}' is unusable: ${entry.problem}`,
      });
      continue;
    }
    const keys = signingKeys(entry);
    if ('problem' in keys) unusable.push(keys);
    else if (signatureMatches(keys.keys, id, sentAt, body, signature)) matched.push(entry.sender);
  }
  if (matched.length > 0) return matched;
  const [first] = unusable;
  if (first) {
    throw new WebhookSecretError(first.problem, { cause: first.cause });
  }
  throw new TriggerError(
    401,
    'invalid signature: webhook-signature matches none of the active signing secrets',
  );
}

function signingKeys(entry: {
  sender: string;
  secrets: string[];
}): { keys: Webhook[] } | { sender: string; problem: string; cause?: unknown } {
  const { sender, secrets } = entry;
  if (!Array.isArray(secrets) || secrets.length === 0) {
    return { sender, problem: `webhook sender '${sender}' has no signing secret` };
  }
  const keys: Webhook[] = [];
  for (const [i, secret] of secrets.entries()) {
    try {
      keys.push(new Webhook(secret));
    } catch (cause) {
      return {
        sender,
        problem: `webhook signing secret #${i + 1} of sender '${sender}' is not a whsec_ base64 secret`,
        cause,
      };
    }
  }
  return { keys };
}

/** True when one of the `v1,<base64>` signatures is the HMAC of one of the keys (constant-time compare). */
function signatureMatches(
  keys: Webhook[],
  id: string,
  sentAt: number,
  body: Buffer,
  header: string,
): boolean {
  const passed = header
    .split(' ')
    .map((s) => s.trim())
    .filter((s) => s.startsWith('v1,'))
    .map((s) => Buffer.from(s.slice(3)));
  if (passed.length === 0) return false;
  const date = new Date(sentAt * 1000);
  let ok = false;
  for (const key of keys) {
    const expected = Buffer.from(key.sign(id, date, body).slice(3));
    for (const candidate of passed) {
      if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) ok = true;
    }
  }
  return ok;
}
