// How summaries and outcomes are squeezed to fit a DynamoDB item, and the key checks both the adapters
// and the fakes apply.
import { describe, expect, it } from 'vitest';
import type { ClusterOutcome } from '#lib/jobs/types.ts';
import { StateStoreError } from '#lib/state/errors.ts';
import { claimKey, runKey } from '#lib/state/keys.ts';
import { decodeSummary, encodeSummary, fitOutcome } from '#lib/state/summary-codec.ts';
import { done, failed, noise, summaryOf } from '#test/helpers/state-contract.ts';
import { thrownBy } from '#test/helpers/thrown.ts';

describe('fitOutcome', () => {
  it('keeps a small outcome as it is', () => {
    // Prepare
    const outcome = done('a', { backupId: 'b-1' });
    // Act
    const stored = fitOutcome(outcome);
    // Assess
    expect(stored).toEqual(outcome);
  });

  it('drops the detail of an oversized outcome and clips its texts', () => {
    // Prepare
    const error = noise(5000, 1);
    const outcome: ClusterOutcome = {
      clusterId: 'a',
      clusterName: 'name-a',
      status: 'failed',
      error,
      detail: { body: noise(50_000, 2) },
    };
    // Act
    const stored = fitOutcome(outcome);
    // Assess
    expect(stored).toEqual({
      clusterId: 'a',
      clusterName: 'name-a',
      status: 'failed',
      error: `${error.slice(0, 2000)}…`,
    });
  });
});

describe('encodeSummary / decodeSummary', () => {
  it('round-trips a summary that fits', () => {
    // Prepare
    const summary = summaryOf('k', [done('a'), failed('b')], ['note']);
    // Act
    const decoded = decodeSummary(encodeSummary(summary));
    // Assess
    expect(decoded).toEqual(summary);
  });

  it('keeps only counts and a note when even the failed clusters do not fit', () => {
    // Prepare
    const clusters = Array.from({ length: 50 }, (_, i) => ({ ...failed(`c-${i}`), error: noise(1500, i) }));
    const summary = summaryOf('k', clusters, ['first note']);
    // Act
    const decoded = decodeSummary(encodeSummary(summary, 20_000));
    // Assess
    expect(decoded).toEqual({
      ...summary,
      clusters: [],
      notes: ['first note', 'stored summary reduced: all 50 cluster outcome(s) omitted (too large to store)'],
    });
  });

  it('refuses bytes that are not a stored summary', async () => {
    // Prepare
    const { gzipSync } = await import('node:zlib');
    // Act
    const act = () => decodeSummary(gzipSync('{"hello":"world"}'));
    // Assess
    expect(act).toThrow(/not a summary/);
  });
});

describe('keys', () => {
  it('refuses empty and oversized key parts with a StateStoreError naming the operation', () => {
    // Prepare
    const long = 'x'.repeat(1100);
    // Act
    const empty = thrownBy(StateStoreError, () => runKey('ledger.start', ''));
    const oversized = thrownBy(StateStoreError, () => claimKey('claims.claim', 'backup', long));
    // Assess
    expect(empty).toBeInstanceOf(StateStoreError);
    expect(empty.message).toBe('ledger.start: idempotency key must be a non-empty string');
    expect(oversized).toBeInstanceOf(StateStoreError);
    expect(oversized.operation).toBe('claims.claim');
    expect(runKey('ledger.finish', 'sched:backup:run:2026-11-27T02:00Z')).toEqual({
      pk: 'run#sched:backup:run:2026-11-27T02:00Z',
      sk: 'run',
    });
  });
});
