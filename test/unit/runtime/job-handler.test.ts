// What every job handler shares (handleJob, jobHandler), over a hand-built container: the action lookup,
// prechecks, disabled policies, ignored triggers, dry runs, the time budget, and how a failed run ends
// (RunFailedError for async triggers, 202 for webhooks, first summary wins for a webhook redelivery).
import type { Context } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '#lib/config/load.ts';
import type { AutomationConfig } from '#lib/config/types.ts';
import type { RunScope } from '#lib/jobs/engine.ts';
import { type JobName, RunFailedError, type RunSummary } from '#lib/jobs/types.ts';
import type { Container } from '#lib/runtime/container.ts';
import { memoryPublisher } from '#lib/runtime/events.ts';
import {
  type ActionDefinition,
  handleJob,
  jobHandler,
  RequestRefusedError,
} from '#lib/runtime/job-handler.ts';
import { StateStoreError } from '#lib/state/errors.ts';
import { signWebhook } from '#lib/triggers/sign.ts';
import type { WebhookResponse } from '#lib/triggers/webhook-response.ts';
import { recordingLog } from '#local/recording-log.ts';
import { type ManualClock, manualClock } from '#test/fakes/clock.ts';
import { untouchableContainer } from '#test/fakes/container.ts';
import { createMemoryStores, type MemoryStores } from '#test/fakes/state.ts';

const SECRET = `whsec_${Buffer.from('job-handler-signing-key-0123456789').toString('base64')}`;
const ENABLED = {
  webhooks: { senders: { default: { routes: ['*'] } } },
  backup: { enabled: true, selector: { all: true } },
  teardown: { enabled: true, dryRun: false, selector: { names: ['dev-*'] } },
};

let clock: ManualClock;
let stores: MemoryStores;
let log: ReturnType<typeof recordingLog>;
let events: ReturnType<typeof memoryPublisher>;

beforeEach(() => {
  clock = manualClock('2026-11-27T02:00:00Z');
  stores = createMemoryStores(clock);
  log = recordingLog();
  events = memoryPublisher();
});

/** A container whose Console and token provider must not be used by these tests (they throw if touched). */
function container(config: AutomationConfig = resolveConfig(ENABLED)): Container {
  const webhookSecrets = async () => [{ sender: 'default', secrets: [SECRET] }];
  return untouchableContainer({ config, clock, stores, log, events, webhookSecrets });
}

const context = (remainingMs = 300_000) => ({ getRemainingTimeInMillis: () => remainingMs });

/** A direct invocation (`npm run invoke`). */
function direct(job: JobName, action: string, extra: Record<string, unknown> = {}) {
  return { job, action, idempotencyKey: `direct-${action}`, ...extra };
}

/** An API Gateway (payload 2.0) webhook, signed with SECRET at the clock's time. */
function webhook(job: JobName, action: string, body: unknown, id = 'msg_1') {
  const raw = JSON.stringify(body);
  const headers = { 'content-type': 'application/json', ...signWebhook(SECRET, id, clock.now() / 1000, raw) };
  const path = `/webhooks/${job}/${action}`;
  return {
    version: '2.0',
    rawPath: path,
    requestContext: { http: { method: 'POST', path } },
    headers,
    body: raw,
    isBase64Encoded: false,
  };
}

/** An action that records the scopes it ran with; its one cluster fails when `fail` is set. */
function recordingAction(fail = false): ActionDefinition & { scopes: RunScope[] } {
  const scopes: RunScope[] = [];
  return {
    scopes,
    async run(_c, scope) {
      scopes.push(scope);
      return {
        clusters: [
          fail
            ? { clusterId: 'c1', clusterName: 'one', status: 'failed', error: 'boom' }
            : { clusterId: 'c1', clusterName: 'one', status: 'done', action: 'backup-created' },
        ],
      };
    },
  };
}

