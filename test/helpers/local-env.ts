// One local deployment per test for the handler tests, and the tests of the events a handler must refuse.
import { afterEach, beforeEach, expect, it } from 'vitest';
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

/** A bad event from a non-webhook trigger, and what the TriggerError it is refused with must match. */
export interface Refusal {
  /** The test's name. */
  name: string;
  event: () => unknown;
  /** Properties of the TriggerError: its message, path or status. */
  error: Record<string, unknown>;
}

/**
 * One test per refusal: the invocation throws a TriggerError matching the row's `error`, and nothing
 * happened: no Console request, no event published, nothing in the store `stored` lists.
 */
export function refusalTests(
  refusals: Refusal[],
  handler: {
    local: () => LocalEnv;
    invoke: (event: unknown) => Promise<unknown>;
    stored: (local: LocalEnv) => Promise<unknown[]>;
  },
): void {
  for (const { name, event, error } of refusals) {
    it(name, async () => {
      // Act
      const err = await rejectionBy(TriggerError, handler.invoke(event()));
      // Assess
      expect(err).toMatchObject(error);
      expect(handler.local().sim.stats.console.requests).toBe(0);
      expect(handler.local().events.events).toEqual([]);
      expect(await handler.stored(handler.local())).toEqual([]);
    });
  }
}
