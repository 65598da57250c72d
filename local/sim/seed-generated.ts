// A large generated organization for benchmarks (`generateOrg`): deterministic for a given seed.
import { buildCluster, type SeedData, uniformStatus } from '#local/sim/model.ts';
import {
  backupRegionRef,
  catalog,
  completedBackup,
  DAY,
  GENERATIONS,
  regionRef,
} from '#local/sim/seed-catalog.ts';
import type { IpRule } from '#local/sim/types.ts';

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
