/** How a Console API call failed. */
export type ConsoleApiErrorCode =
  /** The API answered with a non-success status (see `status`). */
  | 'http'
  /** An attempt ran past the per-attempt timeout (and retries, if any, ran out). */
  | 'timeout'
  /** The connection failed (reset, refused, DNS, TLS …) and retries, if any, ran out. */
  | 'network'
  /** A success status, but the body is not JSON or lacks a field the client acts on. */
  | 'invalid-response'
  /** The caller's `AbortSignal` fired. Never retried. */
  | 'aborted';

export interface ConsoleApiErrorDetails {
  method: string;
  /** The request path as sent (path parameters filled in and URL-encoded), without the base URL. */
  path: string;
  /** The spec route, `METHOD /template` (for example `GET /clusters/{clusterUuid}`). */
  route: string;
  status?: number | undefined;
  code: ConsoleApiErrorCode;
  /** The response body (opaque text, possibly text/plain); redacted and cut to {@link BODY_EXCERPT_LENGTH}. */
  body?: string | undefined;
  retryAfterMs?: number | undefined;
  /** HTTP requests sent for this call (0 when it failed before sending anything). */
  attempts: number;
  maybeApplied?: boolean | undefined;
  /** Extra words for the message (for example "timed out after 10000 ms"); redacted too. */
  detail?: string | undefined;
  /** Exact strings to scrub besides the generic token patterns (the bearer token in use). */
  secrets?: readonly string[] | undefined;
  cause?: unknown;
}

export const BODY_EXCERPT_LENGTH = 300;
const REDACT_SCAN_LENGTH = 8_192;

const REDACTED = '[redacted]';
/**
 * Exact secrets shorter than this are not scrubbed out of text: they would match ordinary words and leave
 * the text unreadable. Where such a secret occurs in a body, the body is withheld instead.
 */
const MIN_SCRUBBED_SECRET_LENGTH = 8;
const WITHHELD = '[withheld: it holds a value of the request that is secret]';
const BEARER = /\bBearer\s+[^\s"',;]+/gi;
const BASIC = /\bBasic\s+[A-Za-z0-9+/=_-]{8,}/gi;
const JWT = /\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;
const TOKEN_FIELD =
  /(["']?(?:access_token|id_token|refresh_token|client_secret|authorization|token)["']?\s*[:=]\s*["']?)[^\s"'&,;}]+/gi;

/**
 * Scrubs anything token-like from text that may end up in an error or a log: `Bearer …`, `Basic …`, JWT-shaped
 * strings, `access_token=…`-style fields and the given exact secrets.
 */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= MIN_SCRUBBED_SECRET_LENGTH) out = out.split(secret).join(REDACTED);
  }
  return out
    .replace(BEARER, `Bearer ${REDACTED}`)
    .replace(BASIC, `Basic ${REDACTED}`)
    .replace(JWT, REDACTED)
    .replace(TOKEN_FIELD, `$1${REDACTED}`);
}

/**
 * The first {@link BODY_EXCERPT_LENGTH} characters of a body, redacted, whitespace collapsed. A body that
 * holds a secret too short to scrub is withheld whole.
 */
export function bodyExcerpt(body: string, secrets: readonly string[] = []): string {
  const head = body.slice(0, REDACT_SCAN_LENGTH);
  if (
    secrets.some(
      (secret) => secret !== '' && secret.length < MIN_SCRUBBED_SECRET_LENGTH && head.includes(secret),
    )
  ) {
    return WITHHELD;
  }
  const scanned = redact(head, secrets).replace(/\s+/g, ' ').trim();
  return scanned.length > BODY_EXCERPT_LENGTH ? `${scanned.slice(0, BODY_EXCERPT_LENGTH)}…` : scanned;
}

/**
 * A failed Console API call. Carries what the caller needs to decide (status, code, whether a POST
 * may have been applied) and never the bearer token or the authorization header.
 */
export class ConsoleApiError extends Error {
  override readonly name = 'ConsoleApiError';
  readonly method: string;
  readonly path: string;
  readonly route: string;
  /** HTTP status, or undefined for timeout, network and aborted failures. */
  readonly status: number | undefined;
  readonly code: ConsoleApiErrorCode;
  /** Opaque response text: redacted, at most ~300 characters. Empty when there was no response. */
  readonly bodyExcerpt: string;
  /** The server's Retry-After in ms, when it sent one. */
  readonly retryAfterMs: number | undefined;
  readonly attempts: number;
  /**
   * True when a non-replayable POST may have reached the server (timeout, connection error, 5xx,
   * 429, abort mid-flight, or an unreadable success body). The caller must re-read state before
   * trying again: a POST is never replayed by the client.
   */
  readonly maybeApplied: boolean;

  constructor(details: ConsoleApiErrorDetails) {
    const secrets = details.secrets ?? [];
    const excerpt = details.body === undefined ? '' : bodyExcerpt(details.body, secrets);
    const outcome = details.status !== undefined ? `${details.status}` : details.code;
    const detail = details.detail ? ` (${redact(details.detail, secrets)})` : '';
    const attempts = details.attempts > 1 ? ` after ${details.attempts} attempts` : '';
    super(
      `console api ${details.method} ${details.path} failed: ${outcome}${detail}${attempts}${excerpt ? `: ${excerpt}` : ''}`,
      details.cause === undefined ? undefined : { cause: details.cause },
    );
    this.method = details.method;
    this.path = details.path;
    this.route = details.route;
    this.status = details.status;
    this.code = details.code;
    this.bodyExcerpt = excerpt;
    this.retryAfterMs = details.retryAfterMs;
    this.attempts = details.attempts;
    this.maybeApplied = details.maybeApplied ?? false;
  }

  /** What structured loggers print: every field but the cause (whose text the client does not own). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      method: this.method,
      path: this.path,
      route: this.route,
      status: this.status,
      code: this.code,
      bodyExcerpt: this.bodyExcerpt,
      retryAfterMs: this.retryAfterMs,
      attempts: this.attempts,
      maybeApplied: this.maybeApplied,
    };
  }
}

export function isConsoleApiError(error: unknown): error is ConsoleApiError {
  return error instanceof ConsoleApiError;
}
