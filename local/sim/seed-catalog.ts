// The simulator's creation parameters (`catalog()`, with stable ids from `simUuid`) and the small builders both
// seeds share: references into the catalog and a completed manual backup.
import { createHash } from 'node:crypto';
import { iso, type SimBackup, type SimCatalog } from '#local/sim/model.ts';
import type { Ref } from '#local/sim/types.ts';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

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

export function regionRef(cat: SimCatalog, index: number): Ref {
  const r = cat.regions[index] ?? cat.regions[0];
  if (!r) throw new Error('catalog has no regions');
  return { uuid: r.uuid, name: r.name };
}

export function backupRegionRef(cat: SimCatalog, index: number): Ref | undefined {
  const b = cat.regions[index]?.backups?.[0]?.regions[0];
  return b ? { uuid: b.id, name: b.label } : undefined;
}

export function alphaChannel(cat: SimCatalog): Ref {
  const a = cat.channels[1] ?? cat.channels[0];
  if (!a) throw new Error('catalog has no channels');
  return { uuid: a.uuid, name: a.name };
}

export function completedBackup(
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
