// handleJob's edge paths (disabled policies, ignored triggers, dry runs, the time budget), a failed run,
// jobHandler itself, and the run lease after a timed-out invocation.
import type { Context } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '#lib/config/load.ts';
import { RunFailedError, type RunSummary } from '#lib/jobs/types.ts';
import { type ActionDefinition, handleJob, jobHandler } from '#lib/runtime/job-handler.ts';
import type { WebhookResponse } from '#lib/triggers/webhook-response.ts';
import {
  clock,
  container,
  context,
  direct,
  ENABLED,
  events,
  expectNothingRan,
  handle,
  log,
  recordingAction,
  resetHandlerWorld,
  webhook,
} from '#test/unit/runtime/job-handler-harness.ts';

beforeEach(resetHandlerWorld);

describe('handleJob: policy and trigger edge paths', () => {
  it('a disabled policy runs no work and says so in the summary', async () => {
    // Prepare: every job is disabled by default.
    const run = recordingAction();
    // Act
    const summary = (await handle(
      'backup',
      { run },
      direct('backup', 'run'),
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
    const sync = recordingAction();
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
    const result = await handle('allowlist-sync', { sync }, event);
    // Assess
    expect(result).toEqual({
      ignored: true,
      reason: 'teardown.recreate.result event evt-ignored names no new cluster',
    });
    expectNothingRan(sync);
    expect(log.lines.find((l) => l.message === 'trigger ignored')?.data).toMatchObject({
      idempotencyKey: 'evt-ignored',
    });
  });

  it("a request's dryRun and a dry-run policy both make a dry run; a request cannot make a dry-run policy live", async () => {
    // Prepare
    const run = recordingAction();
    const dryPolicy = resolveConfig({ ...ENABLED, backup: { ...ENABLED.backup, dryRun: true } });
    // Act
    await handle('backup', { run }, direct('backup', 'run', { idempotencyKey: 'a', dryRun: true }));
    await handle(
      'backup',
      { run },
      direct('backup', 'run', { idempotencyKey: 'b', dryRun: false }),
      dryPolicy,
    );
    await handle('backup', { run }, direct('backup', 'run', { idempotencyKey: 'c' }));
    // Assess
    expect(run.scopes.map((s) => s.dryRun)).toEqual([true, true, false]);
  });

  it("gives the run the invocation's remaining time, less the configured margin", async () => {
    // Prepare: 10 s left, margin 30 s (the default timeMarginSeconds).
    const run = recordingAction();
    const c = container();
    // Act
    await handleJob('backup', { run }, direct('backup', 'run'), context(10_000), c);
    // Assess
    expect(c.invocation.remainingTimeMs?.()).toBe(10_000);
    expect(run.scopes[0]?.hasTime()).toBe(false);
  });
});

describe('handleJob: a failed run', () => {
  it('fails an async invocation with RunFailedError, and its retry runs again', async () => {
    // Prepare
    const run = recordingAction(true);
    const event = direct('backup', 'run');
    // Act
    const first = await handle('backup', { run }, event).catch((e: unknown) => e);
    const retry = await handle('backup', { run }, event).catch((e: unknown) => e);
    // Assess
    expect(first).toBeInstanceOf(RunFailedError);
    expect((first as RunFailedError).summary.counts.failed).toBe(1);
    expect(retry).toBeInstanceOf(RunFailedError);
    expect(run.scopes).toHaveLength(2);
  });

  it('answers a webhook 202 with the failed summary, and its redelivery with the same summary without running', async () => {
    // Prepare
    const run = recordingAction(true);
    const event = webhook('backup', 'run', {});
    // Act
    const first = (await handle('backup', { run }, event)) as WebhookResponse;
    const again = (await handle('backup', { run }, event)) as WebhookResponse;
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
    const run = recordingAction();
    const c = container();
    const handler = jobHandler('backup', { run }, () => c);
    const lambdaContext = {
      ...context(),
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
    const summary = (await handler(direct('backup', 'run'), lambdaContext)) as RunSummary;
    // Assess
    expect(summary.counts.done).toBe(1);
    expect(events.events.map((e) => e.detailType)).toEqual(['backup.run.result']);
  });
});

describe('the run lease after a timed-out invocation', () => {
  it('has expired when Lambda retries a timed-out async invocation a minute later, so the retry redoes the work', async () => {
    // Prepare: the first invocation (2 s left) starts the run and never finishes (Lambda times it out).
    const c = container();
    const frozen: Record<string, ActionDefinition> = { run: { run: () => new Promise<never>(() => {}) } };
    void handleJob('backup', frozen, direct('backup', 'run'), context(2_000), c);
    await new Promise((r) => setTimeout(r, 10));
    const finishing: Record<string, ActionDefinition> = {
      run: { run: async () => ({ clusters: [], notes: ['finished'] }) },
    };
    // Act: Lambda's first retry of the timed-out invocation comes about a minute later.
    clock.advance(2_000 + 59_000);
    const retry = (await handleJob(
      'backup',
      finishing,
      direct('backup', 'run'),
      context(2_000),
      c,
    )) as RunSummary;
    // Assess: not answered "already running": the retry ran the work.
    expect(retry.replayed).toBeUndefined();
    expect(retry.notes).toEqual(['finished']);
  });
});
