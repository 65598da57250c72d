// Issue #10 item 7: one unreadable state item stopped everything. A corrupt snapshot or keep-alive now fails
// only its own cluster, reported with the reason, while the others proceed — in the recreate and the teardown.
import { describe, expect, it } from 'vitest';
import { cluster, harness, outcomes, policy } from '#test/fakes/teardown-scenario.ts';

describe('unreadable state items', () => {
  it('the recreate reports a corrupt snapshot as failed with the reason and recreates the others', async () => {
    // Prepare
    const h = harness([cluster('dev-a'), cluster('dev-b'), cluster('dev-c')]);
    await h.run('run', policy());
    h.stores.plantCorrupt('snapshot', 'dev-b');
    // Act
    const summary = await h.run('recreate', policy());
    // Assess
    expect(h.console.created.map((b) => b.name).sort()).toEqual(['dev-a', 'dev-c']);
    expect(summary.failed).toBe(true);
    expect(outcomes(summary)['dev-b']).toBe(
      "failed:snapshot 'dev-b' is unreadable: stored snapshot is not valid JSON; not recreated (fix or delete the item)",
    );
    expect(outcomes(summary)['dev-a']).toBe('done:cluster-recreated');
  });

  it('the teardown fails a cluster whose earlier snapshot is unreadable and deletes the others', async () => {
    // Prepare
    const h = harness([cluster('dev-a'), cluster('dev-b')]);
    h.stores.plantCorrupt('snapshot', 'dev-b');
    // Act
    const summary = await h.run('run', policy());
    // Assess
    expect(h.console.deleted).toEqual(['uuid-dev-a']);
    expect(outcomes(summary)['dev-b']).toMatch(
      /^failed:TeardownError: snapshot not saved, cluster not deleted: .*'dev-b' is unreadable/,
    );
    expect(summary.notes.join('; ')).toMatch(/1 unreadable snapshot\(s\): dev-b/);
  });

  it('fails safe on a corrupt keep-alive: its cluster is not deleted and fails with the reason; the others go', async () => {
    // Prepare
    const h = harness([cluster('dev-a'), cluster('dev-b'), cluster('dev-c')]);
    h.stores.plantCorrupt('keepAlive', 'dev-b');
    h.stores.plantCorrupt('keepAlive', 'uuid-dev-c');
    // Act
    const notice = await h.run('notice', policy());
    const summary = await h.run('run', policy());
    // Assess
    expect(h.console.deleted).toEqual(['uuid-dev-a']);
    const reason = (key: string) =>
      `failed:keep-alive '${key}' is unreadable (stored keep-alive lacks untilMs, until (or has them of the wrong type)): not deleted; fix or replace it with a new keep-alive`;
    expect(outcomes(summary)).toEqual({
      'dev-a': 'done:cluster-deleted',
      'dev-b': reason('dev-b'),
      'dev-c': reason('uuid-dev-c'),
    });
    expect(summary.failed).toBe(true);
    expect(outcomes(notice)['dev-b']).toBe(reason('dev-b'));
  });

  it('a keep-alive request still works beside a corrupt keep-alive of another cluster', async () => {
    // Prepare
    const h = harness([cluster('dev-a'), cluster('dev-b')]);
    h.stores.plantCorrupt('keepAlive', 'dev-b');
    // Act
    const summary = await h.run('keep-alive', policy(), {
      payload: {
        cluster: 'dev-a',
        until: new Date(h.clock.now() + 3_600_000).toISOString(),
        by: 'a',
        reason: 'r',
      },
    });
    // Assess
    expect(outcomes(summary)).toEqual({ 'dev-a': 'done:keep-alive-set' });
  });
});
