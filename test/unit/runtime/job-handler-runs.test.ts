// handleJob's edge paths (disabled policies, ignored triggers, dry runs, the time budget), a failed run,
// jobHandler itself, and the run lease after a timed-out invocation.
import type { Context } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '#lib/config/load.ts';
import { RunFailedError, type RunSummary } from '#lib/jobs/types.ts';
import { type ActionDefinition, handleJob, jobHandler } from '#lib/runtime/job-handler.ts';
import type { WebhookResponse } from '#lib/triggers/webhook-response.ts';
import * as world from '#test/unit/runtime/job-handler-harness.ts';

beforeEach(world.resetHandlerWorld);

describe('handleJob: policy and trigger edge paths', () => {
  it('a disabled policy runs no work and says so in the summary', async () => {
    // Prepare: every job is disabled by default.
    const run = world.recordingAction();
    // Act
    const summary = (await world.handle(
      'backup',
      { run },
      world.direct('backup', 'run'),
      resolveConfig({}),
    )) as RunSummary;
    // Assess
    expect(run.scopes).toEqual([]);
    expect(summary.clusters).toEqual([]);
    expect(summary.notes).toEqual(['backup is disabled in the config']);
    expect(summary.failed).toBe(false);
  });

  it('an ignored trigger runs nothing and answers why', async () => {
    // Prepare: a recreate result that recreated no cluster.
    const sync = world.recordingAction();
    const event = {
      version: '0',
      id: 'evt-ignored',
      'detail-type': 'teardown.recreate.result',
      source: 'camunda.automation',
      time: '2026-11-27T07:00:00Z',
      region: 'us-east-1',
      resources: [],
      detail: { clusters: [] },
    };
    // Act
    const result = await world.handle('allowlist-sync', { sync }, event);
    // Assess
    expect(result).toEqual({
      ignored: true,
      reason: 'teardown.recreate.result event evt-ignored names no new cluster',
    });
    world.expectNothingRan(sync);
    expect(world.log.lines.find((l) => l.message === 'trigger ignored')?.data).toMatchObject({
      idempotencyKey: 'evt-ignored',
    });
  });

  it("a request's dryRun and a dry-run policy both make a dry run; a request cannot make a dry-run policy live", async () => {
    // Prepare
    const run = world.recordingAction();
    const dryPolicy = resolveConfig({ ...world.ENABLED, backup: { ...world.ENABLED.backup, dryRun: true } });
    // Act
    await world.handle(
      'backup',
      { run },
      world.direct('backup', 'run', { idempotencyKey: 'a', dryRun: true }),
    );
    await world.handle(
      'backup',
      { run },
      world.direct('backup', 'run', { idempotencyKey: 'b', dryRun: false }),
      dryPolicy,
    );
    await world.handle('backup', { run }, world.direct('backup', 'run', { idempotencyKey: 'c' }));
    // Assess
    expect(run.scopes.map((s) => s.dryRun)).toEqual([true, true, false]);
  });

  it("gives the run the invocation's remaining time, less the configured margin", async () => {
    // Prepare: 10 s left, margin 30 s (the default timeMarginSeconds).
    const run = world.recordingAction();
    const c = world.container();
    // Act
    await handleJob('backup', { run }, world.direct('backup', 'run'), world.context(10_000), c);
    // Assess
    expect(c.invocation.remainingTimeMs?.()).toBe(10_000);
    expect(run.scopes[0]?.hasTime()).toBe(false);
  });
});

describe('handleJob: a failed run', () => {
  it('fails an async invocation with RunFailedError, and its retry runs again', async () => {
    // Prepare
    const run = world.recordingAction(true);
    const event = world.direct('backup', 'run');
    // Act
    const first = await world.handle('backup', { run }, event).catch((e: unknown) => e);
    const retry = await world.handle('backup', { run }, event).catch((e: unknown) => e);
    // Assess
    expect(first).toBeInstanceOf(RunFailedError);
    expect((first as RunFailedError).summary.counts.failed).toBe(1);
    expect(retry).toBeInstanceOf(RunFailedError);
    expect(run.scopes).toHaveLength(2);
  });

  it('answers a webhook 202 with the failed summary, and its redelivery with the same summary without running', async () => {
    // Prepare
    const run = world.recordingAction(true);
    const event = world.webhook('backup', 'run', {});
    // Act
    const first = (await world.handle('backup', { run }, event)) as WebhookResponse;
    const again = (await world.handle('backup', { run }, event)) as WebhookResponse;
    // Assess
    expect([first.statusCode, again.statusCode]).toEqual([202, 202]);
    const [a, b] = [JSON.parse(first.body) as RunSummary, JSON.parse(again.body) as RunSummary];
    expect(a.failed).toBe(true);
    expect(b.replayed).toBe(true);
    expect(b.clusters).toEqual(a.clusters);
    expect(run.scopes).toHaveLength(1);
  });
});

describe('jobHandler', () => {
  it('runs handleJob inside the middleware stack with the container it is given', async () => {
    // Prepare
    const run = world.recordingAction();
    const c = world.container();
    const handler = jobHandler('backup', { run }, () => c);
    const lambdaContext = {
      ...world.context(),
      functionName: 'backup',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:backup',
      memoryLimitInMB: '512',
      awsRequestId: 'req-1',
      logGroupName: '/aws/lambda/backup',
      logStreamName: 'test',
      callbackWaitsForEmptyEventLoop: false,
    } as Context;
    // Act
    const summary = (await handler(world.direct('backup', 'run'), lambdaContext)) as RunSummary;
    // Assess
    expect(summary.counts.done).toBe(1);
    expect(world.events.events.map((e) => e.detailType)).toEqual(['backup.run.result']);
  });
});

describe('the run lease after a timed-out invocation', () => {
  it('has expired when Lambda retries a timed-out async invocation a minute later, so the retry redoes the work', async () => {
    // Prepare: the first invocation (2 s left) starts the run and never finishes (Lambda times it out).
    const c = world.container();
    const frozen: Record<string, ActionDefinition> = { run: { run: () => new Promise<never>(() => {}) } };
    void handleJob('backup', frozen, world.direct('backup', 'run'), world.context(2_000), c);
    await new Promise((r) => setTimeout(r, 10));
    const finishing: Record<string, ActionDefinition> = {
      run: { run: async () => ({ clusters: [], notes: ['finished'] }) },
    };
    // Act: Lambda's first retry of the timed-out invocation comes about a minute later.
    world.clock.advance(2_000 + 59_000);
    const retry = (await handleJob(
      'backup',
      finishing,
      world.direct('backup', 'run'),
      world.context(2_000),
      c,
    )) as RunSummary;
    // Assess: not answered "already running": the retry ran the work.
    expect(retry.replayed).toBeUndefined();
    expect(retry.notes).toEqual(['finished']);
  });
});
