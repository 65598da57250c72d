import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { teardownWindowId } from '#functions/teardown/window.ts';

describe('teardownWindowId', () => {
  it('keys an evening, the night after and the next morning by the date the window starts on', () => {
    const id = (iso: string, zone = 'UTC', start = 12) => teardownWindowId(Date.parse(iso), zone, start);
    expect(id('2026-11-26T18:00:00Z')).toBe('2026-11-26');
    expect(id('2026-11-26T23:59:59Z')).toBe('2026-11-26');
    expect(id('2026-11-27T07:00:00Z')).toBe('2026-11-26');
    expect(id('2026-11-27T11:59:59Z')).toBe('2026-11-26');
    expect(id('2026-11-27T12:00:00Z')).toBe('2026-11-27');
    expect(id('2026-01-01T03:00:00Z')).toBe('2025-12-31');
    expect(id('2026-03-01T03:00:00Z')).toBe('2026-02-28');
    // Local time: 2026-11-26T23:30Z is 00:30 on the 27th in Berlin, before noon: still the 26th's window.
    expect(id('2026-11-26T23:30:00Z', 'Europe/Berlin')).toBe('2026-11-26');
    expect(id('2026-11-27T11:30:00Z', 'Europe/Berlin')).toBe('2026-11-27');
    expect(id('2026-11-27T04:00:00Z', 'America/New_York', 0)).toBe('2026-11-26');
    expect(id('2026-11-27T06:00:00Z', 'America/New_York', 0)).toBe('2026-11-27');
  });

  it('property: a window is entered only at its start hour, and lasts 23 to 25 h (DST)', () => {
    const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse('2024-01-01T00:00:00Z'), max: Date.parse('2030-01-01T00:00:00Z') }),
        fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Sydney'),
        fc.integer({ min: 0, max: 23 }),
        (t, zone, start) => {
          const here = teardownWindowId(t, zone, start);
          const nextHour = teardownWindowId(t + 3_600_000, zone, start);
          // Ids only move forward, by one day at a time.
          const days = (Date.parse(nextHour) - Date.parse(here)) / 86_400_000;
          expect([0, 1]).toContain(days);
          expect(teardownWindowId(t + 26 * 3_600_000, zone, start)).not.toBe(here);
          expect(teardownWindowId(t - 26 * 3_600_000, zone, start)).not.toBe(here);
        },
      ),
      { seed, numRuns: 300 },
    );
  });
});
