// Alerts, alarms and the dashboard, and the contract that makes them see data: the metrics the real engine
// emits through Powertools Metrics (configured by the function's environment) carry exactly the namespace,
// name and `service` + `environment` dimensions the alarms and widgets ask CloudWatch for, so two environments
// in one account and region never see each other's metrics.

import { beforeAll, describe, expect, it } from 'vitest';
import { BACKUP_READINESS_ALARMS } from '#infra/constructs/backup-readiness.ts';
import { TOKEN_ALARMS } from '#infra/constructs/observability.ts';
import { resolveConfig } from '#lib/config/load.ts';
import { actionMetricName, executeRun } from '#lib/jobs/engine.ts';
import { JOBS, type JobName } from '#lib/jobs/types.ts';
import { silentLog } from '#lib/log/log.ts';
import { memoryPublisher } from '#lib/runtime/events.ts';
import { METRICS_NAMESPACE, powertoolsCounters } from '#lib/runtime/metrics.ts';
import { createMetrics } from '#lib/runtime/powertools.ts';
import { createMemoryStores } from '#test/fakes/state.ts';
import { configFile, logicalId, propsOf, render, type Synthesised, synth } from '#test/infra/harness.ts';

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

/** The dimensions every metric of ours carries in environment `env` (lib/runtime/powertools.ts), in the
 * template's order (CDK sorts them by name; CloudWatch ignores the order). */
const dims = (job: string, env: string = 'prod') => [
  { Name: 'environment', Value: env },
  { Name: 'service', Value: job },
];
const serviceOf = (m: { Dimensions: Dimension[] } | undefined) =>
  String(m?.Dimensions.find((d) => d.Name === 'service')?.Value);

type Props = Record<string, unknown>;
type Dimension = { Name: string; Value: unknown };
interface MetricStat {
  Metric: { Namespace: string; MetricName: string; Dimensions: Dimension[] };
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
  Dimensions?: Dimension[];
  Metrics?: Array<{ Id: string; Expression?: string; MetricStat?: MetricStat; ReturnData?: boolean }>;
}

const alarms = (of: Synthesised = s) =>
  Object.values(of.json.Resources)
    .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
    .map((r) => r.Properties as unknown as AlarmProps);

/** Alarms whose metric (or one of whose math inputs) is `name`. */
const alarmsOn = (name: string, of: Synthesised = s) =>
  alarms(of).filter(
    (a) => a.MetricName === name || a.Metrics?.some((m) => m.MetricStat?.Metric.MetricName === name),
  );

const topicRef = () => ({ Ref: logicalId(s.stack.observability.topic) });

const fnEnv = (job: JobName, of: Synthesised = s) =>
  (
    propsOf(of.json, logicalId(of.stack.functions[job].fn)).Environment as {
      Variables: Record<string, string>;
    }
  ).Variables;

/** The metric a job's RunsFailed alarm watches. */
const runsFailedWatched = (job: JobName, of: Synthesised) =>
  alarmsOn('RunsFailed', of)
    .flatMap((a) => a.Metrics ?? [])
    .map((m) => m.MetricStat?.Metric)
    .find((m) => serviceOf(m) === job);

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

describe('metrics contract', () => {
  it.each(ENVS)(
    '%s: the engine’s counters, through Powertools configured by the function’s environment, are what this environment’s alarms watch, and no other’s',
    async (env) => {
      // Prepare: a container of the backup function (its env from this environment's template), a run with one
      // failed cluster
      const stack = stacks[env];
      const otherEnv = ENVS.find((e) => e !== env) ?? env;
      const metrics = createMetrics(fnEnv('backup', stack));
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
      } & Record<string, unknown>;

      // Assess: one dimension set {service=job, environment=env}, the alarm's namespace and the metric names
      expect(summary.failed).toBe(true);
      const [directive, ...more] = emf._aws.CloudWatchMetrics;
      expect(more).toEqual([]);
      expect(directive?.Namespace).toBe(METRICS_NAMESPACE);
      expect(directive?.Dimensions).toEqual([['service', 'environment']]);
      expect(emf.service).toBe('backup');
      expect(emf.environment).toBe(env);
      const emitted = directive?.Metrics.map((m) => m.Name) ?? [];
      expect(emitted).toEqual(
        expect.arrayContaining(['Runs', 'RunsFailed', 'ClustersFailed', 'BackupCreated']),
      );
      // What CloudWatch stores: the namespace, the name, and exactly the dimensions of the one set, with values
      const stored = {
        Namespace: directive?.Namespace,
        MetricName: 'RunsFailed',
        Dimensions: (directive?.Dimensions[0] ?? []).map((name) => ({ Name: name, Value: emf[name] })),
      };
      const byName = (d: Dimension[] = []) => [...d].sort((a, b) => a.Name.localeCompare(b.Name));
      const watched = runsFailedWatched('backup', stack);
      const othersWatched = runsFailedWatched('backup', stacks[otherEnv]);
      expect({ ...watched, Dimensions: byName(watched?.Dimensions) }).toEqual({
        ...stored,
        Dimensions: byName(stored.Dimensions),
      });
      // …and the other environment's alarm watches its own environment: it never sees these
      expect(otherEnv).not.toBe(env);
      expect(othersWatched?.Dimensions).toEqual(dims('backup', otherEnv));
      expect({ ...othersWatched, Dimensions: byName(othersWatched?.Dimensions) }).not.toEqual({
        ...stored,
        Dimensions: byName(stored.Dimensions),
      });
    },
  );
});
