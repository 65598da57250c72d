// Publishes the jobs' notice and result events to the project's EventBridge bus.
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { EventPublisher } from '#lib/jobs/ports.ts';

/** EventBridge's limit for one entry is 256 KB; keep well below it. */
export const MAX_DETAIL_BYTES = 200_000;

export class EventPublishError extends Error {
  override readonly name = 'EventPublishError';
}

/**
 * Shrinks a summary-like detail that is too big for one event: keeps counts, notes and the clusters that
 * failed or were deferred, and says how many done/skipped entries were left out.
 */
export function fitDetail(detail: Record<string, unknown>): Record<string, unknown> {
  const json = JSON.stringify(detail);
  if (Buffer.byteLength(json) <= MAX_DETAIL_BYTES) return detail;
  const clusters = Array.isArray(detail.clusters) ? (detail.clusters as Array<{ status?: string }>) : [];
  const kept = clusters.filter((c) => c.status === 'failed' || c.status === 'deferred');
  const slim = { ...detail, clusters: kept, clustersOmitted: clusters.length - kept.length };
  if (Buffer.byteLength(JSON.stringify(slim)) <= MAX_DETAIL_BYTES) return slim;
  return { ...detail, clusters: [], clustersOmitted: clusters.length };
}

export function eventBridgePublisher(
  client: EventBridgeClient,
  busName: string,
  source: string,
): EventPublisher {
  return {
    async publish(detailType, detail) {
      const out = await client.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: busName,
              Source: source,
              DetailType: detailType,
              Detail: JSON.stringify(fitDetail(detail)),
            },
          ],
        }),
      );
      if (out.FailedEntryCount) {
        const entry = out.Entries?.[0];
        throw new EventPublishError(
          `event ${detailType} not accepted by bus ${busName}: ${entry?.ErrorCode ?? 'unknown'} ${entry?.ErrorMessage ?? ''}`.trim(),
        );
      }
    },
  };
}

/** Keeps published events in memory (local runs and tests). */
export function memoryPublisher(): EventPublisher & {
  events: Array<{ detailType: string; detail: Record<string, unknown> }>;
} {
  const events: Array<{ detailType: string; detail: Record<string, unknown> }> = [];
  return {
    events,
    async publish(detailType, detail) {
      events.push({ detailType, detail: structuredClone(fitDetail(detail)) });
    },
  };
}
