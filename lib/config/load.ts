// Loading the policy config: the root `automation.config.ts` (base + per-environment overrides) resolved and
// validated once — at `cdk synth` for deployments, which inline the resolved JSON into each bundle — and read
// back by functions from `AUTOMATION_CONFIG`, or for local runs from the file `AUTOMATION_CONFIG_FILE` names.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, resolve } from 'node:path';
import { ConfigError } from './errors.ts';
import { parseConfig } from './schema.ts';
import type { AutomationConfig } from './types.ts';

/** Every field optional, recursively; arrays stay whole (an override replaces an array, it never patches one). */
export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

/** What an environment may override: any part of the config. */
export type ConfigOverrides = DeepPartial<AutomationConfig>;

/** The root config file: the base config (defaults fill what is left out) plus named environments. */
export type ConfigFile = ConfigOverrides & {
  /** Overrides per environment (`cdk deploy -c env=prod`, `AUTOMATION_ENV=prod`), deep-merged over the base. */
  environments?: Record<string, ConfigOverrides>;
};

/** Identity: gives `automation.config.ts` its type (completion and checks in the editor). */
export function defineConfig(config: ConfigFile): ConfigFile {
  return config;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Merges `override` over `base`: plain objects key by key (recursively), anything else — arrays included — is
 * replaced whole. An `undefined` override keeps the base value.
 */
export function deepMerge(base: unknown, override: unknown): unknown {
  if (override === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(override)) return override;
  const keys = new Set([...Object.keys(base), ...Object.keys(override)]);
  // Object.fromEntries defines own properties, so a `__proto__` key stays a (refused) key, not a prototype.
  return Object.fromEntries([...keys].map((k) => [k, deepMerge(base[k], override[k])]));
}

function resolveWithContext(
  file: unknown,
  envName: string | undefined,
  origin: string | undefined,
): AutomationConfig {
  const context = (env?: string) =>
    [origin, env === undefined ? undefined : `environment '${env}'`].filter(Boolean).join(', ');
  if (!isPlainObject(file)) {
    throw new ConfigError(
      [{ path: '', message: 'must be an object (the default export of automation.config.ts)' }],
      {
        context: context() || undefined,
      },
    );
  }
  const { environments, ...base } = file;
  if (environments !== undefined) {
    const bad = isPlainObject(environments)
      ? Object.entries(environments)
          .filter(([, v]) => !isPlainObject(v))
          .map(([k]) => k)
      : undefined;
    if (bad === undefined) {
      throw new ConfigError([{ path: 'environments', message: 'must be an object of named overrides' }], {
        context: context() || undefined,
      });
    }
    if (bad.length > 0) {
      throw new ConfigError(
        bad.map((k) => ({ path: `environments.${k}`, message: 'must be an object of overrides' })),
        { context: context() || undefined },
      );
    }
  }
  if (envName === undefined) return parseConfig(base, { context: context() || undefined });
  const known = isPlainObject(environments) ? Object.keys(environments) : [];
  if (!isPlainObject(environments) || !Object.hasOwn(environments, envName)) {
    throw new ConfigError(
      [
        {
          path: 'environments',
          message: `unknown environment '${envName}' (known: ${known.length > 0 ? known.join(', ') : 'none declared'})`,
        },
      ],
      { context: origin },
    );
  }
  return parseConfig(deepMerge(base, environments[envName]), { context: context(envName) });
}

/**
 * The config for one environment: its overrides deep-merged over the base (arrays replaced, not concatenated),
 * then validated, defaults applied. No `envName`: the base alone. A `ConfigError` names every bad setting, or the
 * known environments when `envName` is not one of them.
 */
export function resolveConfig(file: unknown, envName?: string): AutomationConfig {
  return resolveWithContext(file, envName, undefined);
}

// ---------------------------------------------------------------------------------------------------------------
// Functions: read the config once per container

const MODULE_EXTENSIONS = new Set(['.ts', '.mts', '.mjs', '.js']);

function settingError(setting: string, message: string, cause?: unknown): ConfigError {
  return new ConfigError([{ path: setting, message }], { cause });
}

function fromInlineJson(json: string): AutomationConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw settingError(
      'AUTOMATION_CONFIG',
      `is not valid JSON (${(error as Error).message.slice(0, 120)})`,
      error,
    );
  }
  // Already resolved at synth: no `environments` here (the schema refuses the key). The stack checked the
  // schedules when it created them from this very config (inlined into the bundle), so only the settings are
  // checked again here.
  return parseConfig(parsed, { context: 'AUTOMATION_CONFIG', schedules: 'created' });
}

function fromFile(name: string, envName: string | undefined): AutomationConfig {
  const path = resolve(process.cwd(), name);
  const ext = extname(path).toLowerCase();
  let file: unknown;
  if (ext === '.json') {
    let textContent: string;
    try {
      textContent = readFileSync(path, 'utf8');
    } catch (error) {
      throw settingError('AUTOMATION_CONFIG_FILE', `cannot read ${name}: ${(error as Error).message}`, error);
    }
    try {
      file = JSON.parse(textContent);
    } catch (error) {
      throw settingError(
        'AUTOMATION_CONFIG_FILE',
        `${name} is not valid JSON (${(error as Error).message.slice(0, 120)})`,
        error,
      );
    }
  } else if (MODULE_EXTENSIONS.has(ext)) {
    let mod: unknown;
    try {
      mod = createRequire(import.meta.url)(path);
    } catch (error) {
      const hint =
        ext === '.ts' || ext === '.mts'
          ? ' (a TypeScript config needs tsx: run through `npm start` or `npx tsx`)'
          : '';
      throw settingError(
        'AUTOMATION_CONFIG_FILE',
        `cannot load ${name}: ${(error as Error).message}${hint}`,
        error,
      );
    }
    file = typeof mod === 'object' && mod !== null && 'default' in mod ? mod.default : undefined;
    if (file === undefined) throw settingError('AUTOMATION_CONFIG_FILE', `${name} has no default export`);
  } else {
    throw settingError('AUTOMATION_CONFIG_FILE', `must name a .json, .ts or .mjs file, got ${name}`);
  }
  return resolveWithContext(file, envName, name);
}

const memo = new Map<string, AutomationConfig>();

/**
 * The config for a function: the JSON of an already-resolved config in `AUTOMATION_CONFIG` (the CDK stack inlines
 * it at bundle time), else, for local runs, the file `AUTOMATION_CONFIG_FILE` names (a .json file, or a .ts/.mjs
 * module whose default export is the config file) with the environment `AUTOMATION_ENV` picks. Memoised per
 * setting values; a missing or bad config is a `ConfigError` naming the setting.
 */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): AutomationConfig {
  const inline = env.AUTOMATION_CONFIG?.trim() || undefined;
  const file = env.AUTOMATION_CONFIG_FILE?.trim() || undefined;
  const envName = env.AUTOMATION_ENV?.trim() || undefined;
  const key = JSON.stringify(inline ? ['inline', inline] : ['file', file, envName, process.cwd()]);
  const cached = memo.get(key);
  if (cached) return cached;
  let config: AutomationConfig;
  if (inline) config = fromInlineJson(inline);
  else if (file) config = fromFile(file, envName);
  else {
    throw settingError(
      'AUTOMATION_CONFIG',
      'not set: set AUTOMATION_CONFIG (the JSON of a resolved config) or AUTOMATION_CONFIG_FILE (a .json, .ts or .mjs config file)',
    );
  }
  memo.set(key, config);
  return config;
}

/** Forgets memoised configs (tests, or a local tool that reloads an edited file). */
export function clearConfigCache(): void {
  memo.clear();
}
