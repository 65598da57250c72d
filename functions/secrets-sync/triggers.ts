// The events only this job answers, turned into the `secrets-sync.sync` event every trigger path knows:
// Secrets Manager changes recorded by CloudTrail (for a secret one of the configured sources may select), and
// the recreate's `teardown.cluster.ready` (sync that one new cluster at once). Anything else passes unchanged.
import { SECRET_CHANGE_EVENTS } from '#lib/catalog/secret-change-events.ts';
import type { SecretsSyncPolicy } from '#lib/config/schema/secrets-sync.ts';

/** The recreate's event for one recreated cluster (functions/teardown/recreate.ts READY_EVENT). */
export const CLUSTER_READY = 'teardown.cluster.ready';

type Dict = Record<string, unknown>;
const isRecord = (value: unknown): value is Dict =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export type Translated = { event: unknown } | { ignored: true; reason: string };

/** `arn:aws:secretsmanager:eu-west-1:123456789012:secret:camunda/x-AbCdEf` → `camunda/x`; a name stays. */
export function secretNameOf(id: string): string {
  const match = /^arn:aws[a-z-]*:secretsmanager:[^:]*:\d*:secret:(.+)-[A-Za-z0-9]{6}$/.exec(id);
  return match?.[1] ?? id;
}

/** The secret a CloudTrail-recorded Secrets Manager event is about, by name (or ARN); undefined when none. */
function changedSecret(detail: Dict): string | undefined {
  const candidates = [
    isRecord(detail.requestParameters) ? detail.requestParameters.secretId : undefined,
    isRecord(detail.requestParameters) ? detail.requestParameters.name : undefined,
    isRecord(detail.additionalEventData) ? detail.additionalEventData.SecretId : undefined,
    isRecord(detail.serviceEventDetails) ? detail.serviceEventDetails.secretId : undefined,
  ];
  const found = candidates.find((c): c is string => typeof c === 'string' && c.length > 0);
  return found === undefined ? undefined : secretNameOf(found);
}

/**
 * Whether a changed secret may belong to a configured source: its name starts with a source's prefix, or a
 * source selects by tags only (a tag change cannot be judged from the event, so it syncs).
 */
export function mayConcernSources(name: string, policy: SecretsSyncPolicy): boolean {
  return Object.values(policy.sources).some((s) => (s.prefix ? name.startsWith(s.prefix) : true));
}

function syncEvent(event: Dict, eventSource: string, detail: Dict): Dict {
  return { ...event, source: eventSource, 'detail-type': 'secrets-sync.sync', detail };
}

/** Translates this job's own events; every other event is handed on as it is. */
export function translateEvent(event: unknown, policy: SecretsSyncPolicy, eventSource: string): Translated {
  if (!isRecord(event) || !('detail-type' in event)) return { event };
  const detail = isRecord(event.detail) ? event.detail : {};
  if (event.source === 'aws.secretsmanager') {
    const eventName = typeof detail.eventName === 'string' ? detail.eventName : '';
    if (!(SECRET_CHANGE_EVENTS as readonly string[]).includes(eventName)) {
      return {
        ignored: true,
        reason: `Secrets Manager event '${eventName.slice(0, 80)}' changes no secret value`,
      };
    }
    const name = changedSecret(detail);
    if (name === undefined)
      return { ignored: true, reason: `Secrets Manager ${eventName} event names no secret` };
    if (!mayConcernSources(name, policy)) {
      return { ignored: true, reason: `secret '${name.slice(0, 200)}' is in no configured source` };
    }
    return { event: syncEvent(event, eventSource, {}) };
  }
  if (event.source === eventSource && event['detail-type'] === CLUSTER_READY) {
    const id = detail.newClusterId;
    if (typeof id !== 'string' || id.length === 0) {
      return { ignored: true, reason: `${CLUSTER_READY} event names no new cluster` };
    }
    return { event: syncEvent(event, eventSource, { clusterIds: [id] }) };
  }
  return { event };
}
