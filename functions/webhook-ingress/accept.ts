// The webhook ingress: verifies a webhook (signature, sender scope, request), records it in the run ledger as
// accepted and hands it to its job on the bus, then answers 202 with a run id and a status URL at once,
// whatever the job's length. `GET /runs/{runId}`, signed the same way, answers the run's state and summary.

import { checkKeepAlive } from '#functions/teardown/keep-alive.ts';
import { TeardownError } from '#functions/teardown/plan.ts';
import { IdempotencyConflictError, JOBS, type JobName } from '#lib/jobs/types.ts';
import type { Container } from '#lib/runtime/container.ts';
import { conflictAnswer, webhookOptions } from '#lib/runtime/job-handler.ts';
import { TriggerError } from '#lib/triggers/errors.ts';
import {
  authenticate,
  mayCall,
  normalizeTrigger,
  WEBHOOK_ACCEPTED,
  type WebhookHandover,
} from '#lib/triggers/normalize.ts';
import { rejected, type WebhookResponse } from '#lib/triggers/webhook-response.ts';

const JOB_PATH = /^(?:\/[^/]+)?\/webhooks\/([^/]+)\/[^/]+\/?$/;
const RUN_PATH = /^(?:\/[^/]+)?\/runs\/(run_[A-Za-z0-9_-]{1,400})\/?$/;
const JSON_HEADERS = { 'content-type': 'application/json' } as const;

type Dict = Record<string, unknown>;
const isRecord = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The run id of a webhook delivery: its webhook-id, base64url (the sender knows it; redelivery → same id). */
export function runIdOf(idempotencyKey: string): string {
  return `run_${Buffer.from(idempotencyKey.replace(/^webhook:/, ''), 'utf8').toString('base64url')}`;
}

function keyOfRunId(runId: string): string {
  return `webhook:${Buffer.from(runId.slice('run_'.length), 'base64url').toString('utf8')}`;
}

function statusUrl(event: Dict, runId: string): string {
  const ctx = isRecord(event.requestContext) ? event.requestContext : {};
  const domain = typeof ctx.domainName === 'string' ? ctx.domainName : undefined;
  const stage = typeof ctx.stage === 'string' && ctx.stage !== '$default' ? `/${ctx.stage}` : '';
  const path = `${stage}/runs/${runId}`;
  if (!domain) return path;
  const local = domain === 'localhost' || domain.startsWith('127.') || domain.startsWith('localhost:');
  return `${local ? 'http' : 'https'}://${domain}${path}`;
}

function json(statusCode: number, body: unknown): WebhookResponse {
  return { statusCode, headers: { ...JSON_HEADERS }, body: JSON.stringify(body) };
}

/** Checks a request can run that need no Console call (the job checks the rest and reports a refusal in the run's status). */
function staticCheck(c: Container, job: JobName, action: string, payload: unknown): void {
  if (job === 'teardown' && action === 'keep-alive') {
    try {
      checkKeepAlive(payload, c.config.teardown, c.clock.now());
    } catch (err) {
      if (err instanceof TeardownError) throw new TriggerError(422, err.message, { cause: err });
      throw err;
    }
  }
}

export async function acceptWebhook(c: Container, event: unknown): Promise<WebhookResponse> {
  if (!isRecord(event) || typeof event.rawPath !== 'string') return rejected(400, 'not an HTTP request');
  const ctx = isRecord(event.requestContext) ? event.requestContext : {};
  const method =
    isRecord(ctx.http) && typeof ctx.http.method === 'string' ? ctx.http.method.toUpperCase() : '';
  const run = RUN_PATH.exec(event.rawPath);
  if (run?.[1])
    return method === 'GET' ? runStatus(c, event, run[1]) : rejected(405, `use GET on ${event.rawPath}`);
  const job = JOB_PATH.exec(event.rawPath)?.[1];
  if (!job || !(JOBS as readonly string[]).includes(job)) {
    return rejected(
      404,
      `no webhook at ${event.rawPath.slice(0, 80)}; POST /webhooks/<job>/<action> or GET /runs/<runId>`,
    );
  }
  const trigger = await normalizeTrigger(event, {
    job: job as JobName,
    eventSource: c.config.events.source,
    webhook: webhookOptions(c),
    now: c.clock.now,
  });
  if (trigger.kind === 'webhook-rejected') return trigger.response;
  if (trigger.kind !== 'run') return rejected(404, 'not a webhook');
  const { request, delivery } = trigger;
  try {
    staticCheck(c, request.job, request.action, request.payload);
  } catch (err) {
    if (err instanceof TriggerError) return rejected(err.status, err.message);
    throw err;
  }
  const key = delivery.idempotencyKey;
  const runId = runIdOf(key);
  const bodyDigest = delivery.bodyDigest ?? '';
  const accepted = await c.ledger.accept(key, request.job, request.action, { bodyDigest });
  if (accepted.kind === 'conflict') {
    const err = new IdempotencyConflictError(key, accepted, accepted.reason);
    return conflictAnswer(err, delivery, request);
  }
  // Handed over on the first acceptance, and again on a redelivery while no job has picked it up (the
  // first hand-over may have failed after the ledger write); the job's ledger start runs it once.
  if (accepted.state === 'accepted') {
    const handover: WebhookHandover = {
      idempotencyKey: key,
      runId,
      at: delivery.at,
      sender: delivery.sender ?? '',
      bodyDigest,
      request,
    };
    await c.events.publish(WEBHOOK_ACCEPTED, handover as unknown as Dict);
  }
  c.log.info('webhook accepted', {
    job: request.job,
    action: request.action,
    runId,
    sender: delivery.sender,
    redelivery: accepted.kind === 'existing',
  });
  return json(202, { runId, state: accepted.state, statusUrl: statusUrl(event, runId) });
}

/** `GET /runs/{runId}`: signed (empty body) by a sender whose scope includes the run's route. */
async function runStatus(c: Container, event: Dict, runId: string): Promise<WebhookResponse> {
  const webhook = webhookOptions(c);
  if (!webhook) return rejected(404, 'this deployment has no webhook senders');
  try {
    const { signers } = await authenticate(event, webhook, c.clock.now, Buffer.alloc(0));
    const record = await c.ledger.get(keyOfRunId(runId));
    if (!record) throw new TriggerError(404, `no run ${runId.slice(0, 80)}`);
    const route = `${record.job}.${record.action}`;
    if (!signers.some((s) => mayCall(webhook.scopes[s], route))) {
      throw new TriggerError(403, `webhook sender '${signers[0]}' may not call ${route}`);
    }
    return json(200, {
      runId,
      job: record.job,
      action: record.action,
      state: record.state,
      ...(record.summary ? { summary: record.summary } : {}),
    });
  } catch (err) {
    if (err instanceof TriggerError) return rejected(err.status, err.message);
    throw err;
  }
}
