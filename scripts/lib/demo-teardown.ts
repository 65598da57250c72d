// The teardown part of `npm start`: the evening notice, a keep-alive, the nightly teardown and the morning
// recreate (twice if the new clusters were not Healthy yet), with what the recreated clusters got back.
import { desiredAllowlistFrom, PLACEHOLDER_ENTRY } from '#functions/teardown/restore.ts';
import type { RunSummary } from '#lib/jobs/types.ts';
import { localCredentials } from '#lib/runtime/container.ts';
import { credentialSecretName } from '#lib/secrets/credentials.ts';
import { eventBridgeEvent, schedulerEvent } from '#local/env.ts';
import { check, doneWith, HOUR, isoSeconds, plural, type Story, sameRules } from './demo-story.ts';

/** The evening notice, a keep-alive, the nightly teardown and the morning recreate. */
export async function teardownSteps(story: Story): Promise<void> {
  const { local, clock, steps, sim, webhook, step, summaryStep, summaryOf, redeliver } = story;
  // 3. The evening notice: which clusters go tonight.
  let planned: string[] = [];
  const noticeOk = await summaryStep(
    { id: 'notice', title: 'Teardown notice', via: 'teardown/notice via EventBridge Scheduler' },
    'teardown',
    schedulerEvent('teardown', 'notice', isoSeconds(clock.now())),
    (s, r) => {
      planned = doneWith(s, 'teardown-planned').map((c) => c.clusterName);
      const notice = local.events.events.filter((e) => e.detailType === 'teardown.notice.sent').at(-1);
      const listed = Array.isArray(notice?.detail.clusters) ? notice.detail.clusters.length : -1;
      r.checks.push(
        check(
          planned.length >= 2,
          planned.length >= 2
            ? `${plural(planned.length, 'cluster')} planned for tonight (at least 2)`
            : `${plural(planned.length, 'cluster')} planned for tonight: the story needs 2 (try the seeded org or a larger --seed)`,
        ),
        check(listed === planned.length, `a teardown.notice.sent event lists them (${Math.max(0, listed)})`),
      );
    },
  );
  if (!noticeOk) return;

  // 4. An owner keeps one dev cluster for tonight.
  const keep = planned.find((n) => n.startsWith('dev-')) ?? planned[0];
  if (keep === undefined) return;
  const keepOk = await summaryStep(
    { id: 'keep-alive', title: `Keep-alive for ${keep}`, via: 'teardown/keep-alive via signed webhook' },
    'teardown',
    webhook('teardown', 'keep-alive', {
      payload: {
        cluster: keep,
        until: new Date(clock.now() + 12 * HOUR).toISOString(),
        by: 'alice@example.com',
        reason: 'customer demo tomorrow morning',
      },
    }),
    (s, r) => {
      r.checks.push(
        check(
          doneWith(s, 'keep-alive-set').some((c) => c.clusterName === keep),
          `keep-alive stored for ${keep}`,
        ),
      );
    },
  );
  if (!keepOk) return;

  // 5. The nightly teardown.
  const before = new Map(
    planned.map((name) => [name, sim.state.clusterByName(name)] as const).filter(([, c]) => c !== undefined),
  );
  const toDelete = planned.filter((n) => n !== keep);
  const teardownEvent = schedulerEvent('teardown', 'run', isoSeconds(clock.now()));
  const teardownOk = await summaryStep(
    { id: 'teardown', title: 'Nightly teardown', via: 'teardown/run via EventBridge Scheduler' },
    'teardown',
    teardownEvent,
    async (s, r) => {
      const kept = s.clusters.find((c) => c.clusterName === keep);
      const deleted = doneWith(s, 'cluster-deleted').map((c) => c.clusterName);
      const gone = toDelete.filter((n) => {
        const c = before.get(n);
        return c !== undefined && !sim.state.clusters.has(c.uuid);
      });
      r.checks.push(
        check(
          kept?.status === 'skipped' && kept.reason.startsWith('keep-alive'),
          kept?.status === 'skipped' && kept.reason.startsWith('keep-alive')
            ? `${keep} skipped: its keep-alive was honoured`
            : `${keep} not kept alive: ${kept?.status ?? 'no outcome'}`,
        ),
        check(
          toDelete.every((n) => deleted.includes(n)) && gone.length === toDelete.length,
          `${plural(deleted.length, 'cluster')} deleted after a snapshot (${gone.length} of ${toDelete.length} planned gone from the org)`,
        ),
        await redeliver('teardown', teardownEvent, 'DELETE /clusters/{clusterUuid}', 'delete'),
      );
    },
  );
  if (!teardownOk) return;

  // 6. The morning recreate; a second one once the new clusters are Healthy re-applies their allowlists.
  const recreated = new Map<string, string>();
  let pending = 0;
  const windows: Array<{ name: string; s: number }> = [];
  const collectWindows = (s: RunSummary) => {
    for (const c of s.clusters) {
      const w = (c as { detail?: Record<string, unknown> }).detail?.openWindowSeconds;
      if (typeof w === 'number' && !windows.some((x) => x.name === c.clusterName))
        windows.push({ name: c.clusterName, s: w });
    }
  };
  const recreateOk = await summaryStep(
    { id: 'recreate', title: 'Morning recreate', via: 'teardown/recreate via EventBridge Scheduler' },
    'teardown',
    schedulerEvent('teardown', 'recreate', isoSeconds(clock.now())),
    (s, r) => {
      collectWindows(s);
      for (const c of doneWith(s, 'cluster-recreated')) {
        const id = c.detail?.newClusterId;
        if (typeof id === 'string') recreated.set(c.clusterName, id);
      }
      pending = s.clusters.filter((c) => c.status !== 'deferred' && c.detail?.allowlist === 'pending').length;
      r.checks.push(
        check(
          toDelete.every((n) => recreated.has(n) && sim.state.clusters.has(recreated.get(n) ?? '')),
          `${plural(recreated.size, 'cluster')} recreated under their old names (${toDelete.length} deleted)`,
        ),
      );
    },
  );
  if (!recreateOk) return;

  let last = steps[steps.length - 1];
  if (pending > 0) {
    // The run's wait budget ran out before the new clusters were Healthy: the follow-up run finishes them.
    clock.advance(sim.state.timings.clusterCreateMs + 1);
    const againOk = await step(
      {
        id: 'recreate-again',
        title: 'Follow-up recreate, once the new clusters are Healthy',
        via: 'teardown/recreate via EventBridge event',
      },
      'teardown',
      eventBridgeEvent('teardown.recreate', {}),
      (d) => {
        const s = summaryOf(d);
        if (s) collectWindows(s);
      },
    );
    if (!againOk) return;
    last = steps[steps.length - 1];
  }
  if (last) {
    // The allowlist is the CURRENT desired state (the source replaced by webhook earlier tonight counts),
    // computed as the allowlist sync does; a cluster the policy does not manage gets the deny-all placeholder.
    const desiredOf = desiredAllowlistFrom(local.container, local.config.allowlist);
    let current = 0;
    let withAllowlist = 0;
    let secretsBack = 0;
    let withSecrets = 0;
    let clientsBack = 0;
    let withClients = 0;
    for (const n of toDelete) {
      const old = before.get(n);
      const now = sim.state.clusters.get(recreated.get(n) ?? '');
      if (!old || !now) continue;
      if (now.ipallowlist !== undefined) {
        withAllowlist += 1;
        const d = await desiredOf({ ...sim.state.renderCluster(now), labels: old.labels ?? [] });
        const want = d.kind === 'entries' ? d.entries : [PLACEHOLDER_ENTRY];
        if (sameRules(want, now.ipallowlist)) current += 1;
      }
      if (Object.keys(old.secrets).length > 0) {
        withSecrets += 1;
        if (JSON.stringify(old.secrets) === JSON.stringify(now.secrets)) secretsBack += 1;
      }
      if (old.apiClients.length > 0) {
        withClients += 1;
        const published = old.apiClients.every((c) => {
          const made = now.apiClients.find((k) => k.name === c.name);
          const doc = localCredentials.secrets.get(
            credentialSecretName(local.config.teardown.recreate.secretPrefix, n, c.name),
          );
          return made !== undefined && made.clientId !== c.clientId && doc?.ZEEBE_CLIENT_ID === made.clientId;
        });
        if (published) clientsBack += 1;
      }
    }
    last.checks.push(
      check(
        current === withAllowlist,
        `${current} of ${plural(withAllowlist, 'recreated cluster')} with allowlists carry the current desired allowlist (or the deny-all placeholder), never the teardown-time copy`,
      ),
      check(
        secretsBack === withSecrets,
        `${secretsBack} of ${plural(withSecrets, 'recreated cluster')} with connector secrets got every secret back (values sealed overnight, then dropped)`,
      ),
      check(
        clientsBack === withClients,
        `${clientsBack} of ${plural(withClients, 'recreated cluster')} with API clients got them back with new credentials, published under ${local.config.teardown.recreate.secretPrefix}/<cluster>/<client>`,
      ),
      check(
        windows.length > 0,
        `open window (create accepted → allowlist written), simulated: ${windows.map((w) => `${w.name} ${w.s} s`).join(', ') || 'none measured'}`,
      ),
    );
  }
}
