/**
 * An error's name and message, for a log line, an error message or a summary: never its cause chain, which
 * may hold a request or a response body.
 */
export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
