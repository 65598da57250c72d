// Readers for the CloudWatch side of a synthesised stack, shared by the alarm, dashboard and metrics-contract
// tests: the alarms as CDK wrote them, the dimensions every metric of ours carries, and a function's environment
// (what configures Powertools Metrics in the deployed function).
import type { JobName } from '#lib/jobs/types.ts';
import { logicalId, propsOf, render, type Synthesised, type TemplateJson } from '#test/infra/harness.ts';

export type Dimension = { Name: string; Value: unknown };

export interface MetricStat {
  Metric: { Namespace: string; MetricName: string; Dimensions: Dimension[] };
  Period: number;
  Stat: string;
}

export interface AlarmProps {
  AlarmDescription: string;
  AlarmActions: unknown[];
  Threshold: number;
  ComparisonOperator: string;
  TreatMissingData: string;
  EvaluationPeriods: number;
  DatapointsToAlarm?: number;
  MetricName?: string;
  Namespace?: string;
  Period?: number;
  Statistic?: string;
  Dimensions?: Dimension[];
  Metrics?: Array<{
    Id: string;
    Expression?: string;
    Period?: number;
    MetricStat?: MetricStat;
    ReturnData?: boolean;
  }>;
}

/** Every alarm of the template, as CDK wrote it. */
export const alarmsOf = (json: TemplateJson): AlarmProps[] =>
  Object.values(json.Resources)
    .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
    .map((r) => r.Properties as unknown as AlarmProps);

/** The alarms on AWS/Lambda `metricName` of one function (its logical id is the first dimension's value). */
export const lambdaAlarms = (alarms: AlarmProps[], metricName: string, functionId: string): AlarmProps[] =>
  alarms.filter(
    (a) =>
      a.Namespace === 'AWS/Lambda' &&
      a.MetricName === metricName &&
      render(a.Dimensions?.[0]?.Value) === functionId,
  );

/** The dimensions every metric of ours carries in environment `env` (lib/runtime/powertools.ts), in the
 * template's order (CDK sorts them by name; CloudWatch ignores the order). */
export const metricDimensions = (job: string, env: string = 'prod'): Dimension[] => [
  { Name: 'environment', Value: env },
  { Name: 'service', Value: job },
];

/** The `service` dimension of a metric, i.e. the job it is about. */
export const serviceOf = (m: { Dimensions: Dimension[] } | undefined): string =>
  String(m?.Dimensions.find((d) => d.Name === 'service')?.Value);

/** A job function's environment variables in the template. */
export const functionEnvironment = (job: JobName, of: Synthesised): Record<string, string> =>
  (
    propsOf(of.json, logicalId(of.stack.functions[job].fn)).Environment as {
      Variables: Record<string, string>;
    }
  ).Variables;
