import { describe, expect, it } from 'vitest';
import type { components } from '#lib/console/openapi-types.ts';
import {
  BACKUP_ONCE_PER_HOUR,
  type ManualClock,
  manualClock,
  type RunningSimulator,
  type SimOptions,
} from '#local/sim/index.ts';
import { call, idOf, simulatorsPerTest, withCluster } from '#test/integration/sim/http.ts';

type Backup = components['schemas']['BackupDto'] & Record<string, unknown>;

const HOUR = 60 * 60 * 1000;

const startTimedSimulator = simulatorsPerTest({ backupDurationMs: 5_000 });
let clock: ManualClock;
async function start(options: SimOptions = {}): Promise<RunningSimulator> {
  clock = manualClock(Date.UTC(2026, 0, 15, 10, 0, 0));
  return startTimedSimulator({ now: clock.now, ...options });
}

async function backups(s: RunningSimulator, id: string): Promise<Backup[]> {
  const res = await call(s, 'GET', `/clusters/${id}/backups`);
  expect(res.status).toBe(200);
  return res.json as Backup[];
}

describe('simulator: backups', () => {
  it('lists seeded Complete backups with completed times and an unknown extra field', async () => {
    // Prepare
    const s = await start();

    // Act
    const list = await backups(s, idOf(s, 'prod-payments'));

    // Assess
    expect(list.length).toBe(3);
    for (const b of list) {
      expect(b).toMatchObject({
        status: 'Complete',
        zeebeStatus: 'Complete',
        futureField: expect.anything(),
      });
      expect(Date.parse(b.completed)).toBeGreaterThan(Date.parse(b.created));
      expect(clock.now() - Date.parse(b.created)).toBeGreaterThan(HOUR);
    }
  });

  it('creates a backup In progress that turns Complete after backupDurationMs', async () => {
    // Prepare
    const { s, id } = await withCluster(start(), 'prod-analytics');

    // Act
    const created = await call(s, 'POST', `/clusters/${id}/backups`);
    const running = (await backups(s, id)).find((b) => b.uuid === (created.json as Backup).uuid);
    clock.advance(5_000);
    const done = (await backups(s, id)).find((b) => b.uuid === (created.json as Backup).uuid);

    // Assess
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({
      status: 'In progress',
      zeebeStatus: 'In progress',
      operateStatus: 'In progress',
      tasklistStatus: 'In progress',
      optimizeStatus: 'In progress',
      generationName: '8.7.2',
    });
    expect(running?.status).toBe('In progress');
    expect(running?.completed).toBe(''); // required by the spec: empty while In progress
    expect(done).toMatchObject({ status: 'Complete', optimizeStatus: 'Complete' });
    expect(done?.completed).toBe(new Date(clock.now()).toISOString());
  });

  it('refuses a second manual backup within the hour with 400, and allows it after the hour', async () => {
    // Prepare
    const { s, id } = await withCluster(start(), 'prod-analytics');
    await call(s, 'POST', `/clusters/${id}/backups`);

    // Act
    clock.advance(30 * 60 * 1000);
    const tooSoon = await call(s, 'POST', `/clusters/${id}/backups`);
    clock.advance(30 * 60 * 1000);
    const later = await call(s, 'POST', `/clusters/${id}/backups`);

    // Assess
    expect(tooSoon.status).toBe(400);
    expect(tooSoon.text).toBe(BACKUP_ONCE_PER_HOUR);
    expect(later.status).toBe(200);
  });

  it('does not count a failed backup against the hourly limit, and reports its incident link', async () => {
    // Prepare
    const { s, id } = await withCluster(start(), 'prod-analytics');
    s.state.failNextBackups(id, { incidentLink: 'https://example.test/incident/1' });

    // Act
    const failing = await call(s, 'POST', `/clusters/${id}/backups`);
    clock.advance(5_000);
    const failed = (await backups(s, id)).find((b) => b.uuid === (failing.json as Backup).uuid);
    const retry = await call(s, 'POST', `/clusters/${id}/backups`);

    // Assess
    expect(failed).toMatchObject({ status: 'Failed', incidentLink: 'https://example.test/incident/1' });
    expect(retry.status).toBe(200);
    expect(retry.json).not.toHaveProperty('incidentLink');
  });

  it('keeps only the three most recent completed manual backups', async () => {
    // Prepare
    const { s, id } = await withCluster(start(), 'prod-payments');
    const before = (await backups(s, id)).map((b) => b.uuid);

    // Act
    const created = await call(s, 'POST', `/clusters/${id}/backups`);
    const whileRunning = await backups(s, id);
    clock.advance(5_000);
    const after = await backups(s, id);

    // Assess
    expect(whileRunning.length).toBe(4);
    expect(after.map((b) => b.uuid)).toEqual([...before.slice(1), (created.json as Backup).uuid]);
  });

  it('answers 403 for clusters whose plan has no backups and 400 for generations before 8.2.4', async () => {
    // Prepare
    const s = await start();

    // Act
    const starter = await call(s, 'POST', `/clusters/${idOf(s, 'dev-payments')}/backups`);
    const starterList = await call(s, 'GET', `/clusters/${idOf(s, 'dev-payments')}/backups`);
    const legacy = await call(s, 'POST', `/clusters/${idOf(s, 'stage-legacy-reports')}/backups`);

    // Assess
    expect(starter.status).toBe(403);
    expect(starter.text).toContain('not available on this plan');
    expect(starterList.status).toBe(403);
    expect(legacy.status).toBe(400);
    expect(legacy.text).toContain('8.2.4');
  });

  it('answers 404 for an unknown cluster and deletes a completed backup, returning it', async () => {
    // Prepare
    const { s, id } = await withCluster(start(), 'prod-payments');
    const [oldest] = await backups(s, id);

    // Act
    const unknown = await call(s, 'POST', '/clusters/no-such-cluster/backups');
    const deleted = await call(s, 'DELETE', `/clusters/${id}/backups/${oldest?.uuid}`);
    const again = await call(s, 'DELETE', `/clusters/${id}/backups/${oldest?.uuid}`);

    // Assess
    expect(unknown.status).toBe(404);
    expect(deleted.status).toBe(200);
    expect(deleted.json).toMatchObject({ uuid: oldest?.uuid, status: 'Complete' });
    expect(again.status).toBe(404);
    expect((await backups(s, id)).length).toBe(2);
  });
});

