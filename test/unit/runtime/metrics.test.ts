// The counter ports: Powertools Metrics (CloudWatch EMF) and the in-memory counters of tests and local runs.
import { Metrics } from '@aws-lambda-powertools/metrics';
import { describe, expect, it, vi } from 'vitest';
import { METRICS_NAMESPACE, memoryCounters, powertoolsCounters } from '#lib/runtime/metrics.ts';

describe('powertoolsCounters', () => {
  it('adds each count as a Count metric, 1 by default', () => {
    // Prepare
    const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'test' });
    const counters = powertoolsCounters(metrics);
    // Act
    counters.count('BackupCreated');
    counters.count('ClustersDone', 3);
    const emf = metrics.serializeMetrics() as unknown as {
      _aws: {
        CloudWatchMetrics: Array<{ Namespace: string; Metrics: Array<{ Name: string; Unit: string }> }>;
      };
      BackupCreated: unknown;
      ClustersDone: unknown;
    };
    // Assess
    const directive = emf._aws.CloudWatchMetrics[0];
    expect(directive?.Namespace).toBe('CamundaConsoleAutomation');
    expect(directive?.Metrics).toEqual(
      expect.arrayContaining([
        { Name: 'BackupCreated', Unit: 'Count' },
        { Name: 'ClustersDone', Unit: 'Count' },
      ]),
    );
    expect(emf.BackupCreated).toBe(1);
    expect(emf.ClustersDone).toBe(3);
  });
});

describe('powertoolsCounters.perCluster', () => {
  it('emits one metric with a Cluster dimension at once, leaving the buffered fleet counts without it', () => {
    // Prepare: EMF lines captured from stdout
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const metrics = new Metrics({
      namespace: METRICS_NAMESPACE,
      serviceName: 'backup',
      defaultDimensions: { environment: 'prod' },
    });
    const counters = powertoolsCounters(metrics);
    // Act
    counters.count('ClustersPastTarget', 1);
    counters.perCluster?.('CompleteBackupAgeSeconds', 'prod-orders', 7200, 'Seconds');
    vi.restoreAllMocks();
    const emfs = written
      .flatMap((chunk) => chunk.split('\n'))
      .filter((line) => line.includes('"_aws"'))
      .map(
        (line) => JSON.parse(line) as Record<string, unknown> & { _aws: { CloudWatchMetrics: unknown[] } },
      );
    const fleet = metrics.serializeMetrics() as unknown as { _aws: { CloudWatchMetrics: unknown[] } };
    // Assess
    expect(emfs).toHaveLength(1);
    expect(emfs[0]).toMatchObject({
      service: 'backup',
      environment: 'prod',
      Cluster: 'prod-orders',
      CompleteBackupAgeSeconds: 7200,
    });
    expect(emfs[0]?._aws.CloudWatchMetrics[0]).toMatchObject({
      Dimensions: [['service', 'environment', 'Cluster']],
      Metrics: [{ Name: 'CompleteBackupAgeSeconds', Unit: 'Seconds' }],
    });
    expect(fleet._aws.CloudWatchMetrics[0]).toMatchObject({ Dimensions: [['service', 'environment']] });
  });
});

describe('memoryCounters', () => {
  it('sums every count by name', () => {
    // Prepare
    const counters = memoryCounters();
    // Act
    counters.count('Runs');
    counters.count('Runs');
    counters.count('ClustersDone', 4);
    counters.count('ClustersDone', 2);
    // Assess
    expect(counters.totals).toEqual({ Runs: 2, ClustersDone: 6 });
  });

  it('keeps the latest value of each per-cluster metric by cluster', () => {
    // Prepare
    const counters = memoryCounters();
    // Act
    counters.perCluster?.('CompleteBackupAgeSeconds', 'prod-a', 60, 'Seconds');
    counters.perCluster?.('CompleteBackupAgeSeconds', 'prod-b', 120, 'Seconds');
    counters.perCluster?.('CompleteBackupAgeSeconds', 'prod-a', 90, 'Seconds');
    // Assess
    expect(counters.clusters).toEqual({ CompleteBackupAgeSeconds: { 'prod-a': 90, 'prod-b': 120 } });
    expect(counters.totals).toEqual({});
  });
});
