// The two rate limits: the auth server's per-source limit with a block window, and an optional
// token bucket in front of the Console API.
import type { AuthRateLimit, ConsoleRateLimit } from '#local/sim/types.ts';

export type LimitDecision = { ok: true } | { ok: false; retryAfterSec: number };

/**
 * At most `perSecond` token requests per source in any one-second window. Every request counts,
 * including failed and rejected ones; exceeding the limit blocks the source for `blockMs`, during which
 * every request from it gets 429 (the block is not extended by requests made during it).
 */
export class AuthRateLimiter {
  readonly #limit: AuthRateLimit;
  readonly #now: () => number;
  readonly #sources = new Map<string, { hits: number[]; blockedUntil: number }>();

  constructor(limit: AuthRateLimit, now: () => number) {
    this.#limit = limit;
    this.#now = now;
  }

  hit(source: string): LimitDecision {
    const now = this.#now();
    const s = this.#sources.get(source) ?? { hits: [], blockedUntil: 0 };
    this.#sources.set(source, s);
    s.hits = s.hits.filter((t) => t > now - 1000);
    s.hits.push(now);
    if (now < s.blockedUntil) return { ok: false, retryAfterSec: Math.ceil((s.blockedUntil - now) / 1000) };
    if (s.hits.length > this.#limit.perSecond) {
      s.blockedUntil = now + this.#limit.blockMs;
      return { ok: false, retryAfterSec: Math.ceil(this.#limit.blockMs / 1000) };
    }
    return { ok: true };
  }

  /** When the source's block ends (epoch ms), or undefined when it is not blocked. */
  blockedUntil(source: string): number | undefined {
    const until = this.#sources.get(source)?.blockedUntil ?? 0;
    return until > this.#now() ? until : undefined;
  }
}

/** A token bucket over every Console request: `perSecond` refill, `burst` capacity. */
export class TokenBucket {
  readonly #rate: number;
  readonly #capacity: number;
  readonly #now: () => number;
  #tokens: number;
  #last: number;

  constructor(limit: ConsoleRateLimit, now: () => number) {
    this.#rate = limit.perSecond;
    this.#capacity = limit.burst ?? limit.perSecond;
    this.#now = now;
    this.#tokens = this.#capacity;
    this.#last = now();
  }

  take(): LimitDecision {
    const now = this.#now();
    this.#tokens = Math.min(this.#capacity, this.#tokens + ((now - this.#last) / 1000) * this.#rate);
    this.#last = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSec: Math.max(1, Math.ceil((1 - this.#tokens) / this.#rate)) };
  }
}
