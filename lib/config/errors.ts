/** One bad setting: its dotted path (`teardown.maxDeletionsPerRun`, `allowlist.static[2].cidr`) and why. */
export interface ConfigIssue {
  path: string;
  message: string;
}

/**
 * The policy config is missing or invalid. The message names every bad setting by its path, e.g.
 * `config: teardown.maxDeletionsPerRun: must be an integer >= 1`. It never holds a secret (the config has none).
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly issues: ConfigIssue[];

  /** `context` says where the config came from, e.g. `environment 'prod'` → `config (environment 'prod'): …`. */
  constructor(issues: ConfigIssue[], options: { cause?: unknown; context?: string } = {}) {
    const where = options.context ? `config (${options.context})` : 'config';
    const list = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
    super(`${where}: ${list}`, { cause: options.cause });
    this.issues = issues;
  }
}
