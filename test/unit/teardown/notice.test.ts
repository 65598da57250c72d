import { describe, expect, it } from 'vitest';
import { NOTICE_EVENT } from '#functions/teardown/notice.ts';
import { NOT_RESTORED } from '#functions/teardown/plan.ts';
import { cluster, harness, keepAliveFor, NOW, outcomes, policy } from '#test/fakes/teardown-scenario.ts';

const notices = (h: ReturnType<typeof harness>) => h.events.filter((e) => e.detailType === NOTICE_EVENT);

describe('runNotice', () => {
  it('publishes one notice listing the planned clusters with keep-alive instructions, and deletes nothing', async () => {
    // Prepare
    const h = harness([cluster('dev-a'), cluster('dev-b'), cluster('dev-young', { daysOld: 0.5 })]);

    // Act
    const summary = await h.run('notice', policy({ keepAlive: { maxHours: 36 } }));

    // Assess
    expect(notices(h)).toHaveLength(1);
    const detail = notices(h)[0]?.detail;
    expect(detail).toMatchObject({
      plannedAt: new Date(NOW).toISOString(),
      dryRun: false,
      clusters: [
        { id: 'uuid-dev-a', name: 'dev-a' },
        { id: 'uuid-dev-b', name: 'dev-b' },
      ],
      excluded: [{ id: 'uuid-dev-young', name: 'dev-young', reason: 'younger than 24 h' }],
      guardWouldTrip: false,
      keepAlive: { action: 'keep-alive', maxHours: 36 },
    });
    const keepAlive = (detail?.keepAlive ?? {}) as { instructions?: string };
    expect(keepAlive.instructions).toContain('at most 36 h ahead');
    expect(outcomes(summary)).toEqual({
      'dev-a': 'done:teardown-planned',
      'dev-b': 'done:teardown-planned',
      'dev-young': 'skipped:younger than 24 h',
    });
    expect(summary.failed).toBe(false);
    expect(h.console.calls.filter((c) => !c.startsWith('listClusters'))).toEqual([]);
    expect(await h.stores.snapshots.list()).toEqual([]);
  });

  it('says when the guard would trip, without failing the notice', async () => {
    // Prepare
    const h = harness([cluster('dev-a'), cluster('dev-b'), cluster('dev-c')]);

    // Act
    const summary = await h.run('notice', policy({ maxDeletionsPerRun: 2 }));

    // Assess
    expect(summary.failed).toBe(false);
    expect(summary.notes.join('\n')).toContain('blast-radius guard: 3 candidates > max 2');
    expect(notices(h)[0]?.detail).toMatchObject({ guardWouldTrip: true, maxDeletionsPerRun: 2 });
  });

  it('lists a cluster under keep-alive as excluded', async () => {
    // Prepare
    const h = harness([cluster('dev-a'), cluster('dev-b')]);
    await h.stores.keepAlives.put(keepAliveFor('dev-b', 3, 'bob', 'release'));

    // Act
    const summary = await h.run('notice', policy());

    // Assess
    expect(notices(h)[0]?.detail.clusters).toEqual([
      { id: 'uuid-dev-a', name: 'dev-a', labels: ['nightly-off'], notRestored: [...NOT_RESTORED] },
    ]);
    expect(outcomes(summary)['dev-b']).toMatch(/^skipped:keep-alive until .* by bob \(release\)$/);
  });

  it('in a dry run still publishes the notice, marked as a dry run', async () => {
    // Prepare
    const h = harness([cluster('dev-a')]);

    // Act
    const summary = await h.run('notice', policy({ dryRun: true }));

    // Assess
    expect(notices(h)).toHaveLength(1);
    expect(notices(h)[0]?.detail).toMatchObject({ dryRun: true, clusters: [{ id: 'uuid-dev-a' }] });
    expect(summary.dryRun).toBe(true);
    expect(summary.notes.join('\n')).toMatch(/dry run/);
  });

  it('fails the run when the notice cannot be published', async () => {
    // Prepare
    const h = harness([cluster('dev-a')], {
      events: {
        async publish(detailType) {
          if (detailType === NOTICE_EVENT) throw new Error('event bus unavailable');
        },
      },
    });

    // Act
    const summary = await h.run('notice', policy());

    // Assess
    expect(summary.failed).toBe(true);
    expect(summary.notes.join('\n')).toContain('event bus unavailable');
  });
});
