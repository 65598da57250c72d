import { describe, expect, it } from 'vitest';
import {
  BenchOptionsError,
  DEFAULT_TOKEN_BENCH_OPTIONS,
  parseTokenBenchOptions,
} from '../../../bench/lib/options.ts';

describe('parseTokenBenchOptions', () => {
  it('defaults to the full run: herds of 1, 10, 50 and 200, 100 cold samples, writing the docs', () => {
    // Act
    const options = parseTokenBenchOptions([]);
    // Assess
    expect(options).toEqual(DEFAULT_TOKEN_BENCH_OPTIONS);
    expect(options.sizes).toEqual([1, 10, 50, 200]);
    expect(options.coldSamples).toBe(100);
    expect(options.write).toBe(true);
    expect(options.productionTimeouts).toBe(false);
  });

  it('reads a smaller run from argv, sorting and de-duplicating the sizes', () => {
    // Act
    const options = parseTokenBenchOptions([
      '--sizes',
      '10, 1,10',
      '--cold-samples',
      '5',
      '--warm-iterations=200',
      '--out',
      '/tmp/b.md',
      '--no-write',
      '--production-timeouts',
    ]);
    // Assess
    expect(options).toEqual({
      sizes: [1, 10],
      coldSamples: 5,
      warmIterations: 200,
      out: '/tmp/b.md',
      write: false,
      productionTimeouts: true,
    });
  });

  it('names the option that is not a positive whole number', () => {
    expect(() => parseTokenBenchOptions(['--sizes', '1,0'])).toThrow(/--sizes: '0'/);
    expect(() => parseTokenBenchOptions(['--cold-samples', '2.5'])).toThrow(/--cold-samples: '2.5'/);
    expect(() => parseTokenBenchOptions(['--sizes', '1,,2'])).toThrow(BenchOptionsError);
  });

  it('refuses unknown options and stray arguments', () => {
    expect(() => parseTokenBenchOptions(['--size', '1'])).toThrow(BenchOptionsError);
    expect(() => parseTokenBenchOptions(['200'])).toThrow(BenchOptionsError);
  });
});
