// The `teardown` block of the config schema: the selector that never selects all, the guards, the recreate.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '#lib/config/schema.ts';
import { issueAt } from './issues.ts';

describe('parseConfig refuses bad values, naming the setting', () => {
  it('refuses all in the teardown selector, even with teardown disabled', () => {
    expect(issueAt({ teardown: { selector: { all: true } } }, 'teardown.selector.all')).toMatch(
      /never accepts all/,
    );
    expect(
      issueAt(
        { teardown: { enabled: true, selector: { all: false, names: ['x'] } } },
        'teardown.selector.all',
      ),
    ).toMatch(/never accepts all/);
  });

  it('refuses a teardown selector that is all in disguise (a name or generation glob matching every name)', () => {
    for (const glob of ['*', '**', '?*', '*?*', '*?', '***?**']) {
      expect(
        issueAt({ teardown: { selector: { names: ['dev-*', glob] } } }, 'teardown.selector.names[1]'),
        glob,
      ).toMatch(/matches every cluster name.*never accepts all/);
      expect(
        issueAt({ teardown: { selector: { generations: [glob] } } }, 'teardown.selector.generations[0]'),
        glob,
      ).toMatch(/matches every generation.*never accepts all/);
    }
    // Narrowed by another criterion it is not all: accepted (and a glob with a literal is never all).
    expect(
      parseConfig({ teardown: { selector: { names: ['*'], labels: ['nightly-off'] } } }).teardown.selector,
    ).toEqual({ names: ['*'], labels: ['nightly-off'] });
    expect(
      parseConfig({ teardown: { selector: { names: ['*-dev', '??'] } } }).teardown.selector.names,
    ).toEqual(['*-dev', '??']);
    // Where all is allowed, so is its disguise.
    expect(parseConfig({ backup: { selector: { names: ['*'] } } }).backup.selector.names).toEqual(['*']);
  });

  it('refuses bidi, control and invisible characters in text settings and static descriptions', () => {
    expect(
      issueAt({ teardown: { protect: { names: ['prod-\u202E*'] } } }, 'teardown.protect.names[0]'),
    ).toMatch(/contains U\+202E \(RIGHT-TO-LEFT OVERRIDE\) at position 6/);
    expect(issueAt({ backup: { selector: { labels: ['a\u200Db'] } } }, 'backup.selector.labels[0]')).toMatch(
      /U\+200D \(ZERO WIDTH JOINER\)/,
    );
    expect(
      issueAt(
        { allowlist: { static: [{ cidr: '203.0.113.0/24', description: 'office\u2066' }] } },
        'allowlist.static[0].description',
      ),
    ).toMatch(/U\+2066 \(LEFT-TO-RIGHT ISOLATE\)/);
  });

  it('requires an explicit teardown selector when teardown is enabled', () => {
    expect(issueAt({ teardown: { enabled: true } }, 'teardown.selector')).toMatch(
      /name the clusters to tear down/,
    );
    expect(issueAt({ teardown: { enabled: true, selector: { names: [] } } }, 'teardown.selector')).toMatch(
      /name the clusters/,
    );
    expect(
      issueAt(
        { teardown: { enabled: true, selector: { exclude: { names: ['prod-*'] } } } },
        'teardown.selector',
      ),
    ).toMatch(/name the clusters/);
  });

  it.each([0, -3, 2.5, '5'])('teardown.maxDeletionsPerRun %j', (maxDeletionsPerRun) => {
    expect(issueAt({ teardown: { maxDeletionsPerRun } }, 'teardown.maxDeletionsPerRun')).toBe(
      'must be an integer >= 1',
    );
  });

  it.each([0, -3, 2.5, '5'])('teardown.maxDeletionsPerWindow %j', (maxDeletionsPerWindow) => {
    expect(issueAt({ teardown: { maxDeletionsPerWindow } }, 'teardown.maxDeletionsPerWindow')).toBe(
      'must be an integer >= 1',
    );
  });

  it('teardown.maxDeletionsPerWindow defaults to maxDeletionsPerRun and may not be below it', () => {
    expect(parseConfig({ teardown: { maxDeletionsPerRun: 3 } }).teardown.maxDeletionsPerWindow).toBe(3);
    expect(parseConfig({ teardown: { maxDeletionsPerWindow: 8 } }).teardown.maxDeletionsPerWindow).toBe(8);
    expect(
      issueAt(
        { teardown: { maxDeletionsPerRun: 5, maxDeletionsPerWindow: 4 } },
        'teardown.maxDeletionsPerWindow',
      ),
    ).toBe('must be >= maxDeletionsPerRun (5): one run may not plan more than the window allows');
  });

  it.each([-1, 24, 1.5, '12'])('teardown.windowStartHour %j', (windowStartHour) => {
    expect(issueAt({ teardown: { windowStartHour } }, 'teardown.windowStartHour')).toBe(
      'must be an integer from 0 to 23',
    );
  });

  it.each(['any', 'noticed', true])('teardown.adHoc %j', (adHoc) => {
    expect(issueAt({ teardown: { adHoc } }, 'teardown.adHoc')).toBe(
      "must be 'noticed-only' or 'any-selected'",
    );
  });

  it.each([0, 1441, 30.5])('teardown.maxLatenessMinutes %j', (maxLatenessMinutes) => {
    expect(issueAt({ teardown: { maxLatenessMinutes } }, 'teardown.maxLatenessMinutes')).toBe(
      'must be an integer from 1 to 1440',
    );
  });

  it.each([0, -1])('teardown.keepAlive.maxHours %j', (maxHours) => {
    expect(issueAt({ teardown: { keepAlive: { maxHours } } }, 'teardown.keepAlive.maxHours')).toBe(
      'must be a number > 0',
    );
  });
});

