import { afterAll, beforeAll } from 'vitest';
import { DynamoDbStore } from '../../functions/adapters/aws/dynamodb-store';
import { ensureTable } from '../../functions/adapters/aws/dynamodb-table';
import { type LocalDynamoServer, startDynalite } from '../../functions/adapters/local/dynalite-server';
import { createLocalDynamoClient } from '../../functions/adapters/local/local-dynamodb-client';
import { describeStoreContract, recordCommandNames } from './store-contract';

// One in-memory server for the file and a table per test: a new table costs milliseconds here.
let server: LocalDynamoServer;
let tables = 0;

beforeAll(async () => {
  server = await startDynalite();
});

afterAll(async () => {
  await server.close();
});

describeStoreContract('dynalite', async () => {
  const client = createLocalDynamoClient(server.endpoint);
  const commands = recordCommandNames(client);
  tables += 1;
  const tableName = `followthrough-contract-${tables}`;
  await ensureTable(client, tableName);
  return {
    store: new DynamoDbStore({ client, tableName }),
    commands,
    teardown: async () => client.destroy(),
  };
});
