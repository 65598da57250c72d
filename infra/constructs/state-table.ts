// The project's one DynamoDB table, from the same key schema the code uses (lib/state/table.ts): on-demand,
// encrypted with its own customer-managed key, point-in-time recovery, TTL. Table and key are RETAINed (and the
// table deletion-protected): deleting the stack never deletes the run ledger, snapshots of torn-down clusters
// or keep-alive requests.
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { TABLE_SCHEMA } from '#lib/state/table.ts';

const ATTRIBUTE_TYPES = {
  S: AttributeType.STRING,
  N: AttributeType.NUMBER,
  B: AttributeType.BINARY,
} as const;

/** The item operations lib/state and lib/token issue (no Scan, no batch, no transactions). */
export const TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:Query',
] as const;

/**
 * What a caller needs on the table's key for DynamoDB to use it on its behalf. Named one by one: the CDK's
 * `grant*Data` helpers add `kms:ReEncrypt*` and `kms:GenerateDataKey*`, wildcards this stack does not need.
 */
export const TABLE_KEY_ACTIONS = [
  'kms:Decrypt',
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:DescribeKey',
] as const;

export class StateTable extends Construct {
  readonly table: Table;
  readonly key: Key;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.key = new Key(this, 'Key', {
      description: 'Camunda console automation state (token cache, run ledger, snapshots, keep-alives)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const { partitionKey, sortKey, ttlAttribute } = TABLE_SCHEMA;
    this.table = new Table(this, 'Table', {
      partitionKey: { name: partitionKey.name, type: ATTRIBUTE_TYPES[partitionKey.type] },
      sortKey: { name: sortKey.name, type: ATTRIBUTE_TYPES[sortKey.type] },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: ttlAttribute,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /** Item reads and writes on the table, and the key use they need: nothing else. */
  grantItemAccess(grantee: IGrantable): void {
    this.table.grant(grantee, ...TABLE_ACTIONS);
    this.key.grant(grantee, ...TABLE_KEY_ACTIONS);
  }
}
