// What every trigger kind shares: the options a function passes, what normalisation answers, and the
// field checks every kind uses (a bad field is a TriggerError naming it, never a value echoed back whole).
import type { JobName } from '#lib/catalog/jobs.ts';
import type { Delivery, JobRequest } from '#lib/jobs/types.ts';
import { TriggerError } from './errors.ts';
import type { WebhookResponse } from './webhook-response.ts';

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

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/;
const MAX_KEY_LENGTH = 256;

export type Dict = Record<string, unknown>;

export const isRecord = (value: unknown): value is Dict =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const clip = (value: string, max = 80) => (value.length > max ? `${value.slice(0, max)}…` : value);

/** What an unrecognised event looked like, without its values. */
export function hint(value: unknown): string {
  if (!isRecord(value))
    return value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
  const keys = Object.keys(value);
  if (keys.length === 0) return 'an empty object';
  const shown = keys.slice(0, 12).map((k) => clip(k, 40));
  return `an object with keys ${shown.join(', ')}${keys.length > shown.length ? ', …' : ''}`;
}

export function unrecognised(event: unknown): TriggerError {
  return new TriggerError(
    400,
    `unrecognised event: expected an EventBridge Scheduler input, an EventBridge event, a webhook (payload format 2.0) or a direct request with idempotencyKey; received ${hint(event)}`,
  );
}

export function isoTime(value: unknown, field: string): string {
  if (typeof value !== 'string' || !ISO_TIME.test(value) || Number.isNaN(Date.parse(value))) {
    throw new TriggerError(
      400,
      `${field} must be an ISO 8601 time, got ${typeof value === 'string' ? `'${clip(value)}'` : typeof value}`,
    );
  }
  return value;
}

export function nonEmpty(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_KEY_LENGTH) {
    throw new TriggerError(
      400,
      `${field} must be a non-empty string of at most ${MAX_KEY_LENGTH} characters`,
    );
  }
  return value;
}

/** `body` + the job and action the route (detail-type) names; a body naming others is refused. */
export function withRoute(body: unknown, job: string, action: string, route: string): unknown {
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

export function omit(value: Dict, keys: readonly string[]): Dict {
  return Object.fromEntries(Object.entries(value).filter(([k]) => !keys.includes(k)));
}
