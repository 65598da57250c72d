// The faults suite's watch on the simulator and its duplicate check: what the simulator's state actually did
// (creates, deletes, backups), and from that plus its request log everything done twice or written empty or
// wrong. Kept apart from the environment (faults.ts) because it reads only the simulator.
import type { RunningSimulator } from '#local/sim/index.ts';

/** Operations the simulator performed (not merely received), in order. */
export interface AppliedOperations {
  /** Clusters at the start, and clusters tests added directly: uuid → name. */
  baseline: Map<string, string>;
  events: Array<
    | { kind: 'create'; uuid: string; name: string; nameTaken: boolean }
    | { kind: 'delete'; uuid: string; name: string }
    | { kind: 'backup'; clusterUuid: string }
  >;
  /** requestLog index ranges of each handler invocation. */
  windows: Array<{ from: number; to: number }>;
}

const watched = new WeakMap<RunningSimulator, AppliedOperations>();

/**
 * Records what the simulator's state actually does: every cluster the API creates (and whether a cluster of
 * that name already existed), every delete, every manual backup. Patches the methods of this one state
 * instance; clusters added by a test directly (not by the API: another owner) join the baseline.
 */
export function watchSim(sim: RunningSimulator): AppliedOperations {
  const existing = watched.get(sim);
  if (existing) return existing;
  const state = sim.state;
  const applied: AppliedOperations = {
    baseline: new Map([...state.clusters.values()].map((c) => [c.uuid, c.name])),
    events: [],
    windows: [],
  };
  const addCluster = state.addCluster.bind(state);
  const removeCluster = state.removeCluster.bind(state);
  const createManualBackup = state.createManualBackup.bind(state);
  state.addCluster = (init) => {
    const byApi = init.ownerId === sim.clientId;
    const nameTaken = [...state.clusters.values()].some((c) => c.name === init.name);
    const cluster = addCluster(init);
    if (byApi) applied.events.push({ kind: 'create', uuid: cluster.uuid, name: cluster.name, nameTaken });
    else applied.baseline.set(cluster.uuid, cluster.name);
    return cluster;
  };
  state.removeCluster = (uuid) => {
    const name = state.clusters.get(uuid)?.name ?? applied.baseline.get(uuid) ?? uuid;
    const removed = removeCluster(uuid);
    if (removed) applied.events.push({ kind: 'delete', uuid, name });
    return removed;
  };
  state.createManualBackup = (cluster) => {
    applied.events.push({ kind: 'backup', clusterUuid: cluster.uuid });
    return createManualBackup(cluster);
  };
  watched.set(sim, applied);
  return applied;
}

export interface DuplicateReport {
  /** A cluster created while one of its name existed. */
  creates: string[];
  /** A name deleted again without having been recreated in between. */
  deletes: string[];
  /** A second backup POST for one cluster in one invocation without a re-read in between (a blind replay). */
  backupPosts: string[];
  /** Not a duplicate: a POST sent again after a re-read showed the failed one made no backup. */
  resentAfterReread: string[];
  /** Two backups actually created for one cluster (the policy's interval is hours). */
  backups: string[];
  /** Allowlist PUTs with an empty list. */
  emptyAllowlists: string[];
  /** Allowlist PUTs whose list is not the desired one. */
  wrongAllowlists: string[];
  total: number;
}

export interface DuplicateOptions {
  /** The list each cluster should get ('ip' may be comma-separated; compared as sets); undefined: not checked. */
  desiredAllowlist?: (clusterUuid: string) => Array<{ ip: string; description: string }> | undefined;
  /** Backups the test expects on purpose (e.g. two nights): the per-cluster limit of applied backups. */
  backupsPerCluster?: number;
}

const BACKUP_LIST = /^\/clusters\/([^/]+)\/backups$/;
const ALLOWLIST_PUT = /^\/clusters\/([^/]+)\/ipallowlist$/;

function ruleSet(list: ReadonlyArray<{ ip: string; description: string }>): string {
  return JSON.stringify(
    list.flatMap((r) => r.ip.split(',').map((ip) => `${ip.trim()}|${r.description.trim()}`)).sort(),
  );
}

export const NO_DUPLICATES: Omit<DuplicateReport, 'resentAfterReread'> = Object.freeze({
  creates: [],
  deletes: [],
  backupPosts: [],
  backups: [],
  emptyAllowlists: [],
  wrongAllowlists: [],
  total: 0,
});

/** Everything the simulator saw done twice, or written empty or wrong. Zero everywhere is the only pass. */
export function duplicates(sim: RunningSimulator, options: DuplicateOptions = {}): DuplicateReport {
  const applied = watchSim(sim);
  const report: DuplicateReport = {
    creates: [],
    deletes: [],
    backupPosts: [],
    resentAfterReread: [],
    backups: [],
    emptyAllowlists: [],
    wrongAllowlists: [],
    total: 0,
  };
  const deletedSinceCreate = new Map<string, boolean>();
  const backups = new Map<string, number>();
  for (const e of applied.events) {
    if (e.kind === 'create') {
      if (e.nameTaken) report.creates.push(e.name);
      deletedSinceCreate.set(e.name, false);
    } else if (e.kind === 'delete') {
      if (deletedSinceCreate.get(e.name) === true) report.deletes.push(e.name);
      deletedSinceCreate.set(e.name, true);
    } else {
      backups.set(e.clusterUuid, (backups.get(e.clusterUuid) ?? 0) + 1);
    }
  }
  const limit = options.backupsPerCluster ?? 1;
  for (const [uuid, n] of backups) if (n > limit) report.backups.push(`${uuid} x${n}`);

  // A backup POST is a duplicate when, in the same invocation, an earlier POST for the cluster succeeded, or
  // failed without the backups having been re-read since (a blind replay). A POST sent again after a re-read
  // showed the failed one made nothing is not (run-backup does that after a 429); it is counted apart.
  const windows = applied.windows.length > 0 ? applied.windows : [{ from: 0, to: sim.requestLog.length }];
  for (const w of windows) {
    const last = new Map<string, 'created' | 'unknown' | 'reread'>();
    for (const entry of sim.requestLog.slice(w.from, w.to)) {
      const m = BACKUP_LIST.exec(entry.path);
      const uuid = m?.[1];
      if (!uuid) continue;
      if (entry.method === 'GET') {
        if (last.get(uuid) === 'unknown') last.set(uuid, 'reread');
        continue;
      }
      if (entry.method !== 'POST') continue;
      const before = last.get(uuid);
      if (before === 'created' || before === 'unknown') report.backupPosts.push(uuid);
      else if (before === 'reread') report.resentAfterReread.push(uuid);
      last.set(uuid, entry.status === 200 ? 'created' : 'unknown');
    }
  }

  for (const entry of sim.requestLog) {
    const m = entry.method === 'PUT' ? ALLOWLIST_PUT.exec(entry.path) : null;
    if (!m?.[1] || entry.body === undefined) continue;
    const list = (entry.body as { ipallowlist?: Array<{ ip: string; description: string }> }).ipallowlist;
    if (!Array.isArray(list) || list.length === 0) {
      report.emptyAllowlists.push(m[1]);
      continue;
    }
    const desired = options.desiredAllowlist?.(m[1]);
    if (desired !== undefined && ruleSet(desired) !== ruleSet(list)) report.wrongAllowlists.push(m[1]);
  }
  report.total =
    report.creates.length +
    report.deletes.length +
    report.backupPosts.length +
    report.backups.length +
    report.emptyAllowlists.length +
    report.wrongAllowlists.length;
  return report;
}
