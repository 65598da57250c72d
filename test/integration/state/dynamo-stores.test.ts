// The DynamoDB adapters held to the state contract over the real wire protocol (dynalite), through the
// fault-injecting proxy so that throttling and dropped connections can be switched on per test.
import { type AttributeValue, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { createDynamoStores } from '#lib/state/dynamo.ts';
import { type EmbeddedDynamo, LOCAL_AWS, startDynalite } from '#local/dynalite.ts';
import { type DynamoProxy, startDynamoProxy } from '#local/dynamo-proxy.ts';
import { manualClock } from '#test/fakes/clock.ts';
import { stateStoreContract } from '#test/helpers/state-contract.ts';

let db: EmbeddedDynamo;
let proxy: DynamoProxy;
let client: DynamoDBClient;

beforeAll(async () => {
  db = await startDynalite();
  proxy = await startDynamoProxy(db.endpoint);
  // Two attempts: a persistent fault still surfaces after the SDK's own retry, without a long backoff.
  client = new DynamoDBClient({ endpoint: proxy.endpoint, ...LOCAL_AWS, maxAttempts: 2 });
});

afterAll(async () => {
  client.destroy();
  await proxy.close();
  await db.close();
});

stateStoreContract('dynamodb', async () => {
  proxy.clear();
  const tableName = await db.createTable();
  const clock = manualClock();
  return {
    stores: createDynamoStores(client, tableName, { clock }),
    clock,
    breakStorage: (fault) => proxy.fail('*', fault),
    healStorage: () => proxy.clear(),
    async plantCorrupt(kind, key) {
      const Item: Record<string, AttributeValue> =
        kind === 'snapshot'
          ? {
              pk: { S: 'snapshot' },
              sk: { S: key },
              data: { S: '{"clusterId":"id-' },
              status: { S: 'deleted' },
            }
          : {
              pk: { S: 'keepalive' },
              sk: { S: key },
              cluster: { S: key },
              by: { S: 'x' },
              reason: { S: 'y' },
            };
      await client.send(new PutItemCommand({ TableName: tableName, Item }));
    },
  };
});
