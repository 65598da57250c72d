// The real Console client pointed at the simulator, as the jobs' integration tests build it: a token the
// simulator issued (fetched once, dropped when the Console rejects it), a short timeout and quick retries.
import { type ConsoleClientOptions, createConsoleClient } from '#lib/console/client.ts';
import type { TokenSource } from '#lib/console/token-source.ts';
import type { RunningSimulator } from '#local/sim/index.ts';

export function simTokenSource(sim: RunningSimulator): TokenSource {
  let current: string | undefined;
  return {
    async getToken() {
      current ??= sim.issueToken();
      return current;
    },
    async invalidate(token) {
      if (current === token) current = undefined;
    },
  };
}

export function simConsoleClient(sim: RunningSimulator, options: Partial<ConsoleClientOptions> = {}) {
  return createConsoleClient({
    tokenSource: simTokenSource(sim),
    baseUrl: sim.url,
    timeoutMs: 5_000,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    ...options,
  });
}
