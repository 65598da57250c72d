// One local deployment per test for the handler tests, and what a refused trigger must leave in it.
import { afterEach, beforeEach, expect } from 'vitest';
import { TriggerError } from '#lib/triggers/errors.ts';
import { type LocalEnv, startLocalEnv } from '#local/env.ts';
import { rejectionBy } from '#test/helpers/thrown.ts';

/**
 * A fresh local deployment (simulator, dynalite, LOCAL_CONFIG) before each test of the file, closed after
 * it; with `fileLog`, each test's lines and secrets are collected first for the file's secret scan. The
 * getter answers the current test's deployment.
 */
export function useLocalEnv(fileLog?: { collect(local: LocalEnv): Promise<void> }): () => LocalEnv {
  let env: LocalEnv | undefined;
  const local = (): LocalEnv => {
    if (!env) throw new Error('no local environment: useLocalEnv() starts one before each test');
    return env;
  };
  beforeEach(async () => {
    env = await startLocalEnv();
  });
  afterEach(async () => {
    await fileLog?.collect(local());
    await local().close();
  });
  return local;
}

/**
 * A bad event from a non-webhook trigger: the invocation throws a TriggerError matching `error` (its message,
 * path or status), and nothing happened: no Console request, no event published.
 */
export async function expectRefused(
  local: LocalEnv,
  invocation: Promise<unknown>,
  error: Record<string, unknown>,
): Promise<void> {
  const err = await rejectionBy(TriggerError, invocation);
  expect(err).toMatchObject(error);
  expect(local.sim.stats.console.requests).toBe(0);
  expect(local.events.events).toEqual([]);
}
