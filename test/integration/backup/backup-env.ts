// The environment of the backup use-case tests (run-backup, run-check, run-drill): dynalite for the whole file,
// and per test a fresh table, the simulator's seeded org and one hand-moved clock the simulator and the job
// share, so backup and restore progress is driven by the test, never by sleeping.
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { BackupPolicy } from '#lib/config/types.ts';
import { createDynamoStores, type StateStores } from '#lib/state/index.ts';
import { type EmbeddedDynamo, startDynalite } from '#local/dynalite.ts';
import { type ManualClock, manualClock, type RunningSimulator, startSimulator } from '#local/sim/index.ts';
import type { SimOptions } from '#local/sim/types.ts';
import { backupPolicy } from '#test/unit/backup/fakes.ts';

/** A weekly restore drill on test-payments with short waits (the tests move the clock through them). */
export const TEST_PAYMENTS_DRILL: BackupPolicy['drill'] = {
  enabled: true,
  schedule: 'cron(0 4 ? * SUN *)',
  cluster: 'test-payments',
  useExisting: false,
  maxMinutes: 30,
  pollSeconds: 1,
};

/**
 * The policy the check and drill tests start from: manual backups with no minimum interval set, prod-* as
 * production, and the test-payments drill; each file adds what it selects.
 */
export function drilledPolicy(overrides: Partial<BackupPolicy>): BackupPolicy {
  return backupPolicy({
    minIntervalHours: undefined,
    productionSelector: { names: ['prod-*'] },
    drill: TEST_PAYMENTS_DRILL,
    ...overrides,
  });
}

export interface BackupEnv {
  sim: RunningSimulator;
  clock: ManualClock;
  stores: StateStores;
}

/** Registers the hooks; the returned object holds the current test's simulator, clock and stores. */
export function useBackupEnv(startsAt: string, simOptions: Partial<SimOptions> = {}): BackupEnv {
  const env = {} as BackupEnv;
  let dynamo: EmbeddedDynamo;
  beforeAll(async () => {
    dynamo = await startDynalite();
  });
  afterAll(async () => {
    await dynamo.close();
  });
  beforeEach(async () => {
    env.clock = manualClock(Date.parse(startsAt));
    env.sim = await startSimulator({ seed: 'org', ...simOptions, now: env.clock.now });
    env.stores = createDynamoStores(dynamo.client, await dynamo.createTable(), { clock: env.clock });
  });
  afterEach(async () => {
    await env.sim.close();
  });
  return env;
}
