// The setup every fault-matrix file shares: a leak scanner capturing the process output for the whole file,
// and one fault environment per test, closed after it (test/helpers/faults.ts builds the environment).
import { afterAll, afterEach, beforeAll } from 'vitest';
import { type FaultEnv, type FaultEnvOptions, startFaultEnv } from '#test/helpers/faults.ts';
import { LeakScanner } from '#test/helpers/faults-secrets.ts';

export interface FaultSuite {
  scanner: LeakScanner;
  /** Starts this test's environment (closed after the test), scanned by the file's scanner. */
  start(options?: FaultEnvOptions): Promise<FaultEnv>;
}

/** Registers the file's hooks; call once at the top level of a fault-matrix test file. */
export function faultSuite(): FaultSuite {
  const scanner = new LeakScanner();
  beforeAll(() => scanner.captureOutput());
  afterAll(() => scanner.stopOutput());
  let env: FaultEnv | undefined;
  afterEach(async () => {
    await env?.close();
    env = undefined;
  });
  return {
    scanner,
    async start(options = {}) {
      env = await startFaultEnv({ scanner, ...options });
      return env;
    },
  };
}
