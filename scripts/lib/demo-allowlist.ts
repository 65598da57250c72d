// The allowlist part of `npm start`: the network team replaces a source by signed webhook and the sync follows.
import { check, doneWith, plural, type Story, VPN_ENTRIES } from './demo-story.ts';

/** The office-vpn source replaced by webhook, then synced to the clusters; false when the story must stop. */
export async function allowlistSteps(story: Story): Promise<boolean> {
  const { local, sim, webhook, summaryStep, redeliver } = story;
  // 2. The network team replaces the office-vpn source by signed webhook; the sync follows at once.
  const sourceEvent = webhook('allowlist-sync', 'set-source', {
    payload: { source: 'office-vpn', entries: VPN_ENTRIES, updatedBy: 'network-team' },
  });
  const sourceOk = await summaryStep(
    {
      id: 'set-source',
      title: 'Allowlist source office-vpn replaced, then synced',
      via: 'allowlist-sync/set-source via signed webhook',
    },
    'allowlist-sync',
    sourceEvent,
    async (s, r, d) => {
      const stored = (await local.container.allowlistSources.list()).find((x) => x.name === 'office-vpn');
      r.checks.push(
        check(
          d.kind === 'summary' && d.httpStatus === 202,
          `the webhook was answered ${r.httpStatus ?? '-'} (expected 202 Accepted)`,
        ),
        check(
          stored?.entries.length === VPN_ENTRIES.length,
          `source office-vpn stored in the state table (${stored ? `version ${stored.version}, ${plural(stored.entries.length, 'entry', 'entries')}` : 'missing'})`,
        ),
      );
      const updated = doneWith(s, 'allowlist-updated');
      const carrying = updated.filter((c) => {
        const rules = sim.state.clusters.get(c.clusterId)?.ipallowlist ?? [];
        return VPN_ENTRIES.every((e) => rules.some((rule) => rule.ip.split(',').includes(e.cidr)));
      });
      r.checks.push(
        check(
          updated.length > 0 && carrying.length === updated.length,
          updated.length > 0
            ? `${plural(updated.length, 'cluster allowlist')} synced; ${carrying.length} now carry the new VPN ranges`
            : `no cluster allowlist synced (the org needs an Enterprise cluster: try the seeded org or a larger --seed)`,
        ),
        await redeliver(
          'allowlist-sync',
          sourceEvent,
          'PUT /clusters/{clusterUuid}/ipallowlist',
          'allowlist write',
        ),
      );
    },
  );
  if (!sourceOk) return false;
  return true;
}
