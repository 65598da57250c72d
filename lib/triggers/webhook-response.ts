// The answer a webhook gets (API Gateway HTTP API / Function URL, payload format 2.0).
import type { RunSummary } from '#lib/jobs/types.ts';
import type { TriggerErrorStatus } from './errors.ts';

export interface WebhookResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

const ERROR_CODES: Record<TriggerErrorStatus, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'invalid_request',
};

const JSON_HEADERS = { 'content-type': 'application/json' } as const;

/** A refused webhook: `{ error, message }`. 405 also says which method is allowed. */
export function rejected(status: TriggerErrorStatus, message: string): WebhookResponse {
  const headers: Record<string, string> = { ...JSON_HEADERS };
  if (status === 405) headers.allow = 'POST';
  return { statusCode: status, headers, body: JSON.stringify({ error: ERROR_CODES[status], message }) };
}

/** A webhook that ran: 202 with the run summary. */
export function accepted(summary: RunSummary): WebhookResponse {
  return { statusCode: 202, headers: { ...JSON_HEADERS }, body: JSON.stringify(summary) };
}
