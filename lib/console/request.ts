// The request loop every Console operation goes through: auth (bearer token, one refresh on a 401),
// JSON, the throttle gate, retries as the policy decides, decoding, counters, and one ConsoleApiError
// (token and secret values scrubbed) for every way a call can fail.

import { type Decoder, decodeBody } from '#lib/console/decode.ts';
import { ConsoleApiError, type ConsoleApiErrorCode } from '#lib/console/errors.ts';
import {
  createThrottleGate,
  decideRetry,
  isReplayable,
  isTransientStatus,
  parseRetryAfter,
  type RetryPolicy,
  throttlePauseMs,
} from '#lib/console/retry.ts';
import type { TokenSource } from '#lib/console/token-source.ts';
import { fillPath, type SendAttempt, systemCode } from '#lib/console/transport.ts';
import type { ConsoleRoute, PathParamsOf, RequestBodyOf } from '#lib/console/types.ts';
import type { Log } from '#lib/log/log.ts';

/** How a call's answer is read, and the call's flags: everything of a call but its route and inputs. */
export type CallReading<T> = {
  /** When set, a 404 is an answer, not a failure. */
  notFound?: () => T;
  /** Send the bearer token (default true; `GET /meta/ip-ranges` is public). */
  auth?: boolean;
  /** The answer carries secret material: an error never includes its body. */
  sensitiveResponse?: boolean;
  /** Strings of the request that are secret material: redacted from any error. */
  secretValues?: readonly string[];
  /** A 409 is transient ("another change is in progress"): retried like a 5xx (replayable calls only). */
  retryConflict?: boolean;
} & (
  | { decode: Decoder<T>; answer?: never }
  /** The answer carries nothing the client acts on: the body is not even parsed. */
  | { answer: T; decode?: never }
);

/** One operation call as the operation table describes it. */
export type ConsoleCall<R extends ConsoleRoute, T> = {
  route: R;
  params: PathParamsOf<R>;
  body?: RequestBodyOf<R>;
  signal?: AbortSignal | undefined;
} & CallReading<T>;

export interface OperationStats {
  /** HTTP requests sent. */
  requests: number;
  /** Backoff retries taken (the re-send after a 401 is counted in `tokenRefreshes`). */
  retries: number;
  /** 429 answers received. */
  throttled: number;
  /** Calls that ended in a ConsoleApiError. */
  failures: number;
}

export interface ConsoleClientStats extends OperationStats {
  /** Fresh tokens fetched after a 401. */
  tokenRefreshes: number;
  /** Total time the shared throttle gate has been closed (overlapping closures counted once). */
  throttledMs: number;
  /** Times a call waited at the closed gate before sending. */
  gateWaits: number;
  /** Keyed by route, e.g. `GET /clusters/{clusterUuid}`. */
  byOperation: Record<string, OperationStats>;
}

export interface RequesterSettings {
  baseUrl: string;
  tokenSource: TokenSource;
  send: SendAttempt;
  /** Per attempt, for the words of a timeout error. */
  timeoutMs: number;
  policy: RetryPolicy;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  random: () => number;
  now: () => number;
  log: Log;
}

export interface Requester {
  request<R extends ConsoleRoute, T>(call: ConsoleCall<R, T>): Promise<T>;
  /** A snapshot of the counters. */
  stats(): ConsoleClientStats;
}

function emptyOperationStats(): OperationStats {
  return { requests: 0, retries: 0, throttled: 0, failures: 0 };
}

interface FailureExtra {
  status?: number | undefined;
  body?: string | undefined;
  retryAfterMs?: number | undefined;
  detail?: string;
  cause?: unknown;
}

