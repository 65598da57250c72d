// What one container holds: the token it hands out from memory, and where each recent token is recorded
// (store, key, version) so that a Console 401 can compare-and-delete exactly that version.
import type { TokenStore } from './shared-store.ts';
import { isLive, type UsableToken } from './timing.ts';

/** Where a token handed out is recorded. */
export interface Recorded {
  store: TokenStore;
  key: string;
  version: number;
}

/** How many handed-out tokens are remembered (a Console 401 names a recent one). */
const RECORDED_TOKENS = 8;

export class TokenMemory {
  private current?: UsableToken;
  private readonly recorded = new Map<string, Recorded>();

  /** The held token while it is live at `now`. */
  live(now: number): UsableToken | undefined {
    return this.current && isLive(this.current.expiresAt, now) ? this.current : undefined;
  }

  /** Whether the held token (if any) expires before `expiresAt`. */
  outlivedBy(expiresAt: number): boolean {
    return !this.current || this.current.expiresAt < expiresAt;
  }

  hold(token: UsableToken, where?: Omit<Recorded, 'version'> & { version?: number }): void {
    this.current = token;
    if (where?.version === undefined) return;
    this.recorded.set(token.accessToken, { store: where.store, key: where.key, version: where.version });
    if (this.recorded.size > RECORDED_TOKENS) {
      const oldest = this.recorded.keys().next().value;
      if (oldest !== undefined) this.recorded.delete(oldest);
    }
  }

  /** Drops the token (if held) and returns where it was recorded. */
  forget(token: string): Recorded | undefined {
    if (this.current?.accessToken === token) this.current = undefined;
    const recorded = this.recorded.get(token);
    this.recorded.delete(token);
    return recorded;
  }
}
