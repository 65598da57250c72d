// The config switches a run off in one place (lib/runtime/job-handler.ts › disabledReason): the job's
// `enabled`, then an action's own gate (`teardown.recreate.enabled`). Driven through the real action tables
// of the three jobs, over a container whose Console throws when touched: a disabled run does no work.
import { beforeEach, describe, expect, it } from 'vitest';
import { allowlistSyncActions } from '#functions/allowlist-sync/handler.ts';
import { backupActions } from '#functions/backup/handler.ts';
import { teardownActions } from '#functions/teardown/handler.ts';
import { resolveConfig } from '#lib/config/load.ts';
import type { JobName, RunSummary } from '#lib/jobs/types.ts';
import { memoryPublisher } from '#lib/runtime/events.ts';
import { type ActionDefinition, disabledReason, handleJob } from '#lib/runtime/job-handler.ts';
import { recordingLog } from '#local/recording-log.ts';
import { manualClock } from '#test/fakes/clock.ts';
import { untouchableContainer } from '#test/fakes/container.ts';
import { createMemoryStores } from '#test/fakes/state.ts';

const TEARDOWN_ON = { enabled: true, dryRun: false, selector: { names: ['dev-*'] } };
const context = { getRemainingTimeInMillis: () => 300_000 };

let clock: ReturnType<typeof manualClock>;
beforeEach(() => {
  clock = manualClock('2026-11-27T02:00:00Z');
});

async function run(
  job: JobName,
  actions: Record<string, ActionDefinition>,
  action: string,
  config: Parameters<typeof resolveConfig>[0],
): Promise<RunSummary> {
  const c = untouchableContainer({
    config: resolveConfig(config),
    clock,
    stores: createMemoryStores(clock),
    log: recordingLog(),
    events: memoryPublisher(),
  });
  const event = { job, action, idempotencyKey: `direct-${job}-${action}` };
  return (await handleJob(job, actions, event, context, c)) as RunSummary;
}

describe('a disabled job does no work, whatever the action', () => {
  it.each([
    ['backup', backupActions, 'run'],
    ['backup', backupActions, 'check'],
    ['backup', backupActions, 'drill'],
    ['teardown', teardownActions, 'notice'],
    ['teardown', teardownActions, 'run'],
    ['teardown', teardownActions, 'recreate'],
    ['allowlist-sync', allowlistSyncActions, 'sync'],
  ] as const)('%s %s: nothing touched, the summary says why', async (job, actions, action) => {
    // Act: every job is disabled by default.
    const summary = await run(job, actions, action, {});
    // Assess
    expect(summary.clusters).toEqual([]);
    expect(summary.notes).toEqual([`${job} is disabled in the config`]);
    expect(summary.failed).toBe(false);
  });
});

describe('an action switched off on its own', () => {
  it('recreate with teardown.recreate.enabled false recreates nothing, touches nothing and says so', async () => {
    // Act
    const summary = await run('teardown', teardownActions, 'recreate', {
      teardown: { ...TEARDOWN_ON, recreate: { enabled: false } },
    });
    // Assess
    expect(summary.clusters).toEqual([]);
    expect(summary.notes).toEqual([
      'recreate is disabled (teardown.recreate.enabled is false); nothing done',
    ]);
    expect(summary.failed).toBe(false);
  });

  it('the job gate comes first, then the action gate; an enabled action runs', () => {
    // Prepare
    const recreate = teardownActions.recreate as ActionDefinition;
    const run = teardownActions.run as ActionDefinition;
    const off = resolveConfig({ teardown: { ...TEARDOWN_ON, enabled: false, recreate: { enabled: false } } });
    const recreateOff = resolveConfig({ teardown: { ...TEARDOWN_ON, recreate: { enabled: false } } });
    const on = resolveConfig({ teardown: { ...TEARDOWN_ON, recreate: { enabled: true } } });
    // Assess
    expect(disabledReason('teardown', recreate, off)).toBe('teardown is disabled in the config');
    expect(disabledReason('teardown', recreate, recreateOff)).toMatch(/^recreate is disabled/);
    expect(disabledReason('teardown', run, recreateOff)).toBeUndefined();
    expect(disabledReason('teardown', recreate, on)).toBeUndefined();
  });
});
