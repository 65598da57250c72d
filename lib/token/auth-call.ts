// The one auth call of a lease holder, counted and logged: the token comes back with the skew margin taken
// off and its refresh point set; a token that expires at once is the auth server's bad answer.
import type { Log } from '#lib/log/log.ts';
import { AuthCallError, type Credentials, type OAuthSettings, type requestToken } from './oauth.ts';
import type { TokenMetrics, TokenStats } from './stats.ts';
import { type UsableToken, usableToken } from './timing.ts';
import type { TokenProviderTuning } from './tuning.ts';

export interface AuthCallDeps {
  oauth: OAuthSettings;
  requestToken: typeof requestToken;
  fetch?: typeof fetch;
  now: () => number;
  log: Log;
  tuning: Pick<TokenProviderTuning, 'authTimeoutMs' | 'authLateMs' | 'skewMs' | 'refreshWindowMs'>;
}

export interface AuthCounters {
  stats: TokenStats;
  metrics?: TokenMetrics;
}

export async function callAuth(
  deps: AuthCallDeps,
  credentials: Credentials,
  counters: AuthCounters,
): Promise<UsableToken> {
  const { stats, metrics } = counters;
  stats.authCalls++;
  metrics?.count('AuthCalls');
  deps.log.info('token requested from auth server', { tokenUrl: deps.oauth.tokenUrl });
  try {
    const issued = await deps.requestToken(deps.oauth, credentials, {
      fetch: deps.fetch,
      timeoutMs: deps.tuning.authTimeoutMs,
      lateMs: deps.tuning.authLateMs,
      now: deps.now,
    });
    const usable = usableToken(issued, deps.now(), deps.tuning);
    if (!usable) {
      throw new AuthCallError({
        kind: 'bad-response',
        status: 200,
        detail: 'the auth server answered with a token that expires at once',
      });
    }
    return usable;
  } catch (err) {
    if (err instanceof AuthCallError) {
      const kind = err.failure.kind;
      if (kind === 'rate-limited') {
        stats.blocked++;
        metrics?.count('AuthRateLimited');
      } else if (kind === 'rejected') {
        stats.rejected++;
        metrics?.count('AuthRejected');
      } else {
        stats.unavailable++;
        metrics?.count('AuthUnavailable');
      }
      deps.log.warn('auth server refused a token', { failure: kind });
    }
    throw err;
  }
}
