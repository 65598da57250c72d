import { DetailedError } from '#lib/log/detailed-error.ts';

/** The HTTP status a bad trigger maps to (webhooks answer it; other triggers only use it as a category). */
export type TriggerErrorStatus = 400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 422;

/**
 * A trigger that cannot become a run: unrecognised event, wrong job, invalid request, bad webhook.
 * The message says what was wrong (a field path, a header name); it never holds a secret, a signature
 * or the body.
 */
export class TriggerError extends DetailedError<{ path: string }> {
  override readonly name = 'TriggerError';
  /** For 422: the first bad field, e.g. `payload.until`. */
  declare readonly path?: string;

  constructor(
    readonly status: TriggerErrorStatus,
    message: string,
    options: { cause?: unknown; path?: string } = {},
  ) {
    super(message, options);
  }
}

/**
 * The webhook signing secrets could not be had or are unusable (none configured, not base64).
 * A deployment fault, not a caller's: the invocation fails (5xx) rather than answering 401.
 */
export class WebhookSecretError extends DetailedError {
  override readonly name = 'WebhookSecretError';
}
