// The simulated organization's records (clusters, API clients, backups, the catalog) and how a new cluster record
// is filled in: plain data that SimState keeps and the seed generator and route handlers build.
import { randomUUID } from 'node:crypto';
import type {
  BackupScheduleDto,
  ClusterDto,
  ClusterStatusValue,
  IpRule,
  ParametersDto,
  Ref,
  StageLabel,
} from '#local/sim/types.ts';

export interface SimPlanType extends Ref {
  /** Backups and IP allowlists are only available on Enterprise plans. */
  enterprise: boolean;
}

export interface SimCatalog {
  planTypes: SimPlanType[];
  channels: ParametersDto['channels'];
  regions: ParametersDto['regions'];
  /** Every generation a cluster may run, including old ones no channel offers any more. */
  generations: Ref[];
  /** Short region key per region uuid, used to build cluster links. */
  regionKeys: Record<string, string>;
}

export interface SimCluster {
  uuid: string;
  name: string;
  ownerId: string;
  /** Epoch ms. */
  created: number;
  planType: Ref;
  region: Ref;
  channel: Ref;
  generation: Ref;
  backupRegion?: Ref;
  autoUpdate: boolean;
  status: ClusterDto['status'];
  links: ClusterDto['links'];
  encryption: ClusterDto['encryption'];
  labels?: string[];
  description?: string;
  ipallowlist?: IpRule[];
  /** The deprecated field; some clusters carry only this one. */
  ipwhitelist?: IpRule[];
  /** Accepted on create and PATCH, never returned (like the real API). */
  stageLabel?: StageLabel;
  hardwarePackages?: number;
  /** While Creating or Resuming: when the cluster turns Healthy (epoch ms). */
  readyAt?: number;
  /** Connector secrets, name → value (GET …/secrets returns the values, like the real API). */
  secrets: Record<string, string>;
  /** API clients of the cluster; the secret is only ever returned by the create. */
  apiClients: SimApiClient[];
  /** A secret change is in progress until then (epoch ms): secret writes answer 409 meanwhile. */
  secretsBusyUntil?: number;
  /** The next `count` backups of this cluster end 'Failed'. */
  failNextBackups?: { count: number; incidentLink?: string };
  /** Fields the spec does not know, returned as they are (clients must ignore them). */
  extra: Record<string, unknown>;
}

export type ClientPermission = 'Zeebe' | 'Operate' | 'Tasklist' | 'Optimize' | 'Secrets';
export const CLIENT_PERMISSIONS: readonly ClientPermission[] = [
  'Zeebe',
  'Operate',
  'Tasklist',
  'Optimize',
  'Secrets',
];

export interface SimApiClient {
  name: string;
  /** The OAuth client id (also the id in /clusters/{uuid}/clients/{clientId}). */
  clientId: string;
  uuid: string;
  permissions: ClientPermission[];
  /** Kept so a test can check a published credential; never returned by a GET. */
  clientSecret: string;
}

export interface SimBackup {
  uuid: string;
  name: string;
  /** Epoch ms. */
  created: number;
  /** 'In progress' until created + durationMs, then `outcome`. */
  durationMs: number;
  outcome: 'Complete' | 'Failed';
  incidentLink?: string;
  generation: Ref;
  kind: 'manual' | 'scheduled';
  extra: Record<string, unknown>;
}

export interface SeedData {
  clusters: SimCluster[];
  backups: Array<{ clusterUuid: string; backup: SimBackup }>;
  schedules: Array<{ clusterUuid: string; schedule: BackupScheduleDto }>;
}

export interface ClusterInit extends Partial<Omit<SimCluster, 'name'>> {
  name: string;
  /** Shortcut for `planType`: the name of a catalog plan type, e.g. 'Starter' or 'Enterprise S'. */
  plan?: string;
}

export interface BackupInit {
  /** Epoch ms; default now. */
  created?: number;
  /** Default: 'Complete' when `created` is older than the backup duration, else 'In progress'. */
  status?: 'Complete' | 'Failed' | 'In progress';
  kind?: 'manual' | 'scheduled';
  name?: string;
  uuid?: string;
  incidentLink?: string;
}

export interface StateTimings {
  backupDurationMs: number;
  clusterCreateMs: number;
  manualBackupIntervalMs: number;
  /** How long one secret write keeps the cluster's secrets 'change in progress' (409 for other writes). */
  secretChangeMs: number;
}

/** How many completed backups of each kind (manual, scheduled) the system keeps per cluster. */
export const KEEP_COMPLETED_BACKUPS = 3;
export const MIN_BACKUP_GENERATION: [number, number, number] = [8, 2, 4];

const COMPONENTS = [
  'zeebeStatus',
  'operateStatus',
  'tasklistStatus',
  'optimizeStatus',
  'connectorsStatus',
] as const;

/** A cluster status with every component in the same state. */
export function uniformStatus(ready: ClusterStatusValue): ClusterDto['status'] {
  const status: ClusterDto['status'] = { ready };
  for (const c of COMPONENTS) status[c] = ready;
  return status;
}

export const iso = (ms: number): string => new Date(ms).toISOString();
/** A cluster record with defaults: Enterprise S, first region, Stable channel and its default generation, Healthy. */
export function buildCluster(catalog: SimCatalog, init: ClusterInit, now: number): SimCluster {
  const stable = catalog.channels[0];
  const region = catalog.regions[0];
  if (!stable || !region) throw new Error('the simulator catalog needs a channel and a region');
  const { plan, ...rest } = init;
  const planName = plan ?? 'Enterprise S';
  const catalogPlan =
    init.planType ?? catalog.planTypes.find((p) => p.name === planName || p.uuid === planName);
  if (!catalogPlan) throw new Error(`no plan type '${planName}' in the simulator catalog`);
  const uuid = init.uuid ?? randomUUID();
  const regionRef = init.region ?? { uuid: region.uuid, name: region.name };
  const enterprise = catalog.planTypes.find((p) => p.uuid === catalogPlan.uuid)?.enterprise ?? false;
  return {
    ownerId: 'sim-owner',
    created: now,
    channel: { uuid: stable.uuid, name: stable.name },
    generation: { ...stable.defaultGeneration },
    autoUpdate: true,
    status: uniformStatus('Healthy'),
    links: clusterLinks(uuid, catalog.regionKeys[regionRef.uuid] ?? 'sim-1'),
    encryption: { type: 'Provider' },
    ...(enterprise ? { ipallowlist: [] } : {}),
    extra: defaultExtra(),
    secrets: {},
    apiClients: [],
    ...rest,
    uuid,
    region: regionRef,
    planType: { uuid: catalogPlan.uuid, name: catalogPlan.name },
  };
}

export function clusterLinks(uuid: string, regionKey: string): ClusterDto['links'] {
  return {
    zeebe: `${uuid}.${regionKey}.zeebe.camunda.io:443`,
    operate: `https://${regionKey}.operate.camunda.io/${uuid}`,
    tasklist: `https://${regionKey}.tasklist.camunda.io/${uuid}`,
    optimize: `https://${regionKey}.optimize.camunda.io/${uuid}`,
    connectors: `https://${regionKey}.connectors.camunda.io/${uuid}`,
    console: `https://console.cloud.camunda.io/org/sim-org/cluster/${uuid}`,
    oauth: 'https://login.cloud.camunda.io/oauth/token',
  };
}

/** Fields a future API version might add; every cluster carries them so clients must parse leniently. */
export function defaultExtra(): Record<string, unknown> {
  return { futureField: { addedIn: 'sim', note: 'not in the spec' }, clusterTier: 'standard' };
}
