import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { type ManualClock, manualClock, type RunningSimulator } from '#local/sim/index.ts';
import { RESTORE_IN_FLIGHT, RESTORE_NOT_AVAILABLE } from '#local/sim/restores.ts';
import { spec } from '#local/sim/spec.ts';
import { call, idOf, simulatorsPerTest, withCluster } from '#test/integration/sim/http.ts';

// Every restore answer must validate against the spec's RestoreDto (additionalProperties: false included).
const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addSchema({ components: spec.components }, 'spec');
const validRestore = ajv.compile({ $ref: 'spec#/components/schemas/RestoreDto' });

const startTimedSimulator = simulatorsPerTest({ backupDurationMs: 5_000 });
let clock: ManualClock;
async function start(): Promise<RunningSimulator> {
  clock = manualClock(Date.UTC(2026, 0, 15, 10, 0, 0));
  const sim = await startTimedSimulator({ now: clock.now });
  sim.state.restores.durationMs = 10_000;
  sim.state.restores.resumeMs = 3_000;
  return sim;
}

const restorePath = (id: string, backupId: string) => `/clusters/${id}/backups/${backupId}/restore`;
async function firstBackup(s: RunningSimulator, id: string): Promise<string> {
  const list = (await call(s, 'GET', `/clusters/${id}/backups`)).json as Array<{ uuid: string }>;
  const first = list[0];
  if (!first) throw new Error('no backup');
  return first.uuid;
}
async function clusterReady(s: RunningSimulator, id: string): Promise<string> {
  return ((await call(s, 'GET', `/clusters/${id}`)).json as { status: { ready: string } }).status.ready;
}

describe('simulator: restores', () => {
  it('runs a restore PENDING → VALIDATING → IN_PROGRESS → COMPLETED, the cluster Suspended then Resuming then Healthy', async () => {
    // Prepare
    const { s, id } = await withCluster(start(), 'prod-payments');
    const backupId = await firstBackup(s, id);

    // Act
    const none = await call(s, 'GET', restorePath(id, backupId));
    const posted = await call(s, 'POST', restorePath(id, backupId));
    const seen: string[] = [];
    const ready: string[] = [await clusterReady(s, id)];
    for (const step of [500, 1_500, 3_000, 5_000, 1_000, 3_000]) {
      const got = await call(s, 'GET', restorePath(id, backupId));
      expect(validRestore(got.json)).toBe(true);
      seen.push((got.json as { state: string }).state);
      clock.advance(step);
      ready.push(await clusterReady(s, id));
    }

    // Assess
    expect(none.status).toBe(404);
    expect(posted.status).toBe(200);
    expect(validRestore(posted.json)).toBe(true);
    expect(posted.json).toMatchObject({ backupId, state: 'PENDING' });
    expect([...new Set(seen)]).toEqual(['PENDING', 'VALIDATING', 'IN_PROGRESS', 'COMPLETED']);
    expect([...new Set(ready)]).toEqual(['Suspended', 'Resuming', 'Healthy']);
  });

  it('answers 409 while a restore of the cluster is in flight, and again accepts one after it ended', async () => {
    // Prepare
    const { s, id } = await withCluster(start(), 'prod-payments');
    const backupId = await firstBackup(s, id);
    await call(s, 'POST', restorePath(id, backupId));

    // Act
    const second = await call(s, 'POST', restorePath(id, backupId));
    clock.advance(10_000);
    const third = await call(s, 'POST', restorePath(id, backupId));

    // Assess
    expect(second.status).toBe(409);
    expect(second.text).toBe(RESTORE_IN_FLIGHT);
    expect(third.status).toBe(200);
  });

  it('ends FAILED when told to, answers 404 for an unknown backup and 501 when restore is not enabled', async () => {
    // Prepare
    const { s, id } = await withCluster(start(), 'prod-payments');
    const backupId = await firstBackup(s, id);
    s.state.restores.failNext('prod-payments');

    // Act
    await call(s, 'POST', restorePath(id, backupId));
    clock.advance(10_000);
    const failed = await call(s, 'GET', restorePath(id, backupId));
    const unknown = await call(s, 'POST', restorePath(id, 'no-such-backup'));
    s.state.restores.available = false;
    const off = await call(s, 'POST', restorePath(id, backupId));
    const offGet = await call(s, 'GET', restorePath(id, backupId));

    // Assess
    expect(failed.json).toMatchObject({ state: 'FAILED', completionTimestamp: expect.any(String) });
    expect(validRestore(failed.json)).toBe(true);
    expect(unknown.status).toBe(404);
    expect(off.status).toBe(501);
    expect(off.text).toBe(RESTORE_NOT_AVAILABLE);
    expect(offGet.status).toBe(501);
  });

  it('refuses to restore a backup that is not Complete (409) and a non-Enterprise cluster (403)', async () => {
    // Prepare
    const { s, id } = await withCluster(start(), 'prod-analytics');
    const created = (await call(s, 'POST', `/clusters/${id}/backups`)).json as { uuid: string };

    // Act
    const running = await call(s, 'POST', restorePath(id, created.uuid));
    const starter = await call(s, 'POST', restorePath(idOf(s, 'dev-orders'), 'x'));

    // Assess
    expect(running.status).toBe(409);
    expect(starter.status).toBe(403);
  });
});
