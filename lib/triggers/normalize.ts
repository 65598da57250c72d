// One normalisation layer for every trigger: EventBridge Scheduler, classic EventBridge schedule rules,
// custom EventBridge events, signed webhooks (API Gateway HTTP API / Function URL, payload 2.0) and
// direct invocation all become `{ request, delivery }`. Bad webhook input is answered (4xx), never thrown.
import { createHash, timingSafeEqual } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { isJobAction, parseJobRequest } from '#lib/jobs/requests.ts';
import { type Delivery, JOB_ACTIONS, type JobName, type JobRequest } from '#lib/jobs/types.ts';
import { TriggerError, WebhookSecretError } from './errors.ts';
import { rejected, type WebhookResponse } from './webhook-response.ts';

/**
 * One webhook sender's active signing secrets (`whsec_` + base64: one, or two while rotating), or why they
 * cannot be used (unfilled, unreadable): one sender's broken secret does not stop the others.
 */
export type SenderSecrets = { sender: string; secrets: string[] } | { sender: string; problem: string };

export interface WebhookTriggerOptions {
  /** Every sender's signing secrets. Read per request (cache it). */
  secrets: () => Promise<SenderSecrets[]>;
  /**
   * What each sender may call (config `webhooks.senders`): `<job>.<action>` routes, or `'*'` for every
   * route. A sender missing here may call nothing.
   */
  scopes: Readonly<Record<string, readonly string[]>>;
  /** Larger bodies are answered 413 before anything else is read. */
  maxBodyBytes: number;
  /** How far `webhook-timestamp` may be from now, either way (Standard Webhooks uses 300). */
  toleranceSeconds: number;
}

export interface TriggerOptions {
  /** The function's own job: requests for another job are refused. */
  job: JobName;
  /** `source` of our custom EventBridge events (config `events.source`, default 'camunda.automation'). */
  eventSource: string;
  /** Absent: this function has no webhook, every HTTP request is answered 404. */
  webhook?: WebhookTriggerOptions;
  now?: () => number;
}

export type NormalizedTrigger =
  | { kind: 'run'; request: JobRequest; delivery: Delivery }
  | { kind: 'webhook-rejected'; response: WebhookResponse }
  /**
   * A well-formed event that asks for nothing: a `teardown.recreate.result` that recreated no cluster
   * (dry run, nothing deleted last night). Log it and return; it is not a failure and must not run a
   * job (an empty `clusterIds` would mean "every cluster").
   */
  | { kind: 'ignored'; reason: string; delivery: Delivery };

/** The action a plain schedule (classic rule, no input) runs. */
export const DEFAULT_ACTIONS = {
  backup: 'run',
  teardown: 'run',
  'allowlist-sync': 'sync',
  'secrets-sync': 'sync',
} as const satisfies { [J in JobName]: (typeof JOB_ACTIONS)[J][number] };

/** Events of our source that trigger an allowlist sync of the clusters they name. */
export const CLUSTER_CREATED = 'cluster.created';
export const RECREATE_RESULT = 'teardown.recreate.result';
/** The event the webhook ingress hands an accepted request to its job with (detail: WebhookHandover). */
export const WEBHOOK_ACCEPTED = 'webhook.accepted';

/** What the ingress hands over: the request, and the identity of the delivery the job runs it under. */
export interface WebhookHandover {
  idempotencyKey: string;
  runId: string;
  at: string;
  sender: string;
  bodyDigest: string;
  request: JobRequest;
}

const WEBHOOK_PATH = /^(?:\/[^/]+)?\/webhooks\/([^/]+)\/([^/]+)\/?$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/;
const WEBHOOK_ID = /^[\x21-\x7e]{1,256}$/;
const MAX_KEY_LENGTH = 256;

type Dict = Record<string, unknown>;

const isRecord = (value: unknown): value is Dict =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const clip = (value: string, max = 80) => (value.length > max ? `${value.slice(0, max)}…` : value);

/** What an unrecognised event looked like, without its values. */
function hint(value: unknown): string {
  if (!isRecord(value))
    return value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
  const keys = Object.keys(value);
  if (keys.length === 0) return 'an empty object';
  const shown = keys.slice(0, 12).map((k) => clip(k, 40));
  return `an object with keys ${shown.join(', ')}${keys.length > shown.length ? ', …' : ''}`;
}

function unrecognised(event: unknown): TriggerError {
  return new TriggerError(
    400,
    `unrecognised event: expected an EventBridge Scheduler input, an EventBridge event, a webhook (payload format 2.0) or a direct request with idempotencyKey; received ${hint(event)}`,
  );
}