describe('teardown.recreate settings of the faithful recreate', () => {
  const base = { teardown: { recreate: {} as Record<string, unknown> } };
  const errorOf = (recreate: Record<string, unknown>): string => {
    try {
      parseConfig({ ...base, teardown: { recreate } });
    } catch (err) {
      return String((err as Error).message);
    }
    return '';
  };

  it('accepts stage labels per name glob, a prefix, a bound and an encryption fallback', () => {
    const config = parseConfig({
      teardown: {
        recreate: {
          stageLabels: [{ names: ['dev-*'], stageLabel: 'dev' }],
          secretPrefix: 'team/camunda',
          maxOpenWindowMinutes: 5,
          externalEncryptionAs: 'Software',
        },
      },
    });
    expect(config.teardown.recreate).toMatchObject({
      stageLabels: [{ names: ['dev-*'], stageLabel: 'dev' }],
      secretPrefix: 'team/camunda',
      maxOpenWindowMinutes: 5,
      externalEncryptionAs: 'Software',
    });
  });

  it.each([
    [
      { stageLabels: [{ names: ['dev-*'], stageLabel: 'qa' }] },
      'teardown.recreate.stageLabels[0].stageLabel',
    ],
    [{ stageLabels: [{ names: [], stageLabel: 'dev' }] }, 'teardown.recreate.stageLabels[0].names'],
    [{ secretPrefix: '/leading' }, 'teardown.recreate.secretPrefix'],
    [{ secretPrefix: 'a b' }, 'teardown.recreate.secretPrefix'],
    [{ maxOpenWindowMinutes: 0 }, 'teardown.recreate.maxOpenWindowMinutes'],
    [{ externalEncryptionAs: 'External' }, 'teardown.recreate.externalEncryptionAs'],
    [{ waitForHealthySeconds: 900 }, 'teardown.recreate.waitForHealthySeconds'],
  ])('refuses %j naming the setting', (recreate, setting) => {
    expect(errorOf(recreate)).toContain(setting);
  });
});
