import { DetailedError } from '#lib/log/detailed-error.ts';

export type TokenErrorCode =
  | 'credentials-missing'
  | 'credentials-rejected'
  | 'auth-blocked'
  | 'auth-unavailable'
  | 'auth-bad-response'
  | 'wait-timeout'
  | 'store-unavailable';

/** Why no Console API token could be had. The message says what to do; it never holds a secret or a token. */
export class TokenError extends DetailedError<{ retryAt: number }> {
  override readonly name = 'TokenError';
  /** Epoch ms before which nobody will call the auth server again (for 'auth-blocked'). */
  declare readonly retryAt?: number;

  constructor(
    readonly code: TokenErrorCode,
    message: string,
    options: { cause?: unknown; retryAt?: number } = {},
  ) {
    super(message, options);
  }
}

/** Why nobody asks the auth server until `until` (epoch ms), from the reason recorded with the pause. */
export function pausedError(
  reason: string | undefined,
  until: number,
  now: number,
  cause?: unknown,
): TokenError {
  const seconds = Math.max(1, Math.ceil((until - now) / 1000));
  const [code, why]: [TokenErrorCode, string] =
    reason === 'rate-limited'
      ? ['auth-blocked', "Camunda's auth server rate-limited this account's token requests (HTTP 429)"]
      : reason === 'bad-response'
        ? ['auth-bad-response', "Camunda's auth server answered a token request without a usable token"]
        : ['auth-unavailable', "Camunda's auth server failed to answer a token request"];
  return new TokenError(
    code,
    `${why}; no instance asks again for ${seconds} s (until ${new Date(until).toISOString()})`,
    { cause, retryAt: until },
  );
}

/** The auth server rejected these credentials: names the client id and where to fix them, never the secret. */
export function rejectedError(
  clientId: string,
  audience: string,
  credentialsSource: string,
  cause?: unknown,
): TokenError {
  return new TokenError(
    'credentials-rejected',
    `Camunda's auth server rejected client id '${clientId}' for audience '${audience}'. ` +
      `Fix the credentials in ${credentialsSource} (an API client of the Console API with the scopes the jobs need); ` +
      'no instance retries these credentials until they change',
    { cause },
  );
}
