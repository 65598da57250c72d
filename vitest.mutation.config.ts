// The tests StrykerJS runs against each mutant of the safety modules (`npm run test:mutation`): the unit and
// property tests that exercise them, with fewer property runs (FC_RUNS) and a fixed seed (FC_SEED) so that a
// mutant's fate does not depend on the seed. Not part of `npm test`. (test/unit/safety/teardown-safety.test.ts
// is left out: a minute per run, and its coverage counters need its full run count.)
import { defineConfig } from 'vitest/config';

const env = {
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  POWERTOOLS_DEV: 'false',
  FC_RUNS: process.env.FC_RUNS ?? '150',
  FC_SEED: process.env.FC_SEED ?? '20261201',
};

// MUTATION_TESTS=<glob,glob> narrows the tests (e.g. to the ones of one module, for a quicker run).
const only = process.env.MUTATION_TESTS?.split(',').filter(Boolean);

export default defineConfig({
  test: {
    name: 'mutation',
    env,
    include: only ?? [
      'test/unit/allowlist/**/*.test.ts',
      'test/unit/allowlist-sync/desired.test.ts',
      'test/unit/safety/allowlist-entries.test.ts',
      'test/unit/config/selector.test.ts',
      'test/unit/config/schema.test.ts',
      // Every teardown unit test: the plan's rules are reached through the keep-alive, unreadable-state and
      // lineage tests too, not only the plan's own.
      'test/unit/teardown/*.test.ts',
      'test/unit/token/**/*.test.ts',
      'test/integration/token/fleet.test.ts',
      'test/integration/token/auth-failures.test.ts',
      'test/integration/token/store-down.test.ts',
      'test/integration/token/store-contract.test.ts',
    ],
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
