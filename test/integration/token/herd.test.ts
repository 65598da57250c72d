// The reason the project exists: many cold Lambda instances (here: separate OS processes) starting at
// once make ONE token request, against the simulator's auth server with its rate limit on.
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { tokenItemKey } from '#lib/token/shared-store.ts';
import { bundleEntry } from '#local/bundle.ts';
import { type EmbeddedDynamo, startDynalite } from '#local/dynalite.ts';
import { type DynamoProxy, startDynamoProxy } from '#local/dynamo-proxy.ts';
import { type RunningSimulator, startSimulator } from '#local/sim/index.ts';
import type { SimOptions } from '#local/sim/types.ts';
import { runNode } from '#test/helpers/processes.ts';

const WORKER = fileURLToPath(new URL('./herd-worker.ts', import.meta.url));

interface WorkerResult {
  ok: boolean;
  tokenHash?: string;
  origin?: string;
  code?: string;
  message?: string;
}

let db: EmbeddedDynamo;
let workerFile: string;
beforeAll(async () => {
  [db, workerFile] = await Promise.all([startDynalite(), bundleEntry(WORKER)]);
});
afterAll(async () => {
  await db.close();
});

async function herd(
  sim: RunningSimulator,
  tableName: string,
  n: number,
  extraEnv: Record<string, string> = {},
): Promise<WorkerResult[]> {
  // Every process waits for the same instant, after all have loaded, so they really race.
  const startAt = Date.now() + 1_500 + n * 40;
  const env = {
    CAMUNDA_OAUTH_URL: sim.oauthUrl,
    CAMUNDA_CONSOLE_OAUTH_AUDIENCE: sim.audience,
    CAMUNDA_CONSOLE_CLIENT_ID: sim.clientId,
    CAMUNDA_CONSOLE_CLIENT_SECRET: sim.clientSecret,
    STATE_TABLE_NAME: tableName,
    AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    HERD_START_AT: String(startAt),
    ...extraEnv,
  };
  const results = await Promise.all(Array.from({ length: n }, () => runNode(workerFile, env, 90_000)));
  return results.map((r) => {
    const line = r.stdout.trim().split('\n').pop() ?? '';
    try {
      return JSON.parse(line) as WorkerResult;
    } catch {
      return { ok: false, message: `exit ${r.code}: ${r.stderr.slice(0, 300)}` };
    }
  });
}

/** The auth server allows one request per second and blocks the source for 30 s after that. */
const RATE_LIMITED: Partial<SimOptions> = { authRateLimit: { perSecond: 1, blockMs: 30_000 } };

/** A simulator with an empty org, closed when the test finishes. */
async function simulatorForTest(options: Partial<SimOptions>): Promise<RunningSimulator> {
  const sim = await startSimulator({ seed: 'empty', ...options });
  onTestFinished(() => sim.close());
  return sim;
}

/** The shared token item's key for the simulator's credentials. */
const tokenKeyOf = (sim: RunningSimulator) => tokenItemKey(sim.clientId, sim.audience, sim.oauthUrl);

describe('a herd of cold instances', () => {
  it('50 processes starting at once make exactly 1 auth request and all get the token', async () => {
    // Prepare: the auth server allows one request per second and blocks the source after that.
    const sim = await simulatorForTest(RATE_LIMITED);
    const tableName = await db.createTable();
    // Act
    const results = await herd(sim, tableName, 50);
    // Assess
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(sim.stats.auth.requests).toBe(1);
    expect(sim.stats.auth.rateLimited).toBe(0);
    expect(new Set(results.map((r) => r.tokenHash)).size).toBe(1);
    expect(results.filter((r) => r.origin === 'auth')).toHaveLength(1);
    expect(results.filter((r) => r.origin === 'shared')).toHaveLength(49);
  });

  it('20 rounds of a 10-process herd on a fresh table make 1 auth request each round', async () => {
    const sim = await simulatorForTest({ authRateLimit: false });
    const perRound: number[] = [];
    for (let round = 0; round < 20; round++) {
      // Prepare
      const tableName = await db.createTable();
      const before = sim.stats.auth.requests;
      // Act
      const results = await herd(sim, tableName, 10);
      // Assess (collected, so one failing round shows all rounds)
      perRound.push(sim.stats.auth.requests - before);
      expect(results.filter((r) => !r.ok)).toEqual([]);
    }
    expect(perRound).toEqual(Array.from({ length: 20 }, () => 1));
  });

  it('wrong credentials: one auth request across the herd, everybody gets an actionable error', async () => {
    // Prepare
    const sim = await simulatorForTest({ tarPitMs: 300, authRateLimit: false });
    const tableName = await db.createTable();
    // Act
    const results = await herd(sim, tableName, 12, { CAMUNDA_CONSOLE_CLIENT_SECRET: 'wrong-secret' });
    // Assess
    expect(sim.stats.auth.requests).toBe(1);
    expect(results.every((r) => !r.ok && r.code === 'credentials-rejected')).toBe(true);
    expect(results[0]?.message).toContain('CAMUNDA_CONSOLE_CLIENT_ID/CAMUNDA_CONSOLE_CLIENT_SECRET');
    expect(JSON.stringify(results)).not.toContain('wrong-secret');
  });
});

