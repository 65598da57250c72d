// Issue #10 item 9: a scheduled notice, teardown or recreate delivered long after its time (an async retry
// hours later, the queue after a kill switch is lifted) is refused with a summary that says so.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cluster, HOUR, harness, NOW, policy } from '#test/fakes/teardown-scenario.ts';

const at = (ms: number) => new Date(ms).toISOString();
const MINUTE = 60_000;

describe('late scheduled deliveries', () => {
  it('refuses a scheduled teardown delivered 3 h after its time: nothing deleted, the run fails saying why', async () => {
    // Prepare
    const h = harness([cluster('dev-a'), cluster('dev-b')]);
    // Act
    const summary = await h.run('run', policy(), { at: at(NOW - 3 * HOUR) });
    // Assess
    expect(h.console.deleted).toEqual([]);
    expect(await h.stores.snapshots.list()).toEqual([]);
    expect(summary.failed).toBe(true);
    expect(summary.clusters).toEqual([]);
    expect(summary.notes).toEqual([
      `scheduled teardown run for ${at(NOW - 3 * HOUR)} delivered 180 minutes after its scheduled time ` +
        '(limit teardown.maxLatenessMinutes = 60); refused — run it by hand if intended',
    ]);
  });

  it('refuses a late scheduled recreate and a late notice the same way', async () => {
    // Prepare
    const h = harness([cluster('dev-a')]);
    await h.run('run', policy());
    const late = { at: at(NOW - 2 * HOUR) };
    // Act
    const recreate = await h.run('recreate', policy(), late);
    const notice = await h.run('notice', policy(), late);
    // Assess
    expect(h.console.created).toEqual([]);
    expect(h.events.filter((e) => e.detailType === 'teardown.notice.sent')).toEqual([]);
    for (const s of [recreate, notice]) {
      expect(s.failed).toBe(true);
      expect(s.notes[0]).toMatch(
        /delivered 120 minutes after its scheduled time .*refused — run it by hand if intended$/,
      );
    }
  });

  it('runs a scheduled delivery within the limit, and honours a configured limit', async () => {
    // Prepare
    const h = harness([cluster('dev-a'), cluster('dev-b')]);
    // Act
    const onTime = await h.run('run', policy({ maxDeletionsPerRun: 1 }), {
      at: at(NOW - 60 * MINUTE),
      clusterIds: ['uuid-dev-a'],
    });
    const lenient = await h.run('run', policy({ maxLatenessMinutes: 240 }), {
      at: at(NOW - 3 * HOUR),
      clusterIds: ['uuid-dev-b'],
    });
    // Assess
    expect(onTime.failed).toBe(false);
    expect(lenient.failed).toBe(false);
    expect(h.console.deleted).toEqual(['uuid-dev-a', 'uuid-dev-b']);
  });

  it('does not judge ad-hoc deliveries by lateness (they are bounded by the window budget and the notice)', async () => {
    // Prepare
    const h = harness([cluster('dev-a')]);
    // Act
    const summary = await h.run('run', policy({ adHoc: 'any-selected' }), {
      source: 'direct',
      at: at(NOW - 5 * HOUR),
    });
    // Assess
    expect(summary.notes.join(' ')).not.toMatch(/refused/);
    expect(h.console.deleted).toEqual(['uuid-dev-a']);
  });

  it('property: a scheduled teardown runs if and only if it is at most maxLatenessMinutes late', async () => {
    const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 600 * MINUTE }),
        fc.integer({ min: 1, max: 300 }),
        async (lateMs, limit) => {
          // Prepare
          const h = harness([cluster('dev-a')]);
          // Act
          const summary = await h.run('run', policy({ maxLatenessMinutes: limit }), { at: at(NOW - lateMs) });
          // Assess
          const refused = lateMs > limit * MINUTE;
          expect(h.console.deleted).toEqual(refused ? [] : ['uuid-dev-a']);
          expect(summary.failed).toBe(refused);
        },
      ),
      {
        seed,
        numRuns: 100,
        examples: [
          [60 * MINUTE, 60],
          [60 * MINUTE + 1, 60],
          [0, 1],
        ],
      },
    );
  });
});
