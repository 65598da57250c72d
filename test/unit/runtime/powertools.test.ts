// Powertools Metrics as the functions build it: every metric, the cold-start one included, carries the job
// (`service`) and the deployed environment (`environment`) in one dimension set, which is what the alarms name.
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { METRICS_NAMESPACE, metricsEnvironment, powertoolsCounters } from '#lib/runtime/metrics.ts';
import { createMetrics } from '#lib/runtime/powertools.ts';

interface Emf {
  _aws: {
    CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }>;
  };
  [key: string]: unknown;
}

const functionEnv = (automationEnv?: string) => ({
  POWERTOOLS_SERVICE_NAME: 'backup',
  POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
  ...(automationEnv === undefined ? {} : { AUTOMATION_ENV: automationEnv }),
});

const context = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'CamundaConsoleAutomation-dev-BackupJobFunction',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-central-1:123456789012:function:CamundaConsoleAutomation-dev-Backup',
  memoryLimitInMB: '512',
  awsRequestId: 'request-1',
  logGroupName: '/aws/lambda/backup',
  logStreamName: 'local',
  getRemainingTimeInMillis: () => 60_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
} as Context;

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('createMetrics', () => {
  it('puts `service` (the job) and `environment` (AUTOMATION_ENV) on a counter, in one dimension set', () => {
    // Prepare
    const metrics = createMetrics(functionEnv('dev'));

    // Act
    powertoolsCounters(metrics).count('RunsFailed');
    const emf = metrics.serializeMetrics() as unknown as Emf;

    // Assess
    const [directive, ...others] = emf._aws.CloudWatchMetrics;
    expect(others).toEqual([]);
    expect(directive?.Namespace).toBe(METRICS_NAMESPACE);
    expect(directive?.Dimensions).toEqual([['service', 'environment']]);
    expect(directive?.Metrics.map((m) => m.Name)).toEqual(['RunsFailed']);
    expect(emf.service).toBe('backup');
    expect(emf.environment).toBe('dev');
    expect(emf.RunsFailed).toBe(1);
  });

  it.each([
    ['unset', undefined],
    ['blank', '  '],
  ])(
    'names the environment `default` when AUTOMATION_ENV is %s, as the stack does without -c env',
    (_, value) => {
      // Prepare
      const metrics = createMetrics(functionEnv(value));

      // Act
      powertoolsCounters(metrics).count('Runs');
      const emf = metrics.serializeMetrics() as unknown as Emf;

      // Assess
      expect(emf._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service', 'environment']]);
      expect(emf.environment).toBe('default');
      expect(metricsEnvironment(functionEnv(value))).toBe('default');
    },
  );

  it('trims the environment name', () => {
    expect(metricsEnvironment({ AUTOMATION_ENV: ' prod ' })).toBe('prod');
  });

  it('through the handler middleware, the cold-start metric and the flushed counters both carry the environment', async () => {
    // Prepare: the middleware the functions use (lib/runtime/middleware.ts) in a container Lambda started on
    // demand (Powertools counts a cold start only then), EMF lines captured from stdout
    vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', 'on-demand');
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const metrics = createMetrics(functionEnv('prod'));
    const handler = middy<unknown, void>()
      .use(logMetrics(metrics, { captureColdStartMetric: true }))
      .handler(async () => {
        powertoolsCounters(metrics).count('Runs');
      });

    // Act
    await handler({}, context);
    vi.restoreAllMocks();
    const emfs = written
      .flatMap((chunk) => chunk.split('\n'))
      .filter((line) => line.includes('"_aws"'))
      .map((line) => JSON.parse(line) as Emf);

    // Assess
    const coldStart = emfs.find((e) => e.ColdStart === 1);
    const runs = emfs.find((e) => e.Runs === 1);
    expect(emfs).toHaveLength(2);
    expect(coldStart?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([
      ['service', 'environment', 'function_name'],
    ]);
    expect(coldStart).toMatchObject({
      service: 'backup',
      environment: 'prod',
      function_name: context.functionName,
    });
    expect(runs?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service', 'environment']]);
    expect(runs).toMatchObject({ service: 'backup', environment: 'prod' });
  });
});
