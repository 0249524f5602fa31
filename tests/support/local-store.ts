import { randomUUID } from 'node:crypto';
import { type AttributeValue, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbStore } from '../../functions/adapters/aws/dynamodb-store';
import { ensureTable } from '../../functions/adapters/aws/dynamodb-table';
import { type LocalDynamoServer, startDynalite } from '../../functions/adapters/local/dynalite-server';
import { createLocalDynamoClient } from '../../functions/adapters/local/local-dynamodb-client';

/** A real DynamoDB-compatible server for tests that need a store: dynalite in memory, a fresh table per call. */
export async function startTestStore(): Promise<{
  server: LocalDynamoServer;
  /** `now`: the test's clock, which decides what has expired (see DynamoDbStore); the wall clock by default. */
  newStore(now?: () => Date): Promise<DynamoDbStore>;
  /** Every item in the table of a store from newStore: for tests that assert that nothing at all was written. */
  tableRows(store: DynamoDbStore): Promise<Record<string, unknown>[]>;
}> {
  const server = await startDynalite();
  const client = createLocalDynamoClient(server.endpoint);
  const tables = new WeakMap<DynamoDbStore, string>();
  return {
    server,
    async newStore(now?: () => Date) {
      const tableName = `t-${randomUUID()}`;
      await ensureTable(client, tableName);
      const store = new DynamoDbStore({ client, tableName, ...(now === undefined ? {} : { now }) });
      tables.set(store, tableName);
      return store;
    },
    async tableRows(store) {
      const TableName = tables.get(store);
      if (TableName === undefined) throw new Error('tableRows: the store was not made by this newStore');
      const rows: Record<string, unknown>[] = [];
      let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
      do {
        const page = await client.send(new ScanCommand({ TableName, ExclusiveStartKey }));
        rows.push(...(page.Items ?? []));
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey !== undefined);
      return rows;
    },
  };
}