describe('handleJob: which action', () => {
  it('answers 404 to a webhook for an action this handler does not define, and runs nothing', async () => {
    // Prepare: 'notice' is a known teardown action, but this handler only defines 'run'.
    const run = recordingAction();
    // Act
    const answer = (await handleJob(
      'teardown',
      { run },
      webhook('teardown', 'notice', {}),
      context(),
      container(),
    )) as WebhookResponse;
    // Assess
    expect(answer.statusCode).toBe(404);
    expect(JSON.parse(answer.body)).toEqual({
      error: 'not_found',
      message: "teardown has no action 'notice' (known: run)",
    });
    expect(run.scopes).toEqual([]);
    expect(stores.calls['ledger.start']).toBeUndefined();
  });

  it('throws RequestRefusedError for such an action from any other trigger', async () => {
    // Prepare
    const run = recordingAction();
    // Act
    const err = await handleJob(
      'teardown',
      { run },
      direct('teardown', 'recreate'),
      context(),
      container(),
    ).catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(RequestRefusedError);
    expect((err as Error).message).toBe("teardown has no action 'recreate' (known: run)");
    expect(stores.calls['ledger.start']).toBeUndefined();
  });

  it('runs the action the trigger names, with the delivery and the request', async () => {
    // Prepare
    const run = recordingAction();
    // Act
    const summary = (await handleJob(
      'backup',
      { run },
      direct('backup', 'run', { clusterIds: ['c1'] }),
      context(),
      container(),
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
    const action = recordingAction();
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
    const answer = (await handleJob(
      'backup',
      { run: action },
      webhook('backup', 'run', {}),
      context(),
      container(),
    )) as WebhookResponse;
    // Assess
    expect(answer.statusCode).toBe(422);
    expect(JSON.parse(answer.body)).toEqual({
      error: 'invalid_request',
      message: 'keep-alive until is in the past',
    });
    expect(action.scopes).toEqual([]);
    expect(stores.calls['ledger.start']).toBeUndefined();
    expect(log.lines.find((l) => l.message === 'request refused')?.data).toMatchObject({
      job: 'backup',
      reason: 'keep-alive until is in the past',
    });
  });

  it('throws the refusal for any other trigger', async () => {
    // Prepare
    const action = refusing();
    // Act
    const err = await handleJob(
      'backup',
      { run: action },
      direct('backup', 'run'),
      context(),
      container(),
    ).catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(RequestRefusedError);
    expect(action.scopes).toEqual([]);
  });

  it('lets any other precheck error through, even for a webhook (a fault, not a refusal)', async () => {
    // Prepare
    const action = recordingAction();
    const failing: ActionDefinition = {
      ...action,
      precheck: async () => {
        throw new Error('console unavailable');
      },
    };
    // Act
    const err = await handleJob(
      'backup',
      { run: failing },
      webhook('backup', 'run', {}),
      context(),
      container(),
    ).catch((e: unknown) => e);
    // Assess
    expect((err as Error).message).toBe('console unavailable');
    expect(action.scopes).toEqual([]);
  });
});

describe('handleJob: the run ledger before a precheck', () => {
  it('reads the ledger before a precheck, so an unreadable store fails the request before the check runs', async () => {
    // Prepare: a precheck stands for one that asks the Console.
    const action = recordingAction();
    let checked = 0;
    const checking: ActionDefinition = { ...action, precheck: () => void checked++ };
    stores.fail('ledger.get', 'throttle');
    // Act
    const err = await handleJob(
      'backup',
      { run: checking },
      webhook('backup', 'run', {}),
      context(),
      container(),
    ).catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(StateStoreError);
    expect(err).toMatchObject({ operation: 'ledger.get' });
    expect(checked).toBe(0);
    expect(action.scopes).toEqual([]);
  });

  it('reads it once and changes nothing when the store answers, and not at all for an action without a check', async () => {
    // Prepare
    const action = recordingAction();
    const checking: ActionDefinition = { ...action, precheck: () => undefined };
    // Act
    await handleJob(
      'backup',
      { run: checking },
      webhook('backup', 'run', {}, 'msg_a'),
      context(),
      container(),
    );
    const readsWithCheck = stores.calls['ledger.get'];
    await handleJob('backup', { run: action }, webhook('backup', 'run', {}, 'msg_b'), context(), container());
    // Assess
    expect(readsWithCheck).toBe(1);
    expect(stores.calls['ledger.get']).toBe(1);
    expect(action.scopes).toHaveLength(2);
  });
});

describe('handleJob: policy and trigger edge paths', () => {
  it('a disabled policy runs no work and says so in the summary', async () => {
    // Prepare: every job is disabled by default.
    const run = recordingAction();
    // Act
    const summary = (await handleJob(
      'backup',
      { run },
      direct('backup', 'run'),
      context(),
      container(resolveConfig({})),
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
    const result = await handleJob('allowlist-sync', { sync }, event, context(), container());
    // Assess
    expect(result).toEqual({
      ignored: true,
      reason: 'teardown.recreate.result event evt-ignored names no new cluster',
    });
    expect(sync.scopes).toEqual([]);
    expect(stores.calls['ledger.start']).toBeUndefined();
    expect(log.lines.find((l) => l.message === 'trigger ignored')?.data).toMatchObject({
      idempotencyKey: 'evt-ignored',
    });
  });

  it("a request's dryRun and a dry-run policy both make a dry run; a request cannot make a dry-run policy live", async () => {
    // Prepare
    const run = recordingAction();
    const dryPolicy = resolveConfig({ ...ENABLED, backup: { ...ENABLED.backup, dryRun: true } });
    // Act
    await handleJob(
      'backup',
      { run },
      direct('backup', 'run', { idempotencyKey: 'a', dryRun: true }),
      context(),
      container(),
    );
    await handleJob(
      'backup',
      { run },
      direct('backup', 'run', { idempotencyKey: 'b', dryRun: false }),
      context(),
      container(dryPolicy),
    );
    await handleJob(
      'backup',
      { run },
      direct('backup', 'run', { idempotencyKey: 'c' }),
      context(),
      container(),
    );
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
    const first = await handleJob('backup', { run }, event, context(), container()).catch((e: unknown) => e);
    const retry = await handleJob('backup', { run }, event, context(), container()).catch((e: unknown) => e);
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
    const first = (await handleJob('backup', { run }, event, context(), container())) as WebhookResponse;
    const again = (await handleJob('backup', { run }, event, context(), container())) as WebhookResponse;
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
