// What the OAuth and Console handlers share inside one simulator instance.
import type { FaultRegistry } from '#local/sim/faults.ts';
import type { SimState } from '#local/sim/state.ts';
import type { TokenAuthority } from '#local/sim/tokens.ts';
import type { AuthRateLimit, ConsoleRateLimit, SimStats } from '#local/sim/types.ts';

export interface ResolvedOptions {
  audience: string;
  tokenLifetimeSec: number;
  serveCachedToken: boolean;
  tarPitMs: number;
  authRateLimit: AuthRateLimit | false;
  consoleRateLimit: ConsoleRateLimit | false;
  latencyMs: number;
  clusterCreateMs: number;
  sourceHeader: boolean;
}

export interface SimCore {
  options: ResolvedOptions;
  now: () => number;
  state: SimState;
  faults: FaultRegistry;
  stats: SimStats;
  tokens: TokenAuthority;
  /** A real-time delay that close() cancels (the waiting handler then never resumes). */
  sleep(ms: number): Promise<void>;
}

/** Count a key in a Record<string, number>. */
export function bump(record: Record<string, number>, key: string): void {
  record[key] = (record[key] ?? 0) + 1;
}
