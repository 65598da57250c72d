// The accounting check every faults row and safety property makes: a run summary names every selected
// cluster exactly once, with one of the four outcomes, and its counts add up. No I/O: unit tests use it too.
import { expect } from 'vitest';
import type { OutcomeStatus, RunSummary } from '#lib/jobs/types.ts';

/** The selected clusters a summary does not account for (missing, twice, or unknown status). */
export function unaccounted(summary: RunSummary, expectedIds: readonly string[]): string[] {
  const seen = new Map<string, number>();
  for (const c of summary.clusters) seen.set(c.clusterId, (seen.get(c.clusterId) ?? 0) + 1);
  return expectedIds.filter((id) => seen.get(id) !== 1);
}

const STATUSES: readonly OutcomeStatus[] = ['done', 'skipped', 'failed', 'deferred'];

/**
 * Every selected cluster is in the summary exactly once, as done / skipped / failed / deferred; nothing
 * else is; the counts add up; a failed cluster fails the run.
 */
export function assertAccounted(summary: RunSummary, expectedIds: readonly string[]): void {
  const ids = summary.clusters.map((c) => c.clusterId);
  expect(unaccounted(summary, expectedIds), 'selected clusters missing from the summary (or twice)').toEqual(
    [],
  );
  expect(
    ids.filter((id) => !expectedIds.includes(id)),
    'clusters in the summary that were not selected',
  ).toEqual([]);
  for (const c of summary.clusters) expect(STATUSES).toContain(c.status);
  const counts = { done: 0, skipped: 0, failed: 0, deferred: 0 };
  for (const c of summary.clusters) counts[c.status]++;
  expect(summary.counts).toEqual(counts);
  if (counts.failed > 0) expect(summary.failed).toBe(true);
}
