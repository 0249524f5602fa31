import { randomUUID } from 'node:crypto';
import { DynamoDbStore } from '../../functions/adapters/aws/dynamodb-store';
import { ensureTable } from '../../functions/adapters/aws/dynamodb-table';
import { type LocalDynamoServer, startDynalite } from '../../functions/adapters/local/dynalite-server';
import { createLocalDynamoClient } from '../../functions/adapters/local/local-dynamodb-client';

/** A real DynamoDB-compatible server for tests that need a store: dynalite in memory, a fresh table per call. */
export async function startTestStore(): Promise<{
  server: LocalDynamoServer;
  /** `now`: the test's clock, which decides what has expired (see DynamoDbStore); the wall clock by default. */
  newStore(now?: () => Date): Promise<DynamoDbStore>;
}> {
  const server = await startDynalite();
  const client = createLocalDynamoClient(server.endpoint);
  return {
    server,
    async newStore(now?: () => Date) {
      const tableName = `t-${randomUUID()}`;
      await ensureTable(client, tableName);
      return new DynamoDbStore({ client, tableName, ...(now === undefined ? {} : { now }) });
    },
  };
}
