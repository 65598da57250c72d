// The result and notice event publishers: fitting an oversized summary under EventBridge's entry limit,
// the EventBridge adapter (over a fake client) and the in-memory publisher.
import type { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { describe, expect, it } from 'vitest';
import type { ClusterOutcome } from '#lib/jobs/types.ts';
import { eventBridgePublisher } from '#lib/runtime/eventbridge-publisher.ts';
import { EventPublishError, fitDetail, MAX_DETAIL_BYTES, memoryPublisher } from '#lib/runtime/events.ts';

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

/** A summary-like detail with `n` done clusters carrying `padding` characters each, plus the given extras. */
function bigSummary(n: number, padding: number, extra: ClusterOutcome[] = []): Record<string, unknown> {
  const clusters: ClusterOutcome[] = Array.from({ length: n }, (_, i) => ({
    clusterId: `c${i}`,
    clusterName: `cluster-${i}`,
    status: 'done',
    action: 'allowlist-updated',
    detail: { padding: 'x'.repeat(padding) },
  }));
  return {
    job: 'allowlist-sync',
    action: 'sync',
    counts: { done: n, skipped: 0, failed: 0, deferred: 0 },
    notes: ['a note'],
    clusters: [...clusters, ...extra],
  };
}

/** A fake EventBridge client: records every PutEvents input, answers `answer`. */
function fakeEventBridge(
  answer: { FailedEntryCount?: number; Entries?: Array<Record<string, string>> } = {},
) {
  const inputs: PutEventsCommand['input'][] = [];
  const client = {
    async send(command: PutEventsCommand) {
      inputs.push(command.input);
      return { FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }], ...answer };
    },
  } as unknown as EventBridgeClient;
  return { client, inputs };
}

describe('fitDetail', () => {
  it('returns a detail that fits unchanged', () => {
    // Prepare
    const detail = bigSummary(3, 10);
    // Act
    const fitted = fitDetail(detail);
    // Assess
    expect(fitted).toBe(detail);
  });

  it('keeps counts, notes, the failed and deferred clusters first and as many others as fit, and says how many it left out', () => {
    // Prepare: 500 done clusters of ~1 KB each, one failed and one deferred.
    const failed: ClusterOutcome = { clusterId: 'f', clusterName: 'broken', status: 'failed', error: 'boom' };
    const deferred: ClusterOutcome = {
      clusterId: 'd',
      clusterName: 'later',
      status: 'deferred',
      reason: 'time',
    };
    const detail = bigSummary(500, 1_000, [failed, deferred]);
    expect(bytes(detail)).toBeGreaterThan(MAX_DETAIL_BYTES);
    // Act
    const fitted = fitDetail(detail);
    // Assess
    expect(bytes(fitted)).toBeLessThanOrEqual(MAX_DETAIL_BYTES);
    const kept = fitted.clusters as ClusterOutcome[];
    expect(kept.slice(0, 2)).toEqual([failed, deferred]);
    expect(kept.length).toBeGreaterThan(2);
    expect(kept.length).toBeLessThan(502);
    expect(fitted.clustersOmitted).toBe(502 - kept.length);
    // As many as fit: one more done cluster would not.
    const next = (detail.clusters as ClusterOutcome[])[kept.length - 2];
    expect(bytes({ ...fitted, clusters: [...kept, next] })).toBeGreaterThan(MAX_DETAIL_BYTES);
    expect(fitted.counts).toEqual(detail.counts);
    expect(fitted.notes).toEqual(['a note']);
    // The caller's detail is not changed.
    expect((detail.clusters as unknown[]).length).toBe(502);
  });

  it('keeps as many failed clusters as fit when even the failed ones do not all fit', () => {
    // Prepare: 300 failed clusters of ~1 KB each.
    const failures: ClusterOutcome[] = Array.from({ length: 300 }, (_, i) => ({
      clusterId: `f${i}`,
      clusterName: `broken-${i}`,
      status: 'failed',
      error: 'e'.repeat(1_000),
    }));
    const detail = bigSummary(0, 0, failures);
    // Act
    const fitted = fitDetail(detail);
    // Assess
    const kept = fitted.clusters as ClusterOutcome[];
    expect(kept.length).toBeGreaterThan(0);
    expect(kept).toEqual(failures.slice(0, kept.length));
    expect(fitted.clustersOmitted).toBe(300 - kept.length);
    expect(bytes(fitted)).toBeLessThanOrEqual(MAX_DETAIL_BYTES);
    expect(fitted.job).toBe('allowlist-sync');
  });

  it('fits an oversized teardown notice: candidates kept as far as they fit, the excluded list dropped first', () => {
    // Prepare: a notice (its candidates carry no status) with long lists.
    const candidates = Array.from({ length: 2_000 }, (_, i) => ({
      id: `c${i}`,
      name: `dev-${i}`,
      labels: ['x'.repeat(100)],
    }));
    const excluded = Array.from({ length: 2_000 }, (_, i) => ({
      id: `e${i}`,
      name: `dev-e${i}`,
      reason: 'protected',
    }));
    const notice = {
      plannedAt: '2026-11-27T18:00:00Z',
      maxDeletionsPerRun: 5,
      clusters: candidates,
      excluded,
    };
    expect(bytes(notice)).toBeGreaterThan(MAX_DETAIL_BYTES);
    // Act
    const fitted = fitDetail(notice);
    // Assess
    expect(bytes(fitted)).toBeLessThanOrEqual(MAX_DETAIL_BYTES);
    expect(fitted.excluded).toEqual([]);
    expect(fitted.excludedOmitted).toBe(2_000);
    const kept = fitted.clusters as unknown[];
    expect(kept.length).toBeGreaterThan(1_000);
    expect(kept).toEqual(candidates.slice(0, kept.length));
    expect(fitted.clustersOmitted).toBe(2_000 - kept.length);
    expect(fitted.maxDeletionsPerRun).toBe(5);
  });
});

