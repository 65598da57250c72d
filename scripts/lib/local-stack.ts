// The deployed shape, locally and in one process: an HTTP stand-in for API Gateway whose every route is the
// webhook ingress (POST /webhooks/{job}/{action}, GET /runs/{runId}), a local bus that delivers the ingress's
// `webhook.accepted` events to their job's handler asynchronously (as the stack's hand-over rules do), the
// Console API + OAuth simulator and an embedded DynamoDB. Used by `npm run webhook -- --local`, the tests and
// the webhook bench.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handler as allowlistHandler } from '#functions/allowlist-sync/handler.ts';
import { handler as backupHandler } from '#functions/backup/handler.ts';
import { handler as secretsSyncHandler } from '#functions/secrets-sync/handler.ts';
import { handler as teardownHandler } from '#functions/teardown/handler.ts';
import { handler as ingressHandler } from '#functions/webhook-ingress/handler.ts';
import { JOBS, type JobName } from '#lib/jobs/types.ts';
import { fitDetail } from '#lib/runtime/events.ts';
import { WEBHOOK_ACCEPTED } from '#lib/triggers/normalize.ts';
import type { WebhookResponse } from '#lib/triggers/webhook-response.ts';
import {
  eventBridgeEvent,
  type LocalEnv,
  type LocalEnvOptions,
  lambdaContext,
  startLocalEnv,
} from '#local/env.ts';

type JobHandler = (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;

const JOB_HANDLERS: Record<JobName, JobHandler> = {
  backup: backupHandler as JobHandler,
  teardown: teardownHandler as JobHandler,
  'allowlist-sync': allowlistHandler as JobHandler,
  'secrets-sync': secretsSyncHandler as JobHandler,
};

/** One delivery of a hand-over to a job, and how it ended. */
export interface Delivery {
  job: JobName;
  runId: string;
  /** The job handler's error (a failed run throws, as in Lambda), if any. */
  error?: unknown;
}

export interface LocalBus {
  /** Every event published (as EventBridge would receive it), hand-overs and results alike. */
  events: Array<{ detailType: string; detail: Record<string, unknown> }>;
  publish(detailType: string, detail: Record<string, unknown>): Promise<void>;
  /** Deliveries finished so far. */
  delivered: Delivery[];
  /** Resolves once no delivery is under way (deliveries started meanwhile included). */
  idle(): Promise<void>;
}

/** The job a hand-over is for: the hand-over rule's pattern (infra/triggers.ts handoverPattern). */
function handoverJob(detail: Record<string, unknown>): JobName | undefined {
  const request = detail.request;
  if (typeof request !== 'object' || request === null || !('idempotencyKey' in detail)) return undefined;
  const job = (request as { job?: unknown }).job;
  return (JOBS as readonly string[]).includes(String(job)) ? (job as JobName) : undefined;
}

/**
 * A bus that records every event and delivers `webhook.accepted` to its job's handler after `publish` returned
 * (never within it), one delivery per event and no retries: a failed delivery is kept in `delivered`.
 */
export function localBus(
  handlers: Record<JobName, JobHandler> = JOB_HANDLERS,
  options: { hold?: Promise<void> } = {},
): LocalBus {
  const events: LocalBus['events'] = [];
  const delivered: Delivery[] = [];
  const pending = new Set<Promise<void>>();
  const deliver = async (job: JobName, detail: Record<string, unknown>) => {
    await new Promise<void>((r) => setImmediate(r));
    await options.hold;
    const delivery: Delivery = { job, runId: String(detail.runId ?? '') };
    try {
      await handlers[job](eventBridgeEvent(WEBHOOK_ACCEPTED, detail), lambdaContext(job, 3_600_000));
    } catch (err) {
      delivery.error = err;
    }
    delivered.push(delivery);
  };
  return {
    events,
    delivered,
    async publish(detailType, detail) {
      const copy = structuredClone(fitDetail(detail));
      events.push({ detailType, detail: copy });
      const job = detailType === WEBHOOK_ACCEPTED ? handoverJob(copy) : undefined;
      if (!job) return;
      const p = deliver(job, copy).finally(() => pending.delete(p));
      pending.add(p);
    },
    async idle() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}

export interface LocalStack {
  /** The base the stack's `WebhookUrl` output stands for: `http://127.0.0.1:<port>/webhooks`. */
  webhookUrl: string;
  local: LocalEnv;
  bus: LocalBus;
  close(): Promise<void>;
}

function headersOf(req: IncomingMessage): Record<string, string> {
  return Object.fromEntries(
    Object.entries(req.headers).map(([k, v]) => [
      k.toLowerCase(),
      Array.isArray(v) ? v.join(',') : (v ?? ''),
    ]),
  );
}

/** An API Gateway HTTP API (payload 2.0) event of a request, as the stage would pass it to the ingress. */
function gatewayEvent(req: IncomingMessage, body: string, host: string) {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = (req.method ?? 'GET').toUpperCase();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers: headersOf(req),
    requestContext: {
      domainName: host,
      stage: '$default',
      http: { method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp: req.socket.remoteAddress ?? '' },
      requestId: crypto.randomUUID(),
      timeEpoch: Date.now(),
    },
    ...(body ? { body } : {}),
    isBase64Encoded: false,
  };
}

export interface LocalStackOptions extends Omit<LocalEnvOptions, 'events'> {
  /** Deliveries to the jobs wait for this (a test holds the job back to see the ingress answer alone). */
  holdDeliveries?: Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const bus = localBus(JOB_HANDLERS, { hold: options.holdDeliveries });
  const local = await startLocalEnv({ ...options, events: bus });
  let host = '127.0.0.1';
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const event = gatewayEvent(req, Buffer.concat(chunks).toString('utf8'), host);
      (ingressHandler(event, lambdaContext('webhook-ingress', 10_000)) as Promise<WebhookResponse>).then(
        (answer) => {
          res.writeHead(answer.statusCode, answer.headers);
          res.end(answer.body);
        },
        () => {
          // What API Gateway answers when the integration fails.
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ message: 'Internal Server Error' }));
        },
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    webhookUrl: `http://${host}/webhooks`,
    local,
    bus,
    async close() {
      await new Promise<void>((r) => server.close(() => r()));
      await bus.idle();
      await local.close();
    },
  };
}
