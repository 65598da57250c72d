// The backup part of `npm start`: the scheduled backup run, a restore drill and the readiness check.
import { readinessRows, readinessTable } from '#functions/backup/readiness.ts';
import { matchesSelector, selectClusters } from '#lib/config/selector.ts';
import { schedulerEvent } from '#local/env.ts';
import { check, doneWith, isoSeconds, plural, type Story } from './demo-story.ts';

/** Scheduled backups, then (when the org has the drill cluster) a restore drill and the readiness check; false when the story must stop. */
export async function backupSteps(story: Story): Promise<boolean> {
  const { local, clock, sim, config, byRoute, simClusters, step, summaryStep, summaryOf, redeliver } = story;
  // 1. Scheduled backups of the production-like clusters.
  const backupEvent = schedulerEvent('backup', 'run', isoSeconds(clock.now()));
  const backupSelected = selectClusters(simClusters(), config.backup.selector);
  const postsBefore = byRoute('POST /clusters/{clusterUuid}/backups');
  const backupOk = await summaryStep(
    { id: 'backup', title: 'Scheduled backup run', via: 'backup/run via EventBridge Scheduler' },
    'backup',
    backupEvent,
    async (s, r) => {
      const created = doneWith(s, 'backup-created');
      const posts = byRoute('POST /clusters/{clusterUuid}/backups') - postsBefore;
      const outcomeIds = new Set(s.clusters.map((c) => c.clusterId));
      r.checks.push(
        check(
          backupSelected.every((c) => outcomeIds.has(c.uuid)) && outcomeIds.size === backupSelected.length,
          `every cluster the backup policy selects has an outcome (${backupSelected.length})`,
        ),
        check(
          (backupSelected.length === 0 || created.length > 0) && posts === created.length,
          `${plural(created.length, 'backup')} created on eligible prod/stage clusters, one POST each (${posts})`,
        ),
        check(
          s.clusters.every((c) => {
            const cl = sim.state.clusters.get(c.clusterId);
            return cl !== undefined && matchesSelector(sim.state.renderCluster(cl), config.backup.selector);
          }),
          'only clusters the backup selector picks were touched',
        ),
        await redeliver('backup', backupEvent, 'POST /clusters/{clusterUuid}/backups', 'backup'),
      );
    },
  );
  if (!backupOk) return false;

  // 1b. A restore drill, then the readiness check (the seeded org has the drill cluster the policy names).
  if (sim.state.clusterByName(config.backup.drill.cluster ?? '') !== undefined) {
    clock.advance(60_000); // the backups just taken complete
    const drillOk = await step(
      {
        id: 'backup-drill',
        title: `Restore drill on ${config.backup.drill.cluster}`,
        via: 'backup/drill via EventBridge Scheduler',
      },
      'backup',
      schedulerEvent('backup', 'drill', isoSeconds(clock.now())),
      (d, r) => {
        const s = summaryOf(d);
        const o = s?.clusters[0];
        const detail = o && 'detail' in o ? o.detail : undefined;
        const seconds = typeof detail?.recoverySeconds === 'number' ? detail.recoverySeconds : undefined;
        r.checks.push(
          check(
            o?.status === 'done' && o.action === 'drill-succeeded' && seconds !== undefined,
            seconds === undefined
              ? 'the drill did not finish'
              : `backup ${String(detail?.backupId).slice(0, 8)}… restored, cluster Healthy again: recovery time ${seconds} s`,
          ),
          check(
            local.events.events.some((e) => e.detailType === 'backup.drill.result'),
            'a backup.drill.result event was published',
          ),
        );
      },
    );
    if (!drillOk) return false;
    const checkOk = await summaryStep(
      {
        id: 'backup-check',
        title: 'Backup readiness check',
        via: 'backup/check via EventBridge Scheduler',
      },
      'backup',
      schedulerEvent('backup', 'check', isoSeconds(clock.now())),
      (s, r) => {
        const rows = readinessRows(s.clusters);
        r.table = readinessTable(rows, '   ');
        const targeted = rows.filter((row) => row.target !== '-');
        const drilled = rows.find((row) => row.cluster === config.backup.drill.cluster);
        r.checks.push(
          check(
            targeted.length > 0 && targeted.every((row) => row.status === 'ok'),
            `${plural(targeted.filter((row) => row.status === 'ok').length, 'cluster')} of ${targeted.length} with a target have a Complete backup younger than it`,
          ),
          check(
            drilled?.lastDrill.includes('recovery') === true,
            `the drill cluster's row shows the last drill (${drilled?.lastDrill ?? 'missing'})`,
          ),
        );
      },
    );
    if (!checkOk) return false;
  }
  return true;
}
