// What every job handler shares: normalise the trigger, pick the action, run it through the engine
// with the policy's dry-run and time budget, answer the webhook or fail the invocation on failure.
import type { Context } from 'aws-lambda';
import type { AutomationConfig } from '#lib/config/types.ts';
import { executeRun, type RunBody, type RunScope, type RunSettings } from '#lib/jobs/engine.ts';
import {
  type Delivery,
  IdempotencyConflictError,
  type JobName,
  type JobRequest,
  RunFailedError,
  type RunSummary,
} from '#lib/jobs/types.ts';
import { normalizeTrigger, type WebhookTriggerOptions } from '#lib/triggers/normalize.ts';
import { accepted, rejected, type WebhookResponse } from '#lib/triggers/webhook-response.ts';
import { type Container, getContainer } from './container.ts';
import { withMiddleware } from './middleware.ts';

export interface ActionDefinition {
  /** Checks the request against the policy before anything runs; throw `RequestRefusedError` to refuse it. */
  precheck?: (c: Container, request: JobRequest) => Promise<void> | void;
  run: (c: Container, scope: RunScope) => Promise<RunBody>;
  /**
   * Why this action does nothing under the config although its job is enabled (a part of the job that is
   * switched off, e.g. `teardown.recreate.enabled`); undefined when it runs. Checked by `disabledReason`.
   */
  disabled?: (config: AutomationConfig) => string | undefined;
}

/** A request that is well-formed but refused by the policy (e.g. an allowlist update with a bad CIDR). */
export class RequestRefusedError extends Error {
  override readonly name = 'RequestRefusedError';
}

function policyOf(job: JobName, config: AutomationConfig): { enabled: boolean; dryRun: boolean } {
  if (job === 'backup') return config.backup;
  if (job === 'teardown') return config.teardown;
  if (job === 'secrets-sync') return config.secretsSync;
  return config.allowlist;
}

/**
 * The one place where the config switches a run off: the job's `enabled`, then the action's own gate. A
 * disabled run still goes through the engine (its delivery is recorded, its summary says why) but does no work.
 */
export function disabledReason(
  job: JobName,
  action: ActionDefinition,
  config: AutomationConfig,
): string | undefined {
  if (!policyOf(job, config).enabled) return `${job} is disabled in the config`;
  return action.disabled?.(config);
}

export type JobResult = RunSummary | WebhookResponse | { ignored: true; reason: string };

/**
 * The webhook settings of the config; none (every HTTP request answered 404) when no sender is declared or the
 * container has no senders' secrets (a deployed job function: the ingress verifies its webhooks).
 */
export function webhookOptions(c: Container): WebhookTriggerOptions | undefined {
  const { webhooks } = c.config;
  const senders = Object.entries(webhooks.senders);
  if (senders.length === 0 || c.webhookSecrets === undefined) return undefined;
  return {
    secrets: c.webhookSecrets,
    scopes: Object.fromEntries(senders.map(([name, sender]) => [name, sender.routes])),
    maxBodyBytes: webhooks.maxBodyBytes,
    toleranceSeconds: webhooks.toleranceSeconds,
  };
}

/** 409 for a webhook-id reused on another route or with another body: nothing ran, nothing was stored. */
export function conflictAnswer(
  err: IdempotencyConflictError,
  delivery: Delivery,
  request: Pick<JobRequest, 'job' | 'action'>,
): WebhookResponse {
  const id = delivery.idempotencyKey.replace(/^webhook:/, '');
  const first = `${err.first.job}.${err.first.action}`;
  const what =
    err.reason === 'route'
      ? `was already used for ${first}; this request is for ${request.job}.${request.action}`
      : `was already used for ${first} with another body`;
  return rejected(409, `webhook-id '${id}' ${what}: send every new request with a fresh webhook-id`);
}

