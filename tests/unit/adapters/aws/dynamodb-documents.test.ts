import { Readable } from 'node:stream';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Document, Documents } from '../../../../functions/adapters/aws/dynamodb-documents';

/*
 * The store's requests go out through Documents, in lib-dynamodb's shapes: each one must reach DynamoDB as the same
 * bytes the document client sends, and each answer come back as the same values. Both are run against one HTTP
 * handler that keeps the request bodies and answers with a given body.
 */

/** A DynamoDB client whose every request is kept, and answered 200 with `answer`. */
function answering(answer: object) {
  const bodies: string[] = [];
  const client = new DynamoDBClient({
    region: 'local',
    endpoint: 'http://127.0.0.1:9',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
    requestHandler: {
      handle: async (request: { body?: string | Uint8Array }) => {
        bodies.push(typeof request.body === 'string' ? request.body : new TextDecoder().decode(request.body));
        return {
          response: {
            statusCode: 200,
            headers: { 'content-type': 'application/x-amz-json-1.0' },
            body: Readable.from([Buffer.from(JSON.stringify(answer))]),
          },
        };
      },
    },
  });
  return { client, bodies };
}

/** The same request both ways: the bodies sent, and the outputs. */
async function bothWays<T>(
  answer: object,
  viaDocuments: (documents: Documents) => Promise<T>,
  viaLibrary: (library: DynamoDBDocumentClient) => Promise<T>,
) {
  const ours = answering(answer);
  const theirs = answering(answer);
  const library = DynamoDBDocumentClient.from(theirs.client, { marshallOptions: { removeUndefinedValues: true } });
  const output = await viaDocuments(new Documents(ours.client));
  const expected = await viaLibrary(library);
  return { sent: ours.bodies, expectedSent: theirs.bodies, output, expected };
}

/**
 * Map keys: not a name Object.prototype holds (constructor, toString…). lib-dynamodb, the reference, takes a map
 * whose own `constructor` key is a string for a class instance and refuses it; the store writes no such key.
 */
const mapKey = (maxLength: number) =>
  fc.string({ minLength: 1, maxLength }).filter((key) => !(key in Object.prototype));

/** Attribute values of every type the store writes, nested, with undefined ones the marshalling leaves out. */
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string(),
    fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }),
    fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 }),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.uniqueArray(fc.string(), { minLength: 1, maxLength: 4 }).map((members) => new Set(members)),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(mapKey(8), tie('value'), { maxKeys: 4 }),
  ),
})).value;

const record = fc.dictionary(mapKey(12), value, {
  maxKeys: 8,
}) as fc.Arbitrary<Document>;

