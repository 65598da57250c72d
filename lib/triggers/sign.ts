// Signs a webhook the way normalizeTrigger verifies it (Standard Webhooks): for tests, `npm start`
// and callers of the webhooks.
import { Webhook } from 'standardwebhooks';

export interface WebhookSignatureHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * Headers for `body` sent as message `id` at `timestampSeconds` (Unix seconds), signed with
 * `secret` (`whsec_` + base64, as Standard Webhooks defines). Pass the exact bytes you send as `body`.
 */
export function signWebhook(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: string | Buffer,
): WebhookSignatureHeaders {
  const seconds = Math.floor(timestampSeconds);
  const signature = new Webhook(secret).sign(id, new Date(seconds * 1000), body);
  return { 'webhook-id': id, 'webhook-timestamp': String(seconds), 'webhook-signature': signature };
}
