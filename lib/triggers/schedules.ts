// Schedules: EventBridge Scheduler deliveries (our schedules' input, with their context fields) and
// classic EventBridge schedule rules (no input: the rule's name says the action).
import type { JOB_ACTIONS, JobName } from '#lib/catalog/jobs.ts';
import { parseJobRequest } from './requests.ts';
import {
  type Dict,
  isoTime,
  type NormalizedTrigger,
  nonEmpty,
  omit,
  type TriggerOptions,
} from './trigger.ts';

/** The action a plain schedule (classic rule, no input) runs. */
export const DEFAULT_ACTIONS = {
  backup: 'run',
  teardown: 'run',
  'allowlist-sync': 'sync',
  'secrets-sync': 'sync',
} as const satisfies { [J in JobName]: (typeof JOB_ACTIONS)[J][number] };

const SCHEDULER_CONTEXT = ['scheduledTime', 'executionId', 'scheduleArn'] as const;

export function fromScheduler(event: Dict, options: TriggerOptions): NormalizedTrigger {
  const at = isoTime(
    event.scheduledTime,
    'scheduledTime (the schedule input must pass <aws.scheduler.scheduled-time>)',
  );
  nonEmpty(event.executionId, 'executionId (the schedule input must pass <aws.scheduler.execution-id>)');
  const request = parseJobRequest(omit(event, SCHEDULER_CONTEXT), options.job);
  return {
    kind: 'run',
    request,
    delivery: { source: 'schedule', idempotencyKey: `${request.job}:${request.action}:${at}`, at },
  };
}

export function fromScheduledRule(event: Dict, options: TriggerOptions): NormalizedTrigger {
  const at = isoTime(event.time, 'time');
  const ruleArn = Array.isArray(event.resources)
    ? event.resources.find((r) => typeof r === 'string')
    : undefined;
  const ruleName = typeof ruleArn === 'string' ? (ruleArn.split('/').pop() ?? '').toLowerCase() : '';
  let action: string = DEFAULT_ACTIONS[options.job];
  if (options.job === 'teardown') {
    if (ruleName.endsWith('-notice')) action = 'notice';
    else if (ruleName.endsWith('-recreate')) action = 'recreate';
  }
  const request = parseJobRequest({ job: options.job, action }, options.job);
  return {
    kind: 'run',
    request,
    delivery: { source: 'schedule', idempotencyKey: `${request.job}:${request.action}:${at}`, at },
  };
}
