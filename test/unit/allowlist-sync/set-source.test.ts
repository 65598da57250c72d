import { describe, expect, it } from 'vitest';
import {
  type SetSourceResult,
  SourceUpdateRefusedError,
  setSource,
} from '#functions/allowlist-sync/set-source.ts';
import { runSync } from '#functions/allowlist-sync/sync.ts';
import type { AllowlistPolicy } from '#lib/config/types.ts';
import type { Cluster } from '#lib/console/client.ts';
import type { RunScope } from '#lib/jobs/engine.ts';
import { outcomeOf } from '#test/helpers/outcomes.ts';
import { cluster, NOW, policy, world } from './fakes.ts';

const VPN = [
  { cidr: '198.51.100.10/32', description: 'vpn egress a' },
  { cidr: '198.51.100.11', description: 'vpn egress b' },
];

async function setup(clusters: Cluster[], stored: Parameters<typeof world>[1] = {}) {
  const w = await world(clusters, stored);
  /** Runs set-source through the real engine; returns the use case's result (or its error) and the summary. */
  const set = async (p: AllowlistPolicy, payload: unknown, options: { dryRun?: boolean } = {}) => {
    let result: SetSourceResult | undefined;
    let error: unknown;
    const summary = await w.run(
      { action: 'set-source', payload },
      async (scope: RunScope) => {
        try {
          result = await setSource(w.deps, scope, p);
          return result.body;
        } catch (err) {
          error = err;
          throw err;
        }
      },
      { dryRun: options.dryRun ?? false },
    );
    return { result, error, summary };
  };
  return { ...w, set };
}

function refusal(error: unknown): SourceUpdateRefusedError {
  if (error instanceof SourceUpdateRefusedError) return error;
  throw new Error(`expected a SourceUpdateRefusedError, got ${String(error)}`);
}

const withVpn = (overrides: Partial<AllowlistPolicy> = {}) =>
  policy({ sources: { 'office-vpn': { maxEntries: 3 } }, ...overrides });

