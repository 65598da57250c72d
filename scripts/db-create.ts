// `npm run db:create`: creates the state table against whatever endpoint the AWS SDK is pointed at
// (AWS_ENDPOINT_URL_DYNAMODB for a local DynamoDB, else your AWS account and region).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureTable } from '#lib/state/create-table.ts';
import { tableNameFromEnv } from '#lib/state/table.ts';

try {
  const tableName = tableNameFromEnv();
  const dynamo = new DynamoDBClient({});
  const outcome = await ensureTable(dynamo, tableName);
  const where = process.env.AWS_ENDPOINT_URL_DYNAMODB ?? 'AWS';
  console.log(`table ${tableName} ${outcome === 'created' ? 'created' : 'already exists'} (${where})`);
  dynamo.destroy();
} catch (err) {
  console.error(`db:create failed: ${(err as Error).message}`);
  process.exitCode = 1;
}