describe('simulator: backup helpers for tests', () => {
  it('counts a manual backup added through state.addBackup for the hourly limit', async () => {
    // Prepare
    const { s, id } = await withCluster(start(), 'prod-analytics');
    s.state.addBackup(id, { created: clock.now() - 10 * 60 * 1000 });

    // Act
    const res = await call(s, 'POST', `/clusters/${id}/backups`);

    // Assess
    expect(res.status).toBe(400);
    expect(s.state.backupsOf(id).at(-1)?.status).toBe('Complete');
  });
});

describe('simulator: backup schedule', () => {
  it('answers 404 without a schedule, stores one with PUT, replaces it, and DELETE answers 204 even when none', async () => {
    // Prepare
    const { s, id } = await withCluster(start(), 'prod-orders');

    // Act
    const none = await call(s, 'GET', `/clusters/${id}/backups/schedule`);
    const put = await call(s, 'PUT', `/clusters/${id}/backups/schedule`, { body: { schedule: '0 2 * * *' } });
    const replaced = await call(s, 'PUT', `/clusters/${id}/backups/schedule`, {
      body: { schedule: '30 3 * * 1-5' },
    });
    const got = await call(s, 'GET', `/clusters/${id}/backups/schedule`);
    const deleted = await call(s, 'DELETE', `/clusters/${id}/backups/schedule`);
    const deletedAgain = await call(s, 'DELETE', `/clusters/${id}/backups/schedule`);
    const gone = await call(s, 'GET', `/clusters/${id}/backups/schedule`);

    // Assess
    expect(none.status).toBe(404);
    expect(put.status).toBe(200);
    expect(put.json).toEqual({ name: expect.any(String), schedule: '0 2 * * *' });
    expect(replaced.status).toBe(200);
    expect(got.json).toMatchObject({ schedule: '30 3 * * 1-5' });
    expect(deleted.status).toBe(204);
    expect(deletedAgain.status).toBe(204);
    expect(gone.status).toBe(404);
  });

  it.each([
    ['four fields', '0 2 * *'],
    ['a minute out of range', '60 2 * * *'],
    ['a macro', '@daily'],
    ['a Quartz expression', '0 0 2 ? * MON'],
    ['more often than every 15 minutes', '*/5 * * * *'],
  ])('rejects %s with 400', async (_name, schedule) => {
    // Prepare
    const { s, id } = await withCluster(start(), 'prod-orders');

    // Act
    const res = await call(s, 'PUT', `/clusters/${id}/backups/schedule`, { body: { schedule } });

    // Assess
    expect(res.status).toBe(400);
    expect(s.state.schedules.has(id)).toBe(false);
  });

  it('answers 403 on a plan without backups', async () => {
    // Prepare
    const s = await start();

    // Act
    const res = await call(s, 'GET', `/clusters/${idOf(s, 'dev-orders')}/backups/schedule`);

    // Assess
    expect(res.status).toBe(403);
  });
});
