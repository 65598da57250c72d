// The environment of the teardown handler tests (teardown.test.ts, teardown-night.test.ts): a fresh simulator
// and dynalite per test on a clock the test moves instead of sleeping, the seeded org plus an Enterprise dev
// cluster with an allowlist (so a recreate has rules to re-apply), and every test's log lines kept for the
// file's secret scan.
import { afterEach, beforeEach } from 'vitest';
import { handler } from '#functions/teardown/handler.ts';
import { type LocalEnv, type LocalEnvOptions, lambdaContext, minutesAgo, startLocalEnv } from '#local/env.ts';
import { fileLogScan } from '#test/helpers/run-readers.ts';

export const DELETE_CLUSTER = 'DELETE /clusters/{clusterUuid}';
export const CREATE_CLUSTER = 'POST /clusters';
export const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The simulator's create time here (simulated: the test moves the clock, it never waits). */
export const CREATE_MS = 60_000;
/** An Enterprise dev cluster with an allowlist, so the recreate has rules to re-apply. */
export const DEV_ENTERPRISE = 'dev-integration';
export const DEV_ENTERPRISE_RULES = [
  { description: 'office', ip: '203.0.113.0/24' },
  { description: 'ci runners', ip: '198.51.100.0/24' },
];

export const invoke = (event: unknown) => handler(event, lambdaContext('teardown'));

export function keepAliveBody(cluster: string, until: string) {
  return { payload: { cluster, until, by: 'alice', reason: 'demo tomorrow morning' } };
}

async function start(now: () => number, options: LocalEnvOptions = {}): Promise<LocalEnv> {
  // The first recreate does not wait for Healthy here, so the story shows the follow-up run finishing.
  const env = await startLocalEnv({
    now,
    ...options,
    config: { teardown: { recreate: { waitForHealthySeconds: 0 } }, ...options.config },
    sim: { now, clusterCreateMs: CREATE_MS, ...options.sim },
  });
  env.sim.state.addCluster({
    name: DEV_ENTERPRISE,
    plan: 'Enterprise S',
    created: now() - 30 * DAY,
    labels: ['env-dev', 'team-integration'],
    description: 'Integration team development cluster',
    ipallowlist: DEV_ENTERPRISE_RULES.map((r) => ({ ...r })),
  });
  return env;
}

/** Registers the per-test environment (beforeEach/afterEach) of a teardown handler test file. */
export function useTeardownEnv() {
  let env: LocalEnv | undefined;
  /** Time shared by the simulator and the container; a test moves it instead of sleeping. */
  let offset = 0;
  const now = () => Date.now() + offset;
  const fileLog = fileLogScan();
  const local = (): LocalEnv => {
    if (!env) throw new Error('no teardown environment: useTeardownEnv() runs in beforeEach');
    return env;
  };
  beforeEach(async () => {
    offset = 0;
    env = await start(now);
  });
  afterEach(async () => {
    await fileLog.collect(local());
    await local().close();
  });
  return {
    local,
    now,
    fileLog,
    /** A scheduled time `minutes` before the test's now (late scheduled deliveries are refused). */
    ago: (minutes: number) => minutesAgo(minutes, now),
    advance: (ms: number) => {
      offset += ms;
    },
    /** Replaces this test's environment by one started with other options. */
    restart: async (options: LocalEnvOptions) => {
      await local().close();
      env = await start(now, options);
    },
    routeCount: (route: string): number => local().sim.stats.console.byRoute[route] ?? 0,
  };
}
