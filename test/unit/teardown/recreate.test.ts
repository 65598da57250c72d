// runRecreate from a snapshot: the create, the allowlist put back once Healthy, and the numbered follow-ups.
import { describe, expect, it } from 'vitest';
import { desiredAllowlistFrom, PLACEHOLDER_ENTRY } from '#functions/teardown/restore.ts';
import { NOW, outcomes, policy, REF, recreatedOnly } from '#test/fakes/teardown-scenario.ts';
import { policy as allowlistPolicy } from '#test/unit/allowlist-sync/fakes.ts';
import { healthyOnCreate, OFFICE, snapshot, withSnapshots } from '#test/unit/teardown/recreate-harness.ts';

describe('runRecreate', () => {
  it('creates the cluster from its snapshot, then re-applies the allowlist once it is Healthy', async () => {
    // Prepare
    const h = await withSnapshots([snapshot('dev-a', { backupRegion: { ...REF.euBackups } })]);

    // Act
    const first = await h.run('recreate', policy());
    const newId = h.console.byName('dev-a')[0]?.uuid ?? '';
    const afterFirst = await h.stores.snapshots.get('dev-a');
    h.console.healthy(newId);
    const second = await h.run('recreate', policy());
    const third = await h.run('recreate', policy());

    // Assess
    expect(h.console.created).toEqual([
      {
        name: 'dev-a',
        description: 'dev-a cluster',
        planTypeId: REF.enterprise.uuid,
        channelId: REF.stable.uuid,
        generationId: REF.g869.uuid,
        regionId: REF.eu.uuid,
        backupRegionId: REF.euBackups.uuid,
      },
    ]);
    expect(outcomes(first)).toEqual({ 'dev-a': 'done:cluster-recreated' });
    expect(first.clusters[0]).toMatchObject({
      detail: {
        newClusterId: newId,
        generation: '8.6.9',
        allowlist: 'pending',
        labelsNotRestorable: ['nightly-off'],
      },
    });
    expect(first.notes.join('\n')).toContain('not Healthy yet');
    expect(afterFirst).toMatchObject({ status: 'recreated', newClusterId: newId });
    expect(outcomes(second)).toEqual({ 'dev-a': 'done:cluster-finished' });
    expect(h.console.puts).toEqual([{ clusterId: newId, entries: [OFFICE], allowEmpty: false }]);
    expect((await h.stores.snapshots.get('dev-a'))?.status).toBe('done');
    expect(third.clusters).toEqual([]);
    expect(h.console.created).toHaveLength(1);
  });

  it('falls back to the channel default when the snapshot generation is no longer allowed', async () => {
    // Prepare
    const h = await withSnapshots([snapshot('dev-old', { generation: { ...REF.g820 } })]);

    // Act
    const summary = await h.run('recreate', policy());

    // Assess
    expect(h.console.created[0]?.generationId).toBe(REF.g872.uuid);
    expect(summary.clusters[0]).toMatchObject({
      status: 'done',
      detail: { generation: '8.7.2', generationFallback: { snapshot: '8.2.0', used: '8.7.2' } },
    });
  });

  it('resolves ids by name when the uuids changed', async () => {
    // Prepare
    const h = await withSnapshots([
      snapshot('dev-a', {
        planType: { uuid: 'old-plan', name: REF.enterprise.name },
        region: { uuid: 'old-region', name: REF.eu.name },
        channel: { uuid: 'old-channel', name: REF.stable.name },
        generation: { uuid: 'old-gen', name: REF.g869.name },
      }),
    ]);

    // Act
    await h.run('recreate', policy());

    // Assess
    expect(h.console.created[0]).toMatchObject({
      planTypeId: REF.enterprise.uuid,
      regionId: REF.eu.uuid,
      channelId: REF.stable.uuid,
      generationId: REF.g869.uuid,
    });
  });

  it('applies the allowlist in the same run when the new cluster is Healthy at once; a deny-all placeholder where the desired list is empty', async () => {
    // Prepare
    const h = await withSnapshots([snapshot('dev-a'), snapshot('dev-open', { allowlist: [] })]);
    healthyOnCreate(h);

    // Act
    const summary = await h.run('recreate', policy());

    // Assess
    expect(outcomes(summary)).toEqual(recreatedOnly('dev-a', 'dev-open'));
    expect(h.console.puts.map((p) => p.entries)).toEqual([[OFFICE], [PLACEHOLDER_ENTRY]]);
    expect(summary.clusters.find((c) => c.clusterName === 'dev-open')).toMatchObject({
      detail: { allowlist: 'placeholder (deny-all)', allowlistEntries: 1 },
    });
    expect((await h.stores.snapshots.list()).map((s) => s.status)).toEqual(['done', 'done']);
  });

  it('never writes back the allowlist saved at teardown, even a split catch-all: the cluster gets the current desired state', async () => {
    // Prepare: the snapshot holds a split catch-all; the desired state today is the office only.
    const split = [
      { description: 'lower half', ip: '0.0.0.0/1' },
      { description: 'upper half', ip: '128.0.0.0/1' },
    ];
    const h = await withSnapshots([snapshot('dev-a', { allowlist: split }), snapshot('dev-b')]);
    h.desired.set('dev-a', [OFFICE]);
    healthyOnCreate(h);

    // Act
    const summary = await h.run('recreate', policy());

    // Assess
    expect(outcomes(summary)).toEqual(recreatedOnly('dev-a', 'dev-b'));
    expect(h.console.puts.map((p) => p.entries)).toEqual([[OFFICE], [OFFICE]]);
  });

  it('writes the deny-all placeholder where the desired state breaks the allowlist rules (a stored source that splits a catch-all)', async () => {
    // Prepare: the real desired-state path of the allowlist sync, over a source stored before the rule existed.
    const h = await withSnapshots([snapshot('dev-a')]);
    const allowlist = allowlistPolicy({
      selector: { names: ['dev-*'] },
      static: [],
      sources: { 'office-vpn': {} },
    });
    const stored = {
      name: 'office-vpn',
      entries: [
        { cidr: '0.0.0.0/1', description: 'lower half' },
        { cidr: '128.0.0.0/1', description: 'upper half' },
      ],
      updatedAt: new Date(NOW).toISOString(),
      version: 1,
    };
    h.deps.desiredAllowlist = desiredAllowlistFrom(
      { allowlistSources: { put: async () => 1, list: async () => [stored] }, log: h.log },
      allowlist,
    );
    healthyOnCreate(h);

    // Act
    const summary = await h.run('recreate', policy());

    // Assess: closed (placeholder), never open, and the summary says why.
    expect(h.console.puts.map((p) => p.entries)).toEqual([[PLACEHOLDER_ENTRY]]);
    const outcome = summary.clusters.find((c) => c.clusterName === 'dev-a');
    expect(outcome).toMatchObject({ detail: { allowlist: 'placeholder (deny-all)' } });
    expect(JSON.stringify(outcome)).toMatch(/0\.0\.0\.0\/1/);
  });

  it('creates no cluster whose saved description carries bidi or control characters, and never writes a saved description to the allowlist', async () => {
    // Prepare
    const h = await withSnapshots([
      snapshot('dev-a', { description: 'nightly \u202Ecopy' }),
      snapshot('dev-b', { allowlist: [{ description: 'office\u200B', ip: '203.0.113.0/24' }] }),
    ]);
    h.desired.set('dev-b', [OFFICE]);
    healthyOnCreate(h);

    // Act
    const summary = await h.run('recreate', policy());

    // Assess: dev-a is not created; dev-b is, with the current desired list, not the saved one.
    const byName = Object.fromEntries(summary.clusters.map((c) => [c.clusterName, c]));
    expect(byName['dev-a']).toMatchObject({ status: 'failed' });
    expect(JSON.stringify(byName['dev-a'])).toMatch(
      /description contains U\+202E \(RIGHT-TO-LEFT OVERRIDE\)/,
    );
    expect(h.console.created.map((c) => c.name)).toEqual(['dev-b']);
    expect(h.console.puts.map((p) => p.entries)).toEqual([[OFFICE]]);
  });

  it('sends itself one numbered follow-up while a cluster is unfinished, and the follow-up finishes it', async () => {
    // Prepare: the new cluster is not Healthy within the first run.
    const h = await withSnapshots([snapshot('dev-a')]);
    const followUps = () => h.events.filter((e) => e.detailType === 'teardown.recreate');

    // Act
    const first = await h.run('recreate', policy(), { source: 'schedule' });
    const afterFirst = followUps().map((e) => e.detail);
    h.console.healthy(h.console.byName('dev-a')[0]?.uuid ?? '');
    const second = await h.run('recreate', policy(), { source: 'eventbridge', payload: { continuation: 1 } });

    // Assess
    expect(afterFirst).toEqual([{ payload: { continuation: 1 } }]);
    expect(first.notes.join(' ')).toMatch(/follow-up 1 of at most 6 sent for 1 unfinished: dev-a/);
    expect(outcomes(second)).toEqual({ 'dev-a': 'done:cluster-finished' });
    expect(followUps()).toHaveLength(1);
    expect((await h.stores.snapshots.get('dev-a'))?.status).toBe('done');
  });

  it('past teardown.recreate.maxContinuations an unfinished cluster fails the run and no follow-up is sent', async () => {
    // Prepare: the cluster never becomes Healthy.
    const h = await withSnapshots([snapshot('dev-a')]);
    const bounded = policy();
    bounded.recreate.maxContinuations = 2;
    await h.run('recreate', bounded);

    // Act
    const last = await h.run('recreate', bounded, { source: 'eventbridge', payload: { continuation: 2 } });

    // Assess
    expect(last.clusters[0]).toMatchObject({ clusterName: 'dev-a', status: 'failed' });
    expect(outcomes(last)['dev-a']).toMatch(
      /still unfinished after 2 follow-up run\(s\) \(teardown.recreate.maxContinuations\)/,
    );
    expect(h.events.filter((e) => e.detailType === 'teardown.recreate').map((e) => e.detail)).toEqual([
      { payload: { continuation: 1 } },
    ]);
  });

  it('a dry run sends no follow-up', async () => {
    // Prepare
    const h = await withSnapshots([snapshot('dev-a')]);

    // Act
    await h.run('recreate', policy(), { dryRun: true });

    // Assess
    expect(h.events.filter((e) => e.detailType === 'teardown.recreate')).toEqual([]);
  });
});
