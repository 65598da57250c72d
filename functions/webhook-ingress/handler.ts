// Webhook ingress: the only function behind the HTTP API. Verifies, records and hands over; never runs a job.
import { getContainer } from '#lib/runtime/container.ts';
import { withMiddleware } from '#lib/runtime/middleware.ts';
import type { WebhookResponse } from '#lib/triggers/webhook-response.ts';
import { acceptWebhook } from './accept.ts';

export const handler = withMiddleware<unknown, WebhookResponse>((event) =>
  acceptWebhook(getContainer(), event),
);
