import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod/mini';
import {
  itemKey,
  itemSortKeyPrefix,
  itemsByOwnerIndex,
  meetingKey,
  meetingsByDateIndex,
  meetingsPartition,
  meetingsSortKey,
  openSortKeyPrefix,
  ownerPartition,
  ownerSortKey,
} from '../../config/table';
import { FollowthroughError, InvalidInputError, NotFoundError } from '../../domain/errors';
import type { ItemStatus, Meeting, StoredItem } from '../../domain/model';
import type { ClaimResult, ItemQuery, Page, Store } from '../../ports/store';

// The schemas strip the key attributes (pk, sk, gsi…) on the way out and reject a record that no longer matches the
// model, rather than letting a half-formed object travel into the use cases.
const person = z.object({ address: z.string(), name: z.nullable(z.string()) });

const meetingRecord = z.object({
  id: z.string(),
  messageId: z.string(),
  rawKey: z.string(),
  receivedAt: z.string(),
  state: z.enum(['pending', 'complete']),
  itemCount: z.number(),
  wrapupSentAt: z.nullable(z.string()),
  date: z.string(),
  sentAt: z.nullable(z.string()),
  utcOffsetMinutes: z.nullable(z.number()),
  subject: z.string(),
  attendees: z.array(person),
  author: z.nullable(person),
  nextMeetingDate: z.nullable(z.string()),
});

const itemRecord = z.object({
  meetingId: z.string(),
  seq: z.number(),
  status: z.enum(['open', 'done', 'dropped']),
  createdAt: z.string(),
  updatedAt: z.string(),
  text: z.string(),
  owner: z.nullable(z.string()),
  ownerName: z.nullable(z.string()),
  due: z.nullable(z.string()),
  source: z.string(),
  flags: z.array(z.enum(['no-owner', 'no-date', 'owner-not-attendee', 'ambiguous-date'])),
  section: z.enum(['action', 'growth', 'agenda']),
});

type StoredRecord = Record<string, unknown>;

const parseRecord = <T>(schema: z.ZodMiniType<T>, record: StoredRecord): T => {
  const parsed = schema.safeParse(record);
  if (parsed.success) return parsed.data;
  throw new FollowthroughError(`Stored record ${String(record.pk)} ${String(record.sk)} does not match the model`, {
    cause: parsed.error,
  });
};

const toMeeting = (record: StoredRecord): Meeting => parseRecord(meetingRecord, record);

const toItem = (record: StoredRecord): StoredItem => parseRecord(itemRecord, record);

const statusRank: Record<ItemStatus, number> = { open: 0, done: 1, dropped: 2 };

const defaultPageSize = 20;

/** The LastEvaluatedKey of the meetings index: the table key plus the index key, all strings. */
const cursorKey = z.object({ pk: z.string(), sk: z.string(), gsi2pk: z.string(), gsi2sk: z.string() });

const encodeCursor = (key: StoredRecord): string =>
  Buffer.from(JSON.stringify({ pk: key.pk, sk: key.sk, gsi2pk: key.gsi2pk, gsi2sk: key.gsi2sk }), 'utf8').toString(
    'base64url',
  );

