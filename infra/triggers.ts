// What triggers each job and what each job may publish, as plain data the stack turns into schedules, event
// rules and IAM conditions (and the tests and the local stack read without a synth).
import { type EventPattern, Match } from 'aws-cdk-lib/aws-events';
import { NOTICE_EVENT } from '#functions/teardown/notice.ts';
import { READY_EVENT, RECREATE_CONTINUATION } from '#functions/teardown/recreate.ts';
import { longestGapMs } from '#lib/config/schedule-times.ts';
import type { AutomationConfig } from '#lib/config/types.ts';
import { JOB_ACTIONS, type JobName } from '#lib/jobs/types.ts';
import { CLUSTER_CREATED, RECREATE_RESULT, WEBHOOK_ACCEPTED } from '#lib/triggers/normalize.ts';
import {
  HEARTBEAT_SLACK_HOURS,
  type HeartbeatSpec,
  MAX_HEARTBEAT_PERIOD_HOURS,
} from './constructs/observability.ts';

export interface ScheduleSpec {
  /** Construct id of the schedule (stable: renaming it replaces the schedule). */
  id: string;
  job: JobName;
  action: string;
  /** EventBridge Scheduler expression, evaluated in the config's time zone. */
  expression: string;
}

/**
 * The schedules the config asks for: only enabled jobs get any; recreate (and its follow-up run, which
 * re-applies allowlists once the new clusters are Healthy) only when enabled.
 */
export function schedulesFor(config: AutomationConfig): ScheduleSpec[] {
  const out: ScheduleSpec[] = [];
  const { backup, teardown, allowlist, secretsSync } = config;
  if (backup.enabled)
    out.push({ id: 'BackupRun', job: 'backup', action: 'run', expression: backup.schedule });
  if (backup.enabled && backup.targets.length > 0)
    out.push({ id: 'BackupCheck', job: 'backup', action: 'check', expression: backup.checkSchedule });
  if (backup.enabled && backup.drill.enabled && backup.drill.cluster !== undefined)
    out.push({ id: 'BackupDrill', job: 'backup', action: 'drill', expression: backup.drill.schedule });
  if (teardown.enabled) {
    out.push({
      id: 'TeardownNotice',
      job: 'teardown',
      action: 'notice',
      expression: teardown.noticeSchedule,
    });
    out.push({ id: 'TeardownRun', job: 'teardown', action: 'run', expression: teardown.schedule });
    if (teardown.recreate.enabled) {
      const { schedule, followUpSchedule } = teardown.recreate;
      out.push({ id: 'TeardownRecreate', job: 'teardown', action: 'recreate', expression: schedule });
      out.push({
        id: 'TeardownRecreateFollowUp',
        job: 'teardown',
        action: 'recreate',
        expression: followUpSchedule,
      });
    }
  }
  if (allowlist.enabled) {
    out.push({
      id: 'AllowlistSyncSync',
      job: 'allowlist-sync',
      action: 'sync',
      expression: allowlist.schedule,
    });
  }
  if (secretsSync.enabled) {
    out.push({
      id: 'SecretsSyncSync',
      job: 'secrets-sync',
      action: 'sync',
      expression: secretsSync.schedule,
    });
  }
  return out;
}

/**
 * The EventBridge `detail-type`s that trigger a job: `<job>.<action>` for each of its actions, and for the
 * allowlist sync also a new cluster and the morning recreate's result (the recreated clusters need their
 * allowlist). Result events (`<job>.<action>.result`) are published on the same bus and source; they match
 * none of these, so no job triggers itself.
 */
export function detailTypesFor(job: JobName): string[] {
  const types: string[] = JOB_ACTIONS[job].map((action) => `${job}.${action}`);
  if (job === 'allowlist-sync') types.push(CLUSTER_CREATED, RECREATE_RESULT);
  // A recreated cluster gets its connector secrets at once (functions/secrets-sync/triggers.ts).
  if (job === 'secrets-sync') types.push(READY_EVENT);
  return types;
}

