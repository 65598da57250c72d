// A clock a test moves by hand, for the simulator's `now` option (token expiry, backup progress, limits).

export interface ManualClock {
  now: () => number;
  advance(ms: number): number;
  set(ms: number): void;
}

export function manualClock(start: number = Date.now()): ManualClock {
  let t = start;
  return {
    now: () => t,
    advance(ms: number) {
      t += ms;
      return t;
    },
    set(ms: number) {
      t = ms;
    },
  };
}
