import { afterAll, beforeAll } from 'vitest';
import { type LocalDynamoServer, startDynalite } from '../../functions/adapters/local/dynalite-server';
import { describeStoreContract, storeOn } from './store-contract';

// One in-memory server for the file and a table per test: a new table costs milliseconds here.
let server: LocalDynamoServer;

beforeAll(async () => {
  server = await startDynalite();
});

afterAll(async () => {
  await server.close();
});

describeStoreContract('dynalite', () => storeOn(server.endpoint));
