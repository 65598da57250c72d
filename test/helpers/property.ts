// fast-check settings shared by the property tests: a failure is reproducible. fast-check prints the seed and
// the shrunk path of a failing run in the assertion error; `FC_SEED=<seed>` (and `FC_PATH=<path>`) replays
// exactly that run, and `FC_RUNS=<n>` overrides the number of runs (e.g. to search longer locally).
import type fc from 'fast-check';

/** The number of runs of a property: `n`, or FC_RUNS when set (mutation testing runs fewer, a local search more). */
export function runs(n: number): number {
  const override = Number(process.env.FC_RUNS);
  return Number.isInteger(override) && override > 0 ? override : n;
}

/** Parameters for `fc.assert`: `numRuns` (or FC_RUNS), plus FC_SEED / FC_PATH when set, and `examples`. */
export function propertyParams<T>(numRuns: number, examples: T[] = []): fc.Parameters<T> {
  const seed = process.env.FC_SEED;
  const path = process.env.FC_PATH;
  return {
    numRuns: runs(numRuns),
    examples,
    ...(seed ? { seed: Number(seed) } : {}),
    ...(path ? { path } : {}),
  };
}
