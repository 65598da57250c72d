export type TokenErrorCode =
  | 'credentials-missing'
  | 'credentials-rejected'
  | 'auth-blocked'
  | 'auth-unavailable'
  | 'auth-bad-response'
  | 'wait-timeout'
  | 'store-unavailable';

/** Why no Console API token could be had. The message says what to do; it never holds a secret or a token. */
export class TokenError extends Error {
  override readonly name = 'TokenError';
  readonly code: TokenErrorCode;
  /** Epoch ms before which nobody will call the auth server again (for 'auth-blocked'). */
  readonly retryAt?: number;

  constructor(code: TokenErrorCode, message: string, options: { cause?: unknown; retryAt?: number } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.retryAt = options.retryAt;
  }
}
