// Command-line options of `npm run bench:token`, so that it can be run smaller than the full run.
import { parseArgs } from 'node:util';

export interface TokenBenchOptions {
  /** Herd sizes: concurrent cold processes released at one instant. */
  sizes: number[];
  /** Cold processes, one after another, each timing its first getToken() against an existing shared token. */
  coldSamples: number;
  /** Timed in-process getToken() calls once the token is in memory. */
  warmIterations: number;
  /** Markdown file whose `token` section is rewritten. */
  out: string;
  /** Print the section instead of writing the file. */
  write: boolean;
  /** Run the herds with the provider's production timeouts instead of the relaxed ones. */
  productionTimeouts: boolean;
}

export const DEFAULT_TOKEN_BENCH_OPTIONS: TokenBenchOptions = {
  sizes: [1, 10, 50, 200],
  coldSamples: 100,
  warmIterations: 10_000,
  out: 'docs/BENCHMARKS.md',
  write: true,
  productionTimeouts: false,
};

export const TOKEN_BENCH_USAGE = `usage: npm run bench:token -- [options]
  --sizes 1,10,50,200        herd sizes (concurrent cold processes released at once)
  --cold-samples 100         cold processes timed one after another (token already shared)
  --warm-iterations 10000    in-process getToken() calls timed with the token in memory
  --out docs/BENCHMARKS.md   file whose token section is replaced
  --no-write                 print the section, leave the file alone
  --production-timeouts      herds with the provider's production timeouts (4 s auth, 15 s wait)
                             instead of relaxed ones; meaningful on a machine with many cores`;

export class BenchOptionsError extends Error {
  override readonly name = 'BenchOptionsError';
}

export function parseTokenBenchOptions(argv: readonly string[]): TokenBenchOptions {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    throw new BenchOptionsError(err instanceof Error ? err.message : String(err), { cause: err });
  }
  const { values } = parsed;
  const d = DEFAULT_TOKEN_BENCH_OPTIONS;
  return {
    sizes: values.sizes === undefined ? d.sizes : sizesFrom(values.sizes),
    coldSamples:
      values['cold-samples'] === undefined
        ? d.coldSamples
        : positive('--cold-samples', values['cold-samples']),
    warmIterations:
      values['warm-iterations'] === undefined
        ? d.warmIterations
        : positive('--warm-iterations', values['warm-iterations']),
    out: values.out ?? d.out,
    write: values['no-write'] !== true,
    productionTimeouts: values['production-timeouts'] === true,
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      sizes: { type: 'string' },
      'cold-samples': { type: 'string' },
      'warm-iterations': { type: 'string' },
      out: { type: 'string' },
      'no-write': { type: 'boolean' },
      'production-timeouts': { type: 'boolean' },
    },
  });
}

function sizesFrom(text: string): number[] {
  const sizes = text.split(',').map((s) => positive('--sizes', s.trim()));
  return [...new Set(sizes)].sort((a, b) => a - b);
}

function positive(option: string, text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw new BenchOptionsError(`${option}: '${text}' is not a positive whole number`);
  }
  return Number(text);
}
