// The teardown window: the unit the deletion budget (teardown.maxDeletionsPerWindow) and the notice are
// kept per. It is the 24 h from `teardown.windowStartHour` local time (config `timeZone`), keyed by the local
// date it starts on: with the default 12, Monday 18:00 (notice), 20:00 (teardown), 23:00 (an ad-hoc run) and
// Tuesday 07:00 (recreate) all belong to window '…-Monday'. Local time is read with Intl, so a DST change
// makes one window 23 or 25 h long, never shifts it. Every run and every trigger shares the window's budget.

const parts = (epochMs: number, timeZone: string) => {
  const fmt = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    hourCycle: 'h23',
  });
  const get = (type: string) => Number(fmt.formatToParts(epochMs).find((p) => p.type === type)?.value);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour') };
};

/** The id (`YYYY-MM-DD`, the local date the window starts on) of the teardown window `epochMs` falls in. */
export function teardownWindowId(epochMs: number, timeZone: string, startHour: number): string {
  const { year, month, day, hour } = parts(epochMs, timeZone);
  // Before the start hour, the time belongs to the window that started the day before.
  const date = new Date(Date.UTC(year, month - 1, day - (hour < startHour ? 1 : 0)));
  return date.toISOString().slice(0, 10);
}
