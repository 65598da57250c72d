// Alerts (an encrypted SNS topic with e-mail subscriptions), alarms on failed runs, function errors, the
// dead-letter queue, token errors and auth-server 429s, and one dashboard.
//
// The job metrics are Powertools Metrics (CloudWatch EMF) in METRICS_NAMESPACE with two default dimensions in
// one dimension set: `service`, the function's POWERTOOLS_SERVICE_NAME, which the AutomationFunction construct
// sets to the job name, and `environment`, the function's AUTOMATION_ENV, which the stack sets to the
// environment's name (lib/runtime/powertools.ts). So every metric here is
// `{namespace, name, service=<job>, environment=<env>}`: that exact dimension set, or CloudWatch finds no data.
// Two environments in one account and region therefore never see each other's runs. AWS's own metrics (Lambda
// errors, the queue) are per resource and need no such dimension.

import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { heartbeatMetricName } from '#lib/jobs/engine.ts';
import { pascalCase } from '#lib/jobs/names.ts';
import type { JobName } from '#lib/jobs/types.ts';
import { ENVIRONMENT_DIMENSION, METRICS_NAMESPACE, SERVICE_DIMENSION } from '#lib/runtime/metrics.ts';
import type { TokenMetricName } from '#lib/token/provider.ts';
import type { AutomationFunction } from './automation-function.ts';
import { addBackupReadiness } from './backup-readiness.ts';

export interface ObservabilityProps {
  functions: Record<JobName, AutomationFunction>;
  deadLetters: IQueue;
  alertEmails: string[];
  envName: string;
  /** The webhook API, whose 5xx answers alarm. */
  api: IHttpApi;
  /** The webhook ingress function (the only integration of the API), whose errors and throttles alarm. */
  ingress?: AutomationFunction;
  /** One heartbeat alarm per scheduled action (infra/triggers.ts heartbeatsFor). */
  heartbeats: HeartbeatSpec[];
}

/** A scheduled action's heartbeat: how long without a run means the schedule went silent. */
export interface HeartbeatSpec {
  job: JobName;
  action: string;
  /** The longest time between two runs of the action's schedules (all of them together), in hours. */
  longestGapHours: number;
  /** The alarm's period: the longest gap plus HEARTBEAT_SLACK_HOURS, whole hours. */
  periodHours: number;
}

/** What a heartbeat waits beyond the longest gap: the run's own duration, Scheduler's retries (max event age 1 h). */
export const HEARTBEAT_SLACK_HOURS = 1;
/** CloudWatch's longest evaluation range for one alarm (period × evaluation periods): 7 days. */
export const MAX_HEARTBEAT_PERIOD_HOURS = 7 * 24;

/** Deferred clusters alarm when they happen on this many consecutive days (each run picks up the last's). */
export const DEFERRED_DAYS = 2;
/** Token invalidations (the Console refused a token that should have been good) per hour that alarm. */
export const TOKEN_INVALIDATIONS_PER_HOUR = 3;

const FIVE_MINUTES = Duration.minutes(5);

export { ENVIRONMENT_DIMENSION, SERVICE_DIMENSION };

/** Token-provider counters that raise an alarm, with the count (summed over all jobs, per 5 minutes) that does. */
export const TOKEN_ALARMS: ReadonlyArray<{
  metric: TokenMetricName;
  threshold: number;
  description: string;
}> = [
  {
    metric: 'AuthRejected',
    threshold: 1,
    description:
      "Camunda's auth server rejected the Console API credentials (401/400): check the credentials secret",
  },
  {
    metric: 'AuthRateLimited',
    threshold: 1,
    description:
      "Camunda's auth server answered 429: token requests from this IP are blocked for a while (about 1 per second per source IP)",
  },
  {
    metric: 'AuthUnavailable',
    threshold: 3,
    description: "Camunda's auth server failed to answer token requests (5xx or timeouts), repeatedly",
  },
  {
    metric: 'SharedCacheUnavailable',
    threshold: 1,
    description:
      'The shared token cache (DynamoDB) failed; containers fell back to asking the auth server themselves',
  },
];

/** A counter one job emits in one environment. */
export function jobMetric(job: string, envName: string, name: string, label = name): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { [SERVICE_DIMENSION]: job, [ENVIRONMENT_DIMENSION]: envName },
    statistic: 'Sum',
    period: FIVE_MINUTES,
    label,
  });
}

