// Schedules that fire at a local time which, once a year, does not exist or exists twice.
import { dstFindingMatters, dstFindings, formatLocal } from '../schedule-times.ts';

/** The schedules the stack creates (enabled jobs only), with their setting paths. */
export function activeSchedules(c: {
  backup: { enabled: boolean; schedule: string };
  teardown: {
    enabled: boolean;
    noticeSchedule: string;
    schedule: string;
    recreate: { enabled: boolean; schedule: string; followUpSchedule: string };
  };
  allowlist: { enabled: boolean; schedule: string };
}): Array<{
  path: string[];
  expression: string;
}> {
  const out: Array<{ path: string[]; expression: string }> = [];
  if (c.backup.enabled) out.push({ path: ['backup', 'schedule'], expression: c.backup.schedule });
  if (c.teardown.enabled) {
    out.push({ path: ['teardown', 'noticeSchedule'], expression: c.teardown.noticeSchedule });
    out.push({ path: ['teardown', 'schedule'], expression: c.teardown.schedule });
    if (c.teardown.recreate.enabled) {
      const r = c.teardown.recreate;
      out.push({ path: ['teardown', 'recreate', 'schedule'], expression: r.schedule });
      out.push({ path: ['teardown', 'recreate', 'followUpSchedule'], expression: r.followUpSchedule });
    }
  }
  if (c.allowlist.enabled) out.push({ path: ['allowlist', 'schedule'], expression: c.allowlist.schedule });
  return out;
}

/**
 * A schedule that fires at a local time which, once a year, does not exist (daylight-saving gap: EventBridge
 * Scheduler skips that run) or exists twice (overlap: which of the two runs, or whether both do, is not something
 * to leave to chance for a teardown or recreate) is refused, with the fix. Schedules that fire in every hour of
 * the day are exempt: they lose or repeat one run among 24. Checked over the coming year.
 */
export function daylightSavingProblem(
  expression: string,
  timeZone: string,
  from: Date = new Date(),
): string | undefined {
  if (!dstFindingMatters(expression)) return undefined;
  const [finding] = dstFindings(expression, timeZone, from);
  if (!finding) return undefined;
  const date = formatLocal(finding.at).slice(0, 10);
  const what =
    finding.kind === 'gap'
      ? `falls in the daylight-saving gap on ${date} (${finding.window} does not exist there): EventBridge Scheduler skips that run, once a year`
      : `falls in the daylight-saving overlap on ${date} (${finding.window} happens twice there): once a year it is ambiguous which of the two times runs, or whether both do`;
  return `${expression} in ${timeZone} ${what}; move it outside ${finding.window} or set timeZone to 'UTC'`;
}
