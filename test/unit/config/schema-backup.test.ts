// The `backup` block of the config schema: modes, intervals, recovery-point targets, the drill.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '#lib/config/schema.ts';
import { issueAt } from './issues.ts';

describe('parseConfig refuses bad values, naming the setting', () => {
  it('requires nativeCron when backup.mode is native, and checks it', () => {
    expect(issueAt({ backup: { mode: 'native' } }, 'backup.nativeCron')).toBe(
      "is required when mode is 'native'",
    );
    expect(issueAt({ backup: { mode: 'native', nativeCron: '0 2 * *' } }, 'backup.nativeCron')).toMatch(
      /5 fields/,
    );
    expect(issueAt({ backup: { mode: 'native', nativeCron: '*/30 * * * *' } }, 'backup.nativeCron')).toMatch(
      /at most one backup per hour/,
    );
    expect(parseConfig({ backup: { mode: 'native', nativeCron: '15 */6 * * 1-5' } }).backup.nativeCron).toBe(
      '15 */6 * * 1-5',
    );
  });

  it('refuses backup.mode values other than manual and native', () => {
    expect(issueAt({ backup: { mode: 'auto' } }, 'backup.mode')).toBe("must be 'manual' or 'native'");
  });

  it.each([0.5, 0, -1])(
    'backup.minIntervalHours %j (Camunda allows one manual backup per hour)',
    (minIntervalHours) => {
      expect(issueAt({ backup: { minIntervalHours } }, 'backup.minIntervalHours')).toMatch(/>= 1/);
    },
  );

  it.each([14.9, 0, -15])(
    'backup.minIntervalMinutes %j (Camunda allows one manual backup per 15 minutes)',
    (m) => {
      expect(issueAt({ backup: { minIntervalMinutes: m } }, 'backup.minIntervalMinutes')).toMatch(/>= 15/);
    },
  );

  it('accepts backup.minIntervalMinutes down to 15, and refuses it together with minIntervalHours', () => {
    expect(parseConfig({ backup: { minIntervalMinutes: 15 } }).backup.minIntervalMinutes).toBe(15);
    expect(
      issueAt({ backup: { minIntervalMinutes: 30, minIntervalHours: 2 } }, 'backup.minIntervalHours'),
    ).toMatch(/not both/);
  });

  it('takes recovery-point targets with explicit selectors and a maxAgeHours of at least 15 minutes', () => {
    const targets = [{ selector: { labels: ['prod'] }, maxAgeHours: 1 }];
    expect(parseConfig({ backup: { targets } }).backup.targets).toEqual(targets);
    expect(parseConfig({}).backup.checkSchedule).toBe('rate(1 hour)');
    expect(
      issueAt({ backup: { targets: [{ selector: {}, maxAgeHours: 1 }] } }, 'backup.targets[0].selector'),
    ).toMatch(/empty selector/);
    expect(
      issueAt(
        { backup: { targets: [{ selector: { all: true }, maxAgeHours: 0.1 }] } },
        'backup.targets[0].maxAgeHours',
      ),
    ).toMatch(/>= 0.25/);
  });

  it("publishes per-cluster backup ages unless backup.clusterMetrics is 'off', and names the setting when wrong", () => {
    expect(parseConfig({}).backup.clusterMetrics).toBe('targets');
    expect(parseConfig({ backup: { clusterMetrics: 'off' } }).backup.clusterMetrics).toBe('off');
    expect(issueAt({ backup: { clusterMetrics: 'per-cluster' } }, 'backup.clusterMetrics')).toMatch(
      /must be 'targets' or 'off'/,
    );
  });

  it('ships the restore drill off, weekly, and needs a cluster and a production scope to enable it', () => {
    expect(parseConfig({}).backup.drill).toEqual({
      enabled: false,
      schedule: 'cron(0 4 ? * SUN *)',
      useExisting: false,
      maxMinutes: 120,
      pollSeconds: 15,
    });
    expect(issueAt({ backup: { drill: { enabled: true } } }, 'backup.drill.cluster')).toBe(
      'is required when drill.enabled is true',
    );
    expect(
      issueAt({ backup: { drill: { enabled: true, cluster: 'drill-1' } } }, 'backup.productionSelector'),
    ).toMatch(/name your production clusters/);
  });

  it.each([
    ['a name glob', { names: ['prod-*'] }, 'prod-payments'],
    ['an id', { ids: ['uuid-9'] }, 'uuid-9'],
    ['all', { all: true }, 'drill-sandbox'],
    [
      'a name glob and a label (the label is checked at run time)',
      { names: ['*'], labels: ['prod'] },
      'drill-x',
    ],
  ])(
    'refuses a drill cluster the production selector matches by %s',
    (_what, productionSelector, cluster) => {
      expect(
        issueAt(
          { backup: { productionSelector, drill: { enabled: true, cluster } } },
          'backup.drill.cluster',
        ),
      ).toMatch(/matched by backup.productionSelector: a drill .* never runs on a production cluster/);
    },
  );

  it('accepts a drill cluster outside the production selector (or excluded from it)', () => {
    const config = parseConfig({
      backup: {
        productionSelector: { names: ['prod-*'], exclude: { names: ['prod-drill'] } },
        drill: { enabled: true, cluster: 'prod-drill' },
      },
    });
    expect(config.backup.drill.cluster).toBe('prod-drill');
    expect(
      parseConfig({
        backup: { productionSelector: { labels: ['prod'] }, drill: { enabled: true, cluster: 'drill-1' } },
      }).backup.drill.enabled,
    ).toBe(true);
  });

  it('requires an explicit selector for an enabled backup, but accepts all: true', () => {
    expect(issueAt({ backup: { enabled: true } }, 'backup.selector')).toMatch(/empty selector selects none/);
    expect(parseConfig({ backup: { enabled: true, selector: { all: true } } }).backup.selector).toEqual({
      all: true,
    });
  });
});
