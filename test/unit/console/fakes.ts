// Fakes for the Console client's unit tests: a scripted fetch, a token source, and a clock whose sleep
// returns at once but moves time forward (concurrent sleeps overlap, as real ones do).
import {
  type ConsoleClientOptions,
  createConsoleClient,
  type MeteredConsoleClient,
} from '#lib/console/client.ts';
import { ConsoleApiError } from '#lib/console/errors.ts';
import { recordingLog } from '#local/recording-log.ts';
import { type RecordingTokenSource, recordingTokenSource } from '#test/fakes/token-source.ts';
import { rejectionBy } from '#test/helpers/thrown.ts';

export interface SentRequest {
  url: string;
  pathname: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
  signal: AbortSignal | undefined;
  /** Fake-clock time the request was sent at. */
  at: number;
}

export type Responder = (request: SentRequest) => Response | Promise<Response>;

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

export function text(body: string, status: number, headers: Record<string, string> = {}): Response {
  return new Response(body, { status, headers: { 'content-type': 'text/plain', ...headers } });
}

export function empty(status = 204): Response {
  return new Response(null, { status });
}

/** Rejects the way fetch does when its signal aborts; never answers otherwise. */
export const hang: Responder = (request) =>
  new Promise<Response>((_resolve, reject) => {
    const signal = request.signal;
    if (!signal) return;
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });

/** A connection reset, as undici reports it. */
export const reset: Responder = () => {
  throw new TypeError('fetch failed', {
    cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
  });
};

export interface FakeClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Every sleep the client asked for, in ms. */
  sleeps: number[];
  advance(ms: number): void;
}

export function fakeClock(start = 0): FakeClock {
  let time = start;
  const sleeps: number[] = [];
  return {
    now: () => time,
    sleeps,
    advance(ms) {
      time += ms;
    },
    async sleep(ms, signal) {
      sleeps.push(ms);
      const target = time + ms;
      await Promise.resolve();
      if (signal?.aborted) throw signal.reason;
      time = Math.max(time, target);
    },
  };
}

export interface ScriptedFetch {
  fetch: typeof fetch;
  requests: SentRequest[];
}

/**
 * A fetch that answers with the responders in order (the last one repeats), recording each request.
 * `clock` stamps each request with the fake time it was sent at.
 */
export function scriptedFetch(responders: Responder[], clock?: FakeClock): ScriptedFetch {
  const requests: SentRequest[] = [];
  const fetchFn = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = String(input);
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, key) => {
      headers[key] = value;
    });
    const request: SentRequest = {
      url,
      pathname: new URL(url).pathname,
      method: init?.method ?? 'GET',
      headers,
      body: typeof init?.body === 'string' ? init.body : undefined,
      signal: init?.signal ?? undefined,
      at: clock?.now() ?? 0,
    };
    requests.push(request);
    const responder = responders[Math.min(requests.length - 1, responders.length - 1)];
    if (!responder) throw new Error('scriptedFetch: no responder');
    return responder(request);
  };
  return { fetch: fetchFn as typeof fetch, requests };
}

export type FakeTokenSource = RecordingTokenSource;

/** Hands out `tokens` in order: the current one until it is invalidated, then the next (the last one for good). */
export function fakeTokenSource(tokens: string[] = ['token-1', 'token-2', 'token-3']): FakeTokenSource {
  let index = 0;
  return recordingTokenSource(() => tokens[Math.min(index++, tokens.length - 1)] ?? 'token-last');
}

export const clusterFixture = {
  uuid: '1b0d1e0d-1111-2222-3333-444455556666',
  name: 'test-cluster',
  ownerId: 'owner-1',
  created: '2026-01-15T10:00:00.000Z',
  autoUpdate: true,
  channel: { uuid: 'ch-1', name: 'Stable' },
  generation: { uuid: 'gen-1', name: '8.6.0' },
  region: { uuid: 'reg-1', name: 'Europe West 1' },
  planType: { uuid: 'plan-1', name: 'Professional' },
  links: { zeebe: 'grpc://zeebe', operate: 'https://operate' },
  status: { ready: 'Healthy', zeebeStatus: 'Healthy', connectorsStatus: 'Healthy' },
  encryption: { type: 'Software', status: 'Ready' },
};