const decodeCursor = (cursor: string): StoredRecord => {
  try {
    return cursorKey.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch (error) {
    throw new InvalidInputError('cursor', 'This page link is not one we issued: start again from the first page.', {
      cause: error,
    });
  }
};

export class DynamoDbStore implements Store {
  readonly #documents: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor({ client, tableName }: { client: DynamoDBClient; tableName: string }) {
    this.#documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    this.#tableName = tableName;
  }

  async claimMeeting(meeting: Meeting): Promise<ClaimResult> {
    try {
      await this.#documents.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: {
            ...meeting,
            // The port promises a pending meeting whatever state the caller built: complete comes only from
            // completeMeeting, after the items and the wrap-up schedule exist.
            state: 'pending',
            ...meetingKey(meeting.id),
            [meetingsByDateIndex.partitionKey]: meetingsPartition,
            [meetingsByDateIndex.sortKey]: meetingsSortKey(meeting),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { outcome: 'claimed' };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const existing = await this.getMeeting(meeting.id);
    if (existing === null) {
      // Nothing deletes meetings, so a failed condition with no meeting behind it is a broken table, not a race.
      throw new FollowthroughError(`Meeting ${meeting.id} exists by its key but cannot be read back`);
    }
    return existing.state === 'complete'
      ? { outcome: 'duplicate', meeting: existing }
      : { outcome: 'resumed', meeting: existing };
  }

  async putItems(items: StoredItem[]): Promise<void> {
    // One conditional put per item, not a batch: BatchWriteItem takes no condition, and an item that exists may
    // already be marked done by its owner, which a resumed ingest must not undo.
    await Promise.all(
      items.map(async (item) => {
        try {
          await this.#documents.send(
            new PutCommand({
              TableName: this.#tableName,
              Item: {
                ...item,
                ...itemKey(item.meetingId, item.seq),
                // No owner, no gsi1pk: the item stays out of the owner index instead of sitting under a fake owner.
                [itemsByOwnerIndex.partitionKey]: item.owner === null ? undefined : ownerPartition(item.owner),
                [itemsByOwnerIndex.sortKey]: ownerSortKey(item),
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          );
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        }
      }),
    );
  }

  async completeMeeting(meetingId: string): Promise<void> {
    await this.#updateMeeting(meetingId, 'SET #state = :complete', { '#state': 'state' }, { ':complete': 'complete' });
  }

  async getMeeting(meetingId: string): Promise<Meeting | null> {
    const { Item } = await this.#documents.send(
      // Consistent: the claim that just failed its condition must see the meeting that made it fail.
      new GetCommand({ TableName: this.#tableName, Key: meetingKey(meetingId), ConsistentRead: true }),
    );
    return Item === undefined ? null : toMeeting(Item);
  }

  async markWrapupSent(meetingId: string, at: string): Promise<void> {
    await this.#updateMeeting(meetingId, 'SET #sentAt = :at', { '#sentAt': 'wrapupSentAt' }, { ':at': at });
  }

  async listMeetingItems(meetingId: string): Promise<StoredItem[]> {
    const records = await this.#queryAll({
      TableName: this.#tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :items)',
      ExpressionAttributeValues: { ':pk': meetingKey(meetingId).pk, ':items': itemSortKeyPrefix },
      ConsistentRead: true,
    });
    return records.map(toItem);
  }

  async listItemsByOwner({ owner, openOnly = false }: ItemQuery): Promise<StoredItem[]> {
    const { name, partitionKey, sortKey } = itemsByOwnerIndex;
    const records = await this.#queryAll({
      TableName: this.#tableName,
      IndexName: name,
      KeyConditionExpression: openOnly ? '#pk = :owner AND begins_with(#sk, :open)' : '#pk = :owner',
      ExpressionAttributeNames: openOnly ? { '#pk': partitionKey, '#sk': sortKey } : { '#pk': partitionKey },
      ExpressionAttributeValues: openOnly
        ? { ':owner': ownerPartition(owner), ':open': openSortKeyPrefix }
        : { ':owner': ownerPartition(owner) },
    });
    // The index orders by status name, and 'done' and 'dropped' sort before 'open'. Within a status it is already
    // due date first, so a stable sort on the status alone puts open items at the top and keeps that order.
    return records.map(toItem).sort((a, b) => statusRank[a.status] - statusRank[b.status]);
  }

  async listMeetings(options: { limit?: number; cursor?: string } = {}): Promise<Page<Meeting>> {
    const { limit = defaultPageSize, cursor } = options;
    if (!Number.isInteger(limit) || limit < 1) {
      throw new InvalidInputError('limit', `The page size must be a whole number above 0, not ${limit}.`);
    }
    const { Items = [], LastEvaluatedKey } = await this.#documents.send(
      new QueryCommand({
        TableName: this.#tableName,
        IndexName: meetingsByDateIndex.name,
        KeyConditionExpression: '#pk = :meetings',
        ExpressionAttributeNames: { '#pk': meetingsByDateIndex.partitionKey },
        ExpressionAttributeValues: { ':meetings': meetingsPartition },
        ScanIndexForward: false,
        // One more than asked: DynamoDB returns a LastEvaluatedKey whenever it stops at Limit, even with nothing
        // after it, and the port promises no cursor on the last page.
        Limit: limit + 1,
        ...(cursor === undefined ? {} : { ExclusiveStartKey: decodeCursor(cursor) }),
      }),
    );
    const page = Items.slice(0, limit);
    const last = page.at(-1);
    const next = Items.length > limit ? last : LastEvaluatedKey;
    return {
      items: page.map(toMeeting),
      ...(next === undefined ? {} : { cursor: encodeCursor(next) }),
    };
  }

  async setItemStatus(meetingId: string, seq: number, status: ItemStatus, at: string): Promise<StoredItem> {
    // gsi1sk holds the due date, and an update expression cannot build a string from an attribute, so the
    // item is read first. Nothing changes due after the item is stored, so a concurrent change cannot stale it.
    const key = itemKey(meetingId, seq);
    const { Item } = await this.#documents.send(
      new GetCommand({ TableName: this.#tableName, Key: key, ConsistentRead: true }),
    );
    if (Item === undefined) throw new NotFoundError(`There is no item ${seq} in meeting ${meetingId}.`);
    const current = toItem(Item);
    try {
      const { Attributes } = await this.#documents.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: key,
          UpdateExpression: 'SET #status = :status, #updatedAt = :at, #ownerSort = :ownerSort',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#status': 'status', '#updatedAt': 'updatedAt', '#ownerSort': 'gsi1sk' },
          ExpressionAttributeValues: {
            ':status': status,
            ':at': at,
            ':ownerSort': ownerSortKey({ ...current, status }),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      if (Attributes === undefined)
        throw new FollowthroughError(`Updating item ${seq} of ${meetingId} returned nothing`);
      return toItem(Attributes);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new NotFoundError(`There is no item ${seq} in meeting ${meetingId}.`, { cause: error });
      }
      throw error;
    }
  }

  async #updateMeeting(
    meetingId: string,
    updateExpression: string,
    names: Record<string, string>,
    values: Record<string, string>,
  ): Promise<void> {
    try {
      await this.#documents.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: meetingKey(meetingId),
          UpdateExpression: updateExpression,
          // Without it UpdateItem would create a bare record for an unknown id.
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new NotFoundError(`There is no meeting ${meetingId}.`, { cause: error });
      }
      throw error;
    }
  }

  /** Every page of a Query: a page stops at 1 MB, and these lists are read whole. */
  async #queryAll(input: QueryCommandInput): Promise<StoredRecord[]> {
    const records: StoredRecord[] = [];
    let startKey: StoredRecord | undefined;
    do {
      const { Items = [], LastEvaluatedKey } = await this.#documents.send(
        new QueryCommand({ ...input, ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }) }),
      );
      records.push(...Items);
      startKey = LastEvaluatedKey;
    } while (startKey !== undefined);
    return records;
  }
}
