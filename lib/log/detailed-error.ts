// The base of the error classes whose callers read more than the message back (TokenError's `retryAt`,
// TriggerError's `path`): one constructor takes the cause and those details together, as Error's own
// options take the cause, so each class only declares what its details are.

/**
 * An Error whose options carry, besides `cause`, optional details that become the error's properties.
 * A subclass types them with `declare readonly` (a plain field would be reset to undefined after `super`).
 */
export class DetailedError<Details extends object = Record<never, never>> extends Error {
  constructor(message: string, { cause, ...details }: { cause?: unknown } & Partial<Details> = {}) {
    super(message, { cause });
    Object.assign(this, details);
  }
}
