// A hand-built container over the in-memory state stores, for tests of the handler layer: its Console,
// token provider and credential publisher throw when touched, so a test proves that no work reached them.
import type { AutomationConfig } from '#lib/config/types.ts';
import type { MeteredConsoleClient } from '#lib/console/client.ts';
import type { Container } from '#lib/runtime/container.ts';
import type { memoryPublisher } from '#lib/runtime/events.ts';
import { memoryCounters } from '#lib/runtime/metrics.ts';
import type { SharedTokenProvider } from '#lib/token/provider.ts';
import type { recordingLog } from '#local/recording-log.ts';
import type { ManualClock } from '#test/fakes/clock.ts';
import type { MemoryStores } from '#test/fakes/state.ts';

export interface ContainerParts {
  config: AutomationConfig;
  clock: ManualClock;
  stores: MemoryStores;
  log: ReturnType<typeof recordingLog>;
  events: ReturnType<typeof memoryPublisher>;
  /** Every webhook sender's signing secrets (default: none). */
  webhookSecrets?: Container['webhookSecrets'];
}

export function untouchableContainer(parts: ContainerParts): Container {
  const untouchable = new Proxy(
    {},
    {
      get(_, name) {
        throw new Error(`the test touched ${String(name)}`);
      },
    },
  );
  const { config, clock, stores, log, events } = parts;
  return {
    config,
    tokens: untouchable as SharedTokenProvider,
    console: untouchable as MeteredConsoleClient,
    credentials: untouchable as Container['credentials'],
    sleep: async () => {},
    clock,
    log,
    metrics: memoryCounters(),
    events,
    webhookSecrets: parts.webhookSecrets ?? (async () => []),
    invocation: {},
    ledger: stores.ledger,
    claims: stores.claims,
    keepAlives: stores.keepAlives,
    snapshots: stores.snapshots,
    teardownWindows: stores.teardownWindows,
    allowlistSources: stores.allowlistSources,
    backupTracking: stores.backupTracking,
    managedSecrets: stores.managedSecrets,
    secretSources: untouchable as Container['secretSources'],
  };
}
