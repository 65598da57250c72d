/**
 * Where the Console client gets its bearer token. The shared DynamoDB-backed provider in `lib/token`
 * implements it; tests pass small in-memory ones.
 */
export interface TokenSource {
  /** A token that is valid now. */
  getToken(signal?: AbortSignal): Promise<string>;
  /**
   * The Console API answered 401 to this token: forget it, but only if it is still the current one
   * (another caller may already have replaced it).
   */
  invalidate(token: string): Promise<void>;
}
