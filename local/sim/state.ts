// The simulated organization: clusters, backups, schedules, allowlists and the creation parameters.
// Time-driven changes (a cluster finishing creation, a backup completing, the keep-three rule) are
// computed lazily from the clock, so a test moves time with the `now` option instead of sleeping.
import { randomUUID } from 'node:crypto';
import {
  type BackupInit,
  buildCluster,
  CLIENT_PERMISSIONS,
  type ClientPermission,
  type ClusterInit,
  iso,
  KEEP_COMPLETED_BACKUPS,
  type SeedData,
  type SimApiClient,
  type SimBackup,
  type SimCatalog,
  type SimCluster,
  type SimPlanType,
  type StateTimings,
  uniformStatus,
} from '#local/sim/model.ts';
import { SimRestores } from '#local/sim/restores.ts';
import type {
  BackupDtoSpec,
  BackupScheduleDto,
  BackupStatusValue,
  ClusterDto,
  ClusterStatusValue,
  IpRule,
  ParametersDto,
} from '#local/sim/types.ts';

export class SimState {
  readonly catalog: SimCatalog;
  readonly clusters = new Map<string, SimCluster>();
  /** Visible backups per cluster uuid (oldest first). */
  readonly backups = new Map<string, SimBackup[]>();
  readonly schedules = new Map<string, BackupScheduleDto>();
  ipRanges: { 'web-modeler': string[] } = { 'web-modeler': ['34.141.89.72/32', '35.198.132.201/32'] };
  /** When false, POST /clusters answers 503 'cluster creation is not available'. */
  creationAvailable = true;
  /** POST /clusters beyond this many clusters answers 400 'no reservations left'. */
  maxClusters = Number.POSITIVE_INFINITY;
  /**
   * Whether PUT …/ipallowlist is accepted while the cluster is still Creating (the docs do not say; the
   * default, false, is the harder case: 409 until Healthy, so a new cluster stays open that long).
   */
  allowlistWhileCreating = false;
  readonly timings: StateTimings;
  readonly #now: () => number;
  /** Restores (local/sim/restores.ts): records, the 501 knob, durations. */
  readonly restores: SimRestores = new SimRestores(this);
  /** Manual backups created per cluster, kept even after deletion (they count for the once-an-hour rule). */
  readonly #manualAttempts = new Map<string, SimBackup[]>();

  constructor(catalog: SimCatalog, now: () => number, timings: StateTimings) {
    this.catalog = catalog;
    this.#now = now;
    this.timings = timings;
  }

  now(): number {
    return this.#now();
  }

  get parameters(): ParametersDto {
    return {
      channels: structuredClone(this.catalog.channels),
      clusterPlanTypes: this.catalog.planTypes.map(({ uuid, name }) => ({ uuid, name })),
      regions: structuredClone(this.catalog.regions),
    };
  }

  load(seed: SeedData): void {
    for (const c of seed.clusters) this.clusters.set(c.uuid, c);
    for (const { clusterUuid, backup } of seed.backups) this.#backupList(clusterUuid).push(backup);
    for (const list of this.backups.values()) list.sort((a, b) => a.created - b.created);
    for (const { clusterUuid, schedule } of seed.schedules) this.schedules.set(clusterUuid, schedule);
  }

  planType(name: string): SimPlanType {
    const plan = this.catalog.planTypes.find((p) => p.name === name || p.uuid === name);
    if (!plan) throw new Error(`no plan type '${name}' in the simulator catalog`);
    return plan;
  }

  isEnterprise(cluster: SimCluster): boolean {
    return this.catalog.planTypes.find((p) => p.uuid === cluster.planType.uuid)?.enterprise ?? false;
  }

  /** The first cluster with this name (names are not unique). */
  clusterByName(name: string): SimCluster | undefined {
    for (const c of this.clusters.values()) if (c.name === name) return c;
    return undefined;
  }

