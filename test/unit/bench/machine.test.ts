import { describe, expect, it } from 'vitest';
import { isoSeconds, loadText } from '../../../bench/lib/machine.ts';

describe('loadText', () => {
  it('states the load plainly while it stays within the cores', () => {
    expect(loadText({ start: 0.52, end: 1.5 }, 2)).toBe('load average 0.5 at the start, 1.5 at the end');
  });

  it('warns that times are inflated once the load exceeded the cores at either end', () => {
    expect(loadText({ start: 1, end: 2.1 }, 2)).toContain(
      'other work competed for the CPU, so times are inflated',
    );
    expect(loadText({ start: 180, end: 1 }, 2)).toContain('on 2 cores');
  });
});

describe('isoSeconds', () => {
  it('drops the milliseconds', () => {
    expect(isoSeconds(new Date('2026-11-27T19:18:48.123Z'))).toBe('2026-11-27T19:18:48Z');
  });
});
