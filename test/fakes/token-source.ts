// The in-memory token source the Console client tests share: it keeps the current token until the client
// invalidates it, then takes the next one, and records what it handed out so a test can count token use.
import type { TokenSource } from '#lib/console/token-source.ts';

export interface RecordingTokenSource extends TokenSource {
  /** Every token handed out, one per `getToken` call. */
  issued: string[];
  /** The tokens taken from `next` (the first, and one after each invalidation of the current one). */
  minted: string[];
  invalidated: string[];
}

export function recordingTokenSource(next: () => string): RecordingTokenSource {
  let current: string | undefined;
  const source: RecordingTokenSource = {
    issued: [],
    minted: [],
    invalidated: [],
    async getToken() {
      if (current === undefined) {
        current = next();
        source.minted.push(current);
      }
      source.issued.push(current);
      return current;
    },
    async invalidate(token) {
      source.invalidated.push(token);
      if (current === token) current = undefined;
    },
  };
  return source;
}