/** The request function of one client. One instance per client: the throttle gate and counters are its. */
export function createRequester(settings: RequesterSettings): Requester {
  const { baseUrl, tokenSource, send, timeoutMs, policy, sleep, random, now, log } = settings;
  const totals = {
    requests: 0,
    retries: 0,
    throttled: 0,
    failures: 0,
    tokenRefreshes: 0,
    throttledMs: 0,
    gateWaits: 0,
  };
  const byOperation = new Map<string, OperationStats>();
  const gate = createThrottleGate(now);

  function operationStats(route: string): OperationStats {
    let entry = byOperation.get(route);
    if (!entry) {
      entry = emptyOperationStats();
      byOperation.set(route, entry);
    }
    return entry;
  }

  async function request<R extends ConsoleRoute, T>(call: ConsoleCall<R, T>): Promise<T> {
    const space = call.route.indexOf(' ');
    const method = call.route.slice(0, space);
    const template = call.route.slice(space + 1);
    const path = fillPath(template, call.params as Record<string, string> | undefined);
    const url = `${baseUrl}${path}`;
    const needsAuth = call.auth ?? true;
    const replayable = isReplayable(method);
    const signal = call.signal;
    const opStats = operationStats(call.route);
    const started = now();
    const secrets: string[] = [...(call.secretValues ?? [])];
    const payload = call.body === undefined ? undefined : JSON.stringify(call.body);

    let attempts = 0;
    let retries = 0;
    let refreshed = false;
    let token: string | undefined;

    /** `reached`: the last request may have been processed by the server (only matters for a POST). */
    const fail = (code: ConsoleApiErrorCode, reached: boolean, extra: FailureExtra = {}): ConsoleApiError => {
      totals.failures += 1;
      opStats.failures += 1;
      const success = (extra.status ?? 0) >= 200 && (extra.status ?? 0) < 300;
      const body = call.sensitiveResponse && success ? undefined : extra.body;
      return new ConsoleApiError({
        method,
        path,
        route: call.route,
        code,
        attempts,
        maybeApplied: !replayable && reached,
        secrets,
        ...extra,
        body,
      });
    };
    const aborted = (cause: unknown, reached = false): ConsoleApiError =>
      fail('aborted', reached, { detail: 'aborted by caller', cause });

    const wait = async (ms: number): Promise<void> => {
      if (ms <= 0) return;
      try {
        await sleep(ms, signal);
      } catch (error) {
        if (signal?.aborted) throw aborted(signal.reason ?? error);
        throw error;
      }
      if (signal?.aborted) throw aborted(signal.reason);
    };

    /** Waits until the shared gate opens, unless that would overrun this call's budget. */
    const passGate = async (): Promise<void> => {
      for (;;) {
        const closedFor = gate.closedForMs();
        if (closedFor <= 0) return;
        if (now() - started + closedFor > policy.maxTotalMs) {
          throw fail('http', false, {
            status: 429,
            retryAfterMs: closedFor,
            detail: `throttled by an earlier 429 for another ${closedFor} ms, beyond the ${policy.maxTotalMs} ms retry budget`,
          });
        }
        totals.gateWaits += 1;
        await wait(closedFor);
      }
    };

    for (;;) {
      if (signal?.aborted) throw aborted(signal.reason);
      await passGate();

      const headers: Record<string, string> = { accept: 'application/json' };
      if (payload !== undefined) headers['content-type'] = 'application/json';
      if (needsAuth) {
        if (token === undefined) {
          try {
            token = await tokenSource.getToken(signal);
          } catch (error) {
            if (signal?.aborted) throw aborted(signal.reason);
            throw error; // a TokenError belongs to the token domain: pass it through untouched
          }
          secrets.push(token);
        }
        headers.authorization = `Bearer ${token}`;
      }

      attempts += 1;
      totals.requests += 1;
      opStats.requests += 1;
      const outcome = await send({ url, method, headers, body: payload, signal });

      if (outcome.kind === 'aborted') throw aborted(outcome.error, true);
      let status: number | undefined;
      let text: string | undefined;
      let retryAfterMs: number | undefined;
      if (outcome.kind === 'response') {
        status = outcome.status;
        text = outcome.text;
        if (status === 404 && call.notFound) return call.notFound();
        if (status >= 200 && status < 300) {
          if (call.decode === undefined) return call.answer as T;
          const decoded = decodeBody(text, call.decode);
          if (decoded.ok) return decoded.value;
          throw fail('invalid-response', true, { status, body: text, detail: decoded.problem });
        }
        if (status === 401 && needsAuth && !refreshed && token !== undefined) {
          // A 401 means the request was not processed: safe to resend once, POST included.
          refreshed = true;
          totals.tokenRefreshes += 1;
          log.debug('console token rejected, refreshing', { method, path: template, attempt: attempts });
          const rejected = token;
          token = undefined;
          await tokenSource.invalidate(rejected);
          continue;
        }
        retryAfterMs = parseRetryAfter(outcome.retryAfter, now());
        if (status === 429) {
          totals.throttled += 1;
          opStats.throttled += 1;
          const pause = throttlePauseMs(policy, retryAfterMs, retries, random);
          totals.throttledMs += gate.close(now() + pause);
          log.debug('console throttled', { method, path: template, pauseMs: pause, retryAfterMs });
        }
        if (!isTransientStatus(status, call.retryConflict === true)) {
          throw fail('http', false, { status, body: text, retryAfterMs });
        }
      }

      // A transient failure: 429, 5xx, a retryable 409, timeout or connection error.
      const decision = decideRetry(
        policy,
        {
          status,
          retryAfterMs,
          replayable,
          sends: attempts - (refreshed ? 1 : 0),
          retries,
          elapsedMs: now() - started,
          gateClosedForMs: gate.closedForMs(),
        },
        random,
      );
      if (!decision.retry) {
        throw outcome.kind === 'response'
          ? fail('http', true, { status, body: text, retryAfterMs })
          : fail(outcome.kind, true, {
              detail:
                outcome.kind === 'timeout'
                  ? `timed out after ${timeoutMs} ms`
                  : `connection failed${systemCode(outcome.error)}`,
              cause: outcome.error,
            });
      }

      retries += 1;
      totals.retries += 1;
      opStats.retries += 1;
      log.debug('console retry', {
        method,
        path: template,
        status,
        code: outcome.kind === 'response' ? 'http' : outcome.kind,
        attempt: attempts,
        delayMs: decision.waitMs,
      });
      if (!decision.atGate) await wait(decision.delayMs);
    }
  }

  return {
    request,
    stats: () => ({
      ...totals,
      byOperation: Object.fromEntries([...byOperation].map(([route, counts]) => [route, { ...counts }])),
    }),
  };
}