describe('eventBridgePublisher', () => {
  it('puts one entry on the bus with the source, detail-type and fitted detail', async () => {
    // Prepare
    const { client, inputs } = fakeEventBridge();
    const publisher = eventBridgePublisher(client, 'automation-bus', 'camunda.automation');
    const detail = bigSummary(500, 1_000);
    // Act
    await publisher.publish('allowlist-sync.sync.result', detail);
    // Assess
    expect(inputs).toHaveLength(1);
    const entry = inputs[0]?.Entries?.[0];
    expect(entry).toMatchObject({
      EventBusName: 'automation-bus',
      Source: 'camunda.automation',
      DetailType: 'allowlist-sync.sync.result',
    });
    const sent = JSON.parse(entry?.Detail ?? '{}') as Record<string, unknown>;
    expect(sent.clustersOmitted).toBeGreaterThan(0);
    expect((sent.clusters as unknown[]).length + Number(sent.clustersOmitted)).toBe(500);
    expect(Buffer.byteLength(entry?.Detail ?? '')).toBeLessThanOrEqual(MAX_DETAIL_BYTES);
  });

  it('throws an EventPublishError naming the bus and the error code when the entry is refused', async () => {
    // Prepare
    const { client } = fakeEventBridge({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
    });
    const publisher = eventBridgePublisher(client, 'automation-bus', 'camunda.automation');
    // Act
    const err = await publisher.publish('backup.run.result', { job: 'backup' }).catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(EventPublishError);
    expect((err as Error).name).toBe('EventPublishError');
    expect((err as Error).message).toBe(
      'event backup.run.result not accepted by bus automation-bus: InternalFailure try again',
    );
  });
});

describe('memoryPublisher', () => {
  it('keeps a copy of each event, fitted like the bus would get it', async () => {
    // Prepare
    const publisher = memoryPublisher();
    const small = { job: 'backup', clusters: [{ clusterId: 'c1', status: 'done' }] };
    // Act
    await publisher.publish('backup.run.result', small);
    await publisher.publish('allowlist-sync.sync.result', bigSummary(500, 1_000));
    small.clusters.push({ clusterId: 'c2', status: 'done' });
    // Assess
    expect(publisher.events.map((e) => e.detailType)).toEqual([
      'backup.run.result',
      'allowlist-sync.sync.result',
    ]);
    expect(publisher.events[0]?.detail.clusters).toEqual([{ clusterId: 'c1', status: 'done' }]);
    const fitted = publisher.events[1]?.detail ?? {};
    expect(fitted.clustersOmitted).toBeGreaterThan(0);
    expect((fitted.clusters as unknown[]).length + Number(fitted.clustersOmitted)).toBe(500);
  });
});
