// Alerts, alarms and the dashboard, and the contract that makes them see data: the metrics the real engine
// emits through Powertools Metrics (configured by the function's environment) carry exactly the namespace,
// name and `service` dimension the alarms and widgets ask CloudWatch for.
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { TOKEN_ALARMS } from '#infra/constructs/observability.ts';
import { resolveConfig } from '#lib/config/load.ts';
import { actionMetricName, executeRun } from '#lib/jobs/engine.ts';
import { JOBS, type JobName } from '#lib/jobs/types.ts';
import { memoryPublisher } from '#lib/runtime/events.ts';
import { silentLog } from '#lib/runtime/log.ts';
import { METRICS_NAMESPACE, powertoolsCounters } from '#lib/runtime/metrics.ts';
import { createMemoryStores } from '#test/fakes/state.ts';
import { configFile, logicalId, propsOf, render, type Synthesised, synth } from '#test/infra/harness.ts';

const config = resolveConfig(configFile, 'prod');
let s: Synthesised;

beforeAll(() => {
  s = synth({ envName: 'prod' });
}, 120_000);

afterEach(() => {
  vi.unstubAllEnvs();
});

type Props = Record<string, unknown>;
interface MetricStat {
  Metric: { Namespace: string; MetricName: string; Dimensions: Array<{ Name: string; Value: unknown }> };
  Period: number;
  Stat: string;
}
interface AlarmProps {
  AlarmDescription: string;
  AlarmActions: unknown[];
  Threshold: number;
  ComparisonOperator: string;
  TreatMissingData: string;
  EvaluationPeriods: number;
  MetricName?: string;
  Namespace?: string;
  Dimensions?: Array<{ Name: string; Value: unknown }>;
  Metrics?: Array<{ Id: string; Expression?: string; MetricStat?: MetricStat; ReturnData?: boolean }>;
}

const alarms = () =>
  Object.values(s.json.Resources)
    .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
    .map((r) => r.Properties as unknown as AlarmProps);

/** Alarms whose metric (or one of whose math inputs) is `name`. */
const alarmsOn = (name: string) =>
  alarms().filter(
    (a) => a.MetricName === name || a.Metrics?.some((m) => m.MetricStat?.Metric.MetricName === name),
  );

const topicRef = () => ({ Ref: logicalId(s.stack.observability.topic) });

const fnEnv = (job: JobName) =>
  (propsOf(s.json, logicalId(s.stack.functions[job].fn)).Environment as { Variables: Record<string, string> })
    .Variables;

describe('alerts topic', () => {
  it('is encrypted with its own key, mails the environment’s addresses, and lets this account’s alarms publish', () => {
    // Act
    const topic = s.json.Resources[logicalId(s.stack.observability.topic)]?.Properties as Props;
    const subscriptions = Object.values(s.json.Resources)
      .filter((r) => r.Type === 'AWS::SNS::Subscription')
      .map((r) => r.Properties as Props);

    // Assess
    expect(render(topic.KmsMasterKeyId)).toMatch(/TopicKey.*\.Arn$/);
    expect(subscriptions.map((p) => [p.Protocol, p.Endpoint])).toEqual(
      config.alerts.emails.map((e) => ['email', e]),
    );
    expect(config.alerts.emails).toEqual(['platform-oncall@example.com', 'camunda-owners@example.com']);
    s.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: [
          { Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
          {
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          },
        ],
      },
    });
  });
});

