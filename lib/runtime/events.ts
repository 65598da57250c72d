// The jobs' notice and result events: fitting a detail under EventBridge's entry limit, and the in-memory
// publisher of local runs. The EventBridge adapter is in ./eventbridge-publisher.ts, built only when a
// function first publishes.
import type { EventPublisher } from '#lib/jobs/ports.ts';

/** EventBridge's limit for one entry is 256 KB; keep well below it. */
export const MAX_DETAIL_BYTES = 200_000;

export class EventPublishError extends Error {
  override readonly name = 'EventPublishError';
}

const fits = (value: unknown) => Buffer.byteLength(JSON.stringify(value)) <= MAX_DETAIL_BYTES;

/** The longest prefix of `items` for which `build(prefix)` fits (binary search; `build([])` is assumed to). */
function longestFitting<T>(
  items: T[],
  build: (kept: T[]) => Record<string, unknown>,
): Record<string, unknown> {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(build(items.slice(0, mid)))) lo = mid;
    else hi = mid - 1;
  }
  return build(items.slice(0, lo));
}

/**
 * Shrinks a detail that is too big for one event (a run summary over thousands of clusters, a notice with a
 * long list): keeps every other field, then as many `clusters` entries as fit — failed and deferred ones
 * first — and says how many were left out (`clustersOmitted`); a notice's `excluded` list goes first.
 */
export function fitDetail(detail: Record<string, unknown>): Record<string, unknown> {
  if (fits(detail)) return detail;
  const clusters = Array.isArray(detail.clusters) ? (detail.clusters as Array<{ status?: unknown }>) : [];
  const urgent = (c: { status?: unknown }) => c.status === 'failed' || c.status === 'deferred';
  const ordered = [...clusters.filter(urgent), ...clusters.filter((c) => !urgent(c))];
  let base: Record<string, unknown> = detail;
  if (Array.isArray(detail.excluded)) {
    const excluded = detail.excluded as unknown[];
    base = { ...detail, excluded: [], excludedOmitted: excluded.length };
  }
  return longestFitting(ordered, (kept) => ({
    ...base,
    clusters: kept,
    clustersOmitted: clusters.length - kept.length,
  }));
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
