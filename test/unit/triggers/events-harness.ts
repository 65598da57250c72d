import type { JobName } from '#lib/jobs/types.ts';
import { TriggerError } from '#lib/triggers/errors.ts';
import { type NormalizedTrigger, normalizeTrigger, type TriggerOptions } from '#lib/triggers/normalize.ts';
import { rejectionBy } from '#test/helpers/thrown.ts';
import { eventFixture, NOW_MS } from '#test/unit/triggers/fixtures.ts';

export const options = (job: JobName, extra: Partial<TriggerOptions> = {}): TriggerOptions => ({
  job,
  eventSource: 'camunda.automation',
  now: () => NOW_MS,
  ...extra,
});

/** The stored event fixture `name`, and what it normalises to for `job` with the default options. */
export async function normalizeFixture(name: string, job: JobName) {
  const event = eventFixture(name);
  return { event, result: await normalizeTrigger(event, options(job)) };
}

export function rejection(event: unknown, opts: TriggerOptions): Promise<TriggerError> {
  return rejectionBy(TriggerError, normalizeTrigger(event, opts));
}

export function run(result: NormalizedTrigger) {
  if (result.kind !== 'run') throw new Error(`expected a run, got ${result.kind}`);
  return result;
}
