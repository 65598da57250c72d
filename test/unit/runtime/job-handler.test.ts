// handleJob over a hand-built container (test/unit/runtime/job-handler-harness.ts): the action lookup, the
// prechecks, and the run ledger read before a precheck.
import { beforeEach, describe, expect, it } from 'vitest';
import type { RunScope } from '#lib/jobs/engine.ts';
import type { RunSummary } from '#lib/jobs/types.ts';
import { type ActionDefinition, RequestRefusedError } from '#lib/runtime/job-handler.ts';
import { StateStoreError } from '#lib/state/errors.ts';
import * as world from '#test/unit/runtime/job-handler-harness.ts';

beforeEach(world.resetHandlerWorld);

describe('handleJob: which action', () => {
  it('answers 404 to a webhook for an action this handler does not define, and runs nothing', async () => {
    // Prepare: 'notice' is a known teardown action, but this handler only defines 'run'.
    const run = world.recordingAction();
    // Act
    const answer = await world.handle('teardown', { run }, world.webhook('teardown', 'notice', {}));
    // Assess
    const message = "teardown has no action 'notice' (known: run)";
    expect(world.answered(answer)).toEqual({ statusCode: 404, body: { error: 'not_found', message } });
    world.expectNothingRan(run);
  });

  it('throws RequestRefusedError for such an action from any other trigger', async () => {
    // Prepare
    const run = world.recordingAction();
    // Act
    const err = await world
      .handle('teardown', { run }, world.direct('teardown', 'recreate'))
      .catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(RequestRefusedError);
    expect((err as Error).message).toBe("teardown has no action 'recreate' (known: run)");
    expect(world.stores.calls['ledger.start']).toBeUndefined();
  });

  it('runs the action the trigger names, with the delivery and the request', async () => {
    // Prepare
    const run = world.recordingAction();
    // Act
    const summary = (await world.handle(
      'backup',
      { run },
      world.direct('backup', 'run', { clusterIds: ['c1'] }),
    )) as RunSummary;
    // Assess
    expect(run.scopes).toHaveLength(1);
    expect(run.scopes[0]?.request).toEqual({ job: 'backup', action: 'run', clusterIds: ['c1'] });
    expect(run.scopes[0]?.delivery.idempotencyKey).toBe('direct-run');
    expect(summary.trigger).toBe('direct');
    expect(summary.counts.done).toBe(1);
  });
});

describe('handleJob: prechecks', () => {
  const refusing = (): ActionDefinition & { scopes: RunScope[] } => {
    const action = world.recordingAction();
    return {
      ...action,
      precheck: () => {
        throw new RequestRefusedError('keep-alive until is in the past');
      },
    };
  };

  it('answers a refused webhook 422 with the reason, runs nothing and records nothing', async () => {
    // Prepare
    const action = refusing();
    // Act
    const answer = await world.handle('backup', { run: action }, world.webhook('backup', 'run', {}));
    // Assess
    const message = 'keep-alive until is in the past';
    expect(world.answered(answer)).toEqual({ statusCode: 422, body: { error: 'invalid_request', message } });
    world.expectNothingRan(action);
    expect(world.log.lines.find((l) => l.message === 'request refused')?.data).toMatchObject({
      job: 'backup',
      reason: 'keep-alive until is in the past',
    });
  });

  it('throws the refusal for any other trigger', async () => {
    // Prepare
    const action = refusing();
    // Act
    const err = await world
      .handle('backup', { run: action }, world.direct('backup', 'run'))
      .catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(RequestRefusedError);
    expect(action.scopes).toEqual([]);
  });

  it('lets any other precheck error through, even for a webhook (a fault, not a refusal)', async () => {
    // Prepare
    const action = world.recordingAction();
    const failing: ActionDefinition = {
      ...action,
      precheck: async () => {
        throw new Error('console unavailable');
      },
    };
    // Act
    const err = await world
      .handle('backup', { run: failing }, world.webhook('backup', 'run', {}))
      .catch((e: unknown) => e);
    // Assess
    expect((err as Error).message).toBe('console unavailable');
    expect(action.scopes).toEqual([]);
  });
});

describe('handleJob: the run ledger before a precheck', () => {
  it('reads the ledger before a precheck, so an unreadable store fails the request before the check runs', async () => {
    // Prepare: a precheck stands for one that asks the Console.
    const action = world.recordingAction();
    let checked = 0;
    const checking: ActionDefinition = { ...action, precheck: () => void checked++ };
    world.stores.fail('ledger.get', 'throttle');
    // Act
    const err = await world
      .handle('backup', { run: checking }, world.webhook('backup', 'run', {}))
      .catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(StateStoreError);
    expect(err).toMatchObject({ operation: 'ledger.get' });
    expect(checked).toBe(0);
    expect(action.scopes).toEqual([]);
  });

  it('reads it once and changes nothing when the store answers, and not at all for an action without a check', async () => {
    // Prepare
    const action = world.recordingAction();
    const checking: ActionDefinition = { ...action, precheck: () => undefined };
    // Act
    await world.handle('backup', { run: checking }, world.webhook('backup', 'run', {}, 'msg_a'));
    const readsWithCheck = world.stores.calls['ledger.get'];
    await world.handle('backup', { run: action }, world.webhook('backup', 'run', {}, 'msg_b'));
    // Assess
    expect(readsWithCheck).toBe(1);
    expect(world.stores.calls['ledger.get']).toBe(1);
    expect(action.scopes).toHaveLength(2);
  });
});
