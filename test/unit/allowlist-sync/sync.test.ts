import { describe, expect, it } from 'vitest';
import { CREATING, FORBIDDEN, IN_SYNC, NO_ALLOWLIST_FIELD } from '#functions/allowlist-sync/sync.ts';
import { doneAs, outcomeOf } from '#test/helpers/outcomes.ts';
import { cluster, OFFICE, policy, putError, syncWorld as setup } from './fakes.ts';

describe('runSync', () => {
  it('puts the full desired list only to clusters whose list differs', async () => {
    // Prepare
    const { console, sync } = await setup(
      [
        cluster('prod-same', { ipallowlist: [OFFICE] }),
        cluster('prod-drifted', { ipallowlist: [{ description: 'old', ip: '10.0.0.0/8' }] }),
        cluster('dev-ignored', { ipallowlist: [] }),
      ],
      { vpn: [{ cidr: '198.51.100.10/32', description: 'vpn' }] },
    );
    const p = policy({ sources: { vpn: { selector: { names: ['prod-drifted'] } } } });

    // Act
    const summary = await sync(p);

    // Assess
    expect(console.puts).toEqual([
      {
        clusterId: 'uuid-prod-drifted',
        entries: [
          { ip: '198.51.100.10/32', description: 'vpn' },
          { ip: '203.0.113.0/24', description: 'office' },
        ],
        allowEmpty: false,
      },
    ]);
    expect(outcomeOf(summary, 'prod-same')).toMatchObject({ status: 'skipped', reason: IN_SYNC });
    expect(outcomeOf(summary, 'prod-drifted')).toMatchObject(
      doneAs('allowlist-updated', {
        added: [
          { cidr: '198.51.100.10/32', description: 'vpn' },
          { cidr: '203.0.113.0/24', description: 'office' },
        ],
        removed: [{ cidr: '10.0.0.0/8', description: 'old' }],
        changedDescription: [],
      }),
    );
    expect(summary.clusters.map((c) => c.clusterName)).not.toContain('dev-ignored');
    expect(summary.failed).toBe(false);
  });

  it('reads the deprecated ipwhitelist with comma-separated CIDRs and finds it in sync', async () => {
    // Prepare
    const { console, sync } = await setup([
      cluster('stage-payments', {
        ipwhitelist: [{ description: 'corporate', ip: '10.0.0.0/9, 192.168.1.0/24' }],
      }),
    ]);
    const p = policy({
      static: [
        { cidr: '192.168.1.0/24', description: 'corporate' },
        { cidr: '10.0.0.0/9', description: 'corporate' },
      ],
    });

    // Act
    const summary = await sync(p);

    // Assess
    expect(outcomeOf(summary, 'stage-payments')).toMatchObject({ status: 'skipped', reason: IN_SYNC });
    expect(console.puts).toEqual([]);
  });

  it('replaces an ipwhitelist that differs, reporting where it was read from', async () => {
    // Prepare
    const { console, sync } = await setup([
      cluster('stage-payments', {
        ipwhitelist: [{ description: 'corporate', ip: '10.0.0.0/8,192.168.1.0/24' }],
      }),
    ]);

    // Act
    const summary = await sync(policy());

    // Assess
    expect(outcomeOf(summary, 'stage-payments')).toMatchObject({
      status: 'done',
      action: 'allowlist-updated',
      detail: {
        added: [{ cidr: '203.0.113.0/24', description: 'office' }],
        removed: [
          { cidr: '10.0.0.0/8', description: 'corporate' },
          { cidr: '192.168.1.0/24', description: 'corporate' },
        ],
        readFrom: 'ipwhitelist',
      },
    });
    expect(console.puts.map((p) => p.entries)).toEqual([[OFFICE]]);
  });

  it('shows the diff in a dry run and writes nothing', async () => {
    // Prepare
    const { console, sync } = await setup([cluster('prod-a', { ipallowlist: [] })]);

    // Act
    const summary = await sync(policy(), { dryRun: true });

    // Assess
    expect(outcomeOf(summary, 'prod-a')).toMatchObject({
      status: 'done',
      action: 'would-update-allowlist',
      detail: { added: [{ cidr: '203.0.113.0/24', description: 'office' }], removed: [] },
    });
    expect(console.puts).toEqual([]);
    expect(console.calls.filter((c) => c.startsWith('putIpAllowlist'))).toEqual([]);
    expect(summary.dryRun).toBe(true);
  });

  it('fails a cluster whose desired list would be empty, and writes nothing', async () => {
    // Prepare
    const { console, sync } = await setup([cluster('prod-a', { ipallowlist: [OFFICE] })], { vpn: [] });
    const p = policy({ static: [], sources: { vpn: {} } });

    // Act
    const summary = await sync(p);

    // Assess
    const outcome = outcomeOf(summary, 'prod-a');
    expect(outcome.status).toBe('failed');
    expect(outcome.status === 'failed' ? outcome.error : '').toContain('nothing written');
    expect(console.puts).toEqual([]);
    expect(console.clusters.get('uuid-prod-a')?.ipallowlist).toEqual([OFFICE]);
    expect(summary.failed).toBe(true);
  });

  it('puts an empty list only when the policy allows it, saying so to the client', async () => {
    // Prepare
    const { console, sync } = await setup([cluster('prod-a', { ipallowlist: [OFFICE] })]);
    const p = policy({ static: [], allowEmpty: true });

    // Act
    const summary = await sync(p);

    // Assess
    expect(outcomeOf(summary, 'prod-a')).toMatchObject({ status: 'done', action: 'allowlist-updated' });
    expect(console.puts).toEqual([{ clusterId: 'uuid-prod-a', entries: [], allowEmpty: true }]);
  });

  it('fails a cluster whose stored source has an invalid entry, naming it, and writes nothing', async () => {
    // Prepare
    const { console, sync } = await setup([cluster('prod-a', { ipallowlist: [] })], {
      vpn: [{ cidr: '10.0.0.0/33', description: 'typo' }],
    });
    const p = policy({ sources: { vpn: {} } });

    // Act
    const summary = await sync(p);

    // Assess
    const outcome = outcomeOf(summary, 'prod-a');
    expect(outcome).toMatchObject({
      status: 'failed',
      detail: { problems: [expect.objectContaining({ value: '10.0.0.0/33' })] },
    });
    expect(outcome.status === 'failed' ? outcome.error : '').toContain("source 'vpn'");
    expect(console.puts).toEqual([]);
  });

  it('reports unparseable current entries and replaces them', async () => {
    // Prepare
    const { console, sync } = await setup([
      cluster('prod-a', { ipallowlist: [OFFICE, { description: 'junk', ip: 'not-an-ip' }] }),
    ]);

    // Act
    const summary = await sync(policy());

    // Assess
    expect(outcomeOf(summary, 'prod-a')).toMatchObject({
      status: 'done',
      action: 'allowlist-updated',
      detail: { added: [], removed: [], unparsed: ['not-an-ip'] },
    });
    expect(console.puts.map((p) => p.entries)).toEqual([[OFFICE]]);
  });

  it('skips a cluster the API forbids (403), and the run does not fail', async () => {
    // Prepare
    const { console, sync } = await setup([
      cluster('prod-a', { ipallowlist: [] }),
      cluster('prod-b', { ipallowlist: [] }),
    ]);
    console.failPut = (id) => (id === 'uuid-prod-a' ? putError(id, 403, { body: 'Forbidden' }) : undefined);

    // Act
    const summary = await sync(policy());

    // Assess
    expect(outcomeOf(summary, 'prod-a')).toMatchObject({ status: 'skipped', reason: FORBIDDEN });
    expect(outcomeOf(summary, 'prod-b')).toMatchObject({ status: 'done', action: 'allowlist-updated' });
    expect(summary.failed).toBe(false);
  });

  it('fails a cluster whose PUT fails otherwise, and still syncs the others', async () => {
    // Prepare
    const { console, sync } = await setup([
      cluster('prod-a', { ipallowlist: [] }),
      cluster('prod-b', { ipallowlist: [] }),
    ]);
    console.failPut = (id) => (id === 'uuid-prod-a' ? putError(id, 503, { attempts: 3 }) : undefined);

    // Act
    const summary = await sync(policy());

    // Assess
    expect(outcomeOf(summary, 'prod-a')).toMatchObject({ status: 'failed' });
    expect(outcomeOf(summary, 'prod-b')).toMatchObject({ status: 'done' });
    expect(summary.failed).toBe(true);
  });

  it('skips clusters being created or carrying no allowlist field, syncs the other statuses', async () => {
    // Prepare
    const { console, sync } = await setup([
      cluster('prod-new', { ready: 'Creating', ipallowlist: [] }),
      cluster('prod-starter', { planType: { uuid: 'p', name: 'Starter' } }),
      cluster('prod-sleepy', { ready: 'Suspended', ipallowlist: [] }),
      cluster('prod-sick', { ready: 'Unhealthy', ipallowlist: [] }),
    ]);

    // Act
    const summary = await sync(policy());

    // Assess
    expect(outcomeOf(summary, 'prod-new')).toMatchObject({ status: 'skipped', reason: CREATING });
    expect(outcomeOf(summary, 'prod-starter')).toMatchObject({
      status: 'skipped',
      reason: NO_ALLOWLIST_FIELD,
    });
    expect(console.puts.map((p) => p.clusterId).sort()).toEqual(['uuid-prod-sick', 'uuid-prod-sleepy']);
  });

  it('is idempotent: a second run finds every cluster in sync and puts nothing', async () => {
    // Prepare
    const { console, sync } = await setup(
      [
        cluster('prod-a', { ipallowlist: [] }),
        cluster('stage-b', { ipwhitelist: [{ description: 'x', ip: '10.0.0.0/8,10.1.0.0/16' }] }),
      ],
      { vpn: [{ cidr: '2001:db8::/32', description: 'v6 vpn' }] },
    );
    const p = policy({ sources: { vpn: {} } });
    const first = await sync(p);
    const putsAfterFirst = console.puts.length;

    // Act
    const second = await sync(p);

    // Assess
    expect(first.counts.done).toBe(2);
    expect(putsAfterFirst).toBe(2);
    expect(second.counts).toMatchObject({ done: 0, skipped: 2, failed: 0 });
    expect(console.puts.length).toBe(2);
  });

  it('narrows to the requested clusters and notes requested ones the policy does not select', async () => {
    // Prepare
    const { console, sync } = await setup([
      cluster('prod-a', { ipallowlist: [] }),
      cluster('prod-b', { ipallowlist: [] }),
      cluster('dev-c', { ipallowlist: [] }),
    ]);

    // Act
    const summary = await sync(policy(), { clusterIds: ['uuid-prod-b', 'uuid-dev-c'] });

    // Assess
    expect(summary.clusters.map((c) => c.clusterName)).toEqual(['prod-b']);
    expect(console.puts.map((p) => p.clusterId)).toEqual(['uuid-prod-b']);
    expect(summary.notes.join(' ')).toContain('uuid-dev-c');
  });

  it('notes stored sources the policy does not declare and leaves their entries out', async () => {
    // Prepare
    const { console, sync } = await setup([cluster('prod-a', { ipallowlist: [] })], {
      retired: [{ cidr: '10.0.0.0/8', description: 'retired' }],
    });

    // Act
    const summary = await sync(policy());

    // Assess
    expect(summary.notes.join(' ')).toContain('retired');
    expect(console.puts.map((p) => p.entries)).toEqual([[OFFICE]]);
  });
});
