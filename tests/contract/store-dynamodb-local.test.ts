import { afterAll, beforeAll, describe } from 'vitest';
import { type DynamoDbLocal, findJava, startDynamoDbLocal } from '../support/dynamodb-local';
import { describeStoreContract, storeOn } from './store-contract';

const java = findJava();
if (java === null) {
  console.warn('Skipping the store contract on DynamoDB Local: no java on PATH (DynamoDB Local is a Java program).');
}

describe.skipIf(java === null)('DynamoDB Local', () => {
  // One JVM for the file (≈ 2 s to start) and a table per test.
  let server: DynamoDbLocal;

  beforeAll(async () => {
    server = await startDynamoDbLocal();
  });

  afterAll(async () => {
    await server.stop();
  });

  describeStoreContract('DynamoDB Local', () => storeOn(server.endpoint));
});
