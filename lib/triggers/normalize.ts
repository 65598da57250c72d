// One normalisation layer for every trigger: EventBridge Scheduler, classic EventBridge schedule rules,
// custom EventBridge events, signed webhooks (API Gateway HTTP API / Function URL, payload 2.0) and
// direct invocation all become `{ request, delivery }`. Each kind has its module (schedules.ts, events.ts,
// webhook.ts); this one recognises the kind, and is the triggers' public entry point.
import { fromEventBridge } from './events.ts';
import { parseJobRequest } from './requests.ts';
import { fromScheduler } from './schedules.ts';
import {
  type Dict,
  isRecord,
  type NormalizedTrigger,
  nonEmpty,
  omit,
  type TriggerOptions,
  unrecognised,
} from './trigger.ts';
import { fromWebhook, isHttpEvent } from './webhook.ts';

export { CLUSTER_CREATED, RECREATE_RESULT, WEBHOOK_ACCEPTED, type WebhookHandover } from './events.ts';
export { DEFAULT_ACTIONS } from './schedules.ts';
export type { NormalizedTrigger, SenderSecrets, TriggerOptions, WebhookTriggerOptions } from './trigger.ts';
export { authenticate, mayCall } from './webhook.ts';

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

function fromDirect(event: Dict, options: TriggerOptions, now: () => number): NormalizedTrigger {
  const idempotencyKey = nonEmpty(event.idempotencyKey, 'idempotencyKey');
  const request = parseJobRequest(omit(event, ['idempotencyKey']), options.job);
  return {
    kind: 'run',
    request,
    delivery: { source: 'direct', idempotencyKey, at: new Date(now()).toISOString() },
  };
}