/** The same counter summed over every job of one environment (missing data counts as 0). */
export function allJobs(
  jobs: readonly string[],
  envName: string,
  name: string,
  label = name,
  period: Duration = FIVE_MINUTES,
): IMetric {
  // Ids unique per metric name: one graph may hold several of these expressions.
  const id = (i: number) => `${name.toLowerCase()}_${i}`;
  const usingMetrics: Record<string, IMetric> = {};
  jobs.forEach((job, i) => {
    usingMetrics[id(i)] = jobMetric(job, envName, name).with({ period });
  });
  return new MathExpression({
    expression: jobs.map((_, i) => `FILL(${id(i)}, 0)`).join(' + '),
    usingMetrics,
    label,
    period,
  });
}

export class Observability extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    // CloudWatch alarms can only publish to an encrypted topic whose key lets CloudWatch use it (the AWS
    // managed aws/sns key does not): hence a key of our own.
    const key = new Key(this, 'TopicKey', {
      description: 'Camunda console automation alerts topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    this.topic = new Topic(this, 'Alerts', {
      masterKey: key,
      enforceSSL: true,
      displayName: `Camunda automation alerts (${props.envName})`,
    });
    // The topic policy (enforceSSL) replaces SNS's default one, so CloudWatch needs its own statement: only
    // this account's alarms may publish. Publishing to an encrypted topic also needs the key (its policy).
    const cloudwatch = new ServicePrincipal('cloudwatch.amazonaws.com');
    // Confused-deputy guard on both: only CloudWatch alarms of this account and region (any alarm ARN there: the
    // alarms' own ARNs cannot be named without a cycle, topic → key → alarm → topic).
    const stack = Stack.of(this);
    const alarmsHere = {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: {
        'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*`,
      },
    };
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AlarmsOfThisAccountPublish',
        principals: [cloudwatch],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: alarmsHere,
      }),
    );
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AlarmsOfThisAccountUseTheKey',
        principals: [cloudwatch],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: alarmsHere,
      }),
    );
    for (const email of props.alertEmails) this.topic.addSubscription(new EmailSubscription(email));
    const action = new SnsAction(this.topic);
    const jobs = Object.keys(props.functions) as JobName[];
    // This environment's metrics only.
    const counter = (job: string, name: string, label = name) => jobMetric(job, props.envName, name, label);
    const sum = (name: string, label = name) => allJobs(jobs, props.envName, name, label);

    const alarm = (alarmId: string, description: string, metric: IMetric, threshold = 1) => {
      const a = new Alarm(this, alarmId, {
        alarmDescription: `${description} [${props.envName}]`,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      a.addAlarmAction(action);
      this.alarms.push(a);
      return a;
    };

    for (const job of jobs) {
      const fn = props.functions[job].fn;
      const name = pascalCase(job);
      alarm(
        `${name}RunsFailed`,
        `${job}: a run failed (a cluster failed, or a guard such as the blast-radius limit tripped)`,
        counter(job, 'RunsFailed'),
      );
      alarm(
        `${name}FunctionErrors`,
        `${job}: the function ended in an error (a failed run, or a crash before the run summary)`,
        fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
      );
    }
    alarm(
      'DeadLetters',
      'Invocations that failed every retry (and undeliverable schedules/events) wait in the dead-letter queue',
      props.deadLetters.metricApproximateNumberOfMessagesVisible({
        period: FIVE_MINUTES,
        statistic: 'Maximum',
      }),
    );
    for (const t of TOKEN_ALARMS) alarm(t.metric, t.description, sum(t.metric), t.threshold);

    // Silence: a scheduled action that did not run for longer than its schedule's longest gap (plus slack). No
    // data is the point here, so missing data breaches.
    for (const h of props.heartbeats) {
      const a = new Alarm(this, `${pascalCase(h.job)}${pascalCase(h.action)}Heartbeat`, {
        alarmDescription: `${h.job} ${h.action}: no scheduled run for ${h.periodHours} hours (the schedule's longest gap is ${h.longestGapHours} hours): the schedule stopped, is disabled, or its runs never reach a summary [${props.envName}]`,
        metric: jobMetric(h.job, props.envName, heartbeatMetricName(h.action)).with({
          period: Duration.hours(h.periodHours),
        }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.BREACHING,
      });
      a.addAlarmAction(action);
      this.alarms.push(a);
    }
    for (const job of jobs) {
      alarm(
        `${pascalCase(job)}Throttles`,
        `${job}: Lambda throttled invocations (reserved concurrency or the account limit reached); schedules and events are retried, webhooks get 429`,
        props.functions[job].fn.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }),
      );
      const deferred = new Alarm(this, `${pascalCase(job)}ClustersDeferred`, {
        alarmDescription: `${job}: clusters deferred (time budget used up) on ${DEFERRED_DAYS} consecutive days: the runs do not keep up [${props.envName}]`,
        metric: jobMetric(job, props.envName, 'ClustersDeferred').with({ period: Duration.days(1) }),
        threshold: 1,
        evaluationPeriods: DEFERRED_DAYS,
        datapointsToAlarm: DEFERRED_DAYS,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      deferred.addAlarmAction(action);
      this.alarms.push(deferred);
    }
    if (props.ingress) {
      alarm(
        'WebhookIngressErrors',
        'The webhook ingress ended in an error (secrets, ledger or bus unreachable): webhooks are answered 5xx and not run',
        props.ingress.fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
      );
      alarm(
        'WebhookIngressThrottles',
        'Lambda throttled the webhook ingress (account concurrency reached): webhooks are answered 429',
        props.ingress.fn.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }),
      );
    }
    alarm(
      'WebhookServerErrors',
      'The webhook API answered 5xx (the function crashed or timed out, or API Gateway failed to reach it)',
      props.api.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum' }),
    );
    alarm(
      'ResultEventsFailed',
      'A run’s result event (or the teardown notice) was not published on the bus: whoever routes results to chat or mail did not get it',
      sum('ResultEventsFailed'),
    );
    if (jobs.includes('teardown')) {
      alarm(
        'RecreateOpenWindowExceeded',
        'teardown recreate: a recreated cluster stayed open (placeholder allowlist) longer than teardown.recreate.maxOpenWindowMinutes',
        counter('teardown', 'RecreateOpenWindowExceeded'),
      );
    }
    alarm(
      'TokenInvalidations',
      `The Console API refused tokens that should have been valid, ${TOKEN_INVALIDATIONS_PER_HOUR} or more times in an hour`,
      allJobs(jobs, props.envName, 'TokenInvalidations', 'TokenInvalidations', Duration.hours(1)),
      TOKEN_INVALIDATIONS_PER_HOUR,
    );

    this.dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.days(7) });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: `# Camunda console automation (${props.envName})\nRuns, clusters acted on, failures, and where Console API tokens came from. Dry runs count as runs; only real actions count as clusters acted on.`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'Runs per job', left: jobs.map((j) => counter(j, 'Runs', j)), width: 12 }),
      new GraphWidget({
        title: 'Failures',
        left: [
          ...jobs.map((j) => counter(j, 'RunsFailed', `${j} runs failed`)),
          ...jobs.map((j) => counter(j, 'ClustersFailed', `${j} clusters failed`)),
        ],
        right: jobs.map((j) =>
          props.functions[j].fn.metricErrors({
            period: FIVE_MINUTES,
            statistic: 'Sum',
            label: `${j} errors`,
          }),
        ),
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Clusters acted on',
        left: [
          counter('backup', 'BackupCreated', 'backed up'),
          counter('teardown', 'ClusterDeleted', 'torn down'),
          counter('teardown', 'ClusterRecreated', 'recreated'),
          counter('allowlist-sync', 'AllowlistUpdated', 'allowlists synced'),
          counter('secrets-sync', 'SecretsSynced', 'connector secrets synced'),
        ],
        width: 12,
      }),
      new GraphWidget({
        title: 'Deferred and skipped clusters',
        left: [
          ...jobs.map((j) => counter(j, 'ClustersDeferred', `${j} deferred`)),
          ...jobs.map((j) => counter(j, 'ClustersSkipped', `${j} skipped`)),
        ],
        right: [
          props.deadLetters.metricApproximateNumberOfMessagesVisible({
            period: FIVE_MINUTES,
            statistic: 'Maximum',
            label: 'dead letters',
          }),
        ],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Token source',
        left: [
          sum('TokenFromMemory', 'memory'),
          sum('TokenFromShared', 'shared (DynamoDB)'),
          sum('TokenFromAuth', 'auth server'),
        ],
        width: 12,
      }),
      new GraphWidget({
        title: 'Auth server calls and refusals',
        left: [sum('AuthCalls', 'auth calls')],
        right: [
          sum('AuthRateLimited', '429'),
          sum('AuthRejected', 'rejected'),
          sum('AuthUnavailable', 'unavailable'),
          sum('TokenWaits', 'waits'),
          sum('LeaseTakeovers', 'lease takeovers'),
        ],
        width: 12,
      }),
    );
    addBackupReadiness({ envName: props.envName, dashboard: this.dashboard, alarm });
  }
}
