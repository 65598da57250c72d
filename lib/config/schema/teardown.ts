// `teardown`: the nightly teardown, its guards (protection, blast radius, window budget, lateness), the notice,
// keep-alive and the morning recreate.
import * as z from 'zod/mini';
import { globMatchesEveryName, selectsEveryCluster } from '../selector.ts';
import { crossRefine, hasType, isValid } from './cross-check.ts';
import { atLeast, bool, integer, list, positive, schedule, text } from './primitives.ts';
import { namesClusters, selectorSchema } from './selector.ts';

const protectSchema = () =>
  z.strictObject({
    ids: z._default(list(text()), []),
    names: z._default(list(text('a name glob')), []),
    labels: z._default(list(text()), []),
  });

const recreateSchema = () =>
  z.strictObject({
    enabled: z._default(bool(), false),
    schedule: z._default(schedule(), 'cron(0 7 ? * MON-FRI *)'),
    followUpSchedule: z._default(schedule(), 'cron(30 7 ? * MON-FRI *)'),
    stageLabels: z._default(
      list(
        z.strictObject({
          names: list(text('a name glob')).check(
            z.minLength(1, { error: 'must name at least one cluster name glob' }),
          ),
          stageLabel: z.enum(['dev', 'test', 'stage', 'prod'], {
            error: "must be 'dev', 'test', 'stage' or 'prod'",
          }),
        }),
      ),
      [],
    ),
    secretPrefix: z._default(
      text('a Secrets Manager name prefix').check(
        z.refine((p: string) => /^[A-Za-z0-9_+=.@-]+(\/[A-Za-z0-9_+=.@-]+)*$/.test(p), {
          error:
            "must be path segments of letters, digits and _+=.@- separated by '/' (no leading or trailing '/')",
        }),
      ),
      'camunda-automation/clusters',
    ),
    maxOpenWindowMinutes: z._default(positive(), 10),
    externalEncryptionAs: z.optional(
      z.enum(['Software', 'Hardware', 'Provider'], {
        error: "must be 'Software', 'Hardware' or 'Provider'",
      }),
    ),
    waitForHealthySeconds: z._default(integer(0, 840), 300),
    maxContinuations: z._default(integer(0, 20), 6),
  });

const teardownSettings = () =>
  z
    .strictObject({
      enabled: z._default(bool(), false),
      dryRun: z._default(bool(), true),
      selector: z.prefault(selectorSchema(), {}),
      protect: z.prefault(protectSchema(), {}),
      minAgeHours: z._default(atLeast(0), 4),
      maxDeletionsPerRun: z._default(integer(1), 5),
      // A deletion budget per teardown window shared by every run and trigger, what an ad-hoc (not scheduled)
      // run may delete, and how late a scheduled delivery may still run.
      maxDeletionsPerWindow: z.optional(integer(1)),
      windowStartHour: z._default(integer(0, 23), 12),
      adHoc: z._default(
        z.enum(['noticed-only', 'any-selected'], { error: "must be 'noticed-only' or 'any-selected'" }),
        'noticed-only',
      ),
      maxLatenessMinutes: z._default(integer(1, 1440), 60),
      noticeSchedule: z._default(schedule(), 'cron(0 18 ? * MON-FRI *)'),
      schedule: z._default(schedule(), 'cron(0 20 ? * MON-FRI *)'),
      recreate: z.prefault(recreateSchema(), {}),
      keepAlive: z.prefault(z.strictObject({ maxHours: z._default(positive(), 12) }), {}),
    })
    .check(
      crossRefine((t, ctx) => {
        // An `all` with a bad value is refused at the same path already (and is not "no criteria").
        if (hasType(ctx, 'selector', 'all') && t.selector.all !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['selector', 'all'],
            message: 'teardown never accepts all: name the clusters to delete (names, labels, ids, …)',
          });
        } else if (isValid(ctx, 'selector') && selectsEveryCluster(t.selector)) {
          // `all` in disguise: every criterion is a glob matching every name (`names: ['*']`).
          for (const key of ['names', 'generations'] as const) {
            const globs = t.selector[key] ?? [];
            globs.forEach((glob, i) => {
              if (!globMatchesEveryName(glob)) return;
              ctx.addIssue({
                code: 'custom',
                path: ['selector', key, i],
                message: `'${glob}' matches every ${key === 'names' ? 'cluster name' : 'generation'}, so this selector selects every cluster: teardown never accepts all, in any form (name the clusters to delete)`,
              });
            });
          }
        } else if (hasType(ctx, 'enabled') && t.enabled && !namesClusters(t.selector)) {
          ctx.addIssue({
            code: 'custom',
            path: ['selector'],
            message:
              'must name the clusters to tear down (names, labels, ids, …): an empty selector selects none',
          });
        }
        if (
          isValid(ctx, 'maxDeletionsPerRun') &&
          isValid(ctx, 'maxDeletionsPerWindow') &&
          t.maxDeletionsPerWindow !== undefined &&
          t.maxDeletionsPerWindow < t.maxDeletionsPerRun
        ) {
          ctx.addIssue({
            code: 'custom',
            path: ['maxDeletionsPerWindow'],
            message: `must be >= maxDeletionsPerRun (${t.maxDeletionsPerRun}): one run may not plan more than the window allows`,
          });
        }
      }),
    );

export const teardownSchema = () =>
  z.pipe(
    teardownSettings(),
    // The window budget defaults to the per-run guard: one full nightly run, and nothing on top of it.
    z.transform((t: z.output<ReturnType<typeof teardownSettings>>) => ({
      ...t,
      maxDeletionsPerWindow: t.maxDeletionsPerWindow ?? t.maxDeletionsPerRun,
    })),
  );
