// Sends one signed webhook (Standard Webhooks) to the deployed endpoint: what a CI job, a chat bot or an
// operator uses to ask for a keep-alive, an allowlist source update or a run.
import { randomUUID } from 'node:crypto';
import { signWebhook } from '#lib/triggers/sign.ts';

export interface SendWebhookOptions {
  /** The stack's `WebhookUrl` output (…/webhooks/), or any base ending before `<job>/<action>`. */
  url: string;
  job: string;
  action: string;
  /** The JSON body, e.g. `{"payload": {...}}` or `{"dryRun": true}`. */
  body: string;
  /** `whsec_…` */
  secret: string;
  id?: string;
  fetch?: typeof fetch;
  now?: () => number;
}

export interface SentWebhook {
  id: string;
  url: string;
  status: number;
  body: string;
}

export function webhookTarget(base: string, job: string, action: string): string {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${encodeURIComponent(job)}/${encodeURIComponent(action)}`;
  return url.toString();
}

export async function sendWebhook(options: SendWebhookOptions): Promise<SentWebhook> {
  const id = options.id ?? `msg_${randomUUID()}`;
  const now = options.now ?? Date.now;
  const target = webhookTarget(options.url, options.job, options.action);
  const headers = signWebhook(options.secret, id, Math.floor(now() / 1000), options.body);
  const res = await (options.fetch ?? fetch)(target, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: options.body,
    signal: AbortSignal.timeout(60_000),
  });
  return { id, url: target, status: res.status, body: await res.text() };
}

/** What `202 Accepted` carries (functions/webhook-ingress/accept.ts). */
export interface AcceptedRun {
  runId: string;
  state: string;
  statusUrl: string;
}

/** What `GET <statusUrl>` answers. */
export interface RunStatus {
  runId: string;
  job: string;
  action: string;
  state: 'accepted' | 'running' | 'completed' | 'failed';
  summary?: Record<string, unknown>;
}

export class RunStatusError extends Error {
  override readonly name = 'RunStatusError';
}

/** The body of a 202 answer, or undefined when it is not one (a synchronous answer of an older deployment). */
export function acceptedRun(status: number, body: string): AcceptedRun | undefined {
  if (status !== 202) return undefined;
  try {
    const parsed = JSON.parse(body) as Partial<AcceptedRun>;
    if (typeof parsed.runId === 'string' && typeof parsed.statusUrl === 'string') {
      return { runId: parsed.runId, state: String(parsed.state ?? ''), statusUrl: parsed.statusUrl };
    }
  } catch {
    // not JSON: not an accepted run
  }
  return undefined;
}

/** The status URL made absolute against the webhook URL (a deployment behind a proxy may answer a path). */
export function absoluteStatusUrl(statusUrl: string, webhookUrl: string): string {
  return new URL(statusUrl, webhookUrl).toString();
}

export interface WaitOptions {
  statusUrl: string;
  secret: string;
  /** Between two polls (default 2 s). */
  intervalMs?: number;
  /** Give up after this long (default 30 minutes). */
  timeoutMs?: number;
  /** Called after every poll with the state and the time waited so far. */
  onProgress?: (state: string, elapsedMs: number) => void;
  fetch?: typeof fetch;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** One signed `GET <statusUrl>` (Standard Webhooks over an empty body, a fresh webhook-id each time). */
export async function getRunStatus(
  statusUrl: string,
  secret: string,
  options: Pick<WaitOptions, 'fetch' | 'now'> = {},
): Promise<RunStatus> {
  const now = options.now ?? Date.now;
  const headers = signWebhook(secret, `msg_${randomUUID()}`, Math.floor(now() / 1000), '');
  const res = await (options.fetch ?? fetch)(statusUrl, {
    method: 'GET',
    headers: { ...headers },
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (res.status !== 200) throw new RunStatusError(`GET ${statusUrl} → ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as RunStatus;
}

const FINAL = new Set(['completed', 'failed']);

/** Polls the status URL until the run completed or failed; the last status. */
export async function waitForRun(options: WaitOptions): Promise<RunStatus> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const interval = options.intervalMs ?? 2_000;
  const timeout = options.timeoutMs ?? 30 * 60_000;
  const started = now();
  for (;;) {
    const status = await getRunStatus(options.statusUrl, options.secret, options);
    const elapsed = now() - started;
    options.onProgress?.(status.state, elapsed);
    if (FINAL.has(status.state)) return status;
    if (elapsed >= timeout) {
      throw new RunStatusError(
        `run ${status.runId} still ${status.state} after ${Math.round(elapsed / 1000)} s; its status URL: ${options.statusUrl}`,
      );
    }
    await sleep(interval);
  }
}

/** A run failed when its state says so or its summary does. */
export function runFailed(status: RunStatus): boolean {
  return status.state === 'failed' || status.summary?.failed === true;
}
