// Deterministic data for the simulator: the creation parameters (catalog), a small realistic
// organization (`seedOrg`) and a large generated one (`generateOrg`) for benchmarks.
import { createHash } from 'node:crypto';
import {
  buildCluster,
  type ClientPermission,
  type ClusterInit,
  iso,
  type SeedData,
  type SimBackup,
  type SimCatalog,
  type SimCluster,
  uniformStatus,
} from '#local/sim/model.ts';
import type { IpRule, Ref } from '#local/sim/types.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A stable UUID-shaped id derived from a key (same key, same id, in every run). */
export function simUuid(key: string): string {
  const h = createHash('sha1').update(`camunda-sim:${key}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const gen = (name: string): Ref => ({ uuid: simUuid(`generation:${name}`), name });

/** Generation names the catalog knows. 8.2.0 is older than the 8.2.4 that backups need. */
export const GENERATIONS = {
  old: gen('8.2.0'),
  previous: gen('8.6.9'),
  current: gen('8.7.2'),
  alpha: gen('8.8.0-alpha5'),
} as const;

export function catalog(): SimCatalog {
  const regions: SimCatalog['regions'] = [
    {
      uuid: simUuid('region:europe-west1'),
      name: 'Belgium, Europe (europe-west1)',
      provider: 'gcp',
      backups: [
        {
          uuid: simUuid('backups:europe-west1'),
          regions: [
            { id: simUuid('backup-region:europe-west4'), label: 'Netherlands, Europe (europe-west4)' },
          ],
        },
      ],
    },
    {
      uuid: simUuid('region:us-east1'),
      name: 'South Carolina, North America (us-east1)',
      provider: 'gcp',
      backups: [
        {
          uuid: simUuid('backups:us-east1'),
          regions: [{ id: simUuid('backup-region:us-west1'), label: 'Oregon, North America (us-west1)' }],
        },
      ],
    },
    {
      uuid: simUuid('region:aws-eu-central-1'),
      name: 'Frankfurt, Europe (eu-central-1)',
      provider: 'aws',
      backups: [],
    },
  ];
  return {
    planTypes: [
      { uuid: simUuid('plan:trial'), name: 'Trial Package', enterprise: false },
      { uuid: simUuid('plan:starter'), name: 'Starter', enterprise: false },
      { uuid: simUuid('plan:enterprise-s'), name: 'Enterprise S', enterprise: true },
      { uuid: simUuid('plan:enterprise-m'), name: 'Enterprise M', enterprise: true },
    ],
    channels: [
      {
        uuid: simUuid('channel:stable'),
        name: 'Stable',
        defaultGeneration: { ...GENERATIONS.current },
        allowedGenerations: [
          { ...GENERATIONS.previous, classification: 'channel' },
          { ...GENERATIONS.current, classification: 'channel' },
        ],
      },
      {
        uuid: simUuid('channel:alpha'),
        name: 'Alpha',
        defaultGeneration: { ...GENERATIONS.alpha },
        allowedGenerations: [{ ...GENERATIONS.alpha, classification: 'channel' }],
      },
    ],
    regions,
    generations: Object.values(GENERATIONS).map((g) => ({ ...g })),
    regionKeys: {
      [simUuid('region:europe-west1')]: 'bru-2',
      [simUuid('region:us-east1')]: 'us-east-1',
      [simUuid('region:aws-eu-central-1')]: 'fra-1',
    },
  };
}

function regionRef(cat: SimCatalog, index: number): Ref {
  const r = cat.regions[index] ?? cat.regions[0];
  if (!r) throw new Error('catalog has no regions');
  return { uuid: r.uuid, name: r.name };
}

function backupRegionRef(cat: SimCatalog, index: number): Ref | undefined {
  const b = cat.regions[index]?.backups?.[0]?.regions[0];
  return b ? { uuid: b.id, name: b.label } : undefined;
}

function alphaChannel(cat: SimCatalog): Ref {
  const a = cat.channels[1] ?? cat.channels[0];
  if (!a) throw new Error('catalog has no channels');
  return { uuid: a.uuid, name: a.name };
}

function completedBackup(
  uuidKey: string,
  created: number,
  generation: Ref,
  outcome: SimBackup['outcome'] = 'Complete',
) {
  return {
    uuid: simUuid(`backup:${uuidKey}`),
    name: `manual-${iso(created).slice(0, 10)}`,
    created,
    durationMs: 7 * MINUTE,
    outcome,
    generation: { ...generation },
    kind: 'manual' as const,
    extra: { futureField: 'backup-extra' },
  };
}

/** The names of the clusters `seedOrg()` creates, for tests that look them up. */
export const ORG_CLUSTERS = [
  'dev-payments',
  'dev-orders',
  'dev-sandbox-alice',
  'dev-sandbox-bob',
  'test-payments',
  'test-orders',
  'stage-payments',
  'stage-legacy-reports',
  'prod-payments',
  'prod-orders',
  'prod-analytics',
  'prod-billing',
] as const;

/**
 * A dozen clusters across dev/test/stage/prod, with labels, descriptions, statuses, allowlists and
 * backups. Deterministic ids; times relative to `now`.
 *
 * - dev-*: Starter/Trial plans (no backups, no allowlist), labelled 'nightly-off'; dev-sandbox-alice was
 *   created an hour ago on the Alpha channel; dev-sandbox-bob is Suspended.
 * - test-payments: Enterprise with an allowlist; test-orders: Unhealthy.
 * - stage-payments: Enterprise carrying only the deprecated `ipwhitelist` ("10.0.0.0/8,192.168.1.0/24").
 * - stage-legacy-reports: Enterprise on generation 8.2.0 (backups rejected: needs 8.2.4).
 * - prod-*: Enterprise with Complete backups older than an hour; prod-payments has three and a schedule,
 *   prod-orders has a Failed one with an incident link, prod-billing has the legacy `ipwhitelist` only.
 */
export function seedOrg(now: number = Date.now()): SeedData {
  const cat = catalog();
  const stable = cat.channels[0];
  if (!stable) throw new Error('catalog has no channels');
  const office: IpRule = { description: 'office', ip: '203.0.113.0/24' };
  const vpn: IpRule = { description: 'vpn egress', ip: '198.51.100.10/32,198.51.100.11/32' };
  const make = (init: ClusterInit & { daysOld?: number }): SimCluster => {
    const { daysOld = 30, ...rest } = init;
    return buildCluster(
      cat,
      { uuid: simUuid(`cluster:${init.name}`), created: now - daysOld * DAY, ...rest },
      now,
    );
  };
  const clusters: SimCluster[] = [
    make({
      name: 'dev-payments',
      plan: 'Starter',
      daysOld: 41,
      labels: ['team-payments', 'env-dev', 'nightly-off'],
      description: 'Payments team development cluster',
      stageLabel: 'dev',
      ownerId: 'owner-payments',
    }),
    make({
      name: 'dev-orders',
      plan: 'Starter',
      daysOld: 20,
      labels: ['team-orders', 'env-dev', 'nightly-off'],
      description: 'Orders team development cluster',
      stageLabel: 'dev',
      ownerId: 'owner-orders',
    }),
    make({
      name: 'dev-sandbox-alice',
      plan: 'Trial Package',
      created: now - HOUR,
      channel: alphaChannel(cat),
      generation: { ...GENERATIONS.alpha },
      autoUpdate: false,
      labels: ['env-dev', 'owner-alice', 'nightly-off'],
      description: 'Sandbox, delete when done',
      ownerId: 'owner-alice',
    }),
    make({
      name: 'dev-sandbox-bob',
      plan: 'Trial Package',
      daysOld: 9,
      status: uniformStatus('Suspended'),
      labels: ['env-dev', 'owner-bob', 'nightly-off'],
      ownerId: 'owner-bob',
    }),
    make({
      name: 'test-payments',
      plan: 'Enterprise S',
      daysOld: 60,
      labels: ['team-payments', 'env-test', 'nightly-off'],
      description: 'Payments integration tests',
      stageLabel: 'test',
      ipallowlist: [office],
    }),
    make({
      name: 'test-orders',
      plan: 'Enterprise S',
      daysOld: 12,
      generation: { ...GENERATIONS.previous },
      status: { ...uniformStatus('Unhealthy'), zeebeStatus: 'Healthy', connectorsStatus: 'Healthy' },
      labels: ['team-orders', 'env-test'],
      description: 'Orders integration tests',
    }),
    make({
      name: 'stage-payments',
      plan: 'Enterprise M',
      daysOld: 90,
      region: regionRef(cat, 0),
      labels: ['team-payments', 'env-stage'],
      description: 'Payments staging',
      stageLabel: 'stage',
      ipallowlist: undefined,
      ipwhitelist: [{ description: 'corporate networks', ip: '10.0.0.0/8,192.168.1.0/24' }],
    }),
    make({
      name: 'stage-legacy-reports',
      plan: 'Enterprise S',
      daysOld: 700,
      generation: { ...GENERATIONS.old },
      autoUpdate: false,
      labels: ['team-reports', 'env-stage'],
      description: 'Legacy reporting, still on 8.2.0',
    }),
    make({
      name: 'prod-payments',
      plan: 'Enterprise M',
      daysOld: 400,
      backupRegion: backupRegionRef(cat, 0),
      labels: ['team-payments', 'env-prod', 'backup-daily'],
      description: 'Payments production',
      stageLabel: 'prod',
      ipallowlist: [office, vpn],
    }),
    make({
      name: 'prod-orders',
      plan: 'Enterprise M',
      daysOld: 380,
      backupRegion: backupRegionRef(cat, 0),
      labels: ['team-orders', 'env-prod', 'backup-daily'],
      description: 'Orders production',
      stageLabel: 'prod',
    }),
    make({
      name: 'prod-analytics',
      plan: 'Enterprise S',
      daysOld: 150,
      region: regionRef(cat, 1),
      backupRegion: backupRegionRef(cat, 1),
      labels: ['team-analytics', 'env-prod'],
      description: 'Analytics production (US)',
      encryption: { type: 'External', status: 'Ready' },
      ipallowlist: [{ description: 'analytics ipv6 range', ip: '2001:db8:1234::/48' }],
    }),
    make({
      name: 'prod-billing',
      plan: 'Enterprise S',
      daysOld: 200,
      region: regionRef(cat, 2),
      generation: { ...GENERATIONS.previous },
      labels: ['team-billing', 'env-prod'],
      description: 'Billing production',
      ipallowlist: undefined,
      ipwhitelist: [{ description: 'billing partners', ip: '192.0.2.0/24' }],
    }),
  ];
  // The clusters the local teardown selects carry connector secrets and API clients, so a teardown →
  // recreate cycle shows them restored. The values are obviously fake.
  const extras: Record<
    string,
    { secrets: Record<string, string>; clients: Array<[string, ClientPermission[]]> }
  > = {
    'dev-payments': {
      secrets: { PAYMENT_API_KEY: 'sim-not-a-real-key-payments', WEBHOOK_TOKEN: 'sim-not-a-real-token' },
      clients: [
        ['payments-worker', ['Zeebe']],
        ['payments-ci', ['Zeebe', 'Operate']],
      ],
    },
    'dev-orders': {
      secrets: { ORDERS_DB_PASSWORD: 'sim-not-a-real-password' },
      clients: [['orders-worker', ['Zeebe', 'Tasklist']]],
    },
    'test-payments': {
      secrets: { PAYMENT_API_KEY: 'sim-not-a-real-key-test', SMTP_PASSWORD: 'sim-not-a-real-smtp' },
      clients: [['payments-test-runner', ['Zeebe', 'Operate', 'Secrets']]],
    },
  };
  for (const c of clusters) {
    const extra = extras[c.name];
    if (!extra) continue;
    c.secrets = { ...extra.secrets };
    c.apiClients = extra.clients.map(([name, permissions]) => ({
      name,
      clientId: simUuid(`client:${c.name}:${name}`).replace(/-/g, '').slice(0, 24),
      uuid: simUuid(`client-uuid:${c.name}:${name}`),
      permissions,
      clientSecret: `sim-secret-${simUuid(`client-secret:${c.name}:${name}`).slice(0, 8)}`,
    }));
  }
  const id = (name: string): string => simUuid(`cluster:${name}`);
  const gOf = (name: string): Ref => clusters.find((c) => c.name === name)?.generation ?? GENERATIONS.current;
  const backups: SeedData['backups'] = [
    ...[3, 2, 1].map((d) => ({
      clusterUuid: id('prod-payments'),
      backup: completedBackup(`prod-payments-${d}`, now - d * DAY, gOf('prod-payments')),
    })),
    {
      clusterUuid: id('prod-orders'),
      backup: completedBackup('prod-orders-2', now - 2 * DAY, gOf('prod-orders')),
    },
    {
      clusterUuid: id('prod-orders'),
      backup: {
        ...completedBackup('prod-orders-failed', now - DAY, gOf('prod-orders'), 'Failed'),
        incidentLink: 'https://camunda.slack.com/archives/C0SIMINCIDENT',
      },
    },
    {
      clusterUuid: id('prod-orders'),
      backup: completedBackup('prod-orders-1', now - DAY + HOUR, gOf('prod-orders')),
    },
    {
      clusterUuid: id('prod-analytics'),
      backup: completedBackup('prod-analytics-1', now - 2 * HOUR, gOf('prod-analytics')),
    },
  ];
  return {
    clusters,
    backups,
    schedules: [
      {
        clusterUuid: id('prod-payments'),
        schedule: { name: 'prod-payments-schedule', schedule: '0 2 * * *' },
      },
    ],
  };
}

/** mulberry32: a tiny deterministic PRNG. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TEAMS = [
  'payments',
  'orders',
  'billing',
  'search',
  'risk',
  'ledger',
  'identity',
  'shipping',
  'catalog',
  'analytics',
];
const ENVS = ['dev', 'dev', 'dev', 'test', 'test', 'stage', 'prod'] as const;

/**
 * `n` clusters, deterministic for a given `rngSeed`: names `<env>-<team>-<i>`, labels, mostly Healthy,
 * Enterprise plans on stage/prod with allowlists and up to three Complete backups each.
 */
export function generateOrg(n: number, rngSeed = 1, now: number = Date.now()): SeedData {
  const cat = catalog();
  const random = rng(rngSeed);
  const pick = <T>(items: readonly T[]): T => {
    const item = items[Math.floor(random() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  };
  const uuid = (): string => {
    const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  };
  const data: SeedData = { clusters: [], backups: [], schedules: [] };
  for (let i = 0; i < n; i++) {
    const env = pick(ENVS);
    const team = pick(TEAMS);
    const enterprise = env === 'prod' || env === 'stage' || random() < 0.3;
    const plan = enterprise ? pick(['Enterprise S', 'Enterprise M']) : pick(['Starter', 'Trial Package']);
    const roll = random();
    const ready = roll < 0.9 ? 'Healthy' : roll < 0.94 ? 'Suspended' : roll < 0.97 ? 'Unhealthy' : 'Updating';
    const regionIndex = Math.floor(random() * cat.regions.length);
    const labels = [`team-${team}`, `env-${env}`];
    if ((env === 'dev' || env === 'test') && random() < 0.7) labels.push('nightly-off');
    if (env === 'prod') labels.push('backup-daily');
    const legacy = enterprise && random() < 0.1;
    const rules: IpRule[] =
      enterprise && random() < 0.5 ? [{ description: 'office', ip: '203.0.113.0/24' }] : [];
    const cluster = buildCluster(
      cat,
      {
        uuid: uuid(),
        name: `${env}-${team}-${i}`,
        plan,
        created: now - Math.floor(random() * 400 + 1) * DAY,
        region: regionRef(cat, regionIndex),
        backupRegion: enterprise ? backupRegionRef(cat, regionIndex) : undefined,
        generation: { ...pick([GENERATIONS.previous, GENERATIONS.current]) },
        status: uniformStatus(ready),
        labels,
        description: `${team} ${env} cluster #${i}`,
        ownerId: `owner-${team}`,
        ...(enterprise
          ? legacy
            ? { ipallowlist: undefined, ipwhitelist: rules }
            : { ipallowlist: rules }
          : {}),
      },
      now,
    );
    data.clusters.push(cluster);
    if (enterprise && env === 'prod') {
      const count = Math.floor(random() * 4);
      for (let d = count; d >= 1; d--) {
        data.backups.push({
          clusterUuid: cluster.uuid,
          backup: { ...completedBackup(`${cluster.uuid}-${d}`, now - d * DAY, cluster.generation) },
        });
      }
    }
  }
  return data;
}
