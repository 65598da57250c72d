import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cluster, HOUR, harness, NOW, outcomes, policy } from '#test/fakes/teardown-scenario.ts';

const at = (ms: number) => new Date(ms).toISOString();

describe('setKeepAlive', () => {
  it('stores a keep-alive for a cluster named by uuid, and the next teardown leaves it', async () => {
    // Prepare
    const h = harness([cluster('dev-a'), cluster('dev-b')]);
    const payload = {
      cluster: 'uuid-dev-a',
      until: at(NOW + 10 * HOUR),
      by: 'alice',
      reason: 'demo tomorrow',
    };

    // Act
    const summary = await h.run('keep-alive', policy(), { payload });
    const teardown = await h.run('run', policy());

    // Assess
    expect(outcomes(summary)).toEqual({ 'dev-a': 'done:keep-alive-set' });
    expect(summary.clusters[0]).toMatchObject({
      detail: { until: payload.until, by: 'alice', reason: 'demo tomorrow' },
    });
    expect(await h.stores.keepAlives.active(NOW)).toEqual([{ ...payload, setAt: at(NOW) }]);
    expect(outcomes(teardown)).toEqual({
      'dev-a': `skipped:keep-alive until ${payload.until} by alice (demo tomorrow)`,
      'dev-b': 'done:cluster-deleted',
    });
    expect(h.console.deleted).toEqual(['uuid-dev-b']);
  });

  it('resolves an exact name and normalises until to an ISO instant', async () => {
    // Prepare
    const h = harness([cluster('dev-a')]);

    // Act
    const summary = await h.run('keep-alive', policy(), {
      payload: { cluster: 'dev-a', until: '2026-03-03T03:00:00+01:00', by: 'alice', reason: 'r' },
    });

    // Assess
    expect(outcomes(summary)).toEqual({ 'dev-a': 'done:keep-alive-set' });
    expect((await h.stores.keepAlives.active(NOW)).map((k) => [k.cluster, k.until])).toEqual([
      ['dev-a', '2026-03-03T02:00:00.000Z'],
    ]);
  });

  it('reports an unknown cluster as failed and stores nothing', async () => {
    // Prepare
    const h = harness([cluster('dev-a')]);

    // Act
    const summary = await h.run('keep-alive', policy(), {
      payload: { cluster: 'dev-typo', until: at(NOW + HOUR), by: 'alice', reason: 'r' },
    });

    // Assess
    expect(outcomes(summary)).toEqual({ 'dev-typo': 'failed:no such cluster' });
    expect(summary.failed).toBe(true);
    expect(await h.stores.keepAlives.active(NOW)).toEqual([]);
  });

  it.each([
    ['in the past', NOW - 60_000, /is in the past/],
    ['now', NOW, /is in the past/],
    ['beyond the maximum', NOW + 48 * HOUR + 1_000, /more than 48 h ahead/],
  ])('refuses an until %s: the run fails and nothing is stored', async (_label, until, message) => {
    // Prepare
    const h = harness([cluster('dev-a')]);

    // Act
    const summary = await h.run('keep-alive', policy({ keepAlive: { maxHours: 48 } }), {
      payload: { cluster: 'dev-a', until: at(until), by: 'alice', reason: 'r' },
    });

    // Assess
    expect(summary.failed).toBe(true);
    expect(summary.notes.join('\n')).toMatch(message);
    expect(summary.notes.join('\n')).toContain('TeardownError');
    expect(await h.stores.keepAlives.active(NOW - HOUR)).toEqual([]);
  });

  it('accepts exactly the maximum', async () => {
    // Prepare
    const h = harness([cluster('dev-a')]);

    // Act
    const summary = await h.run('keep-alive', policy({ keepAlive: { maxHours: 48 } }), {
      payload: { cluster: 'dev-a', until: at(NOW + 48 * HOUR), by: 'alice', reason: 'r' },
    });

    // Assess
    expect(outcomes(summary)).toEqual({ 'dev-a': 'done:keep-alive-set' });
  });

  it('refuses a payload that is not a keep-alive', async () => {
    // Prepare
    const h = harness([cluster('dev-a')]);

    // Act
    const summary = await h.run('keep-alive', policy(), { payload: { cluster: 'dev-a', until: 'tomorrow' } });
    const bad = await h.run('keep-alive', policy(), {
      payload: { cluster: 'dev-a', until: 'tomorrow', by: 'x', reason: 'y' },
    });

    // Assess
    expect(summary.notes.join('\n')).toContain('keep-alive payload lacks by, reason');
    expect(bad.notes.join('\n')).toContain("'tomorrow' is not an ISO 8601 instant");
    expect(await h.stores.keepAlives.active(NOW)).toEqual([]);
  });

  it('is stored in a dry run too (it only prevents deletions)', async () => {
    // Prepare
    const h = harness([cluster('dev-a')]);

    // Act
    const summary = await h.run('keep-alive', policy({ dryRun: true }), {
      payload: { cluster: 'dev-a', until: at(NOW + HOUR), by: 'alice', reason: 'r' },
    });

    // Assess
    expect(outcomes(summary)).toEqual({ 'dev-a': 'done:keep-alive-set' });
    expect(summary.notes.join('\n')).toContain('stored anyway');
    expect(await h.stores.keepAlives.active(NOW)).toHaveLength(1);
  });
});

