// Our custom EventBridge events (`<job>.<action>` detail-types, a new cluster, a recreate's result) and the
// webhook ingress's handover of an accepted request; classic schedule rules arrive here too.
import type { Delivery, JobRequest } from '#lib/jobs/types.ts';
import { TriggerError } from './errors.ts';
import { parseJobRequest } from './requests.ts';
import { fromScheduledRule } from './schedules.ts';
import {
  clip,
  type Dict,
  isoTime,
  isRecord,
  type NormalizedTrigger,
  nonEmpty,
  type TriggerOptions,
  withRoute,
} from './trigger.ts';

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

export function fromEventBridge(event: Dict, options: TriggerOptions): NormalizedTrigger {
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
