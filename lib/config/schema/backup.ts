// `backup`: which clusters, how often, manual or native backups, recovery-point targets and the restore drill.
import * as z from 'zod/mini';
import { unixCronProblem } from '../expressions.ts';
import { mayMatchReference } from '../selector.ts';
import type { ClusterSelector } from '../types.ts';
import { crossRefine, hasType, isRecord } from './cross-check.ts';
import { atLeast, bool, integer, list, problemCheck, schedule, text } from './primitives.ts';
import { namesClusters, selectorSchema } from './selector.ts';

const targetSchema = () =>
  z
    .strictObject({
      selector: selectorSchema(),
      maxAgeHours: atLeast(0.25),
    })
    .check(
      crossRefine((t, ctx) => {
        if (!namesClusters(t.selector)) {
          ctx.addIssue({
            code: 'custom',
            path: ['selector'],
            message: 'must name the clusters this target applies to: an empty selector selects none',
          });
        }
      }),
    );

const drillSchema = () =>
  z.strictObject({
    enabled: z._default(bool(), false),
    schedule: z._default(schedule(), 'cron(0 4 ? * SUN *)'),
    cluster: z.optional(text('a cluster name or uuid')),
    useExisting: z._default(bool(), false),
    maxMinutes: z._default(integer(5, 1440), 120),
    pollSeconds: z._default(integer(1, 300), 15),
  });

/**
 * The drill restores a backup over the drill cluster's data: it needs a cluster, a production scope to keep it
 * away from, and a cluster outside that scope (as far as its name or uuid tells; the run re-checks the live
 * cluster's labels, plan and region).
 */
function checkDrill(
  b: { drill?: { enabled?: boolean; cluster?: string }; productionSelector?: unknown },
  ctx: z.core.$RefinementCtx,
): void {
  if (!hasType(ctx, 'drill') || !isRecord(b.drill)) return;
  const { enabled, cluster } = b.drill;
  if (enabled === true && cluster === undefined && hasType(ctx, 'drill', 'cluster')) {
    ctx.addIssue({
      code: 'custom',
      path: ['drill', 'cluster'],
      message: 'is required when drill.enabled is true',
    });
  }
  if (enabled === true && b.productionSelector === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['productionSelector'],
      message:
        'is required when drill.enabled is true: name your production clusters so the drill can never restore onto one',
    });
  }
  if (
    typeof cluster === 'string' &&
    isRecord(b.productionSelector) &&
    hasType(ctx, 'productionSelector') &&
    mayMatchReference(b.productionSelector as ClusterSelector, cluster)
  ) {
    ctx.addIssue({
      code: 'custom',
      path: ['drill', 'cluster'],
      message: `'${cluster}' is matched by backup.productionSelector: a drill restores over a cluster's data and never runs on a production cluster`,
    });
  }
}

export const backupSchema = () =>
  z
    .strictObject({
      enabled: z._default(bool(), false),
      schedule: z._default(schedule(), 'cron(0 2 * * ? *)'),
      dryRun: z._default(bool(), false),
      mode: z._default(z.enum(['manual', 'native'], { error: "must be 'manual' or 'native'" }), 'manual'),
      minIntervalHours: z.optional(
        z.number({ error: 'must be a number >= 1' }).check(
          z.gte(1, {
            error: 'must be a number >= 1 (or use minIntervalMinutes, down to 15, where Camunda allows it)',
          }),
        ),
      ),
      minIntervalMinutes: z.optional(
        z.number({ error: 'must be a number >= 15' }).check(
          z.gte(15, {
            error: 'must be a number >= 15 (Camunda allows a manual backup every 15 minutes at most)',
          }),
        ),
      ),
      nativeCron: z.optional(
        z.string({ error: 'must be a 5-field cron string' }).check(problemCheck(unixCronProblem)),
      ),
      selector: z.prefault(selectorSchema(), {}),
      targets: z._default(list(targetSchema()), []),
      checkSchedule: z._default(schedule(), 'rate(1 hour)'),
      clusterMetrics: z._default(
        z.enum(['targets', 'off'], { error: "must be 'targets' or 'off'" }),
        'targets',
      ),
      productionSelector: z.optional(selectorSchema()),
      drill: z.prefault(drillSchema(), {}),
    })
    .check(
      crossRefine((b, ctx) => {
        if (b.minIntervalHours !== undefined && b.minIntervalMinutes !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['minIntervalHours'],
            message:
              'give minIntervalMinutes or minIntervalHours, not both (minIntervalHours is the older spelling)',
          });
        }
        checkDrill(b, ctx);
        if (hasType(ctx, 'mode') && b.mode === 'native' && b.nativeCron === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['nativeCron'],
            message: "is required when mode is 'native'",
          });
        }
        if (hasType(ctx, 'enabled') && b.enabled && !namesClusters(b.selector)) {
          ctx.addIssue({
            code: 'custom',
            path: ['selector'],
            message:
              'must name the clusters to back up (ids, names, labels, … or all: true): an empty selector selects none',
          });
        }
      }),
    );
