// `allowlist`: static entries and named sources, checked as a whole list under the refusal rules next to them
// (catch-all, empty list, breadth, entry and description limits).
import * as z from 'zod/mini';
import {
  type AllowlistEntry,
  type AllowlistRules,
  AllowlistValidationError,
  DEFAULT_MAX_BREADTH,
  normalizeEntries,
} from '#lib/allowlist/entries.ts';
import { crossCheck, crossRefine, hasType, isRecord, isValid } from './cross-check.ts';
import { bool, integer, schedule } from './primitives.ts';
import { namesClusters, selectorSchema } from './selector.ts';

const SOURCE_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

const sourceSchema = () =>
  z.strictObject({
    selector: z.optional(
      selectorSchema().check(
        z.superRefine((s, ctx) => {
          if (!namesClusters(s)) {
            ctx.addIssue({
              code: 'custom',
              message: 'must name at least one criterion (or leave the selector out)',
            });
          }
        }, crossCheck),
      ),
    ),
    maxEntries: z.optional(integer(1)),
  });

type Report = (issue: { path: PropertyKey[]; message: string }) => void;

/**
 * The static entries checked as a whole list under `rules` (`normalizeEntries`), each problem an issue at the
 * entry and field at fault; the canonical entries, or `[]` after a problem.
 */
function staticEntries(
  report: Report,
  entries: unknown,
  rules: Omit<AllowlistRules, 'allowEmpty'>,
): AllowlistEntry[] {
  try {
    // An empty list is judged by the section's empty-allowlist check, which knows about sources and allowEmpty.
    return normalizeEntries(entries, { ...rules, allowEmpty: true });
  } catch (error) {
    if (!(error instanceof AllowlistValidationError)) throw error;
    for (const p of error.problems) {
      const path =
        p.index < 0 ? ['static'] : p.field === 'entry' ? ['static', p.index] : ['static', p.index, p.field];
      report({ path, message: p.value ? `'${p.value}': ${p.message}` : p.message });
    }
    return [];
  }
}

const allowlistSettings = () =>
  z
    .strictObject({
      enabled: z._default(bool(), false),
      dryRun: z._default(bool(), false),
      schedule: z._default(schedule(), 'rate(1 hour)'),
      selector: z.prefault(selectorSchema(), {}),
      // Entries are checked as a whole list below (under the rules next to them), with each bad entry named.
      static: z._default(z.array(z.unknown(), { error: 'must be a list of { cidr, description }' }), []),
      sources: z._default(
        z.record(
          z.string().check(
            z.regex(SOURCE_NAME, {
              error: 'source names: lower-case letters, digits and -, up to 63 characters',
            }),
          ),
          sourceSchema(),
          { error: 'must be an object of named sources' },
        ),
        {},
      ),
      allowCatchAll: z._default(bool(), false),
      allowEmpty: z._default(bool(), false),
      maxEntries: z._default(integer(1, 1000), 50),
      maxDescriptionLength: z._default(integer(1, 1000), 100),
      maxBreadth: z.prefault(
        z.strictObject(
          {
            ipv4PrefixLength: z._default(integer(0, 32), DEFAULT_MAX_BREADTH.ipv4PrefixLength),
            ipv6PrefixLength: z._default(integer(0, 128), DEFAULT_MAX_BREADTH.ipv6PrefixLength),
          },
          { error: 'must be { ipv4PrefixLength, ipv6PrefixLength }' },
        ),
        {},
      ),
    })
    .check(
      crossRefine((a, ctx) => {
        if (hasType(ctx, 'static')) {
          // A rule that is itself refused is not applied (its own issue names it): only certain problems are named.
          staticEntries((issue) => ctx.addIssue({ code: 'custom', ...issue }), a.static, {
            allowCatchAll: hasType(ctx, 'allowCatchAll') ? a.allowCatchAll : true,
            maxEntries: isValid(ctx, 'maxEntries') ? a.maxEntries : Number.POSITIVE_INFINITY,
            maxDescriptionLength: isValid(ctx, 'maxDescriptionLength')
              ? a.maxDescriptionLength
              : Number.POSITIVE_INFINITY,
            // A limit that is itself refused is not applied (no limit); every address is still the catch-all.
            maxBreadth: isValid(ctx, 'maxBreadth')
              ? a.maxBreadth
              : { ipv4PrefixLength: 0, ipv6PrefixLength: 0 },
          });
        }
        const enabled = hasType(ctx, 'enabled') && a.enabled;
        if (enabled && !namesClusters(a.selector)) {
          ctx.addIssue({
            code: 'custom',
            path: ['selector'],
            message:
              'must name the clusters to sync (ids, names, labels, … or all: true): an empty selector selects none',
          });
        }
        if (
          enabled &&
          hasType(ctx, 'allowEmpty') &&
          hasType(ctx, 'static') &&
          hasType(ctx, 'sources') &&
          !a.allowEmpty &&
          a.static.length === 0 &&
          Object.keys(a.sources).length === 0
        ) {
          ctx.addIssue({
            code: 'custom',
            path: ['static'],
            message:
              'no static entries and no sources: the sync would write an empty allowlist, which opens the clusters to everyone',
          });
        }
        if (isRecord(a.sources) && isValid(ctx, 'maxEntries')) {
          for (const [name, source] of Object.entries(a.sources)) {
            if (!hasType(ctx, 'sources', name, 'maxEntries')) continue;
            if (source.maxEntries !== undefined && source.maxEntries > a.maxEntries) {
              ctx.addIssue({
                code: 'custom',
                path: ['sources', name, 'maxEntries'],
                message: `must not exceed allowlist.maxEntries (${a.maxEntries})`,
              });
            }
          }
        }
      }),
    );

export const allowlistSchema = () =>
  z.pipe(
    allowlistSettings(),
    // Runs only on a valid section, whose entries the refinement above has already accepted under the same rules.
    z.transform((a: z.output<ReturnType<typeof allowlistSettings>>, ctx) => ({
      ...a,
      static: staticEntries(
        (issue) => ctx.issues.push({ code: 'custom', input: a.static, continue: true, ...issue }),
        a.static,
        a,
      ),
    })),
  );
