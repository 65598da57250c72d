// Hostile input and operator mistakes: the classes an adversarial review broke (near-catch-all allowlists,
// `all` in disguise, protection by the wrong case, unsafe characters in free text), each generated in bulk
// through the real entry points (list validation, config parsing, request parsing, teardown planning).
// `losses` counts hostile inputs that were accepted (must be 0); the rows go into docs/RELIABILITY.md.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planTeardown } from '#functions/teardown/plan.ts';
import { AllowlistValidationError, normalizeEntries } from '#lib/allowlist/entries.ts';
import { ConfigError } from '#lib/config/errors.ts';
import { parseConfig } from '#lib/config/schema.ts';
import { TriggerError } from '#lib/triggers/errors.ts';
import { parseJobRequest } from '#lib/triggers/requests.ts';
import { reportRow } from '#test/helpers/faults-report.ts';
import { propertyParams, runs } from '#test/helpers/property.ts';
import { cluster, harness, policy } from '#test/unit/teardown/fakes.ts';

const GROUP = 'hostile input and operator mistakes';
const RULES = { allowCatchAll: false, allowEmpty: false, maxEntries: 1000, maxDescriptionLength: 100 };

const refusedList = (cidrs: string[]): boolean => {
  try {
    normalizeEntries(
      cidrs.map((cidr, i) => ({ cidr, description: `e${i}` })),
      RULES,
    );
    return false;
  } catch (error) {
    expect(error).toBeInstanceOf(AllowlistValidationError);
    return true;
  }
};