describe('alarms', () => {
  it('every alarm notifies the alerts topic, fires at the threshold, and treats no data as fine', () => {
    // Act
    const all = alarms();

    // Assess: per job RunsFailed + function errors, the DLQ, and the token alarms
    expect(all).toHaveLength(JOBS.length * 2 + 1 + TOKEN_ALARMS.length);
    for (const a of all) {
      expect(a.AlarmActions).toEqual([topicRef()]);
      expect(a.ComparisonOperator).toBe('GreaterThanOrEqualToThreshold');
      expect(a.TreatMissingData).toBe('notBreaching');
      expect(a.AlarmDescription).toContain('[prod]');
    }
  });

  it.each(JOBS)('%s: a failed run (RunsFailed, service=%s) alarms', (job) => {
    // Act
    const found = alarmsOn('RunsFailed').filter((a) =>
      a.Metrics?.some((m) => m.MetricStat?.Metric.Dimensions.some((d) => d.Value === job)),
    );

    // Assess
    expect(found).toHaveLength(1);
    expect(found[0]?.Threshold).toBe(1);
    expect(found[0]?.Metrics).toEqual([
      {
        Id: expect.any(String),
        Label: 'RunsFailed',
        ReturnData: true,
        MetricStat: {
          Metric: {
            Namespace: METRICS_NAMESPACE,
            MetricName: 'RunsFailed',
            Dimensions: [{ Name: 'service', Value: job }],
          },
          Period: 300,
          Stat: 'Sum',
        },
      },
    ]);
  });

  it.each(JOBS)('%s: a function error alarms', (job) => {
    // Act
    const found = alarms().filter(
      (a) =>
        a.Namespace === 'AWS/Lambda' &&
        a.MetricName === 'Errors' &&
        render(a.Dimensions?.[0]?.Value) === logicalId(s.stack.functions[job].fn),
    );

    // Assess
    expect(found).toHaveLength(1);
    expect(found[0]?.Threshold).toBe(1);
  });

  it('a message in the dead-letter queue alarms', () => {
    // Act
    const found = alarmsOn('ApproximateNumberOfMessagesVisible');

    // Assess
    expect(found).toHaveLength(1);
    expect(found[0]?.Namespace).toBe('AWS/SQS');
    expect(render(found[0]?.Dimensions?.[0]?.Value)).toBe(`${logicalId(s.stack.deadLetters)}.QueueName`);
    expect(found[0]?.Threshold).toBe(1);
  });

  it.each(TOKEN_ALARMS.map((t) => [t.metric, t.threshold] as const))(
    'token trouble: %s summed over every job alarms at %d',
    (metric, threshold) => {
      // Act
      const [alarm, ...others] = alarmsOn(metric);
      const inputs = (alarm?.Metrics ?? []).filter((m) => m.MetricStat);
      const expression = alarm?.Metrics?.find((m) => m.Expression);

      // Assess
      expect(others).toEqual([]);
      expect(alarm?.Threshold).toBe(threshold);
      expect(
        inputs
          .map((m) => m.MetricStat?.Metric)
          .sort((a, b) => String(a?.Dimensions[0]?.Value).localeCompare(String(b?.Dimensions[0]?.Value))),
      ).toEqual(
        [...JOBS].sort().map((job) => ({
          Namespace: METRICS_NAMESPACE,
          MetricName: metric,
          Dimensions: [{ Name: 'service', Value: job }],
        })),
      );
      for (const m of inputs) expect(expression?.Expression).toContain(`FILL(${m.Id}, 0)`);
    },
  );

  it('covers the four token metrics the brief names', () => {
    expect(TOKEN_ALARMS.map((t) => t.metric).sort()).toEqual(
      ['AuthRateLimited', 'AuthRejected', 'AuthUnavailable', 'SharedCacheUnavailable'].sort(),
    );
  });
});