describe('setKeepAlive with a keep-alive already in force', () => {
  it('a later, shorter keep-alive does not cut short an earlier, longer one', async () => {
    // Prepare: alice keeps dev-a for the night; bob, unaware, asks for the evening only.
    const h = harness([cluster('dev-a')]);
    const alice = {
      cluster: 'dev-a',
      until: at(NOW + 10 * HOUR),
      by: 'alice',
      reason: 'load test overnight',
    };
    const bob = { cluster: 'dev-a', until: at(NOW + HOUR), by: 'bob', reason: 'demo this evening' };
    await h.run('keep-alive', policy(), { payload: alice });

    // Act
    const summary = await h.run('keep-alive', policy(), { payload: bob });
    h.clock.advance(2 * HOUR);
    const teardown = await h.run('run', policy());

    // Assess
    expect(summary.failed).toBe(false);
    expect(summary.clusters[0]).toMatchObject({
      status: 'skipped',
      detail: { keepAlive: { until: alice.until, by: 'alice' } },
    });
    expect(h.console.deleted).toEqual([]);
    expect(outcomes(teardown)).toEqual({
      'dev-a': `skipped:keep-alive until ${alice.until} by alice (load test overnight)`,
    });
  });

  it('a longer keep-alive for the same cluster replaces a shorter one', async () => {
    // Prepare
    const h = harness([cluster('dev-a')]);
    await h.run('keep-alive', policy(), {
      payload: { cluster: 'uuid-dev-a', until: at(NOW + HOUR), by: 'bob', reason: 'demo' },
    });
    const longer = { cluster: 'uuid-dev-a', until: at(NOW + 10 * HOUR), by: 'alice', reason: 'load test' };

    // Act
    const summary = await h.run('keep-alive', policy(), { payload: longer });

    // Assess
    expect(summary.clusters[0]).toMatchObject({
      status: 'done',
      detail: { until: longer.until, by: 'alice' },
    });
    expect(await h.stores.keepAlives.active(NOW)).toEqual([{ ...longer, setAt: at(NOW) }]);
  });
});

// Issue #10 item 6: two keep-alives for one cluster sent at the same moment must end with the later
// `until` in force, whatever the order of arrival (the store's put is a conditional write).
describe('concurrent keep-alives: the longest wins', () => {
  it('a shorter keep-alive racing a longer one never cuts it short (property over arrival orders)', async () => {
    const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 1, max: 40 }), { minLength: 2, maxLength: 5 }),
        async (hours) => {
          // Prepare
          const h = harness([cluster('dev-a')]);
          const requests = hours.map((hh, i) => ({
            cluster: 'dev-a',
            until: at(NOW + hh * HOUR),
            by: `user-${i}`,
            reason: `reason ${i}`,
          }));
          // Act
          const summaries = await Promise.all(
            requests.map((payload) => h.run('keep-alive', policy(), { payload })),
          );
          // Assess
          const longest = Math.max(...hours);
          const stored = await h.stores.keepAlives.active(NOW);
          expect(stored.map((k) => k.until)).toEqual([at(NOW + longest * HOUR)]);
          const set = summaries.filter((s) => s.clusters[0]?.status === 'done');
          expect(set.length).toBeGreaterThanOrEqual(1);
          for (const s of summaries) {
            if (s.clusters[0]?.status !== 'skipped') continue;
            expect(s.clusters[0].reason).toMatch(/is in force and lasts at least as long: kept/);
          }
        },
      ),
      { seed, numRuns: 60 },
    );
  });

  it('counterexample: longer first, shorter second, sent together', async () => {
    // Prepare
    const h = harness([cluster('dev-a')]);
    const long = { cluster: 'dev-a', until: at(NOW + 10 * HOUR), by: 'alice', reason: 'load test' };
    const short = { cluster: 'dev-a', until: at(NOW + HOUR), by: 'bob', reason: 'demo' };
    // Act
    const [first, second] = await Promise.all([
      h.run('keep-alive', policy(), { payload: long }),
      h.run('keep-alive', policy(), { payload: short }),
    ]);
    // Assess
    expect(await h.stores.keepAlives.active(NOW)).toEqual([{ ...long, setAt: at(NOW) }]);
    expect(outcomes(first)).toEqual({ 'dev-a': 'done:keep-alive-set' });
    expect(outcomes(second)['dev-a']).toMatch(/^skipped:a keep-alive until .* by alice .* kept$/);
  });
});
