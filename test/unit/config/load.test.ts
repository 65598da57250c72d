import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '#lib/config/errors.ts';
import { clearConfigCache, configFromEnv, defineConfig, resolveConfig } from '#lib/config/load.ts';
import exampleConfig from '../../../automation.config.ts';

const dir = mkdtempSync(join(tmpdir(), 'automation-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => clearConfigCache());

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

const file = defineConfig({
  timeZone: 'Europe/Berlin',
  alerts: { emails: ['base@example.com', 'ops@example.com'] },
  teardown: {
    enabled: true,
    selector: { names: ['dev-*'], labels: ['dev'] },
    protect: { names: ['dev-shared'] },
    maxDeletionsPerRun: 5,
  },
  environments: {
    prod: {
      alerts: { emails: ['prod@example.com'] },
      teardown: { maxDeletionsPerRun: 2, selector: { names: ['sandbox-*'] } },
    },
    broken: { teardown: { maxDeletionsPerRun: 0 } },
  },
});

describe('the example automation.config.ts', () => {
  it.each([undefined, 'dev', 'prod'])('validates for environment %s', (env) => {
    // Act
    const config = resolveConfig(exampleConfig, env);
    // Assess
    expect(config.timeZone).toBe('Europe/Berlin');
    expect(config.allowlist.sources).toHaveProperty('office-vpn');
    expect(config.allowlist.static.map((e) => e.cidr)).toEqual(['203.0.113.0/24', '2001:db8::/32']);
  });

  it('ships teardown as a dry run in every environment, with an explicit selector and protect lists', () => {
    for (const env of [undefined, 'dev', 'prod']) {
      // Act
      const { teardown } = resolveConfig(exampleConfig, env);
      // Assess
      expect(teardown.dryRun, `teardown.dryRun in ${env ?? 'base'}`).toBe(true);
      expect(teardown.selector.all).toBeUndefined();
      expect(teardown.selector.names).toEqual(['dev-*']);
      expect(teardown.protect.names.length + teardown.protect.labels.length).toBeGreaterThan(0);
    }
  });

  it('backs up in manual mode', () => {
    expect(resolveConfig(exampleConfig, 'prod').backup).toMatchObject({ enabled: true, mode: 'manual' });
  });
});

describe('resolveConfig', () => {
  it('uses the base alone without an environment name', () => {
    // Act
    const config = resolveConfig(file);
    // Assess
    expect(config.teardown.maxDeletionsPerRun).toBe(5);
    expect(config.alerts.emails).toEqual(['base@example.com', 'ops@example.com']);
  });

  it("deep-merges the environment's overrides over the base, replacing arrays", () => {
    // Act
    const config = resolveConfig(file, 'prod');
    // Assess
    expect(config.alerts.emails).toEqual(['prod@example.com']);
    expect(config.teardown.maxDeletionsPerRun).toBe(2);
    expect(config.teardown.selector).toEqual({ names: ['sandbox-*'], labels: ['dev'] });
    expect(config.teardown.protect).toEqual({ ids: [], names: ['dev-shared'], labels: [] });
    expect(config.timeZone).toBe('Europe/Berlin');
  });

  it('does not change the file it merges', () => {
    // Act
    resolveConfig(file, 'prod');
    // Assess
    expect(file.alerts?.emails).toEqual(['base@example.com', 'ops@example.com']);
    expect(file.teardown?.selector).toEqual({ names: ['dev-*'], labels: ['dev'] });
  });

  it('names the known environments for an unknown one', () => {
    // Act
    const error = errorOf(() => resolveConfig(file, 'staging'));
    // Assess
    expect(error.message).toBe("config: environments: unknown environment 'staging' (known: prod, broken)");
    expect(errorOf(() => resolveConfig({}, 'prod')).message).toMatch(/known: none declared/);
  });

  it('names the environment whose merged config is invalid', () => {
    expect(errorOf(() => resolveConfig(file, 'broken')).message).toBe(
      "config (environment 'broken'): teardown.maxDeletionsPerRun: must be an integer >= 1",
    );
  });

  it('refuses a file that is not an object, and environments that are not objects', () => {
    expect(errorOf(() => resolveConfig(undefined)).issues).toEqual([
      { path: '', message: 'must be an object (the default export of automation.config.ts)' },
    ]);
    expect(errorOf(() => resolveConfig({ environments: [] })).issues).toEqual([
      { path: 'environments', message: 'must be an object of named overrides' },
    ]);
    expect(errorOf(() => resolveConfig({ environments: { prod: 'x' } }, 'prod')).issues).toEqual([
      { path: 'environments.prod', message: 'must be an object of overrides' },
    ]);
  });

  it('refuses environments nested inside an environment', () => {
    // Prepare
    const nested = { environments: { prod: { environments: { again: {} } } } };
    // Act / Assess
    expect(errorOf(() => resolveConfig(nested, 'prod')).issues).toEqual([
      { path: 'environments', message: 'unknown setting (a typo?)' },
    ]);
  });
});

describe('configFromEnv', () => {
  it('reads the resolved config from AUTOMATION_CONFIG, ignoring AUTOMATION_ENV', () => {
    // Prepare
    const resolved = resolveConfig(file, 'prod');
    // Act
    const config = configFromEnv({ AUTOMATION_CONFIG: JSON.stringify(resolved), AUTOMATION_ENV: 'other' });
    // Assess
    expect(config).toEqual(resolved);
  });

  it('refuses an unresolved file (with environments) in AUTOMATION_CONFIG', () => {
    expect(errorOf(() => configFromEnv({ AUTOMATION_CONFIG: JSON.stringify(file) })).message).toMatch(
      /^config \(AUTOMATION_CONFIG\): environments: unknown setting/,
    );
  });

  it('does not re-check the schedules of an inlined config (the stack checked them), and checks every other setting', () => {
    // Prepare: a teardown at 01:30 in New York falls in the November overlap, which a file load refuses.
    const overlapping = {
      timeZone: 'America/New_York',
      teardown: { enabled: true, selector: { names: ['dev-*'] }, schedule: 'cron(30 1 * * ? *)' },
    };
    const path = join(dir, 'overlap.json');
    writeFileSync(path, JSON.stringify(overlapping));
    // Act
    const fromFunction = configFromEnv({ AUTOMATION_CONFIG: JSON.stringify(overlapping) });
    const fromFile = errorOf(() => configFromEnv({ AUTOMATION_CONFIG_FILE: path }));
    const typo = errorOf(() =>
      configFromEnv({ AUTOMATION_CONFIG: JSON.stringify({ ...overlapping, timeZone: 'America/NewYork' }) }),
    );
    // Assess
    expect(fromFunction.teardown.schedule).toBe('cron(30 1 * * ? *)');
    expect(fromFile.issues.map((issue) => issue.path)).toEqual(['teardown.schedule']);
    expect(fromFile.issues[0]?.message).toMatch(/daylight-saving overlap/);
    expect(typo.issues.map((issue) => issue.path)).toEqual(['timeZone']);
  });

  it('memoises per setting values', () => {
    // Prepare
    const env = { AUTOMATION_CONFIG: JSON.stringify({ concurrency: 7 }) };
    // Act
    const first = configFromEnv(env);
    const again = configFromEnv({ ...env });
    const other = configFromEnv({ AUTOMATION_CONFIG: JSON.stringify({ concurrency: 8 }) });
    // Assess
    expect(again).toBe(first);
    expect([first.concurrency, other.concurrency]).toEqual([7, 8]);
  });

  it('reads a .json file named by AUTOMATION_CONFIG_FILE with the environment AUTOMATION_ENV picks', () => {
    // Prepare
    const path = join(dir, 'config.json');
    writeFileSync(path, JSON.stringify(file));
    // Act
    const base = configFromEnv({ AUTOMATION_CONFIG_FILE: path });
    const prod = configFromEnv({ AUTOMATION_CONFIG_FILE: path, AUTOMATION_ENV: 'prod' });
    // Assess
    expect(base.teardown.maxDeletionsPerRun).toBe(5);
    expect(prod.teardown.maxDeletionsPerRun).toBe(2);
  });

  it('names the file and the environment when the file is invalid', () => {
    // Prepare
    const path = join(dir, 'broken.json');
    writeFileSync(path, JSON.stringify(file));
    // Act
    const error = errorOf(() => configFromEnv({ AUTOMATION_CONFIG_FILE: path, AUTOMATION_ENV: 'broken' }));
    // Assess
    expect(error.message).toBe(
      `config (${path}, environment 'broken'): teardown.maxDeletionsPerRun: must be an integer >= 1`,
    );
  });

  it('reads the default export of a .mjs module', () => {
    // Prepare
    const path = join(dir, 'config.mjs');
    writeFileSync(path, 'export default { concurrency: 3, environments: { dev: { concurrency: 2 } } };\n');
    // Act
    const config = configFromEnv({ AUTOMATION_CONFIG_FILE: path, AUTOMATION_ENV: 'dev' });
    // Assess
    expect(config.concurrency).toBe(2);
  });

  it.each([
    [{}, 'AUTOMATION_CONFIG', /not set/],
    [{ AUTOMATION_CONFIG: '{"concurrency": ' }, 'AUTOMATION_CONFIG', /is not valid JSON/],
    [{ AUTOMATION_CONFIG_FILE: '/nonexistent/automation.json' }, 'AUTOMATION_CONFIG_FILE', /cannot read/],
    [{ AUTOMATION_CONFIG_FILE: '/tmp/automation.yaml' }, 'AUTOMATION_CONFIG_FILE', /\.json, \.ts or \.mjs/],
  ])('names the setting when the config is missing or unreadable: %j', (env, setting, message) => {
    // Act
    const error = errorOf(() => configFromEnv(env));
    // Assess
    expect(error.issues).toEqual([{ path: setting, message: expect.stringMatching(message) }]);
    expect(error.message.startsWith(`config: ${setting}: `)).toBe(true);
  });

  it('names the setting for a file that is not JSON, and for a module without a default export', () => {
    // Prepare
    const json = join(dir, 'bad.json');
    writeFileSync(json, '{ concurrency: 3 }');
    const mjs = join(dir, 'no-default.mjs');
    writeFileSync(mjs, 'export const config = {};\n');
    // Act / Assess
    expect(errorOf(() => configFromEnv({ AUTOMATION_CONFIG_FILE: json })).issues[0]?.message).toMatch(
      /is not valid JSON/,
    );
    expect(errorOf(() => configFromEnv({ AUTOMATION_CONFIG_FILE: mjs })).issues[0]?.message).toMatch(
      /has no default export/,
    );
  });
});
