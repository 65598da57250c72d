// The environment of the teardown and recreate tests over real HTTP (test/integration/teardown, the recreate
// fault matrix): dynalite for the whole file, and per test the simulator's seeded org and a fresh table, both on
// the test's clock; every simulator a test started is closed after it.
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createDynamoStores, type StateStores } from '#lib/state/dynamo.ts';
import { type EmbeddedDynamo, startDynalite } from '#local/dynalite.ts';
import { type RunningSimulator, startSimulator } from '#local/sim/index.ts';
import type { SimOptions } from '#local/sim/types.ts';
import type { ManualClock } from '#test/fakes/clock.ts';

export function orgAndTablePerTest(simOptions: SimOptions = {}) {
  let db: EmbeddedDynamo;
  let started: RunningSimulator[] = [];
  beforeAll(async () => {
    db = await startDynalite();
  });
  afterAll(async () => {
    await db.close();
  });
  afterEach(async () => {
    await Promise.all(started.map((sim) => sim.close()));
    started = [];
  });
  return async (clock: ManualClock): Promise<{ sim: RunningSimulator; stores: StateStores }> => {
    const sim = await startSimulator({ seed: 'org', ...simOptions, now: clock.now });
    started.push(sim);
    return { sim, stores: createDynamoStores(db.client, await db.createTable(), { clock }) };
  };
}
