import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The single-table design, shared by the store adapter, the local servers and the CDK data stack.
 *
 * | record  | pk                 | sk              | gsi1pk (items by owner) | gsi1sk                              | gsi2pk / gsi2sk (meetings)       |
 * |---------|--------------------|-----------------|-------------------------|-------------------------------------|----------------------------------|
 * | meeting | MEETING#<id>       | META            | —                       | —                                   | MEETINGS / <date>#<receivedAt>#<id> |
 * | item    | MEETING#<meetingId>| ITEM#<seq 0000> | OWNER#<owner lower>     | <status>#<due or 9999-12-31>#<meetingId>#<seq 0000> | —                   |
 *
 * Items of a meeting share its partition, so one Query reads a meeting's items in seq order. Items without an
 * owner carry no gsi1pk and stay out of the owner index (a sparse index). The status leads gsi1sk so that a
 * begins_with('open#') Query returns only open items, due date first; a status change rewrites gsi1sk.
 */
export const tableKey = { partitionKey: 'pk', sortKey: 'sk' } as const;

export const itemsByOwnerIndex = { name: 'items-by-owner', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' } as const;

export const meetingsByDateIndex = { name: 'meetings-by-date', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' } as const;

/** Sorts after every real date, so items with no due date come last in an ascending Query. */
export const noDueDate = '9999-12-31';

/** Zero-padding keeps the string order of sort keys equal to the numeric order of seq (2 before 10). */
const padSeq = (seq: number): string => String(seq).padStart(4, '0');

export const meetingKey = (meetingId: string) => ({ pk: `MEETING#${meetingId}`, sk: 'META' }) as const;

export const itemKey = (meetingId: string, seq: number) =>
  ({ pk: `MEETING#${meetingId}`, sk: `ITEM#${padSeq(seq)}` }) as const;

export const itemSortKeyPrefix = 'ITEM#';

/** Owners are addresses or names as written; either may differ in case between the notes and a query. */
export const ownerPartition = (owner: string): string => `OWNER#${owner.toLowerCase()}`;

export const ownerSortKey = (item: { status: string; due: string | null; meetingId: string; seq: number }): string =>
  `${item.status}#${item.due ?? noDueDate}#${item.meetingId}#${padSeq(item.seq)}`;

export const openSortKeyPrefix = 'open#';

/** Every meeting lives in one index partition: a manager's meetings number in the hundreds a year, not millions. */
export const meetingsPartition = 'MEETINGS';

export const meetingsSortKey = (meeting: { date: string; receivedAt: string; id: string }): string =>
  `${meeting.date}#${meeting.receivedAt}#${meeting.id}`;

export const tableDefinition = (tableName: string): CreateTableCommandInput => ({
  TableName: tableName,
  BillingMode: 'PAY_PER_REQUEST',
  AttributeDefinitions: [
    tableKey.partitionKey,
    tableKey.sortKey,
    itemsByOwnerIndex.partitionKey,
    itemsByOwnerIndex.sortKey,
    meetingsByDateIndex.partitionKey,
    meetingsByDateIndex.sortKey,
  ].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
  KeySchema: [
    { AttributeName: tableKey.partitionKey, KeyType: 'HASH' },
    { AttributeName: tableKey.sortKey, KeyType: 'RANGE' },
  ],
  GlobalSecondaryIndexes: [itemsByOwnerIndex, meetingsByDateIndex].map((index) => ({
    IndexName: index.name,
    KeySchema: [
      { AttributeName: index.partitionKey, KeyType: 'HASH' },
      { AttributeName: index.sortKey, KeyType: 'RANGE' },
    ],
    // Both reads map whole records back to the model, so the indexes carry every attribute.
    Projection: { ProjectionType: 'ALL' },
  })),
});