/** A local port nothing listens on: connections to it are refused (a DynamoDB endpoint that is down). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('a herd of cold instances while the token store is unreadable', () => {
  let proxy: DynamoProxy;
  beforeAll(async () => {
    proxy = await startDynamoProxy(db.endpoint);
  });
  afterEach(() => proxy.clear());
  afterAll(async () => {
    await proxy.close();
  });

  it('table unreachable: 30 processes make no auth request at all and fail with a clear store error', async () => {
    // Prepare: DynamoDB refuses connections; the auth server's rate limit is on.
    const sim = await simulatorForTest(RATE_LIMITED);
    const tableName = await db.createTable();
    // Act
    const results = await herd(sim, tableName, 30, {
      AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${await closedPort()}`,
    });
    // Assess: not one per container (the old fallback: 30 requests, 24 answered 429), but none.
    expect(sim.stats.auth.requests).toBe(0);
    expect(sim.stats.auth.rateLimited).toBe(0);
    expect(results.map((r) => r.code)).toEqual(Array.from({ length: 30 }, () => 'store-unavailable'));
    expect(results[0]?.message).toMatch(/token store .*unreachable.*not asking Camunda's auth server/);
  });

  it('token item throttled for a while (a hot key): 30 processes retry within budget, 1 auth request, all served', async () => {
    // Prepare: the token item's reads and writes are throttled for the first part of the herd, then work.
    const sim = await simulatorForTest(RATE_LIMITED);
    const tableName = await db.createTable();
    proxy.fail('GetItem', 'provisioned', 60, tokenKeyOf(sim));
    proxy.fail('UpdateItem', 'throttle', 20, tokenKeyOf(sim));
    // Act
    // A wide retry and wait budget: on a loaded test machine one throttled SDK call (with the SDK's own
    // retries) can take seconds; the point here is the count of auth requests, not the timing.
    const results = await herd(sim, tableName, 30, {
      AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint,
      HERD_TUNING: JSON.stringify({ storeRetryMs: 40_000, maxWaitMs: 60_000 }),
    });
    // Assess: everybody served, the fleet asked once (twice if the holder was so slow on the loaded test
    // machine that its lease ran out and another took over: still paced, never one per container).
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(sim.stats.auth.requests).toBeGreaterThanOrEqual(1);
    expect(sim.stats.auth.requests).toBeLessThanOrEqual(2);
    expect(sim.stats.auth.rateLimited).toBe(0);
  });

  it('token item throttled for good: 30 processes make no auth request and fail with a clear store error', async () => {
    // Prepare
    const sim = await simulatorForTest(RATE_LIMITED);
    const tableName = await db.createTable();
    proxy.fail('*', 'provisioned', Number.POSITIVE_INFINITY, tokenKeyOf(sim));
    // Act
    const results = await herd(sim, tableName, 30, { AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint });
    // Assess
    expect(sim.stats.auth.requests).toBe(0);
    expect(sim.stats.auth.rateLimited).toBe(0);
    expect(results.map((r) => r.code)).toEqual(Array.from({ length: 30 }, () => 'store-unavailable'));
  });
});