describe('dashboard', () => {
  const body = () => {
    const [id = ''] =
      Object.entries(s.json.Resources).find(([, r]) => r.Type === 'AWS::CloudWatch::Dashboard') ?? [];
    return render(propsOf(s.json, id).DashboardBody);
  };
  const shows = (job: string, name: string) =>
    body().includes(JSON.stringify([METRICS_NAMESPACE, name, 'service', job]).slice(0, -1));

  it('shows runs and failures per job', () => {
    for (const job of JOBS) {
      expect(shows(job, 'Runs')).toBe(true);
      expect(shows(job, 'RunsFailed')).toBe(true);
      expect(shows(job, 'ClustersFailed')).toBe(true);
    }
  });

  it('shows clusters backed up, torn down, recreated and synced, under the names the engine gives done actions', () => {
    // Prepare: the outcome actions the use cases report when they did something
    const acted: Array<[JobName, string]> = [
      ['backup', 'backup-created'],
      ['teardown', 'cluster-deleted'],
      ['teardown', 'cluster-recreated'],
      ['allowlist-sync', 'allowlist-updated'],
    ];

    // Act
    const names = acted.map(([job, action]) => [job, actionMetricName(action)] as const);

    // Assess
    expect(names.map(([, n]) => n)).toEqual([
      'BackupCreated',
      'ClusterDeleted',
      'ClusterRecreated',
      'AllowlistUpdated',
    ]);
    for (const [job, name] of names) expect(shows(job, name)).toBe(true);
  });

  it('shows where tokens came from and the auth-server calls, per job', () => {
    for (const name of [
      'TokenFromMemory',
      'TokenFromShared',
      'TokenFromAuth',
      'AuthCalls',
      'AuthRateLimited',
    ]) {
      for (const job of JOBS) expect(shows(job, name)).toBe(true);
    }
  });
});

describe('metrics contract', () => {
  it('the engine’s counters, through Powertools configured by the function’s environment, are what the alarms watch', async () => {
    // Prepare: a container of the backup function (its env from the template), a run with one failed cluster
    const env = fnEnv('backup');
    vi.stubEnv('POWERTOOLS_SERVICE_NAME', env.POWERTOOLS_SERVICE_NAME);
    vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', env.POWERTOOLS_METRICS_NAMESPACE);
    const metrics = new Metrics();
    let now = Date.parse('2026-03-02T02:00:00Z');
    const clock = { now: () => now++ };
    const stores = createMemoryStores(clock);
    const deps = {
      ledger: stores.ledger,
      claims: stores.claims,
      clock,
      log: silentLog,
      metrics: powertoolsCounters(metrics),
      events: memoryPublisher(),
    };
    const clusters = [
      { clusterId: 'c1', clusterName: 'prod-a' },
      { clusterId: 'c2', clusterName: 'prod-b' },
    ];

    // Act
    const summary = await executeRun(
      deps,
      { job: 'backup', action: 'run' },
      { source: 'schedule', idempotencyKey: 'backup:run:2026-03-02T02:00:00Z', at: '2026-03-02T02:00:00Z' },
      { dryRun: false, concurrency: 1, timeMarginMs: 0, leaseMs: 600_000, retryFailed: true },
      async (scope) => ({
        clusters: await scope.forEachCluster(clusters, async (c) =>
          c.clusterId === 'c1'
            ? { ...c, status: 'done', action: 'backup-created' }
            : { ...c, status: 'failed', error: 'ConsoleApiError: 503' },
        ),
      }),
    );
    const emf = metrics.serializeMetrics() as unknown as {
      _aws: {
        CloudWatchMetrics: Array<{
          Namespace: string;
          Dimensions: string[][];
          Metrics: Array<{ Name: string }>;
        }>;
      };
      service: string;
    };

    // Assess: the EMF document has the alarm's namespace, the `service` dimension = job, and the metric names
    expect(summary.failed).toBe(true);
    const [directive] = emf._aws.CloudWatchMetrics;
    expect(directive?.Namespace).toBe(METRICS_NAMESPACE);
    expect(directive?.Dimensions).toEqual([['service']]);
    expect(emf.service).toBe('backup');
    const emitted = directive?.Metrics.map((m) => m.Name) ?? [];
    expect(emitted).toEqual(
      expect.arrayContaining(['Runs', 'RunsFailed', 'ClustersFailed', 'BackupCreated']),
    );
    const watched = alarmsOn('RunsFailed')
      .flatMap((a) => a.Metrics ?? [])
      .map((m) => m.MetricStat?.Metric)
      .find((m) => m?.Dimensions[0]?.Value === 'backup');
    expect(watched).toEqual({
      Namespace: directive?.Namespace,
      MetricName: 'RunsFailed',
      Dimensions: (directive?.Dimensions[0] ?? []).map((name) => ({ Name: name, Value: emf.service })),
    });
  });
});
