// An embedded DynamoDB (dynalite: real wire protocol, in-process, in memory) for tests and local runs.
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { ensureTable } from '#lib/state/create-table.ts';

export interface EmbeddedDynamo {
  endpoint: string;
  client: DynamoDBClient;
  /** Creates a table with the project's schema (a fresh name each call unless given). */
  createTable(name?: string): Promise<string>;
  close(): Promise<void>;
}

let tableSeq = 0;

export const LOCAL_AWS = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
} as const;

export async function startDynalite(): Promise<EmbeddedDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ endpoint, ...LOCAL_AWS });
  return {
    endpoint,
    client,
    async createTable(name) {
      const tableName = name ?? `state-${process.pid}-${++tableSeq}`;
      await ensureTable(client, tableName);
      return tableName;
    },
    async close() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
