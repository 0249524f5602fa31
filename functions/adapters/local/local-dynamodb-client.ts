import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * A client for a DynamoDB-compatible server on this machine (dynalite, DynamoDB Local). The SDK insists on a region
 * and credentials even when nothing checks them, so both are fixed dummies; DynamoDB Local keeps one database per
 * access key and region, which makes every client built here see the same tables.
 */
export const createLocalDynamoClient = (endpoint: string, options: { maxAttempts?: number } = {}): DynamoDBClient =>
  new DynamoDBClient({
    ...options,
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
