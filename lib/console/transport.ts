// One HTTP attempt against the Console API: fetch under a per-attempt timeout (connect, headers and body),
// classified so the request loop can tell a timeout from a caller's abort from a broken connection.
// Nothing here sees a token's meaning; errors are built (and redacted) by ConsoleApiError.

/** What one attempt produced. */
export type Attempt =
  | { kind: 'response'; status: number; text: string; retryAfter: string | null }
  | { kind: 'timeout'; error: unknown }
  | { kind: 'network'; error: unknown }
  | { kind: 'aborted'; error: unknown };

export interface AttemptRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
  /** The caller's signal: its abort is reported as `aborted`, never as a timeout. */
  signal: AbortSignal | undefined;
}

export type SendAttempt = (request: AttemptRequest) => Promise<Attempt>;

/** A sender over `fetchFn` whose every attempt, body included, ends after `timeoutMs`. */
export function createTransport(fetchFn: typeof fetch, timeoutMs: number): SendAttempt {
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new RangeError(`timeoutMs must be a positive number, got ${timeoutMs}`);
  }
  return async ({ url, method, headers, body, signal }) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      const response = await fetchFn(url, { method, headers, body, signal: combined });
      // Reading the body is part of the attempt: the same signal (and so the same timeout) covers it.
      const text = await response.text();
      return {
        kind: 'response',
        status: response.status,
        text,
        retryAfter: response.headers.get('retry-after'),
      };
    } catch (error) {
      if (signal?.aborted) return { kind: 'aborted', error };
      if (timeout.aborted) return { kind: 'timeout', error };
      return { kind: 'network', error };
    }
  };
}

/** `: ECONNRESET` and the like, from undici's `fetch failed` error chain; empty when there is none. */
export function systemCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(code)) return `: ${code}`;
    current = (current as { cause?: unknown }).cause;
  }
  return '';
}

/** A route template with its parameters filled in and URL-encoded; a missing or empty one is refused. */
export function fillPath(template: string, params: Readonly<Record<string, string>> | undefined): string {
  return template.replace(/\{([^}]+)\}/g, (_match, name: string) => {
    const value = params?.[name];
    if (value === undefined || value === '') throw new TypeError(`path parameter ${name} is required`);
    return encodeURIComponent(value);
  });
}
