import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { createTableInput, TABLE_SCHEMA } from './table.ts';

/** Creates the state table if it does not exist, waits until it is ACTIVE, and enables TTL. Idempotent. */
export async function ensureTable(dynamo: DynamoDBClient, tableName: string): Promise<'created' | 'exists'> {
  let outcome: 'created' | 'exists' = 'created';
  try {
    await dynamo.send(new CreateTableCommand(createTableInput(tableName)));
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
    outcome = 'exists';
  }
  for (let i = 0; i < 600; i++) {
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  try {
    await dynamo.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: TABLE_SCHEMA.ttlAttribute, Enabled: true },
      }),
    );
  } catch (err) {
    // Enabling TTL twice is a ValidationException on AWS; emulators may not implement it at all.
    const name = (err as { name?: string }).name;
    if (name !== 'ValidationException' && name !== 'UnknownOperationException') throw err;
  }
  return outcome;
}
