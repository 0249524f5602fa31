import { afterAll, beforeAll, describe } from 'vitest';
import { DynamoDbStore } from '../../functions/adapters/aws/dynamodb-store';
import { ensureTable } from '../../functions/adapters/aws/dynamodb-table';
import { createLocalDynamoClient } from '../../functions/adapters/local/local-dynamodb-client';
import { type DynamoDbLocal, findJava, startDynamoDbLocal } from '../support/dynamodb-local';
import { describeStoreContract, recordCommandNames } from './store-contract';

const java = findJava();
if (java === null) {
  console.warn('Skipping the store contract on DynamoDB Local: no java on PATH (DynamoDB Local is a Java program).');
}

describe.skipIf(java === null)('DynamoDB Local', () => {
  // One JVM for the file (≈ 2 s to start) and a table per test.
  let server: DynamoDbLocal;
  let tables = 0;

  beforeAll(async () => {
    server = await startDynamoDbLocal();
  });

  afterAll(async () => {
    await server.stop();
  });

  describeStoreContract('DynamoDB Local', async () => {
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
});
