// In-memory implementations of every state port with the DynamoDB adapters' semantics (lib/state):
// leases and claims judged by the injected clock, ttl expiry checked on every read, the same key
// validation, the same stored summary (summary-codec), values copied through JSON like the table does.
// The contract suite (test/helpers/state-contract.ts) runs against both, so they cannot drift apart.
// Each store lives in state/; this entry point wires them to one clock and one fault gate.
//
// For unit tests: `createMemoryStores(clock)` gives the ports plus `fail()` (make operations throw the
// StateStoreError a DynamoDB fault would), `calls` (operation counts) and `inspect` (read raw records).
import type { JobName } from '#lib/jobs/types.ts';
import type { StateStores } from '#lib/state/dynamo.ts';
import type { StateOperation } from '#lib/state/errors.ts';
import { memoryAllowlistSourceStore } from './state/allowlist-sources.ts';
import { memoryBackupTrackingStore } from './state/backup-tracking.ts';
import { memoryClusterClaims } from './state/claims.ts';
import { memoryKeepAliveStore } from './state/keep-alives.ts';
import { memoryManagedSecretStore } from './state/managed-secrets.ts';
import { memoryRunLedger, type RunRecordView } from './state/run-ledger.ts';
import { memorySnapshotStore } from './state/snapshots.ts';
import { type Clock, createOperationGate, type StorageFault } from './state/storage.ts';
import { memoryTeardownWindowStore } from './state/teardown-windows.ts';

export type { RunRecordView } from './state/run-ledger.ts';
export type { StorageFault } from './state/storage.ts';

export interface MemoryStores extends StateStores {
  /**
   * From now on, `operation` (or every operation, '*') rejects with the StateStoreError a DynamoDB fault
   * would give, before touching any state; `times` limits how often.
   */
  fail(operation: StateOperation | '*', fault?: StorageFault, times?: number): void;
  /** Removes every injected fault. */
  heal(): void;
  /** How often each operation was called (faulted calls included). */
  calls: Partial<Record<StateOperation, number>>;
  /** Writes an unreadable item (a snapshot whose saved JSON is cut off, a keep-alive without its until). */
  plantCorrupt(kind: 'snapshot' | 'keepAlive', key: string): void;
  inspect: {
    run(idempotencyKey: string): RunRecordView | undefined;
    claim(job: JobName, clusterId: string): { owner: string; until: number } | undefined;
  };
}

export function createMemoryStores(clock: Clock): MemoryStores {
  const { enter, calls, fail, heal } = createOperationGate();
  const { ledger, view } = memoryRunLedger(clock, enter);
  const { claims, held } = memoryClusterClaims(clock, enter);
  const keepAlives = memoryKeepAliveStore(enter);
  const snapshots = memorySnapshotStore(clock, enter);
  return {
    ledger,
    claims,
    keepAlives: keepAlives.keepAlives,
    snapshots: snapshots.snapshots,
    teardownWindows: memoryTeardownWindowStore(clock, enter),
    allowlistSources: memoryAllowlistSourceStore(enter),
    backupTracking: memoryBackupTrackingStore(clock, enter),
    managedSecrets: memoryManagedSecretStore(enter),
    plantCorrupt(kind, key) {
      if (kind === 'keepAlive') keepAlives.plantCorrupt(key);
      else snapshots.plantCorrupt(key);
    },
    fail,
    heal,
    calls,
    inspect: { run: view, claim: held },
  };
}
