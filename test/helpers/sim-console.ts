// The real Console client pointed at the simulator, as the jobs' integration tests build it: a token the
// simulator issued (fetched once, dropped when the Console rejects it), a short timeout and quick retries.
import { type ConsoleClientOptions, createConsoleClient } from '#lib/console/client.ts';
import type { RunningSimulator } from '#local/sim/index.ts';
import { type RecordingTokenSource, recordingTokenSource } from '#test/fakes/token-source.ts';

/** Tokens the simulator issues, one at a time (a new one once the Console rejected the current one). */
export function simTokenSource(sim: RunningSimulator): RecordingTokenSource {
  return recordingTokenSource(() => sim.issueToken());
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
