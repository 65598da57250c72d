// The state store's failure domain: a DynamoDB call that failed (throttled, connection reset, 5xx after
// the SDK's own retries) or a request the store refuses (empty key). A failed conditional write is NOT an
// error: the ports answer it ('running', false, …). A store error is never turned into an empty answer.

import { describeError } from '#lib/log/describe-error.ts';

/** Every operation of the state ports, as named in errors, fault injection and call counts. */
export type StateOperation =
  | 'ledger.start'
  | 'ledger.recordOutcome'
  | 'ledger.finish'
  | 'ledger.accept'
  | 'ledger.get'
  | 'claims.claim'
  | 'claims.release'
  | 'keepAlives.put'
  | 'keepAlives.active'
  | 'snapshots.save'
  | 'snapshots.get'
  | 'snapshots.list'
  | 'snapshots.transition'
  | 'snapshots.dropSecrets'
  | 'teardownWindows.get'
  | 'teardownWindows.recordNotice'
  | 'teardownWindows.reserve'
  | 'teardownWindows.release'
  | 'allowlistSources.put'
  | 'allowlistSources.list'
  | 'backupTracking.get'
  | 'backupTracking.put'
  | 'managedSecrets.list'
  | 'managedSecrets.put'
  | 'managedSecrets.remove'
  | 'managedSecrets.digestKey'
  | 'managedSecrets.storedDigestKey';

export const STATE_OPERATIONS: readonly StateOperation[] = [
  'ledger.start',
  'ledger.recordOutcome',
  'ledger.finish',
  'ledger.accept',
  'ledger.get',
  'claims.claim',
  'claims.release',
  'keepAlives.put',
  'keepAlives.active',
  'snapshots.save',
  'snapshots.get',
  'snapshots.list',
  'snapshots.transition',
  'snapshots.dropSecrets',
  'teardownWindows.get',
  'teardownWindows.recordNotice',
  'teardownWindows.reserve',
  'teardownWindows.release',
  'allowlistSources.put',
  'allowlistSources.list',
  'backupTracking.get',
  'backupTracking.put',
  'managedSecrets.list',
  'managedSecrets.put',
  'managedSecrets.remove',
  'managedSecrets.digestKey',
  'managedSecrets.storedDigestKey',
];

export class StateStoreError extends Error {
  override readonly name = 'StateStoreError';
  constructor(
    readonly operation: StateOperation,
    cause: unknown,
    message = `${operation} failed: ${describeError(cause)}`,
  ) {
    super(message, cause === undefined ? undefined : { cause });
  }
}