describe('setSource', () => {
  it('stores the canonical entries, notes the version and asks for a sync of the clusters it applies to', async () => {
    // Prepare
    const { source, set } = await setup([
      cluster('prod-a', { ipallowlist: [] }),
      cluster('stage-b', { ipallowlist: [] }),
      cluster('dev-c', { ipallowlist: [] }),
    ]);

    // Act
    const { result, summary } = await set(withVpn(), {
      source: 'office-vpn',
      entries: VPN,
      updatedBy: 'alice',
    });

    // Assess
    expect(await source('office-vpn')).toMatchObject({
      entries: [
        { cidr: '198.51.100.10/32', description: 'vpn egress a' },
        { cidr: '198.51.100.11/32', description: 'vpn egress b' },
      ],
      updatedBy: 'alice',
      updatedAt: new Date(NOW).toISOString(),
      version: 1,
    });
    expect(summary.notes).toContain('source office-vpn now has 2 entries (version 1)');
    expect(summary.clusters).toEqual([]);
    expect(summary.failed).toBe(false);
    expect(result?.syncRequested).toBe(true);
    expect(result?.syncClusterIds.sort()).toEqual(['uuid-prod-a', 'uuid-stage-b']);
  });

  it('refuses a source the policy does not declare and stores nothing', async () => {
    // Prepare
    const { sourcePuts, set } = await setup([cluster('prod-a', { ipallowlist: [] })]);

    // Act
    const { error, summary } = await set(withVpn(), { source: 'guest-wifi', entries: VPN });

    // Assess
    expect(refusal(error)).toMatchObject({ reason: 'undeclared-source', source: 'guest-wifi' });
    expect(refusal(error).message).toContain('office-vpn');
    expect(sourcePuts()).toBe(0);
    expect(summary.failed).toBe(true);
  });

  it('refuses a name that only exists on the prototype', async () => {
    // Prepare
    const { sourcePuts, set } = await setup([cluster('prod-a', { ipallowlist: [] })]);

    // Act
    const { error } = await set(withVpn(), { source: 'constructor', entries: VPN });

    // Assess
    expect(refusal(error).reason).toBe('undeclared-source');
    expect(sourcePuts()).toBe(0);
  });

  it('refuses a bad update whole, naming each bad entry, and keeps the stored source', async () => {
    // Prepare
    const { source, sourcePuts, set } = await setup([cluster('prod-a', { ipallowlist: [] })], {
      'office-vpn': [{ cidr: '198.51.100.10/32', description: 'vpn egress a' }],
    });
    const before = await source('office-vpn');

    // Act
    const { error, result } = await set(withVpn(), {
      source: 'office-vpn',
      entries: [
        { cidr: '198.51.100.12/32', description: 'fine' },
        { cidr: '10.0.0.0/33', description: 'typo' },
        { cidr: '0.0.0.0/0', description: 'everyone' },
      ],
    });

    // Assess
    const refused = refusal(error);
    expect(refused.reason).toBe('invalid-entries');
    expect(refused.problems.map((p) => [p.index, p.value])).toEqual([
      [1, '10.0.0.0/33'],
      [2, '0.0.0.0/0'],
    ]);
    expect(refused.message).toContain('10.0.0.0/33');
    expect(refused.message).toContain('nothing stored');
    expect(sourcePuts()).toBe(0);
    expect(await source('office-vpn')).toEqual(before);
    expect(result).toBeUndefined();
  });

  it("refuses more entries than the source's own maxEntries", async () => {
    // Prepare
    const { sourcePuts, set } = await setup([cluster('prod-a', { ipallowlist: [] })]);
    const entries = [1, 2, 3, 4].map((n) => ({ cidr: `198.51.100.${n}/32`, description: `host ${n}` }));

    // Act
    const { error } = await set(withVpn(), { source: 'office-vpn', entries });

    // Assess
    expect(refusal(error).reason).toBe('invalid-entries');
    expect(refusal(error).message).toContain('maxEntries 3');
    expect(sourcePuts()).toBe(0);
  });

  it('refuses an update that would leave a selected cluster with an empty list', async () => {
    // Prepare
    const { source, sourcePuts, set } = await setup(
      [cluster('prod-a', { ipallowlist: [] }), cluster('dev-b', { ipallowlist: [] })],
      { 'office-vpn': VPN },
    );
    const p = withVpn({ static: [] });

    // Act
    const { error } = await set(p, { source: 'office-vpn', entries: [] });

    // Assess
    const refused = refusal(error);
    expect(refused.reason).toBe('breaks-clusters');
    expect(refused.clusters.map((c) => c.clusterName)).toEqual(['prod-a']);
    expect(refused.message).toContain('prod-a');
    expect((await source('office-vpn'))?.version).toBe(1);
    expect(sourcePuts()).toBe(0);
  });

  it('refuses a source broader than maxBreadth, or one that makes a cluster list too broad, storing nothing', async () => {
    // Prepare: prod-a's list today is the static /24 plus the stored VPN hosts.
    const { source, sourcePuts, set } = await setup([cluster('prod-a', { ipallowlist: [] })], {
      'office-vpn': VPN,
    });
    const before = await source('office-vpn');

    // Act: a split catch-all; then a /8 that is fine alone but too broad with the static /24.
    const split = await set(withVpn(), {
      source: 'office-vpn',
      entries: [
        { cidr: '0.0.0.0/1', description: 'lower half' },
        { cidr: '128.0.0.0/1', description: 'upper half' },
      ],
    });
    const wide = await set(withVpn(), {
      source: 'office-vpn',
      entries: [{ cidr: '10.0.0.0/8', description: 'a whole /8' }],
    });

    // Assess
    expect(refusal(split.error).reason).toBe('invalid-entries');
    expect(refusal(split.error).message).toMatch(/admit every IPv4 address.*0\.0\.0\.0\/1/);
    expect(refusal(wide.error).reason).toBe('breaks-clusters');
    expect(refusal(wide.error).message).toMatch(/prod-a: .*maxBreadth\.ipv4PrefixLength.*10\.0\.0\.0\/8/);
    expect(sourcePuts()).toBe(0);
    expect(await source('office-vpn')).toEqual(before);
  });

  it('refuses bidi, control and invisible characters in descriptions, updatedBy and the source name', async () => {
    // Prepare
    const { sourcePuts, set } = await setup([cluster('prod-a', { ipallowlist: [] })]);

    // Act
    const description = await set(withVpn(), {
      source: 'office-vpn',
      entries: [{ cidr: '198.51.100.1/32', description: 'vpn \u202Egnp.exe' }],
    });
    const by = await set(withVpn(), { source: 'office-vpn', entries: VPN, updatedBy: 'mallory\u2067' });
    const name = await set(withVpn(), { source: 'office\u200B-vpn', entries: VPN });

    // Assess
    expect(refusal(description.error).reason).toBe('invalid-entries');
    expect(refusal(description.error).message).toMatch(
      /contains U\+202E \(RIGHT-TO-LEFT OVERRIDE\) at position 5/,
    );
    expect(refusal(by.error).message).toMatch(
      /payload\.updatedBy: contains U\+2067 \(RIGHT-TO-LEFT ISOLATE\)/,
    );
    expect(refusal(name.error).message).toMatch(/payload\.source: contains U\+200B/);
    expect(refusal(name.error).message).not.toContain('\u200B');
    expect(sourcePuts()).toBe(0);
  });

  it('does not blame an update for a cluster list that was already invalid without it', async () => {
    // Prepare: no static entries and no vpn entries yet, so prod-a's list is already empty today
    const { source, set } = await setup([cluster('prod-a', { ipallowlist: [] })]);
    const p = policy({ static: [], sources: { 'office-vpn': {}, partners: {} } });

    // Act
    const { error, summary } = await set(p, { source: 'partners', entries: [] });

    // Assess
    expect(error).toBeUndefined();
    expect(await source('partners')).toMatchObject({ entries: [], version: 1 });
    expect(summary.notes).toContain('source partners now has 0 entries (version 1)');
  });

  it('accepts an empty source when static entries keep every list non-empty', async () => {
    // Prepare
    const { source, set } = await setup([cluster('prod-a', { ipallowlist: [] })], {
      'office-vpn': VPN,
    });

    // Act
    const { result, summary } = await set(withVpn(), { source: 'office-vpn', entries: [] });

    // Assess
    expect(await source('office-vpn')).toMatchObject({ entries: [], version: 2 });
    expect(summary.notes).toContain('source office-vpn now has 0 entries (version 2)');
    expect(result?.syncRequested).toBe(true);
  });

  it('stores nothing in a dry run and requests no sync', async () => {
    // Prepare
    const { sourcePuts, set } = await setup([cluster('prod-a', { ipallowlist: [] })]);

    // Act
    const { result, summary } = await set(
      withVpn(),
      { source: 'office-vpn', entries: VPN },
      { dryRun: true },
    );

    // Assess
    expect(sourcePuts()).toBe(0);
    expect(result?.syncRequested).toBe(false);
    expect(summary.notes.join(' ')).toContain('would have 2 entries');
  });

  it('requests no sync when the source applies to no selected cluster', async () => {
    // Prepare
    const { sourcePuts, set } = await setup([cluster('prod-a', { ipallowlist: [] })]);
    const p = policy({ sources: { partners: { selector: { names: ['billing-*'] } } } });

    // Act
    const { result } = await set(p, { source: 'partners', entries: VPN });

    // Assess
    expect(sourcePuts()).toBe(1);
    expect(result).toMatchObject({ syncRequested: false, syncClusterIds: [] });
  });

  it.each([
    ['not an object', 'office-vpn'],
    ['no source', { entries: VPN }],
    ['no entries', { source: 'office-vpn' }],
    ['entries not a list', { source: 'office-vpn', entries: { cidr: '10.0.0.0/8' } }],
    ['a bad updatedBy', { source: 'office-vpn', entries: VPN, updatedBy: 42 }],
  ])('refuses a payload with %s', async (_what, payload) => {
    // Prepare
    const { sourcePuts, set } = await setup([cluster('prod-a', { ipallowlist: [] })]);

    // Act
    const { error } = await set(withVpn(), payload);

    // Assess
    expect(['invalid-payload', 'invalid-entries']).toContain(refusal(error).reason);
    expect(sourcePuts()).toBe(0);
  });

  it('then a sync of the requested clusters applies the new entries', async () => {
    // Prepare
    const { console, deps, run, set } = await setup([
      cluster('prod-a', { ipallowlist: [{ description: 'office', ip: '203.0.113.0/24' }] }),
    ]);
    const p = withVpn();
    const { result } = await set(p, { source: 'office-vpn', entries: VPN });

    // Act
    const summary = await run({ action: 'sync', clusterIds: result?.syncClusterIds ?? [] }, (scope) =>
      runSync(deps, scope, p),
    );

    // Assess
    expect(outcomeOf(summary, 'prod-a')).toMatchObject({ status: 'done', action: 'allowlist-updated' });
    expect(console.clusters.get('uuid-prod-a')?.ipallowlist).toEqual([
      { ip: '198.51.100.10/32', description: 'vpn egress a' },
      { ip: '198.51.100.11/32', description: 'vpn egress b' },
      { ip: '203.0.113.0/24', description: 'office' },
    ]);
  });
});