export const backupFixture = {
  uuid: 'backup-1',
  name: 'nightly',
  created: '2026-01-15T10:00:00.000Z',
  completed: '2026-01-15T10:05:00.000Z',
  status: 'Complete',
  zeebeStatus: 'Complete',
  tasklistStatus: 'Complete',
  operateStatus: 'Complete',
  optimizeStatus: 'Complete',
  generationUuid: 'gen-1',
  generationName: '8.6.0',
};

export const parametersFixture = {
  channels: [
    {
      uuid: 'ch-1',
      name: 'Stable',
      allowedGenerations: [{ uuid: 'gen-1', name: '8.6.0' }],
      defaultGeneration: { uuid: 'gen-1', name: '8.6.0' },
    },
  ],
  clusterPlanTypes: [{ uuid: 'plan-1', name: 'Professional' }],
  regions: [{ uuid: 'reg-1', name: 'Europe West 1', provider: 'gcp' }],
};

export interface TestClient {
  client: MeteredConsoleClient;
  clock: FakeClock;
  http: ScriptedFetch;
  tokens: FakeTokenSource;
  log: ReturnType<typeof recordingLog>;
}

/** A client over a scripted fetch, a fake clock and a fixed jitter (no real waiting). */
export function testClient(
  responders: Responder[],
  options: Partial<ConsoleClientOptions> & { tokens?: FakeTokenSource; clock?: FakeClock } = {},
): TestClient {
  const clock = options.clock ?? fakeClock();
  const http = scriptedFetch(responders, clock);
  const tokens = options.tokens ?? fakeTokenSource();
  const log = recordingLog();
  const client = createConsoleClient({
    baseUrl: 'https://console.test',
    fetch: http.fetch,
    sleep: clock.sleep,
    now: clock.now,
    random: () => 0.5,
    log,
    ...options,
    tokenSource: tokens,
  });
  return { client, clock, http, tokens, log };
}

/** The rejection of `promise`, failing the test when it resolves. */
export function rejectionOf(promise: Promise<unknown>): Promise<ConsoleApiError> {
  return rejectionBy(ConsoleApiError, promise);
}

export interface ManualClock extends FakeClock {
  /** Lets pending promise chains run (fetch answers, gate checks) without moving time. */
  flush(): Promise<void>;
  /** Wakes sleepers in time order, flushing after each, until nobody sleeps. */
  runAll(): Promise<void>;
  /** How many sleeps are pending. */
  readonly sleeping: number;
}

/** A clock whose sleeps wait until the test moves time: for ordering concurrent calls. */
export function manualClock(start = 0): ManualClock {
  let time = start;
  const sleeps: number[] = [];
  const waiting: { until: number; resolve: () => void }[] = [];
  const flush = async (): Promise<void> => {
    for (let i = 0; i < 5; i += 1) await new Promise<void>((r) => setImmediate(r));
  };
  return {
    now: () => time,
    sleeps,
    advance(ms) {
      time += ms;
    },
    get sleeping() {
      return waiting.length;
    },
    sleep(ms, signal) {
      sleeps.push(ms);
      return new Promise<void>((resolve, reject) => {
        const entry = { until: time + ms, resolve };
        waiting.push(entry);
        signal?.addEventListener(
          'abort',
          () => {
            waiting.splice(waiting.indexOf(entry), 1);
            reject(signal.reason);
          },
          { once: true },
        );
      });
    },
    flush,
    async runAll() {
      await flush();
      for (;;) {
        waiting.sort((a, b) => a.until - b.until);
        const next = waiting.shift();
        if (!next) return;
        time = Math.max(time, next.until);
        next.resolve();
        await flush();
      }
    },
  };
}