describe('Documents', () => {
  it('puts a record as the document client does, whatever its values', async () => {
    await fc.assert(
      fc.asyncProperty(record, value, async (item, expected) => {
        const input = {
          TableName: 't',
          Item: { pk: 'P', sk: 'S', ...item },
          ConditionExpression: 'attribute_not_exists(pk) OR #v = :v',
          ExpressionAttributeNames: { '#v': 'v' },
          ExpressionAttributeValues: { ':v': expected === undefined ? null : expected },
        };

        const { sent, expectedSent } = await bothWays(
          {},
          (documents) => documents.put(input),
          async (library) => {
            await library.send(new PutCommand(input));
          },
        );

        expect(sent).toEqual(expectedSent);
      }),
      { numRuns: 300 },
    );
  });

  it('updates, gets, queries and batches as the document client does, and reads their answers alike', async () => {
    await fc.assert(
      fc.asyncProperty(record, record, async (first, second) => {
        const items = [
          { pk: 'A', sk: '1', ...first },
          { pk: 'B', sk: '2', ...second },
        ];
        // The answers are the records as DynamoDB holds them: marshalled by the document client's own requests.
        const marshalled = answering({});
        await DynamoDBDocumentClient.from(marshalled.client, { marshallOptions: { removeUndefinedValues: true } }).send(
          new BatchWriteCommand({ RequestItems: { t: items.map((Item) => ({ PutRequest: { Item } })) } }),
        );
        const held = (
          JSON.parse(marshalled.bodies[0] ?? '{}').RequestItems.t as Array<{ PutRequest: { Item: object } }>
        ).map((request) => request.PutRequest.Item);
        const update = {
          TableName: 't',
          Key: { pk: 'A', sk: '1' },
          UpdateExpression: 'ADD #kinds :kinds SET #at = :at',
          ExpressionAttributeNames: { '#kinds': 'kinds', '#at': 'at' },
          ExpressionAttributeValues: { ':kinds': new Set(['weekly']), ':at': first, ':none': undefined },
          ReturnValues: 'ALL_NEW' as const,
        };
        const query = {
          TableName: 't',
          IndexName: 'gsi1',
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': 'gsi1pk' },
          ExpressionAttributeValues: { ':pk': 'OWNER#a' },
          ExclusiveStartKey: { pk: 'A', sk: '1', gsi1pk: 'OWNER#a', gsi1sk: 'open#' },
          Limit: 3,
        };

        const updated = await bothWays(
          { Attributes: held[0] },
          (documents) => documents.update(update),
          async (library) => ({ Attributes: (await library.send(new UpdateCommand(update))).Attributes }),
        );
        const got = await bothWays(
          { Item: held[1] },
          (documents) => documents.get({ TableName: 't', Key: { pk: 'B', sk: '2' }, ConsistentRead: true }),
          async (library) => ({
            Item: (
              await library.send(new GetCommand({ TableName: 't', Key: { pk: 'B', sk: '2' }, ConsistentRead: true }))
            ).Item,
          }),
        );
        const queried = await bothWays(
          // A number beyond the safe integers comes back as a BigInt, not rounded.
          { Items: [...held, { pk: { S: 'C' }, n: { N: '90071992547409931' } }], LastEvaluatedKey: { pk: { S: 'B' } } },
          (documents) => documents.query(query),
          async (library) => {
            const { Items, LastEvaluatedKey } = await library.send(new QueryCommand(query));
            return { Items, LastEvaluatedKey };
          },
        );
        const keys = { Keys: items.map(({ pk, sk }) => ({ pk, sk })), ConsistentRead: true };
        const batchGot = await bothWays(
          { Responses: { t: held }, UnprocessedKeys: { t: { Keys: [{ pk: { S: 'A' }, sk: { S: '1' } }] } } },
          (documents) => documents.batchGet({ RequestItems: { t: keys } }),
          async (library) => {
            const { Responses, UnprocessedKeys } = await library.send(
              new BatchGetCommand({ RequestItems: { t: keys } }),
            );
            return { Responses, UnprocessedKeys };
          },
        );
        const writes = { t: items.map((Item) => ({ PutRequest: { Item } })) };
        const batchWritten = await bothWays(
          { UnprocessedItems: { t: [{ PutRequest: { Item: held[1] } }] } },
          (documents) => documents.batchWrite({ RequestItems: writes }),
          async (library) => ({
            UnprocessedItems: (await library.send(new BatchWriteCommand({ RequestItems: writes }))).UnprocessedItems,
          }),
        );

        for (const { sent, expectedSent, output, expected } of [updated, got, queried, batchGot, batchWritten]) {
          expect(sent).toEqual(expectedSent);
          expect(output).toEqual(expected);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('refuses what the document client refuses: an empty set, a number beyond the safe integers', async () => {
    const { client } = answering({});
    const documents = new Documents(client);

    await expect(documents.put({ TableName: 't', Item: { pk: 'P', kinds: new Set() } })).rejects.toThrow(
      /non-empty set/,
    );
    await expect(documents.put({ TableName: 't', Item: { pk: 'P', n: 2 ** 60 } })).rejects.toThrow(/safe integers/);
  });
});
