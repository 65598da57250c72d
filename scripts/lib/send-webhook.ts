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
