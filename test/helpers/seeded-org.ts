// What LOCAL_CONFIG's jobs do to the simulator's seeded org (local/sim/seed.ts): the outcomes every test
// that runs that config on that org expects (`npm start`, `npm run invoke`).

/**
 * The clusters LOCAL_CONFIG's backup creates a backup for, sorted: the env-prod and env-stage ones, but for
 * stage-legacy-reports (its generation cannot back up).
 */
export const SEEDED_BACKED_UP = [
  'prod-analytics',
  'prod-billing',
  'prod-orders',
  'prod-payments',
  'stage-payments',
];
