import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The single-table design, shared by the store adapter, the local servers and the CDK data stack.
 *
 * | record             | pk                       | sk              |
 * |--------------------|--------------------------|-----------------|
 * | meeting            | MEETING#<id>             | META            |
 * | item               | MEETING#<meetingId>      | ITEM#<seq 0000> |
 * | series             | SERIES#<id>              | META            |
 * | person             | PERSON#<address lower>   | META            |
 * | sent mail          | MAIL#<ref>               | META            |
 * | Message-ID pointer | MSGID#<Message-ID>       | META            |
 * | suppression        | SUPPRESS#<address lower> | META            |
 * | webhook delivery   | WEBHOOK#<webhook-id>     | META            |
| weekly page lease  | WEEKLYPAGE#<page key>    | META            |
 *
 * | record  | gsi1pk / gsi1sk                                                           | gsi2pk / gsi2sk                                                   |
 * |---------|---------------------------------------------------------------------------|-------------------------------------------------------------------|
 * | meeting | —                                                                         | MEETINGS / <date>#<receivedAt>#<id>                               |
 * | item    | OWNER#<owner lower> / <status>#<due or 9999-12-31>#<meetingId>#<seq 0000> | SERIES#<seriesId> / <status>#<meetingDate>#<meetingId>#<seq 0000> |
 * | series  | AUTHOR#<author address lower> / SERIES#<id>                               | —                                                                 |
