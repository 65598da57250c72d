// The schedules and event rules that invoke the job functions. Added to the stack itself, not under a construct
// of their own: the resources keep the logical ids of every earlier deployment (a new id would replace them).
import { Duration, RemovalPolicy, type Stack, TimeZone } from 'aws-cdk-lib';
import { type EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import {
  ContextAttribute,
  Schedule,
  ScheduleExpression,
  ScheduleGroup,
  ScheduleTargetInput,
  TimeWindow,
} from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { AutomationConfig } from '#lib/config/types.ts';
import { pascalCase } from '#lib/jobs/names.ts';
import { JOBS, type JobName } from '#lib/jobs/types.ts';
import { handoverPattern, requestPattern, schedulesFor } from '../triggers.ts';
import type { AutomationFunction } from './automation-function.ts';

export interface JobTriggersProps {
  config: AutomationConfig;
  envName: string;
  functions: Record<JobName, AutomationFunction>;
  deadLetters: Queue;
}

/**
 * Schedules: EventBridge Scheduler in the config's IANA time zone (right across daylight saving), no flexible
 * window. The input carries the scheduled time and execution id: a retried delivery of the same schedule has the
 * same idempotency key (lib/triggers/normalize.ts). Returns the group the schedules are in.
 */
export function addSchedules(stack: Stack, props: JobTriggersProps): ScheduleGroup {
  const { config, envName, functions, deadLetters } = props;
  // Deleted with the stack (CDK's default is RETAIN): the group has a fixed name derived from the stack, so a
  // retained group would make the next `cdk deploy` of the same stack fail with "already exists". Deleting the
  // group deletes its schedules, which are this stack's anyway.
  const group = new ScheduleGroup(stack, 'Schedules', { removalPolicy: RemovalPolicy.DESTROY });
  const timeZone = TimeZone.of(config.timeZone);
  for (const s of schedulesFor(config)) {
    new Schedule(stack, `${s.id}Schedule`, {
      scheduleGroup: group,
      description: `${s.job} ${s.action}${s.id.endsWith('FollowUp') ? ' (follow-up)' : ''} (${envName})`,
      schedule: ScheduleExpression.expression(s.expression, timeZone),
      timeWindow: TimeWindow.off(),
      target: new LambdaInvoke(functions[s.job].fn, {
        input: ScheduleTargetInput.fromObject({
          job: s.job,
          action: s.action,
          scheduledTime: ContextAttribute.scheduledTime,
          executionId: ContextAttribute.executionId,
        }),
        deadLetterQueue: deadLetters,
        retryAttempts: 3,
        maxEventAge: Duration.hours(1),
      }),
    });
  }
  return group;
}

/**
 * Two rules per job on the custom bus: its requests (its detail-types from the config's source), and the
 * hand-over of the webhooks the ingress accepted for it (`webhook.accepted`).
 */
export function addEventRules(stack: Stack, bus: EventBus, props: JobTriggersProps): void {
  const { config, envName, functions, deadLetters } = props;
  const target = (job: JobName) =>
    new LambdaFunction(functions[job].fn, {
      deadLetterQueue: deadLetters,
      retryAttempts: 3,
      maxEventAge: Duration.hours(2),
    });
  for (const job of JOBS) {
    new Rule(stack, `${pascalCase(job)}Events`, {
      eventBus: bus,
      description: `${job} requests (${envName})`,
      eventPattern: requestPattern(job, config.events.source),
      targets: [target(job)],
    });
  }
  for (const job of JOBS) {
    new Rule(stack, `${pascalCase(job)}WebhookHandover`, {
      eventBus: bus,
      description: `${job} webhooks accepted by the ingress (${envName})`,
      eventPattern: handoverPattern(job, config.events.source),
      targets: [target(job)],
    });
  }
}
