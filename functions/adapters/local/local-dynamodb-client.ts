import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * A client for a DynamoDB-compatible server on this machine (dynalite, DynamoDB Local). The SDK insists on a region
 * and credentials even when nothing checks them, so both are fixed dummies; DynamoDB Local keeps one database per
 * access key and region, which makes every client built here see the same tables.
 *
 * cacheMiddleware (the SDK's own option) resolves each command's middleware once rather than on every request, as
 * the store's client on AWS does: a middleware added after the first request of a command is then not seen, and
 * lib-dynamodb's document client refuses such a client.
 */
export const createLocalDynamoClient = (
  endpoint: string,
  options: { maxAttempts?: number; cacheMiddleware?: boolean } = {},
): DynamoDBClient =>
  new DynamoDBClient({
    ...options,
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
