import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
  type TableStatus,
} from '@aws-sdk/client-dynamodb';
import { tableDefinition } from '../../config/table';
import { FollowthroughError } from '../../domain/errors';

const describeStatus = async (client: DynamoDBClient, tableName: string): Promise<TableStatus | 'MISSING'> => {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return Table?.TableStatus ?? 'MISSING';
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return 'MISSING';
    throw error;
  }
};

/**
 * Creates the table from the shared definition unless it exists, then waits until it is ACTIVE. For local servers
 * and tests: in AWS the CDK data stack owns the table. Polls on its own rather than with waitUntilTableExists,
 * whose minimum delay of 1 s would dominate a local run where the table is ready within milliseconds.
 */
export const ensureTable = async (
  client: DynamoDBClient,
  tableName: string,
  options: { timeoutMs?: number; pollMs?: number } = {},
): Promise<void> => {
  const { timeoutMs = 30_000, pollMs = 50 } = options;
  if ((await describeStatus(client, tableName)) === 'MISSING') {
    try {
      await client.send(new CreateTableCommand(tableDefinition(tableName)));
    } catch (error) {
      // Another process created it between our DescribeTable and CreateTable: waiting below is all that is left.
      if (!(error instanceof ResourceInUseException)) throw error;
    }
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await describeStatus(client, tableName);
    if (status === 'ACTIVE') return;
    if (Date.now() > deadline) {
      throw new FollowthroughError(`Table ${tableName} is ${status} after ${timeoutMs} ms, not ACTIVE`);
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
};