  /** The cluster or an Error naming it (for test helpers). */
  cluster(uuidOrName: string): SimCluster {
    const c = this.clusters.get(uuidOrName) ?? this.clusterByName(uuidOrName);
    if (!c) throw new Error(`no cluster '${uuidOrName}' in the simulator`);
    return c;
  }

  addCluster(init: ClusterInit): SimCluster {
    const cluster = buildCluster(this.catalog, init, this.now());
    this.clusters.set(cluster.uuid, cluster);
    return cluster;
  }

  updateCluster(uuidOrName: string, patch: Partial<Omit<SimCluster, 'uuid'>>): SimCluster {
    const c = this.cluster(uuidOrName);
    Object.assign(c, patch);
    return c;
  }

  /** Sets a connector secret directly (no 409 rule): for seeds and tests. */
  setSecret(uuidOrName: string, name: string, value: string): void {
    this.cluster(uuidOrName).secrets[name] = value;
  }

  /** Adds an API client directly (for seeds and tests); returns it with its secret. */
  addApiClient(
    uuidOrName: string,
    name: string,
    permissions: ClientPermission[] = [...CLIENT_PERMISSIONS],
  ): SimApiClient {
    const c = this.cluster(uuidOrName);
    const client: SimApiClient = {
      name,
      clientId: randomUUID().replace(/-/g, '').slice(0, 24),
      uuid: randomUUID(),
      permissions: [...permissions],
      clientSecret: randomUUID().replace(/-/g, ''),
    };
    c.apiClients.push(client);
    return client;
  }

  /** True (and the cluster busy for `secretChangeMs`) when a secret write may proceed now. */
  beginSecretChange(c: SimCluster): boolean {
    const now = this.now();
    if (c.secretsBusyUntil !== undefined && now < c.secretsBusyUntil) return false;
    c.secretsBusyUntil = this.timings.secretChangeMs > 0 ? now + this.timings.secretChangeMs : undefined;
    return true;
  }

  removeCluster(uuid: string): boolean {
    this.backups.delete(uuid);
    this.schedules.delete(uuid);
    this.#manualAttempts.delete(uuid);
    return this.clusters.delete(uuid);
  }

  /** Sets `status.ready` and every component; with `readyAfterMs` it turns Healthy that much later. */
  setStatus(uuidOrName: string, ready: ClusterStatusValue, opts: { readyAfterMs?: number } = {}): SimCluster {
    const c = this.cluster(uuidOrName);
    c.status = uniformStatus(ready);
    if (ready === 'Unhealthy') c.status.zeebeStatus = 'Healthy';
    c.readyAt = opts.readyAfterMs === undefined ? undefined : this.now() + opts.readyAfterMs;
    return c;
  }

  suspend(uuidOrName: string): SimCluster {
    return this.setStatus(uuidOrName, 'Suspended');
  }

  /** The next `count` backups of the cluster (default 1) end 'Failed', with `incidentLink` when given. */
  failNextBackups(uuidOrName: string, opts: { count?: number; incidentLink?: string } = {}): void {
    const c = this.cluster(uuidOrName);
    c.failNextBackups = { count: opts.count ?? 1, incidentLink: opts.incidentLink };
  }

  /** Adds a backup directly (no plan, generation or rate checks; a recent manual one counts for the hourly limit). */
  addBackup(uuidOrName: string, init: BackupInit = {}): SimBackup {
    const c = this.cluster(uuidOrName);
    const now = this.now();
    const created = init.created ?? now;
    const duration = this.timings.backupDurationMs;
    const status = init.status ?? (created + duration <= now ? 'Complete' : 'In progress');
    const backup: SimBackup = {
      uuid: init.uuid ?? randomUUID(),
      name: init.name ?? backupName(init.kind ?? 'manual', created),
      created,
      // A finished status is final whatever the clock says; 'In progress' runs its normal course.
      durationMs:
        status === 'In progress'
          ? Math.max(0, now - created) + duration
          : Math.max(0, Math.min(duration, now - created)),
      outcome: status === 'Failed' ? 'Failed' : 'Complete',
      incidentLink: init.incidentLink,
      generation: { ...c.generation },
      kind: init.kind ?? 'manual',
      extra: { futureField: 'backup-extra' },
    };
    this.#insertBackup(c.uuid, backup);
    if (backup.kind === 'manual') this.#recordAttempt(c.uuid, backup);
    return backup;
  }

