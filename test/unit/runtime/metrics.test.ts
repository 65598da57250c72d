// The counter ports: Powertools Metrics (CloudWatch EMF) and the in-memory counters of tests and local runs.
import { Metrics } from '@aws-lambda-powertools/metrics';
import { describe, expect, it } from 'vitest';
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
});
