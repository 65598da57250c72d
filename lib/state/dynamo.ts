// Every state port on the one DynamoDB table (layout in keys.ts), built once by the composition root.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { JobDeps } from '#lib/jobs/ports.ts';
import type { ManagedSecretStore } from '#lib/jobs/secrets-sync-ports.ts';
import { dynamoAllowlistSourceStore } from './allowlist-source-store.ts';
import { dynamoBackupTrackingStore } from './backup-tracking-store.ts';
import { dynamoClusterClaims } from './cluster-claims.ts';
import type { DynamoStoreOptions } from './state-table.ts';

export type { DynamoStoreOptions };

import { dynamoKeepAliveStore } from './keep-alive-store.ts';
import { dynamoManagedSecretStore } from './managed-secret-store.ts';
import { dynamoRunLedger } from './run-ledger.ts';
import { dynamoSnapshotStore } from './snapshot-store.ts';
import { dynamoTeardownWindowStore } from './teardown-window-store.ts';

export type StateStores = Pick<
  JobDeps,
  'ledger' | 'claims' | 'keepAlives' | 'snapshots' | 'teardownWindows' | 'allowlistSources' | 'backupTracking'
> & { managedSecrets: ManagedSecretStore };

export function createDynamoStores(
  client: DynamoDBClient,
  tableName: string,
  options: DynamoStoreOptions = {},
): StateStores {
  return {
    ledger: dynamoRunLedger(client, tableName, options),
    claims: dynamoClusterClaims(client, tableName, options),
    keepAlives: dynamoKeepAliveStore(client, tableName, options),
    snapshots: dynamoSnapshotStore(client, tableName, options),
    teardownWindows: dynamoTeardownWindowStore(client, tableName, options),
    allowlistSources: dynamoAllowlistSourceStore(client, tableName, options),
    backupTracking: dynamoBackupTrackingStore(client, tableName, options),
    managedSecrets: dynamoManagedSecretStore(client, tableName, options),
  };
}