function isoTime(value: unknown, field: string): string {
  if (typeof value !== 'string' || !ISO_TIME.test(value) || Number.isNaN(Date.parse(value))) {
    throw new TriggerError(
      400,
      `${field} must be an ISO 8601 time, got ${typeof value === 'string' ? `'${clip(value)}'` : typeof value}`,
    );
  }
  return value;
}

function nonEmpty(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_KEY_LENGTH) {
    throw new TriggerError(
      400,
      `${field} must be a non-empty string of at most ${MAX_KEY_LENGTH} characters`,
    );
  }
  return value;
}

/** `body` + the job and action the route (detail-type) names; a body naming others is refused. */
function withRoute(body: unknown, job: string, action: string, route: string): unknown {
  if (!isRecord(body)) return body;
  for (const [field, expected] of [
    ['job', job],
    ['action', action],
  ] as const) {
    if (field in body && body[field] !== expected) {
      throw new TriggerError(
        422,
        `${field}: the ${route} is for ${expected}, the body says ${clip(String(body[field]))}`,
        {
          path: field,
        },
      );
    }
  }
  return { ...body, job, action };
}

function omit(value: Dict, keys: readonly string[]): Dict {
  return Object.fromEntries(Object.entries(value).filter(([k]) => !keys.includes(k)));
}

/** Turns any trigger this project knows into one request and its delivery. */
export async function normalizeTrigger(event: unknown, options: TriggerOptions): Promise<NormalizedTrigger> {
  const now = options.now ?? Date.now;
  if (!isRecord(event)) throw unrecognised(event);
  if (isHttpEvent(event)) return fromWebhook(event, options, now);
  if ('detail-type' in event && 'source' in event) return fromEventBridge(event, options);
  if ('scheduledTime' in event || 'executionId' in event) return fromScheduler(event, options);
  if ('idempotencyKey' in event) return fromDirect(event, options, now);
  throw unrecognised(event);
}

// ---- EventBridge Scheduler ------------------------------------------------------------------------

const SCHEDULER_CONTEXT = ['scheduledTime', 'executionId', 'scheduleArn'] as const;

function fromScheduler(event: Dict, options: TriggerOptions): NormalizedTrigger {
  const at = isoTime(
    event.scheduledTime,
    'scheduledTime (the schedule input must pass <aws.scheduler.scheduled-time>)',
  );
  nonEmpty(event.executionId, 'executionId (the schedule input must pass <aws.scheduler.execution-id>)');
  const request = parseJobRequest(omit(event, SCHEDULER_CONTEXT), options.job);
  return {
    kind: 'run',
    request,
    delivery: { source: 'schedule', idempotencyKey: `${request.job}:${request.action}:${at}`, at },
  };
}

// ---- EventBridge: classic schedule rules and our custom events ------------------------------------

function fromEventBridge(event: Dict, options: TriggerOptions): NormalizedTrigger {
  const source = event.source;
  const detailType = event['detail-type'];
  if (source === 'aws.events' && detailType === 'Scheduled Event') return fromScheduledRule(event, options);
  if (source !== options.eventSource || typeof detailType !== 'string') {
    throw new TriggerError(
      400,
      `unrecognised event: EventBridge event from source '${clip(String(source))}' (detail-type '${clip(String(detailType))}'); this function accepts 'Scheduled Event' from aws.events and events from '${options.eventSource}'`,
    );
  }
  const at = isoTime(event.time, 'time');
  const delivery: Delivery = { source: 'eventbridge', idempotencyKey: nonEmpty(event.id, 'id'), at };
  const detail = event.detail ?? {};

  if (detailType === CLUSTER_CREATED || detailType === RECREATE_RESULT) {
    if (options.job !== 'allowlist-sync') {
      throw new TriggerError(404, `${detailType} events trigger the allowlist-sync job, not ${options.job}`);
    }
    const clusterIds =
      detailType === CLUSTER_CREATED ? createdClusterIds(detail) : recreatedClusterIds(detail);
    if (clusterIds.length === 0) {
      return {
        kind: 'ignored',
        reason: `${detailType} event ${delivery.idempotencyKey} names no new cluster`,
        delivery,
      };
    }
    const request = parseJobRequest({ job: 'allowlist-sync', action: 'sync', clusterIds }, options.job);
    return { kind: 'run', request, delivery };
  }

  if (detailType === WEBHOOK_ACCEPTED) return fromHandover(detail, options);

  const dot = detailType.indexOf('.');
  const job = dot > 0 ? detailType.slice(0, dot) : detailType;
  const action = dot > 0 ? detailType.slice(dot + 1) : '';
  if (!isRecord(detail)) {
    throw new TriggerError(422, `detail of a ${clip(detailType)} event must be an object`, {
      path: 'detail',
    });
  }
  const request = parseJobRequest(
    withRoute(detail, job, action, `detail-type ${clip(detailType)}`),
    options.job,
  );
  return { kind: 'run', request, delivery };
}

