// Layer (c): the OAuth client-credentials call to Camunda's auth server. Form-encoded, like Camunda's SDKs.
import { jwtExpiry } from './jwt.ts';

export interface Credentials {
  clientId: string;
  clientSecret: string;
}

export interface OAuthSettings {
  tokenUrl: string;
  audience: string;
}

export interface IssuedToken {
  accessToken: string;
  /** Epoch ms at which the token stops being valid (from `exp`, else `expires_in`), before any skew margin. */
  expiresAt: number;
}

export type AuthFailure =
  | { kind: 'rate-limited'; status: number; retryAfterMs?: number }
  | { kind: 'rejected'; status: number; error?: string }
  | { kind: 'unavailable'; status?: number; detail: string }
  | { kind: 'bad-response'; status: number; detail: string };

export class AuthCallError extends Error {
  override readonly name = 'AuthCallError';
  /**
   * For a call that timed out with `lateMs` set: the answer, should it still arrive (the auth server may
   * have minted a token for it; it counted against the rate limit either way).
   */
  readonly late?: Promise<IssuedToken>;
  constructor(
    readonly failure: AuthFailure,
    options: { cause?: unknown; late?: Promise<IssuedToken> } = {},
  ) {
    super(
      `auth server: ${failure.kind}${'status' in failure && failure.status ? ` (${failure.status})` : ''}`,
      { cause: options.cause },
    );
    if (options.late) {
      options.late.catch(() => {}); // nobody may be listening any more
      this.late = options.late;
    }
  }
}

export interface RequestTokenOptions {
  fetch?: typeof fetch;
  timeoutMs?: number;
  /**
   * After `timeoutMs` the call fails as timed out, but its request stays open this much longer; an answer
   * in that time is the `late` promise of the AuthCallError. 0 (default): the request is aborted.
   */
  lateMs?: number;
  now?: () => number;
  signal?: AbortSignal;
}

function retryAfterMs(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** One token request. Throws `AuthCallError` describing what the auth server did; never includes the secret. */
export async function requestToken(
  settings: OAuthSettings,
  credentials: Credentials,
  options: RequestTokenOptions = {},
): Promise<IssuedToken> {
  const timeoutMs = options.timeoutMs ?? 4_000;
  const lateMs = options.lateMs ?? 0;
  if (lateMs <= 0) return exchange(settings, credentials, options, timeoutMs);
  const answer = exchange(settings, credentials, options, timeoutMs + lateMs);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new AuthCallError({ kind: 'unavailable', detail: 'timed out' }, { late: answer })),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([answer, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

async function exchange(
  settings: OAuthSettings,
  credentials: Credentials,
  options: RequestTokenOptions,
  timeoutMs: number,
): Promise<IssuedToken> {
  const doFetch = options.fetch ?? globalThis.fetch;
  const now = options.now ?? Date.now;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  const body = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: credentials.clientId,
    client_secret: credentials.clientSecret,
    audience: settings.audience,
  });
  let res: Response;
  try {
    res = await doFetch(settings.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: body.toString(),
      signal,
    });
  } catch (err) {
    const timedOut = timeout.aborted;
    throw new AuthCallError(
      {
        kind: 'unavailable',
        detail: timedOut ? 'timed out' : `connection failed: ${(err as Error).message}`,
      },
      { cause: err },
    );
  }
  const text = await res.text().catch(() => '');
  if (res.status === 429) {
    throw new AuthCallError({
      kind: 'rate-limited',
      status: 429,
      retryAfterMs: retryAfterMs(res.headers.get('retry-after'), now()),
    });
  }
  if (res.status === 401 || res.status === 403) {
    let error: string | undefined;
    try {
      const parsed = JSON.parse(text) as { error?: unknown };
      if (typeof parsed.error === 'string') error = parsed.error.slice(0, 64);
    } catch {}
    throw new AuthCallError({ kind: 'rejected', status: res.status, error });
  }
  if (!res.ok) {
    throw new AuthCallError({ kind: 'unavailable', status: res.status, detail: `HTTP ${res.status}` });
  }
  let parsed: { access_token?: unknown; expires_in?: unknown };
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AuthCallError({ kind: 'bad-response', status: res.status, detail: 'answer is not JSON' });
  }
  const accessToken = parsed.access_token;
  if (typeof accessToken !== 'string' || accessToken.length === 0) {
    throw new AuthCallError({
      kind: 'bad-response',
      status: res.status,
      detail: 'answer has no access_token',
    });
  }
  const exp = jwtExpiry(accessToken);
  const expiresIn = typeof parsed.expires_in === 'number' ? parsed.expires_in : Number(parsed.expires_in);
  let expiresAt: number;
  if (exp !== undefined) expiresAt = exp * 1000;
  else if (Number.isFinite(expiresIn) && expiresIn > 0) expiresAt = now() + expiresIn * 1000;
  else {
    throw new AuthCallError({
      kind: 'bad-response',
      status: res.status,
      detail: 'token has neither an exp claim nor expires_in',
    });
  }
  return { accessToken, expiresAt };
}
