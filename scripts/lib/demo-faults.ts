// The simulator faults `npm start -- --faults …` can switch on, to watch the retries. Kept apart from
// demo.ts so that the command line can be checked before the handlers are loaded.
import type { Fault } from '#local/sim/types.ts';

export const DEMO_FAULTS = {
  'console-429': {
    help: 'the first two cluster listings answer 429 (Retry-After: 1 s)',
    text: 'the first two cluster listings answer 429 with Retry-After: 1 s (the client waits, then retries)',
    faults: [{ route: 'GET /clusters', kind: 'status', status: 429, retryAfter: '1', times: 2 }],
  },
  'console-5xx': {
    help: 'three cluster reads and one allowlist write answer 503',
    text: 'three cluster reads and one allowlist write answer 503 (replayable calls are retried with backoff)',
    faults: [
      { route: 'GET /clusters/{clusterUuid}', kind: 'status', status: 503, times: 3 },
      { route: 'PUT /clusters/{clusterUuid}/ipallowlist', kind: 'status', status: 503, times: 1 },
    ],
  },
  'auth-slow': {
    help: 'the token endpoint takes 1.5 s to answer',
    text: 'the token endpoint answers after 1.5 s (every caller waits for the one request in flight)',
    faults: [{ route: 'oauth', kind: 'latency', latencyMs: 1_500 }],
  },
} as const satisfies Record<string, { help: string; text: string; faults: readonly Fault[] }>;

export type DemoFault = keyof typeof DEMO_FAULTS;

export function isDemoFault(name: string): name is DemoFault {
  return Object.hasOwn(DEMO_FAULTS, name);
}
