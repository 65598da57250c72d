// Alerts, alarms and the dashboard of two environments of the config deployed to one account and region: each
// graphs and alarms on its own metrics only (what the engine emits to match: metrics-contract.test.ts).

import { beforeAll, describe, expect, it } from 'vitest';
import { BACKUP_READINESS_ALARMS } from '#infra/constructs/backup-readiness.ts';
import { TOKEN_ALARMS } from '#infra/constructs/observability.ts';
import { resolveConfig } from '#lib/config/load.ts';
import { actionMetricName } from '#lib/jobs/engine.ts';
import { JOBS, type JobName } from '#lib/jobs/types.ts';
import { METRICS_NAMESPACE } from '#lib/runtime/metrics.ts';
import { alarmsOf, metricDimensions as dims, lambdaAlarms, serviceOf } from '#test/infra/alarm-readers.ts';
import {
  configFile,
  logicalId,
  type Props,
  propsOf,
  render,
  type Synthesised,
  synth,
} from '#test/infra/harness.ts';

const config = resolveConfig(configFile, 'prod');
/** Two environments of the config, as if deployed to one account and region. */
const ENVS = ['prod', 'dev'] as const;
type EnvName = (typeof ENVS)[number];
const stacks = {} as Record<EnvName, Synthesised>;
let s: Synthesised;

beforeAll(() => {
  for (const envName of ENVS) stacks[envName] = synth({ envName });
  s = stacks.prod;
}, 180_000);

const alarms = () => alarmsOf(s.json);

/** Alarms whose metric (or one of whose math inputs) is `name`. */
const alarmsOn = (name: string) =>
  alarms().filter(
    (a) => a.MetricName === name || a.Metrics?.some((m) => m.MetricStat?.Metric.MetricName === name),
  );

const topicRef = () => ({ Ref: logicalId(s.stack.observability.topic) });

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
  it('backup readiness: clusters past target and at risk (hourly Maximum), failed drills', () => {
    // Act
    const past = alarmsOn('ClustersPastTarget');
    const risk = alarmsOn('ClustersAtRisk');
    const drill = alarmsOn('BackupDrillsFailed');

    // Assess
    expect(past).toHaveLength(1);
    expect(risk).toHaveLength(1);
    expect(drill).toHaveLength(1);
    expect(past[0]?.AlarmDescription).toMatch(/recovery-point target/);
    expect(past[0]?.Threshold).toBe(1);
  });

  it('every alarm notifies the alerts topic, fires at the threshold, and treats no data as fine (heartbeats aside)', () => {
    // Act
    const all = alarms().filter((a) => !a.AlarmDescription.includes('no scheduled run'));

    // Assess: per job RunsFailed, function errors, throttles and deferred clusters; the DLQ, the token alarms,
    // webhook 5xx, failed result events and token invalidations (heartbeats: test/infra/alarms.test.ts); the
    // backup readiness alarms; the webhook ingress's errors and throttles; the recreate's open window
    expect(all).toHaveLength(JOBS.length * 4 + 1 + TOKEN_ALARMS.length + 3 + BACKUP_READINESS_ALARMS + 2 + 1);
    for (const a of all) {
      expect(a.AlarmActions).toEqual([topicRef()]);
      expect(a.ComparisonOperator).toBe('GreaterThanOrEqualToThreshold');
      expect(a.TreatMissingData).toBe('notBreaching');
      expect(a.AlarmDescription).toContain('[prod]');
    }
  });

  it.each(JOBS)('%s: a failed run (RunsFailed of this job in environment prod) alarms', (job) => {
    // Act
    const found = alarmsOn('RunsFailed').filter((a) =>
      a.Metrics?.some((m) => serviceOf(m.MetricStat?.Metric) === job),
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
            Dimensions: dims(job),
          },
          Period: 300,
          Stat: 'Sum',
        },
      },
    ]);
  });

  it.each(JOBS)('%s: a function error alarms', (job) => {
    // Act
    const found = lambdaAlarms(alarms(), 'Errors', logicalId(s.stack.functions[job].fn));

    // Assess
    expect(found).toHaveLength(1);
    expect(found[0]?.Threshold).toBe(1);
  });

  it('a recreated cluster left open too long (RecreateOpenWindowExceeded > 0) alarms, teardown only', () => {
    // Act
    const found = alarmsOn('RecreateOpenWindowExceeded');

    // Assess
    expect(found).toHaveLength(1);
    expect(found[0]?.Threshold).toBe(1);
    expect(found[0]?.ComparisonOperator).toBe('GreaterThanOrEqualToThreshold');
    expect(found[0]?.AlarmActions).toEqual([topicRef()]);
    expect(JSON.stringify(found[0])).toContain('"Name":"service","Value":"teardown"');
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
        inputs.map((m) => m.MetricStat?.Metric).sort((a, b) => serviceOf(a).localeCompare(serviceOf(b))),
      ).toEqual(
        [...JOBS].sort().map((job) => ({
          Namespace: METRICS_NAMESPACE,
          MetricName: metric,
          Dimensions: dims(job),
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
  const body = (of: Synthesised = s) => {
    const [id = ''] =
      Object.entries(of.json.Resources).find(([, r]) => r.Type === 'AWS::CloudWatch::Dashboard') ?? [];
    return render(propsOf(of.json, id).DashboardBody);
  };
  const shows = (job: string, name: string) =>
    body().includes(
      JSON.stringify([METRICS_NAMESPACE, name, 'environment', 'prod', 'service', job]).slice(0, -1),
    );

  it.each(ENVS)(
    'graphs only the %s environment’s metrics: every metric of ours names its job and environment',
    (env) => {
      // Act: the metric arrays of every graph ([namespace, name, dimension, value, …, options?])
      const widgets = (
        JSON.parse(body(stacks[env])) as { widgets: Array<{ properties: { metrics?: unknown[][] } }> }
      ).widgets;
      const ours = widgets
        .flatMap((w) => w.properties.metrics ?? [])
        .filter((m) => m[0] === METRICS_NAMESPACE)
        .map((m) => m.filter((part) => typeof part === 'string'));

      // Assess
      expect(ours.length).toBeGreaterThan(JOBS.length * 3);
      for (const m of ours) {
        expect(m).toHaveLength(6);
        expect([m[2], m[3], m[4]]).toEqual(['environment', env, 'service']);
        expect(JOBS).toContain(m[5]);
      }
    },
  );

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