function fromHandover(detail: unknown, options: TriggerOptions): NormalizedTrigger {
  if (!isRecord(detail))
    throw new TriggerError(422, `detail of a ${WEBHOOK_ACCEPTED} event must be an object`);
  const request = parseJobRequest(detail.request, options.job);
  return {
    kind: 'run',
    request,
    delivery: {
      source: 'webhook',
      idempotencyKey: nonEmpty(detail.idempotencyKey, 'detail.idempotencyKey'),
      at: isoTime(detail.at, 'detail.at'),
      sender: nonEmpty(detail.sender, 'detail.sender'),
      bodyDigest: nonEmpty(detail.bodyDigest, 'detail.bodyDigest'),
      runId: nonEmpty(detail.runId, 'detail.runId'),
    },
  };
}

function fromScheduledRule(event: Dict, options: TriggerOptions): NormalizedTrigger {
  const at = isoTime(event.time, 'time');
  const ruleArn = Array.isArray(event.resources)
    ? event.resources.find((r) => typeof r === 'string')
    : undefined;
  const ruleName = typeof ruleArn === 'string' ? (ruleArn.split('/').pop() ?? '').toLowerCase() : '';
  let action: string = DEFAULT_ACTIONS[options.job];
  if (options.job === 'teardown') {
    if (ruleName.endsWith('-notice')) action = 'notice';
    else if (ruleName.endsWith('-recreate')) action = 'recreate';
  }
  const request = parseJobRequest({ job: options.job, action }, options.job);
  return {
    kind: 'run',
    request,
    delivery: { source: 'schedule', idempotencyKey: `${request.job}:${request.action}:${at}`, at },
  };
}

function createdClusterIds(detail: unknown): string[] {
  const id = isRecord(detail) ? (detail.clusterId ?? detail.uuid) : undefined;
  if (typeof id !== 'string' || id.length === 0) {
    throw new TriggerError(422, `detail.clusterId: a ${CLUSTER_CREATED} event must name the new cluster`, {
      path: 'detail.clusterId',
    });
  }
  return [id];
}

/** The new uuids of the clusters our recreate brought back (`done` / `cluster-recreated` outcomes). */
function recreatedClusterIds(detail: unknown): string[] {
  if (!isRecord(detail) || !Array.isArray(detail.clusters)) {
    throw new TriggerError(422, `detail.clusters: a ${RECREATE_RESULT} event must carry the run summary`, {
      path: 'detail.clusters',
    });
  }
  const ids = new Set<string>();
  for (const outcome of detail.clusters) {
    if (!isRecord(outcome) || outcome.status !== 'done' || outcome.action !== 'cluster-recreated') continue;
    const newId = isRecord(outcome.detail) ? outcome.detail.newClusterId : undefined;
    if (typeof newId === 'string' && newId.length > 0) ids.add(newId);
  }
  return [...ids];
}

// ---- direct invocation (`npm run invoke`) ----------------------------------------------------------

function fromDirect(event: Dict, options: TriggerOptions, now: () => number): NormalizedTrigger {
  const idempotencyKey = nonEmpty(event.idempotencyKey, 'idempotencyKey');
  const request = parseJobRequest(omit(event, ['idempotencyKey']), options.job);
  return {
    kind: 'run',
    request,
    delivery: { source: 'direct', idempotencyKey, at: new Date(now()).toISOString() },
  };
}

// ---- webhooks ----------------------------------------------------------------------------------------

interface HttpEvent extends Dict {
  rawPath: string;
  requestContext: { http: { method: string } };
}

function isHttpEvent(event: Dict): event is HttpEvent {
  const ctx = event.requestContext;
  return (
    event.version === '2.0' &&
    typeof event.rawPath === 'string' &&
    isRecord(ctx) &&
    isRecord(ctx.http) &&
    typeof ctx.http.method === 'string'
  );
}

async function fromWebhook(
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