const v4 = (n: bigint, prefix: number) => {
  const v = Number(n);
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}/${prefix}`;
};

/** The IPv4 space split into 2^k /k networks (one of them dropped, or not), plus networks nested inside. */
const splitCover = fc
  .record({
    k: fc.integer({ min: 1, max: 8 }),
    nested: fc.array(fc.record({ at: fc.nat(), prefix: fc.integer({ min: 9, max: 32 }) }), { maxLength: 4 }),
    seed: fc.nat(),
    drop: fc.boolean(),
  })
  .map(({ k, nested, seed, drop }) => {
    const size = 1n << BigInt(32 - k);
    // Nearly: one piece left out (still far more than a /8).
    const pieces = Array.from({ length: 2 ** k }, (_, i) => v4(BigInt(i) * size, k)).slice(
      drop && k > 1 ? 1 : 0,
    );
    // Networks nested inside pieces already there, to be counted once.
    for (const n of nested) {
      const start = (BigInt(n.at) * 7919n) % (1n << 32n);
      pieces.push(v4((start >> BigInt(32 - n.prefix)) << BigInt(32 - n.prefix), n.prefix));
    }
    // A shuffled order: the union must not depend on it.
    return pieces
      .map((p, i) => [p, (i * 2654435761 + seed) % 4294967296] as const)
      .sort((a, b) => a[1] - b[1])
      .map(([p]) => p);
  });

const TRANSLATED = [
  '::/80',
  '::/96',
  '::fffe:0:0/95',
  '64:ff9b::/96',
  '64:ff9b::/97',
  '64:ff9b:1::/48',
  '64:ff9b:1::/64',
  '64:ff9b:1:ffff::/96',
  '2002::/16',
  '2002::/17',
  '2001::/32',
  '2000::/3',
  '::/1',
];

const UNSAFE = [
  '\u202E',
  '\u202D',
  '\u2066',
  '\u2067',
  '\u2069',
  '\u200E',
  '\u200F',
  '\u061C',
  '\u200B',
  '\u200D',
  '\uFEFF',
  '\u0000',
  '\u0007',
  '\n',
  '\r',
  '\u0085',
  '\u2028',
  '\uD800',
  '\u{E0041}',
];

describe('hostile input and operator mistakes', () => {
  it('refuses every split, nested or shuffled catch-all and every translated one', {
    timeout: 120_000,
  }, () => {
    const n = runs(600);
    let accepted = 0;
    fc.assert(
      fc.property(splitCover, (cidrs) => {
        const refused = refusedList(cidrs);
        if (!refused) accepted++;
        expect(refused, cidrs.join(', ')).toBe(true);
      }),
      propertyParams(n, [[['0.0.0.0/1', '10.0.0.0/8', '128.0.0.0/1']], [['128.0.0.0/1', '0.0.0.0/1']]]),
    );
    for (const cidr of TRANSLATED) expect(refusedList([cidr]), cidr).toBe(true);
    reportRow({
      group: GROUP,
      row: 'allowlists covering (nearly) everything: split, nested, shuffled',
      cases: n,
      faults: n,
      duplicates: 0,
      losses: accepted,
    });
    reportRow({
      group: GROUP,
      row: 'allowlists reaching all IPv4 through IPv6 translation prefixes',
      cases: TRANSLATED.length,
      faults: TRANSLATED.length,
      duplicates: 0,
      losses: 0,
    });
  });

  it('refuses every teardown selector that is all in disguise', { timeout: 120_000 }, () => {
    const n = runs(400);
    const glob = fc
      .tuple(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 3 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 3 }),
      )
      .map(
        ([stars, before, question, after]) =>
          `${'*'.repeat(before)}${question ? '?' : ''}${'*'.repeat(stars)}${'*'.repeat(after)}`,
      );
    let accepted = 0;
    fc.assert(
      fc.property(glob, fc.constantFrom('names', 'generations'), (g, key) => {
        try {
          parseConfig({ teardown: { selector: { [key]: [g] } } });
          accepted++;
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
          expect((error as ConfigError).message).toMatch(/never accepts all/);
        }
      }),
      propertyParams(n),
    );
    expect(accepted).toBe(0);
    reportRow({
      group: GROUP,
      row: "teardown selectors that are all in disguise (names/generations: ['*'], '?*', …)",
      cases: n,
      faults: n,
      duplicates: 0,
      losses: accepted,
    });
  });

  it('protects a cluster whatever the case of its name or label', { timeout: 120_000 }, async () => {
    const n = runs(150);
    let deletable = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.boolean(), { minLength: 7, maxLength: 7 }),
        fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
        async (upperName, upperLabel) => {
          const name = [...'prod-db'].map((c, i) => (upperName[i] ? c.toUpperCase() : c)).join('');
          const label = [...'keep'].map((c, i) => (upperLabel[i] ? c.toUpperCase() : c)).join('');
          const h = harness([
            cluster(name, { labels: ['nightly-off'] }),
            cluster('dev-x', { labels: ['nightly-off', label] }),
          ]);
          const plan = await planTeardown(
            h.deps,
            policy({
              selector: { labels: ['nightly-off'] },
              protect: { ids: [], names: ['prod-*'], labels: ['keep'] },
            }),
          );
          deletable += plan.candidates.length;
          expect(plan.candidates).toEqual([]);
        },
      ),
      propertyParams(n),
    );
    reportRow({
      group: GROUP,
      row: 'protected names and labels in another case',
      cases: n * 2,
      faults: n * 2,
      duplicates: 0,
      losses: deletable,
    });
  });

  it('refuses unsafe characters in every free-text field', { timeout: 120_000 }, () => {
    const fields: Array<[string, (bad: string) => unknown]> = [
      [
        'keep-alive by',
        (t) =>
          parseJobRequest({
            job: 'teardown',
            action: 'keep-alive',
            payload: { cluster: 'dev-a', until: '2026-01-16T06:00:00Z', by: t, reason: 'r' },
          }),
      ],
      [
        'keep-alive reason',
        (t) =>
          parseJobRequest({
            job: 'teardown',
            action: 'keep-alive',
            payload: { cluster: 'dev-a', until: '2026-01-16T06:00:00Z', by: 'a', reason: t },
          }),
      ],
      [
        'keep-alive cluster',
        (t) =>
          parseJobRequest({
            job: 'teardown',
            action: 'keep-alive',
            payload: { cluster: t, until: '2026-01-16T06:00:00Z', by: 'a', reason: 'r' },
          }),
      ],
      [
        'set-source description',
        (t) =>
          parseJobRequest({
            job: 'allowlist-sync',
            action: 'set-source',
            payload: { source: 'vpn', entries: [{ cidr: '198.51.100.1', description: t }] },
          }),
      ],
      [
        'set-source updatedBy',
        (t) =>
          parseJobRequest({
            job: 'allowlist-sync',
            action: 'set-source',
            payload: { source: 'vpn', entries: [], updatedBy: t },
          }),
      ],
      [
        'allowlist entry description',
        (t) => normalizeEntries([{ cidr: '198.51.100.1', description: t }], RULES),
      ],
      ['config protect name', (t) => parseConfig({ teardown: { protect: { names: [t] } } })],
      ['config selector label', (t) => parseConfig({ backup: { selector: { labels: [t] } } })],
    ];
    let cases = 0;
    let accepted = 0;
    for (const [field, parse] of fields) {
      for (const ch of UNSAFE) {
        for (const text of [`a${ch}b`, `ab${ch}c d`, `x ${ch}${ch}y`]) {
          cases++;
          try {
            parse(text);
            accepted++;
          } catch (error) {
            const ok =
              error instanceof TriggerError ||
              error instanceof ConfigError ||
              error instanceof AllowlistValidationError;
            expect(ok, `${field}: ${String(error)}`).toBe(true);
            expect((error as Error).message, field).toMatch(
              /contains U\+[0-9A-F]{4,5} \(.+\) at position \d+/,
            );
          }
        }
      }
    }
    expect(accepted).toBe(0);
    reportRow({
      group: GROUP,
      row: 'unsafe characters (bidi, control, zero-width, tags, lone surrogates) in free-text fields',
      cases,
      faults: cases,
      duplicates: 0,
      losses: accepted,
    });
  });
});