function runSettings(
  c: Container,
  context: Pick<Context, 'getRemainingTimeInMillis'>,
  retryFailed: boolean,
): RunSettings {
  return {
    dryRun: false,
    concurrency: c.config.concurrency,
    timeMarginMs: c.config.timeMarginSeconds * 1000,
    remainingTimeMs: c.invocation.remainingTimeMs,
    // The run (and its cluster claims) is held until just after this invocation's own timeout, and no
    // longer: Lambda retries a timed-out async invocation about a minute later, and that retry must find
    // the lease expired so it redoes the unfinished part instead of answering "already running".
    leaseMs: context.getRemainingTimeInMillis() + 5_000,
    retryFailed,
  };
}

/** The handler logic without the middleware (the exported `handler` wraps it). */
export async function handleJob(
  job: JobName,
  actions: Record<string, ActionDefinition>,
  event: unknown,
  context: Pick<Context, 'getRemainingTimeInMillis'>,
  c: Container,
): Promise<JobResult> {
  c.invocation.remainingTimeMs = () => context.getRemainingTimeInMillis();
  const { config } = c;
  const trigger = await normalizeTrigger(event, {
    job,
    eventSource: config.events.source,
    webhook: webhookOptions(c),
    now: c.clock.now,
  });
  if (trigger.kind === 'webhook-rejected') return trigger.response;
  if (trigger.kind === 'ignored') {
    c.log.info('trigger ignored', {
      job,
      reason: trigger.reason,
      idempotencyKey: trigger.delivery.idempotencyKey,
    });
    return { ignored: true, reason: trigger.reason };
  }
  const { request, delivery } = trigger;
  // A webhook answered here (synchronously); one handed over by the ingress (runId) answers no one.
  const isWebhook = delivery.source === 'webhook' && delivery.runId === undefined;
  const handedOver = delivery.runId !== undefined;
  const action = actions[request.action];
  if (!action) {
    const message = `${job} has no action '${request.action}' (known: ${Object.keys(actions).join(', ')})`;
    if (isWebhook) return rejected(404, message);
    throw new RequestRefusedError(message);
  }
  if (action.precheck) {
    // A check may ask the Console (keep-alive and set-source list the clusters). The run ledger is read
    // first: with the state table unreachable the request fails here with the store error, instead of after
    // a Console request (and, in a container without a token, an auth request) for a run that could never be
    // recorded. A read, so nothing is claimed before the check has accepted the request.
    await c.ledger.get(delivery.idempotencyKey);
  }
  try {
    await action.precheck?.(c, request);
  } catch (err) {
    if (!(err instanceof RequestRefusedError)) throw err;
    c.log.warn('request refused', { job, action: request.action, reason: err.message });
    if (isWebhook) return rejected(422, err.message);
    if (handedOver) {
      // Accepted by the ingress, refused here (a check that needs the Console API): the run's status says why.
      return executeRun(c, request, delivery, runSettings(c, context, false), async () => ({
        clusters: [],
        notes: [`request refused: ${err.message}`],
        failRun: true,
      }));
    }
    throw err;
  }
  const policy = policyOf(job, config);
  const off = disabledReason(job, action, config);
  const summary = await executeRun(
    c,
    request,
    delivery,
    { ...runSettings(c, context, !isWebhook), dryRun: policy.dryRun || request.dryRun === true },
    (scope) => (off === undefined ? action.run(c, scope) : Promise.resolve({ clusters: [], notes: [off] })),
  ).catch((err: unknown) => {
    if (isWebhook && err instanceof IdempotencyConflictError) return conflictAnswer(err, delivery, request);
    throw err;
  });
  if ('statusCode' in summary) return summary;
  if (isWebhook) return accepted(summary);
  if (summary.failed && !summary.replayed) throw new RunFailedError(summary);
  return summary;
}

/** The Lambda handler for one job: the middleware stack around `handleJob`. */
export function jobHandler(
  job: JobName,
  actions: Record<string, ActionDefinition>,
  container: () => Container = getContainer,
) {
  return withMiddleware<unknown, JobResult>((event, context) =>
    handleJob(job, actions, event, context, container()),
  );
}
