// handleJob's shared test world. The job-handler tests import it whole (`import * as world from …`) and call
// `beforeEach(world.resetHandlerWorld)`: the setup is one line and each use reads as part of this world.
import { expect } from 'vitest';
import { resolveConfig } from '#lib/config/load.ts';
import type { AutomationConfig } from '#lib/config/types.ts';
import type { RunScope } from '#lib/jobs/engine.ts';
import type { JobName } from '#lib/jobs/types.ts';
import type { Container } from '#lib/runtime/container.ts';
import { memoryPublisher } from '#lib/runtime/events.ts';
import { type ActionDefinition, handleJob } from '#lib/runtime/job-handler.ts';
import { signWebhook } from '#lib/triggers/sign.ts';
import type { WebhookResponse } from '#lib/triggers/webhook-response.ts';
import { recordingLog } from '#local/recording-log.ts';
import { type ManualClock, manualClock } from '#test/fakes/clock.ts';
import { untouchableContainer } from '#test/fakes/container.ts';
import { createMemoryStores, type MemoryStores } from '#test/fakes/state.ts';

export const SECRET = `whsec_${Buffer.from('job-handler-signing-key-0123456789').toString('base64')}`;
export const ENABLED = {
  webhooks: { senders: { default: { routes: ['*'] } } },
  backup: { enabled: true, selector: { all: true } },
  teardown: { enabled: true, dryRun: false, selector: { names: ['dev-*'] } },
};

export let clock: ManualClock;
export let stores: MemoryStores;
export let log: ReturnType<typeof recordingLog>;
export let events: ReturnType<typeof memoryPublisher>;

/** A fresh world; each test file calls it before every test. */
export function resetHandlerWorld(): void {
  clock = manualClock('2026-11-27T02:00:00Z');
  stores = createMemoryStores(clock);
  log = recordingLog();
  events = memoryPublisher();
}

/** A container whose Console and token provider must not be used by these tests (they throw if touched). */
export function container(config: AutomationConfig = resolveConfig(ENABLED)): Container {
  const webhookSecrets = async () => [{ sender: 'default', secrets: [SECRET] }];
  return untouchableContainer({ config, clock, stores, log, events, webhookSecrets });
}

export const context = (remainingMs = 300_000) => ({ getRemainingTimeInMillis: () => remainingMs });

/** handleJob for one event with a fresh container (the ENABLED config unless given) and a full time budget. */
export function handle(
  job: JobName,
  actions: Record<string, ActionDefinition>,
  event: unknown,
  config?: AutomationConfig,
): Promise<unknown> {
  return handleJob(job, actions, event, context(), container(config));
}

/** A direct invocation (`npm run invoke`). */
export function direct(job: JobName, action: string, extra: Record<string, unknown> = {}) {
  return { job, action, idempotencyKey: `direct-${action}`, ...extra };
}

/** An API Gateway (payload 2.0) webhook, signed with SECRET at the clock's time. */
export function webhook(job: JobName, action: string, body: unknown, id = 'msg_1') {
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

/** A webhook answer's status and (JSON) body. */
export function answered(answer: unknown): { statusCode: number; body: unknown } {
  const { statusCode, body } = answer as WebhookResponse;
  return { statusCode, body: JSON.parse(body) };
}

/** The action never ran and no run was started in the ledger. */
export function expectNothingRan(action: { scopes: RunScope[] }): void {
  expect(action.scopes).toEqual([]);
  expect(stores.calls['ledger.start']).toBeUndefined();
}

/** An action that records the scopes it ran with; its one cluster fails when `fail` is set. */
export function recordingAction(fail = false): ActionDefinition & { scopes: RunScope[] } {
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
