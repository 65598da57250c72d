// The client's connector-secret and API-client operations over real HTTP against the simulator: values
// read and written, a 409 "change in progress" retried on PUT, a POST never replayed, and secret material
// never in an error.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ConsoleClient, createConsoleClient } from '#lib/console/client.ts';
import { type RunningSimulator, startSimulator } from '#local/sim/index.ts';
import { simTokenSource } from '#test/helpers/sim-console.ts';
import { rejectionOf } from '#test/unit/console/fakes.ts';

describe('console client: secrets and API clients against the simulator', () => {
  let sim: RunningSimulator;
  let client: ConsoleClient;
  let t = 0;
  const idOf = (name: string): string => sim.state.cluster(name).uuid;

  beforeEach(async () => {
    t = Date.parse('2026-11-30T07:00:00Z');
    sim = await startSimulator({ seed: 'org', now: () => t, secretChangeMs: 1_000 });
    client = createConsoleClient({
      tokenSource: simTokenSource(sim),
      baseUrl: sim.url,
      timeoutMs: 2_000,
      now: () => t,
      // The retry wait moves the simulated clock: the 409 window passes without real waiting.
      sleep: async (ms: number) => {
        t += ms;
      },
      retry: { baseDelayMs: 600, maxDelayMs: 600 },
      random: () => 0.99,
    });
  });

  afterEach(async () => {
    expect(sim.stats.console.specViolations).toEqual([]);
    await sim.close();
  });

  it('reads secrets with values and clients without secrets', async () => {
    expect(await client.getSecrets(idOf('dev-orders'))).toEqual({
      ORDERS_DB_PASSWORD: 'sim-not-a-real-password',
    });
    const clients = await client.listApiClients(idOf('dev-orders'));
    expect(clients).toEqual([
      { name: 'orders-worker', clientId: expect.any(String), permissions: ['Zeebe', 'Tasklist'] },
    ]);
  });

  it('creates a secret and an API client; the created client carries its secret once', async () => {
    const id = idOf('prod-orders');
    await client.createSecret(id, 'NEW', 'v-1');
    expect(await client.getSecrets(id)).toEqual({ NEW: 'v-1' });
    const created = await client.createApiClient(id, { clientName: 'w', permissions: ['Zeebe'] });
    expect(created).toMatchObject({ name: 'w', permissions: ['Zeebe'], clientSecret: expect.any(String) });
    expect(sim.state.cluster(id).apiClients.find((c) => c.name === 'w')?.clientSecret).toBe(
      created.clientSecret,
    );
    expect(await client.deleteApiClient(id, created.clientId)).toBe('deleted');
    expect(await client.listApiClients(id)).toEqual([]);
  });

  it('retries a PUT that meets 409 "change in progress" and succeeds once the change is over', async () => {
    const id = idOf('dev-orders');
    await client.createSecret(id, 'OTHER', 'x'); // the cluster's secrets are busy for 1 s now
    await client.updateSecret(id, 'ORDERS_DB_PASSWORD', 'rotated');
    expect(sim.stats.console.byStatus['409']).toBeGreaterThanOrEqual(1);
    expect((await client.getSecrets(id)).ORDERS_DB_PASSWORD).toBe('rotated');
  });

  it('does not retry a POST that meets 409, and the value is not in the error', async () => {
    const id = idOf('dev-orders');
    await client.createSecret(id, 'OTHER', 'x');
    const error = await rejectionOf(client.createSecret(id, 'SECOND', 'very-secret-value-123'));
    expect(error).toMatchObject({ status: 409, attempts: 1 });
    expect(JSON.stringify(error)).not.toContain('very-secret-value-123');
    expect(error.message).not.toContain('very-secret-value-123');
  });

  it('does not replay a client create whose answer was lost, and flags maybeApplied', async () => {
    const id = idOf('prod-orders');
    sim.faults.add({
      route: 'POST /clusters/{clusterUuid}/clients',
      kind: 'status',
      status: 503,
      afterCommit: true,
      times: 1,
    });
    const error = await rejectionOf(client.createApiClient(id, { clientName: 'lost' }));
    expect(error).toMatchObject({ maybeApplied: true, attempts: 1 });
    expect((await client.listApiClients(id)).map((c) => c.name)).toEqual(['lost']);
  });

  it('an unreadable secrets answer fails without the body (it would carry values)', async () => {
    const id = idOf('dev-orders');
    sim.state.setSecret(id, 'BROKEN', 'leaky-value-987');
    (sim.state.cluster(id).secrets as Record<string, unknown>).BROKEN = 42;
    (sim.state.cluster(id).secrets as Record<string, unknown>).LEAK = 'leaky-value-987';
    const error = await rejectionOf(client.getSecrets(id));
    expect(error.code).toBe('invalid-response');
    expect(`${error.message} ${error.bodyExcerpt} ${JSON.stringify(error)}`).not.toContain('leaky-value-987');
    sim.stats.console.specViolations.length = 0; // the broken answer is on purpose
  });
});
