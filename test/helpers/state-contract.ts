// The one contract every implementation of the state ports must meet: the DynamoDB adapters (run in
// test/integration/state against dynalite) and the in-memory fakes (test/unit/state). Each store's part lives
// in state-contract/; this entry point runs them all so a new implementation cannot skip one.
import { allowlistSourceStoreContract } from './state-contract/allowlist-sources.ts';
import { backupTrackingStoreContract } from './state-contract/backup-tracking.ts';
import { clusterClaimsContract } from './state-contract/claims.ts';
import { keepAliveStoreContract } from './state-contract/keep-alives.ts';
import { managedSecretStoreContract } from './state-contract/managed-secrets.ts';
import { runLedgerContract } from './state-contract/run-ledger.ts';
import { runLedgerRequestContract } from './state-contract/run-ledger-requests.ts';
import { snapshotStoreContract } from './state-contract/snapshots.ts';
import { storageFaultsContract } from './state-contract/storage-faults.ts';
import type { StateContractSubject } from './state-contract/subject.ts';
import { teardownWindowStoreContract } from './state-contract/teardown-window.ts';
import { unreadableItemsContract } from './state-contract/unreadable-items.ts';

export { done, failed, noise, snapshotOf, summaryOf } from './state-contract/fixtures.ts';
export type { StateContractSubject } from './state-contract/subject.ts';

export function stateStoreContract(label: string, setup: () => Promise<StateContractSubject>): void {
  managedSecretStoreContract(label, setup);
  runLedgerContract(label, setup);
  runLedgerRequestContract(label, setup);
  clusterClaimsContract(label, setup);
  keepAliveStoreContract(label, setup);
  snapshotStoreContract(label, setup);
  unreadableItemsContract(label, setup);
  teardownWindowStoreContract(label, setup);
  allowlistSourceStoreContract(label, setup);
  backupTrackingStoreContract(label, setup);
  storageFaultsContract(label, setup);
}
