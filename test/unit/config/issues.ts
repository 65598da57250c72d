// What the config schema tests share: the issues a refused config yields, and two enabled sections.
import { expect } from 'vitest';
import { ConfigError, type ConfigIssue } from '#lib/config/errors.ts';
import { parseConfig } from '#lib/config/schema.ts';

export function issuesOf(input: unknown): ConfigIssue[] {
  try {
    parseConfig(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
  throw new Error('expected the config to be refused');
}

/** The issue at `path` (asserting there is exactly one there). */
export function issueAt(input: unknown, path: string): string {
  const at = issuesOf(input).filter((i) => i.path === path);
  expect(at, `issues at ${path}`).toHaveLength(1);
  return at[0]?.message ?? '';
}

export const teardownOn = { enabled: true, selector: { names: ['dev-*'] } };
export const allowlistOn = {
  enabled: true,
  selector: { planTypes: ['Enterprise'] },
  static: [{ cidr: '203.0.113.0/24', description: 'office' }],
};

/** Every issue as `path: message`, sorted: the exact set, so a missing or a misleading extra one fails. */
export function namedIn(input: unknown): string[] {
  return issuesOf(input)
    .map((i) => `${i.path}: ${i.message}`)
    .sort();
}
