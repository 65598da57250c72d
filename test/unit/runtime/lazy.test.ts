// Adapters built on their first call: nothing is built by the composition root, one build serves every
// later call, and a build that failed is tried again by the next call.
import { describe, expect, it } from 'vitest';
import { builtOnFirstCall } from '#lib/runtime/lazy.ts';

interface Counter {
  add(n: number): Promise<number>;
  total(): Promise<number>;
}

function counterAdapter(): Counter {
  return {
    sum: 0,
    async add(n: number) {
      // `this` is the adapter: the port calls its methods as methods.
      (this as unknown as { sum: number }).sum += n;
      return (this as unknown as { sum: number }).sum;
    },
    async total() {
      return (this as unknown as { sum: number }).sum;
    },
  } as Counter;
}

describe('builtOnFirstCall', () => {
  it('builds nothing until the first call, then once for every call after it', async () => {
    // Prepare
    let builds = 0;
    const port = builtOnFirstCall(async () => {
      builds += 1;
      return counterAdapter();
    }, ['add', 'total']);
    // Act
    const before = builds;
    const results = await Promise.all([port.add(2), port.add(3)]);
    const total = await port.total();
    // Assess
    expect(before).toBe(0);
    expect(builds).toBe(1);
    expect(results.sort()).toEqual([2, 5]);
    expect(total).toBe(5);
  });

  it('passes a failed build to the caller and builds again on the next call', async () => {
    // Prepare
    let builds = 0;
    const port = builtOnFirstCall(async () => {
      builds += 1;
      if (builds === 1) throw new Error('client not loadable');
      return counterAdapter();
    }, ['add', 'total']);
    // Act
    const first = await port.add(1).catch((err: unknown) => err);
    const second = await port.add(1);
    // Assess
    expect((first as Error).message).toBe('client not loadable');
    expect(second).toBe(1);
    expect(builds).toBe(2);
  });
});
