// The small, realistic organization the simulator starts with (`seedOrg`): hand-written clusters that cover the
// cases the jobs must handle (plans, states, labels, legacy allowlists, backups).
import {
  buildCluster,
  type ClientPermission,
  type ClusterInit,
  type SeedData,
  type SimCluster,
  uniformStatus,
} from '#local/sim/model.ts';
import {
  alphaChannel,
  backupRegionRef,
  catalog,
  completedBackup,
  DAY,
  GENERATIONS,
  HOUR,
  regionRef,
  simUuid,
} from '#local/sim/seed-catalog.ts';
import type { IpRule, Ref } from '#local/sim/types.ts';

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
