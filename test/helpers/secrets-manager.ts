// A local Secrets Manager endpoint for a test file (started once, closed after it), a fresh secret id per
// test (nothing another test cached answers for it), and control of `Date` alone: Powertools Parameters
// times its cache with Date, while the HTTP exchange with the endpoint keeps its real timers.
import { afterAll, afterEach, beforeAll, vi } from 'vitest';
import { type LocalSecretsManager, startLocalSecretsManager } from '#local/secrets-manager.ts';

export interface SecretsManagerFixture {
  /** The endpoint (valid inside tests, once beforeAll ran). */
  readonly endpoint: LocalSecretsManager;
  freshSecretId(): string;
  /** How many GetSecretValue calls asked for `secretId`. */
  readsOf(secretId: string): number;
}

export function useLocalSecretsManager(prefix: string): SecretsManagerFixture {
  let endpoint: LocalSecretsManager | undefined;
  let secretNumber = 0;
  beforeAll(async () => {
    endpoint = await startLocalSecretsManager();
  });
  afterAll(() => endpoint?.close());
  afterEach(() => {
    vi.useRealTimers();
  });
  const started = (): LocalSecretsManager => {
    if (!endpoint) throw new Error('the local Secrets Manager starts in beforeAll');
    return endpoint;
  };
  return {
    get endpoint() {
      return started();
    },
    freshSecretId: () => `${prefix}-${++secretNumber}`,
    readsOf: (secretId) => started().reads.filter((id) => id === secretId).length,
  };
}

/** Fakes `Date` only, from `start`; returns a function that moves it forward by `ms`. */
export function controlDate(start = '2026-11-27T02:00:00Z'): (ms: number) => void {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(start));
  return (ms) => vi.setSystemTime(new Date(Date.now() + ms));
}