describe('setSource retried', () => {
  it('a retry of a failed delivery does not put back entries a newer update replaced', async () => {
    // Prepare: delivery E1 stores 'office-vpn' and its sync fails on one cluster (the run fails, and Lambda
    // retries E1 a minute later). Meanwhile E2 replaces the source (an address revoked) and syncs.
    const w = await setup([cluster('prod-a', { ipallowlist: [] }), cluster('prod-b', { ipallowlist: [] })]);
    const p = withVpn();
    const deliver = (key: string, payload: unknown) =>
      w.run(
        { action: 'set-source', payload },
        async (scope) => {
          const result = await setSource(w.deps, scope, p);
          if (!result.syncRequested) return result.body;
          return runSync(
            w.deps,
            { ...scope, request: { ...scope.request, clusterIds: result.syncClusterIds } },
            p,
          );
        },
        { key, source: 'eventbridge', at: new Date(NOW).toISOString() },
      );
    const e1 = { source: 'office-vpn', entries: VPN };
    const e2 = { source: 'office-vpn', entries: [{ cidr: '198.51.100.20/32', description: 'vpn egress c' }] };
    let failures = 1;
    w.console.failPut = (id) => (id === 'uuid-prod-b' && failures-- > 0 ? new Error('503') : undefined);
    const first = await deliver('event-e1', e1);
    await deliver('event-e2', e2);

    // Act
    const retry = await deliver('event-e1', e1);

    // Assess
    expect(first.failed).toBe(true);
    expect(retry.failed).toBe(false);
    expect((await w.source('office-vpn'))?.entries).toEqual([
      { cidr: '198.51.100.20/32', description: 'vpn egress c' },
    ]);
    for (const id of ['uuid-prod-a', 'uuid-prod-b']) {
      expect(w.console.clusters.get(id)?.ipallowlist?.map((e) => e.ip)).toEqual([
        '198.51.100.20/32',
        '203.0.113.0/24',
      ]);
    }
  });
});
