// How a run's summary and outcomes are stored, shared by the DynamoDB adapter and the in-memory fake so
// both answer a redelivery with exactly the same summary.
//
// A summary is stored as gzip of its JSON in a binary attribute: 1,000 cluster outcomes are ~200 KB of
// JSON and ~15 KB gzipped, far under DynamoDB's 400 KB item limit. Should a summary still not fit in
// SUMMARY_MAX_BYTES compressed (huge `detail` objects), it is stored reduced: counts, notes and the
// failed/deferred clusters (without `detail`) are kept, done/skipped clusters dropped, and a note says
// so. Failing that, only counts and a note. The per-cluster outcome items stay the exact record.
import { createRequire } from 'node:module';
import type * as Zlib from 'node:zlib';
import type { ClusterOutcome, RunSummary } from '#lib/jobs/types.ts';

// zlib is loaded by the first summary written or read, not at import: a cold start does not wait for it.
let zlib: typeof Zlib | undefined;
const codec = (): typeof Zlib => {
  zlib ??= createRequire(import.meta.url)('node:zlib') as typeof Zlib;
  return zlib;
};

/** Compressed bytes allowed for the stored summary (the run item also holds a few small attributes). */
export const SUMMARY_MAX_BYTES = 300_000;
/** JSON bytes allowed for one stored outcome. */
export const OUTCOME_MAX_BYTES = 32_000;
const MAX_TEXT = 2_000;
const MAX_NOTES = 50;

function withoutDetail(outcome: ClusterOutcome): ClusterOutcome {
  if (outcome.status === 'deferred') return outcome;
  const { detail: _detail, ...rest } = outcome;
  return rest;
}

const clip = (text: string, max = MAX_TEXT) => (text.length > max ? `${text.slice(0, max)}…` : text);

/** The outcome as stored: unchanged when small, else without `detail` and with its texts clipped. */
export function fitOutcome(outcome: ClusterOutcome, maxBytes = OUTCOME_MAX_BYTES): ClusterOutcome {
  if (Buffer.byteLength(JSON.stringify(outcome), 'utf8') <= maxBytes) return outcome;
  const slim = withoutDetail(outcome);
  const clipped: ClusterOutcome =
    slim.status === 'failed'
      ? { ...slim, error: clip(slim.error) }
      : slim.status === 'done'
        ? { ...slim, action: clip(slim.action) }
        : { ...slim, reason: clip(slim.reason) };
  return { ...clipped, clusterName: clip(clipped.clusterName) };
}

const gzip = (value: unknown): Uint8Array => codec().gzipSync(Buffer.from(JSON.stringify(value), 'utf8'));

/** The bytes stored for a summary (see the header for the reduction rules). */
export function encodeSummary(summary: RunSummary, maxBytes = SUMMARY_MAX_BYTES): Uint8Array {
  const full = gzip(summary);
  if (full.byteLength <= maxBytes) return full;
  const kept = summary.clusters
    .filter((c) => c.status === 'failed' || c.status === 'deferred')
    .map(withoutDetail);
  const notes = summary.notes.slice(0, MAX_NOTES).map((n) => clip(n));
  const reduced: RunSummary = {
    ...summary,
    clusters: kept,
    notes: [
      ...notes,
      `stored summary reduced: ${summary.clusters.length - kept.length} done/skipped cluster outcome(s) and all details omitted`,
    ],
  };
  const smaller = gzip(reduced);
  if (smaller.byteLength <= maxBytes) return smaller;
  return gzip({
    ...summary,
    clusters: [],
    notes: [
      ...notes.slice(0, 5),
      `stored summary reduced: all ${summary.clusters.length} cluster outcome(s) omitted (too large to store)`,
    ],
  } satisfies RunSummary);
}

export function decodeSummary(bytes: Uint8Array): RunSummary {
  const value: unknown = JSON.parse(codec().gunzipSync(bytes).toString('utf8'));
  if (
    typeof value !== 'object' ||
    value === null ||
    !Array.isArray((value as { clusters?: unknown }).clusters) ||
    typeof (value as { counts?: unknown }).counts !== 'object'
  ) {
    throw new Error('stored run summary is not a summary');
  }
  return value as RunSummary;
}