/**
 * The event pattern of a job's rule. The jobs publish on the same bus and source as they receive, and the evening
 * notice's detail-type (`teardown.notice`) is also a request's. What the jobs publish (run summaries, the notice)
 * always carries `idempotencyKey`, which a request's detail never does (the request schemas refuse unknown keys),
 * so request rules drop details that have one: the notice never comes back as a notice request. The allowlist
 * sync consumes a published summary on purpose (`teardown.recreate.result`) and has no such filter.
 */
export function requestPattern(job: JobName, source: string): EventPattern {
  const detailType = detailTypesFor(job);
  const consumesPublished = detailType.some((t) => t.endsWith('.result') || t === READY_EVENT);
  return consumesPublished
    ? { source: [source], detailType }
    : { source: [source], detailType, detail: { [PUBLISHED_MARKER]: Match.doesNotExist() } };
}

/** The request a drill publishes to resume itself in the next invocation (`{ payload: { resume: true } }`). */
export const DRILL_CONTINUATION = 'backup.drill';

/**
 * The `detail-type`s a job's function publishes (lib/jobs/engine.ts: `<job>.<action>.result` after every run;
 * functions/teardown/notice.ts: the evening notice). Its role may put events with these and no other.
 */
export function publishedDetailTypes(job: JobName): string[] {
  const types: string[] = JOB_ACTIONS[job].map((action) => `${job}.${action}.result`);
  if (job === 'teardown') {
    types.push(NOTICE_EVENT);
    // The morning recreate: a recreated cluster is ready (functions/teardown/recreate.ts), and a run that ends
    // with clusters still pending asks for its own bounded continuation.
    types.push(READY_EVENT, RECREATE_CONTINUATION);
  }
  // A restore drill that outlasts an invocation asks for its own continuation (functions/backup/run-drill.ts).
  if (job === 'backup') types.push(DRILL_CONTINUATION);
  return types;
}

/**
 * One heartbeat per scheduled action (recreate's two schedules together): the longest gap between its runs in
 * the config's time zone over the coming 400 days (so both daylight-saving changes), plus slack, in whole hours.
 * An action whose gap exceeds CloudWatch's 7-day evaluation limit (a monthly cron, a one-off at()) gets none.
 */
export function heartbeatsFor(config: AutomationConfig, from: Date = new Date()): HeartbeatSpec[] {
  const byAction = new Map<string, ScheduleSpec[]>();
  for (const s of schedulesFor(config)) {
    const key = `${s.job}.${s.action}`;
    byAction.set(key, [...(byAction.get(key) ?? []), s]);
  }
  const out: HeartbeatSpec[] = [];
  for (const specs of byAction.values()) {
    const [first] = specs;
    if (!first) continue;
    const gapMs = longestGapMs(
      specs.map((s) => s.expression),
      config.timeZone,
      from,
    );
    const longestGapHours = gapMs / 3_600_000;
    const periodHours = Math.ceil(longestGapHours + HEARTBEAT_SLACK_HOURS);
    if (!Number.isFinite(periodHours) || periodHours > MAX_HEARTBEAT_PERIOD_HOURS) continue;
    out.push({ job: first.job, action: first.action, longestGapHours, periodHours });
  }
  return out;
}

/**
 * The pattern of a job's hand-over rule: the webhook ingress's `webhook.accepted` events for this job. The request
 * rules drop them (their detail-type is none of a job's, and the detail carries `idempotencyKey`), so an accepted
 * webhook reaches its job through this rule only, and runs under the ledger key the ingress recorded.
 */
export function handoverPattern(job: JobName, source: string): EventPattern {
  return {
    source: [source],
    detailType: [WEBHOOK_ACCEPTED],
    detail: { [PUBLISHED_MARKER]: Match.exists(), request: { job: [job] } },
  };
}

/** A field every event the jobs publish carries and no request may carry. */
export const PUBLISHED_MARKER = 'idempotencyKey';