| person  | —                                                                         | WEEKLY#<day>#<HH:MM>#<time zone> / <address lower>                |
 *
 * The two indexes are overloaded: what a gsi1pk or gsi2pk holds depends on its prefix.
 * - gsi1: an owner's items (OWNER#), due date first; a manager's series (AUTHOR#).
 * - gsi2: every meeting (MEETINGS), newest first; a series' items (SERIES#), oldest meeting first; the people of one
  weekly slot (WEEKLY#), by address, which the weekly job reads a page at a time.
 *
 * Items of a meeting share its partition, so one Query reads a meeting's items in seq order. Items without an
 * owner carry neither gsi1pk nor gsi1sk and stay out of the owner index (a sparse index), as do series without an
 * author. The status leads both item sort keys so that a begins_with('open#') Query returns only open items; a
 * change of status, due date or owner rewrites them. The pointer record holds the ref of the sent mail whose
 * Message-ID (trimmed, lower-cased, in angle brackets) it is named after: a reply's In-Reply-To finds the mail with
 * two GetItems.
 */
export const tableKey = { partitionKey: 'pk', sortKey: 'sk' } as const;

/** Items by owner (OWNER#) and series by author (AUTHOR#). */
export const gsi1 = { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' } as const;

/** Meetings by date (MEETINGS) and items by series (SERIES#). */
export const gsi2 = { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' } as const;

export const globalIndexes = [gsi1, gsi2] as const;

/** Sorts after every real date, so items with no due date come last in an ascending Query. */
export const noDueDate = '9999-12-31';

/** Zero-padding keeps the string order of sort keys equal to the numeric order of seq (2 before 10). */
const padSeq = (seq: number): string => String(seq).padStart(4, '0');

const meta = 'META';

export const meetingKey = (meetingId: string) => ({ pk: `MEETING#${meetingId}`, sk: meta }) as const;

export const itemKey = (meetingId: string, seq: number) =>
  ({ pk: `MEETING#${meetingId}`, sk: `ITEM#${padSeq(seq)}` }) as const;

export const itemSortKeyPrefix = 'ITEM#';

/** Owners are addresses or names as written; either may differ in case between the notes and a query. */
export const ownerPartition = (owner: string): string => `OWNER#${owner.toLowerCase()}`;

export const ownerSortKey = (item: { status: string; due: string | null; meetingId: string; seq: number }): string =>
  `${item.status}#${item.due ?? noDueDate}#${item.meetingId}#${padSeq(item.seq)}`;

/** Leads both item sort keys of an open item. */
export const openSortKeyPrefix = 'open#';

export const seriesItemsPartition = (seriesId: string): string => `SERIES#${seriesId}`;

export const seriesItemsSortKey = (item: {
  status: string;
  meetingDate: string;
  meetingId: string;
  seq: number;
}): string => `${item.status}#${item.meetingDate}#${item.meetingId}#${padSeq(item.seq)}`;

/** Every meeting lives in one index partition: a manager's meetings number in the hundreds a year, not millions. */
export const meetingsPartition = 'MEETINGS';

export const meetingsSortKey = (meeting: { date: string; receivedAt: string; id: string }): string =>
  `${meeting.date}#${meeting.receivedAt}#${meeting.id}`;

export const seriesKey = (seriesId: string) => ({ pk: `SERIES#${seriesId}`, sk: meta }) as const;

export const authorPartition = (address: string): string => `AUTHOR#${address.toLowerCase()}`;

export const authorSortKey = (seriesId: string): string => `SERIES#${seriesId}`;

/** Addresses differ in case between mail clients; the person is the same. */
export const personKey = (address: string) => ({ pk: `PERSON#${address.toLowerCase()}`, sk: meta }) as const;

/** Everyone whose weekly digest goes out at one day, time and zone shares a partition of gsi2. */
export const weeklySlotPartition = (slot: { day: string; time: string; timeZone: string }): string =>
  `WEEKLY#${slot.day}#${slot.time}#${slot.timeZone}`;

export const weeklySlotSortKey = (address: string): string => address.toLowerCase();

/**
 * The lease of one page of a weekly job (see sendWeeklyPage): its `expiresAt` outlasts the page's dead-letter queue
 * (14 days), so a page redriven from there still finds it; the outbox records, not the lease, keep a mail from
 * going twice after that.
 */
export const weeklyPageKey = (pageKey: string) => ({ pk: `WEEKLYPAGE#${pageKey}`, sk: meta }) as const;

export const weeklyPageRetentionSeconds = 14 * 24 * 60 * 60;

/** A bounce or complaint names the address as the recipient's server wrote it, in any case. */
export const suppressionKey = (address: string) =>
  ({ pk: `SUPPRESS#${address.trim().toLowerCase()}`, sk: meta }) as const;

export const sentMailKey = (ref: string) => ({ pk: `MAIL#${ref}`, sk: meta }) as const;

/**
 * A Standard Webhooks delivery, claimed by its webhook-id before ingest. Its `expiresAt` (epoch seconds, the table's
 * TTL attribute, see infra/stacks/data-stack.ts) is days, not the retention of meetings: a replay is only worth
 * refusing while the sender may still retry, and the meeting's own claim keeps a later redelivery from storing
 * anything twice.
 */
export const webhookDeliveryKey = (webhookId: string) => ({ pk: `WEBHOOK#${webhookId}`, sk: meta }) as const;

/**
 * The name of the table's TTL attribute (epoch seconds). Meetings and their items (from the meeting's arrival), series
 * (from their latest write), sent-mail records with their Message-ID pointers, and outbox records carry it, the
 * retention (FOLLOWTHROUGH_RETENTION_DAYS) after; webhook deliveries their own week, weekly page leases two weeks.
 * People and suppressions never expire. DynamoDB deletes expired records days late, so every read drops them itself (DynamoDbStore).
 */
export const ttlAttribute = 'expiresAt';

/** Standard Webhooks senders retry for about a day and a half (5 s … 10 h apart); a week outlasts any of them. */
export const webhookDeliveryRetentionSeconds = 7 * 24 * 60 * 60;

/** A mail's outbox record, under its deterministic key (mailRef); a reply finds the mail by its ref, under MAIL#. */
export const outboxKey = (key: string) => ({ pk: `OUTBOX#${key}`, sk: meta }) as const;

/**
 * A Message-ID as the pointer's key: trimmed, lower-cased and in angle brackets, because In-Reply-To and
 * References come back from mail clients with or without the brackets and sometimes in another case.
 */
export const normaliseMessageId = (messageId: string): string => {
  const open = messageId.trim().replace(/^<\s*/, '');
  // The closing bracket and the spaces before it, without /\s*>$/, which re-reads a run of spaces from each one.
  const bare = (open.endsWith('>') ? open.slice(0, -1).trimEnd() : open).toLowerCase();
  return `<${bare}>`;
};

export const messageIdKey = (messageId: string) =>
  ({ pk: `MSGID#${normaliseMessageId(messageId)}`, sk: meta }) as const;

export const tableDefinition = (tableName: string): CreateTableCommandInput => ({
  TableName: tableName,
  BillingMode: 'PAY_PER_REQUEST',
  AttributeDefinitions: [
    tableKey.partitionKey,
    tableKey.sortKey,
    ...globalIndexes.flatMap((index) => [index.partitionKey, index.sortKey]),
  ].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
  KeySchema: [
    { AttributeName: tableKey.partitionKey, KeyType: 'HASH' },
    { AttributeName: tableKey.sortKey, KeyType: 'RANGE' },
  ],
  GlobalSecondaryIndexes: globalIndexes.map((index) => ({
    IndexName: index.name,
    KeySchema: [
      { AttributeName: index.partitionKey, KeyType: 'HASH' },
      { AttributeName: index.sortKey, KeyType: 'RANGE' },
    ],
    // Every read maps whole records back to the model, so the indexes carry every attribute.
    Projection: { ProjectionType: 'ALL' },
  })),
});
