// The project's one DynamoDB table: its key schema, defined once here and read by the CDK stack
// (infra/) and by local tooling (`npm run db:create`, the tests, `npm start`).
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

export const TABLE_SCHEMA = {
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  /** Epoch seconds. DynamoDB deletes expired items lazily (up to days later): code checks expiry itself. */
  ttlAttribute: 'ttl',
} as const;

export const STATE_TABLE_ENV = 'STATE_TABLE_NAME';

/** The table name from `STATE_TABLE_NAME`, or a clear error naming the setting. */
export function tableNameFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const name = env[STATE_TABLE_ENV]?.trim();
  if (!name) throw new Error(`${STATE_TABLE_ENV} is not set: the name of the state table is required`);
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(name)) {
    throw new Error(`${STATE_TABLE_ENV} '${name}' is not a valid DynamoDB table name`);
  }
  return name;
}

/** CreateTable input for local tooling; the deployed table is defined by the CDK stack from the same schema. */
export function createTableInput(tableName: string): CreateTableCommandInput {
  const { partitionKey, sortKey } = TABLE_SCHEMA;
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: partitionKey.name, AttributeType: partitionKey.type },
      { AttributeName: sortKey.name, AttributeType: sortKey.type },
    ],
    KeySchema: [
      { AttributeName: partitionKey.name, KeyType: 'HASH' },
      { AttributeName: sortKey.name, KeyType: 'RANGE' },
    ],
  };
}

/** Epoch seconds for the TTL attribute. */
export function ttlSeconds(epochMs: number): number {
  return Math.ceil(epochMs / 1000);
}
