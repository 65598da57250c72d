/**
 * The logging port used across `lib/`. Powertools' `Logger` satisfies it; tests pass a recorder.
 * Messages are short and lower-case; data goes in the object, never a token or a secret.
 */
export interface Log {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

export const silentLog: Log = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};
