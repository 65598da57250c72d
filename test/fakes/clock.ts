// A clock tests move by hand: satisfies the `Clock` port (and `{ now(): number }` wherever one is taken).
export interface ManualClock {
  now(): number;
  set(ms: number | string): void;
  advance(ms: number): void;
}

export function manualClock(start: number | string = '2026-11-27T02:00:00Z'): ManualClock {
  let t = typeof start === 'string' ? Date.parse(start) : start;
  return {
    now: () => t,
    set(ms) {
      t = typeof ms === 'string' ? Date.parse(ms) : ms;
    },
    advance(ms) {
      t += ms;
    },
  };
}