  /** What POST /clusters/{uuid}/backups does once its checks passed. */
  createManualBackup(cluster: SimCluster): SimBackup {
    const now = this.now();
    const failing = cluster.failNextBackups;
    const backup: SimBackup = {
      uuid: randomUUID(),
      name: backupName('manual', now),
      created: now,
      durationMs: this.timings.backupDurationMs,
      outcome: failing && failing.count > 0 ? 'Failed' : 'Complete',
      incidentLink: failing && failing.count > 0 ? failing.incidentLink : undefined,
      generation: { ...cluster.generation },
      kind: 'manual',
      extra: { futureField: 'backup-extra' },
    };
    if (failing) {
      failing.count -= 1;
      if (failing.count <= 0) cluster.failNextBackups = undefined;
    }
    this.#insertBackup(cluster.uuid, backup);
    this.#recordAttempt(cluster.uuid, backup);
    return backup;
  }

  #recordAttempt(clusterUuid: string, backup: SimBackup): void {
    const attempts = this.#manualAttempts.get(clusterUuid) ?? [];
    attempts.push(backup);
    this.#manualAttempts.set(clusterUuid, attempts);
  }

  /**
   * When the cluster may next take a manual backup, or undefined when it may now. A manual backup
   * created within the interval blocks, unless it has already ended 'Failed' (failed attempts do not count;
   * deleting a backup does not reset the clock).
   */
  manualBackupBlockedUntil(clusterUuid: string): number | undefined {
    const now = this.now();
    const interval = this.timings.manualBackupIntervalMs;
    const recent = (this.#manualAttempts.get(clusterUuid) ?? []).filter((b) => b.created > now - interval);
    this.#manualAttempts.set(clusterUuid, recent);
    const counting = recent.filter((b) => this.backupStatus(b) !== 'Failed');
    if (counting.length === 0) return undefined;
    return Math.max(...counting.map((b) => b.created)) + interval;
  }

  backupStatus(b: SimBackup): BackupStatusValue {
    return this.now() < b.created + b.durationMs ? 'In progress' : b.outcome;
  }

  /** The BackupDto as the API returns it (with an extra unknown field). */
  renderBackup(b: SimBackup): BackupDtoSpec & Record<string, unknown> {
    const status = this.backupStatus(b);
    const component: BackupStatusValue = status === 'Failed' ? '-' : status;
    const dto: Record<string, unknown> = {
      uuid: b.uuid,
      name: b.name,
      created: iso(b.created),
      status,
      zeebeStatus: status,
      operateStatus: component,
      tasklistStatus: component,
      optimizeStatus: component,
      generationUuid: b.generation.uuid,
      generationName: b.generation.name,
      ...b.extra,
    };
    // `completed` is required by the spec: an 'In progress' backup answers an empty string.
    dto.completed = status === 'In progress' ? '' : iso(b.created + b.durationMs);
    if (status === 'Failed' && b.incidentLink) dto.incidentLink = b.incidentLink;
    return dto as BackupDtoSpec & Record<string, unknown>;
  }

  /** The cluster's backups as GET /clusters/{uuid}/backups returns them. */
  backupsOf(uuidOrName: string): Array<BackupDtoSpec & Record<string, unknown>> {
    const c = this.cluster(uuidOrName);
    this.settle(c.uuid);
    return (this.backups.get(c.uuid) ?? []).map((b) => this.renderBackup(b));
  }

  /** The Cluster as the API returns it: stageLabel dropped, unknown extra fields included. */
  renderCluster(c: SimCluster): ClusterDto & Record<string, unknown> {
    this.restores.settle();
    this.#settleCluster(c);
    const dto: Record<string, unknown> = {
      uuid: c.uuid,
      name: c.name,
      ownerId: c.ownerId,
      created: iso(c.created),
      planType: { ...c.planType },
      region: { ...c.region },
      generation: { ...c.generation },
      channel: { ...c.channel },
      autoUpdate: c.autoUpdate,
      status: { ...c.status },
      links: { ...c.links },
      encryption: { ...c.encryption },
    };
    if (c.backupRegion) dto.backupRegion = { ...c.backupRegion };
    if (c.labels) dto.labels = [...c.labels];
    if (c.description !== undefined) dto.description = c.description;
    if (c.ipallowlist) dto.ipallowlist = c.ipallowlist.map((r) => ({ ...r }));
    if (c.ipwhitelist) dto.ipwhitelist = c.ipwhitelist.map((r) => ({ ...r }));
    Object.assign(dto, structuredClone(c.extra));
    return dto as ClusterDto & Record<string, unknown>;
  }

  /** The rules in force: `ipallowlist`, else the legacy `ipwhitelist`; undefined when neither is set. */
  allowlistOf(uuidOrName: string): IpRule[] | undefined {
    const c = this.cluster(uuidOrName);
    return c.ipallowlist ?? c.ipwhitelist;
  }

  /** A snapshot of the rules in force per cluster uuid (see `allowlistOf`); clusters without either field are left out. */
  get allowlists(): Map<string, IpRule[]> {
    const out = new Map<string, IpRule[]>();
    for (const c of this.clusters.values()) {
      const rules = c.ipallowlist ?? c.ipwhitelist;
      if (rules)
        out.set(
          c.uuid,
          rules.map((r) => ({ ...r })),
        );
    }
    return out;
  }

  /** Applies time-driven changes: creation/resume finishing, the keep-three rule. All clusters by default. */
  settle(clusterUuid?: string): void {
    this.restores.settle();
    if (clusterUuid === undefined) {
      for (const c of this.clusters.values()) this.#settleCluster(c);
      for (const uuid of this.backups.keys()) this.#prune(uuid);
      return;
    }
    const c = this.clusters.get(clusterUuid);
    if (c) this.#settleCluster(c);
    this.#prune(clusterUuid);
  }

  #settleCluster(c: SimCluster): void {
    if (c.readyAt !== undefined && c.readyAt <= this.now()) {
      c.status = uniformStatus('Healthy');
      c.readyAt = undefined;
    }
  }

  #backupList(clusterUuid: string): SimBackup[] {
    let list = this.backups.get(clusterUuid);
    if (!list) {
      list = [];
      this.backups.set(clusterUuid, list);
    }
    return list;
  }

  #insertBackup(clusterUuid: string, backup: SimBackup): void {
    const list = this.#backupList(clusterUuid);
    list.push(backup);
    list.sort((a, b) => a.created - b.created);
    this.#prune(clusterUuid);
  }

  /** Keeps the three most recent completed backups of each kind; failed and running ones stay. */
  #prune(clusterUuid: string): void {
    const list = this.backups.get(clusterUuid);
    if (!list) return;
    const drop = new Set<SimBackup>();
    for (const kind of ['manual', 'scheduled'] as const) {
      const complete = list
        .filter((b) => b.kind === kind && this.backupStatus(b) === 'Complete')
        .sort((a, b) => b.created - a.created);
      for (const b of complete.slice(KEEP_COMPLETED_BACKUPS)) drop.add(b);
    }
    if (drop.size > 0)
      this.backups.set(
        clusterUuid,
        list.filter((b) => !drop.has(b)),
      );
  }
}

function backupName(kind: 'manual' | 'scheduled', at: number): string {
  return `${kind}-${iso(at)
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}`;
}
