import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { DEFAULT_RETENTION_DAYS } from '../../config/env';
import {
  authorPartition,
  authorSortKey,
  gsi1,
  gsi2,
  itemKey,
  itemSortKeyPrefix,
  meetingKey,
  meetingsPartition,
  meetingsSortKey,
  messageIdKey,
  openSortKeyPrefix,
  outboxKey,
  ownerPartition,
  ownerSortKey,
  personKey,
  sentMailKey,
  seriesItemsPartition,
  seriesItemsSortKey,
  seriesKey,
  suppressionKey,
  ttlAttribute,
  webhookDeliveryKey,
  webhookDeliveryRetentionSeconds,
  weeklyPageKey,
  weeklyPageRetentionSeconds,
  weeklySlotPartition,
  weeklySlotSortKey,
} from '../../config/table';
import { FollowthroughError, InvalidInputError, NotFoundError } from '../../domain/errors';
import type {
  ItemChange,
  ItemState,
  ItemStatus,
  Meeting,
  OptOutKind,
  OutboxRecord,
  PersonRecord,
  SentMailRecord,
  Series,
  StoredItem,
  SuppressionRecord,
  WeeklySlot,
} from '../../domain/model';
import { OPT_OUT_KINDS, slotOf } from '../../domain/model';
import type {
  ClaimResult,
  ItemQuery,
  OutboxClaim,
  OutboxClaimResult,
  OutboxSent,
  Page,
  Store,
  WebhookDelivery,
  WebhookDeliveryClaim,
  WeeklyPageLease,
} from '../../ports/store';
import { Documents } from './dynamodb-documents';

// The schemas strip the key attributes (pk, sk, gsi…) on the way out and reject a record that no longer matches the
// model, rather than letting a half-formed object travel into the use cases.
const person = z.object({ address: z.string(), name: z.nullable(z.string()) });

const meetingRecord = z.object({
  id: z.string(),
  messageId: z.string(),
  rawKey: z.string(),
  receivedAt: z.string(),
  state: z.enum(['pending', 'complete', 'unverified']),
  itemCount: z.number(),
  wrapupSentAt: z.nullable(z.string()),
  seriesId: z.string(),
  date: z.string(),
  sentAt: z.nullable(z.string()),
  utcOffsetMinutes: z.nullable(z.number()),
  timeZone: z.nullable(z.string()),
  subject: z.string(),
  attendees: z.array(person),
  author: z.nullable(person),
  nextMeetingDate: z.nullable(z.string()),
  agenda: z.array(z.string()),
});

const itemStatus = z.enum(['open', 'done', 'dropped']);

const itemFlag = z.enum(['no-owner', 'no-date', 'owner-not-attendee', 'ambiguous-date']);

const itemState = z.object({
  status: itemStatus,
  due: z.nullable(z.string()),
  owner: z.nullable(z.string()),
  ownerName: z.nullable(z.string()),
  snoozedUntil: z.nullable(z.string()),
  flags: z.array(itemFlag),
});

const itemChange = z.object({
  action: z.enum(['done', 'drop', 'snooze', 'due', 'owner']),
  by: z.string(),
  at: z.string(),
  previous: itemState,
  via: z.exactOptional(z.string()),
});

const itemRecord = z.object({
  meetingId: z.string(),
  seq: z.number(),
  status: itemStatus,
  createdAt: z.string(),
  updatedAt: z.string(),
  seriesId: z.string(),
  meetingDate: z.string(),
  snoozedUntil: z.nullable(z.string()),
  lastChange: z.nullable(itemChange),
  text: z.string(),
  owner: z.nullable(z.string()),
  ownerName: z.nullable(z.string()),
  due: z.nullable(z.string()),
  source: z.string(),
  ownerSource: z.nullable(z.string()),
  dueSource: z.nullable(z.string()),
  flags: z.array(itemFlag),
  section: z.enum(['action', 'growth', 'agenda']),
});

const weekday = z.enum(['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN']);

const seriesRecord = z.object({
  id: z.string(),
  members: z.array(person),
  author: z.nullable(person),
  meetings: z.array(z.object({ id: z.string(), date: z.string() })),
  nextMeeting: z.nullable(z.object({ date: z.string(), source: z.enum(['notes', 'calendar', 'cadence']) })),
  timeZone: z.string(),
  version: z.number(),
  updatedAt: z.string(),
});

const optOutKind = z.enum(OPT_OUT_KINDS);

/**
 * Opt-outs are a DynamoDB string set, so that ADD and DELETE change one kind atomically and a repeat is a no-op;
 * the document client hands a set back as a Set. An empty set cannot be stored: no opt-out, no attribute.
 */
const optOutSet = z.pipe(
  z.set(optOutKind),
  z.transform((kinds): OptOutKind[] => OPT_OUT_KINDS.filter((kind) => kinds.has(kind))),
);

const personRecord = z.object({
  address: z.string(),
  name: z.nullable(z.string()),
  timeZone: z.string(),
  weekly: z.object({ day: weekday, time: z.string() }),
  createdAt: z.string(),
  updatedAt: z.string(),
  optOut: z.exactOptional(optOutSet),
  authored: z.exactOptional(z.boolean()),
});

/** The numbers a mail showed and the item each stands for (a sent mail's and an outbox record's). */
const itemRefs = z.array(z.object({ number: z.number(), meetingId: z.string(), seq: z.number() }));

const sentMailRecord = z.object({
  ref: z.string(),
  kind: z.enum(['wrapup', 'digest', 'weekly', 'rollup', 'confirmation', 'notice']),
  messageId: z.string(),
  to: z.array(z.string()),
  subject: z.string(),
  sentAt: z.string(),
  meetingId: z.nullable(z.string()),
  seriesId: z.nullable(z.string()),
  items: itemRefs,
});

const messageIdPointer = z.object({ ref: z.string() });

const outboxRecord = z.object({
  key: z.string(),
  ref: z.string(),
  messageId: z.string(),
  kind: z.enum(['wrapup', 'digest', 'weekly', 'rollup', 'confirmation', 'notice']),
  to: z.array(z.string()),
  subject: z.string(),
  meetingId: z.nullable(z.string()),
  seriesId: z.nullable(z.string()),
  items: itemRefs,
  state: z.enum(['pending', 'sent']),
  claimedAt: z.string(),
  sentAt: z.nullable(z.string()),
});

const webhookDeliveryRecord = z.object({
  webhookId: z.string(),
  state: z.enum(['pending', 'complete']),
  receivedAt: z.string(),
  expiresAt: z.number(),
  meetingId: z.nullable(z.string()),
  completedAt: z.nullable(z.string()),
});

const suppressionRecord = z.object({
  address: z.string(),
  reason: z.enum(['bounce', 'complaint']),
  detail: z.string(),
  feedbackId: z.string(),
  at: z.string(),
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

const toSeries = (record: StoredRecord): Series => parseRecord(seriesRecord, record);

const toPerson = (record: StoredRecord): PersonRecord => parseRecord(personRecord, record);

const toSentMail = (record: StoredRecord): SentMailRecord => parseRecord(sentMailRecord, record);

const toOutbox = (record: StoredRecord): OutboxRecord => parseRecord(outboxRecord, record);

const toSuppression = (record: StoredRecord): SuppressionRecord => parseRecord(suppressionRecord, record);

const toWebhookDelivery = (record: StoredRecord): WebhookDelivery => parseRecord(webhookDeliveryRecord, record);

const epochSeconds = (iso: string): number => Math.floor(Date.parse(iso) / 1000);

/** An item with every key it is stored under; no owner, no gsi1 keys: it stays out of the owner index. */
const itemWithKeys = (item: StoredItem): StoredRecord => ({
  ...item,
  ...itemKey(item.meetingId, item.seq),
  [gsi1.partitionKey]: item.owner === null ? undefined : ownerPartition(item.owner),
  [gsi1.sortKey]: item.owner === null ? undefined : ownerSortKey(item),
  [gsi2.partitionKey]: seriesItemsPartition(item.seriesId),
  [gsi2.sortKey]: seriesItemsSortKey(item),
});

/*
 * Records as stored, keys and expiry included: the store's own writes use them, and so does a tool that loads many at
 * once (bench/fanout.ts seeds its tables with BatchWriteItem), so that the two cannot store different shapes.
 */

/** An item expires with its meeting (its createdAt is the meeting's arrival). */
export const storedItem = (item: StoredItem, retentionDays = DEFAULT_RETENTION_DAYS): StoredRecord => ({
  ...itemWithKeys(item),
  [ttlAttribute]: epochSeconds(item.createdAt) + retentionDays * 86_400,
});

/** A series is listed under its author (gsi1) and expires counted from its latest write. */
export const storedSeries = (series: Series, retentionDays = DEFAULT_RETENTION_DAYS): StoredRecord => ({
  ...series,
  ...seriesKey(series.id),
  [gsi1.partitionKey]: series.author === null ? undefined : authorPartition(series.author.address),
  [gsi1.sortKey]: series.author === null ? undefined : authorSortKey(series.id),
  [ttlAttribute]: epochSeconds(series.updatedAt) + retentionDays * 86_400,
});

/** A person is listed under their weekly slot (gsi2), and never expires. */
export const storedPerson = (person: PersonRecord): StoredRecord => ({
  ...person,
  // A string set (see optOutSet), and an empty set cannot be stored: no opt-out, no attribute.
  optOut: person.optOut === undefined || person.optOut.length === 0 ? undefined : new Set(person.optOut),
  ...personKey(person.address),
  ...slotKeys(person),
});

const slotKeys = (person: PersonRecord) => ({
  [gsi2.partitionKey]: weeklySlotPartition(slotOf(person)),
  [gsi2.sortKey]: weeklySlotSortKey(person.address),
});

const statusRank: Record<ItemStatus, number> = { open: 0, done: 1, dropped: 2 };

const byMeetingThenSeq = (a: StoredItem, b: StoredItem): number =>
  a.meetingDate.localeCompare(b.meetingDate) || a.meetingId.localeCompare(b.meetingId) || a.seq - b.seq;

const defaultPageSize = 20;

/** DynamoDB's own limits: keys in one BatchGetItem, records in one BatchWriteItem. */
const maxBatchGet = 100;
const maxBatchWrite = 25;

/**
 * Unprocessed keys and records are throttling, so they are retried as the SDK retries a throttled request: exponential
 * backoff with full jitter, here from 50 ms, for 8 attempts (at most ≈ 6 s of waiting) before the caller is failed.
 */
const maxBatchAttempts = 8;

async function backoff(attempt: number, what: string): Promise<void> {
  if (attempt >= maxBatchAttempts) throw new FollowthroughError(`${what} after ${maxBatchAttempts} attempts`);
  await new Promise((resolve) => setTimeout(resolve, Math.random() * 50 * 2 ** attempt));
}

function chunked<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

/** How many times setItemStatus reads again after someone else changed the item between its read and its write. */
const maxStatusAttempts = 3;

type Index = typeof gsi1 | typeof gsi2;

/**
 * A cursor is the LastEvaluatedKey of an index Query: the table key plus that index's key. It is checked against
 * the index and partition it is used with, so that a forged or foreign cursor is refused as input here rather than
 * as a ValidationException from DynamoDB.
 */
const encodeCursor = (index: Index, key: StoredRecord): string =>
  Buffer.from(
    JSON.stringify({
      pk: key.pk,
      sk: key.sk,
      [index.partitionKey]: key[index.partitionKey],
      [index.sortKey]: key[index.sortKey],
    }),
    'utf8',
  ).toString('base64url');

const decodeCursor = (index: Index, partition: string, cursor: string): StoredRecord => {
  const schema = z.object({
    pk: z.string(),
    sk: z.string(),
    [index.partitionKey]: z.literal(partition),
    [index.sortKey]: z.string(),
  });
  try {
    return schema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch (error) {
    throw new InvalidInputError('cursor', 'This page link is not one we issued: start again from the first page.', {
      cause: error,
    });
  }
};

const stateOf = (item: StoredItem): ItemState => ({
  status: item.status,
  due: item.due,
  owner: item.owner,
  ownerName: item.ownerName,
  snoozedUntil: item.snoozedUntil,
  flags: item.flags,
});

const itemNotFound = (meetingId: string, seq: number, cause?: unknown): NotFoundError =>
  new NotFoundError(`There is no item ${seq} in meeting ${meetingId}.`, cause === undefined ? {} : { cause });

export interface DynamoDbStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  /** What time it is for the expiry of records: the stack's clock, so that a moved clock sees them expire. */
  now?: () => Date;
  /** How long meetings, items, series and sent-mail records live (DEFAULT_RETENTION_DAYS). */
  retentionDays?: number;
}

export class DynamoDbStore implements Store {
  readonly #documents: Documents;
  readonly #tableName: string;
  readonly #now: () => Date;
  readonly #retentionSeconds: number;

  constructor({
    client,
    tableName,
    now = () => new Date(),
    retentionDays = DEFAULT_RETENTION_DAYS,
  }: DynamoDbStoreOptions) {
    this.#documents = new Documents(client);
    this.#tableName = tableName;
    this.#now = now;
    this.#retentionSeconds = retentionDays * 86_400;
  }

  async claimMeeting(meeting: Meeting): Promise<ClaimResult> {
    const claimed = await this.#putIfAbsent({
      ...meeting,
      // The port promises a pending meeting whatever state the caller built: complete comes only from
      // completeMeeting, after the items and the wrap-up schedule exist. An unverified meeting stays so: it is final.
      state: meeting.state === 'unverified' ? 'unverified' : 'pending',
      ...meetingKey(meeting.id),
      [gsi2.partitionKey]: meetingsPartition,
      [gsi2.sortKey]: meetingsSortKey(meeting),
      [ttlAttribute]: this.#expiresAt(meeting.receivedAt),
    });
    if (claimed) return { outcome: 'claimed' };
    const existing = await this.getMeeting(meeting.id);
    if (existing === null) {
      // Nothing deletes meetings, so a failed condition with no meeting behind it is a broken table, not a race.
      throw new FollowthroughError(`Meeting ${meeting.id} exists by its key but cannot be read back`);
    }
    return existing.state === 'pending'
      ? { outcome: 'resumed', meeting: existing }
      : { outcome: 'duplicate', meeting: existing };
  }

  async putItems(items: StoredItem[]): Promise<void> {
    // One conditional put per item, not a batch: BatchWriteItem takes no condition, and an item that exists may
    // already be marked done by its owner, which a resumed ingest must not undo.
    // An item expires with its meeting (its createdAt is the meeting's arrival), so that no item outlives the
    // meeting a digest or a reply would look up beside it.
    await Promise.all(items.map((item) => this.#putIfAbsent(storedItem(item, this.#retentionSeconds / 86_400))));
  }

  async completeMeeting(meetingId: string): Promise<void> {
    await this.#updateMeeting(meetingId, 'SET #state = :complete', { '#state': 'state' }, { ':complete': 'complete' });
  }

  async getMeeting(meetingId: string): Promise<Meeting | null> {
    // Consistent: the claim that just failed its condition must see the meeting that made it fail.
    const record = await this.#get(meetingKey(meetingId));
    return record === undefined ? null : toMeeting(record);
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
    const records = await this.#queryIndex(gsi1, ownerPartition(owner), openOnly ? openSortKeyPrefix : undefined);
    // The index orders by status name, and 'done' and 'dropped' sort before 'open'. Within a status it is already
    // due date first, so a stable sort on the status alone puts open items at the top and keeps that order.
    return records.map(toItem).sort((a, b) => statusRank[a.status] - statusRank[b.status]);
  }

  async listMeetings(options: { limit?: number; cursor?: string } = {}): Promise<Page<Meeting>> {
    return this.#page(gsi2, meetingsPartition, { ...options, newestFirst: true }, toMeeting);
  }

  async setItemStatus(meetingId: string, seq: number, status: ItemStatus, at: string): Promise<StoredItem> {
    // Only the status changes, but the index keys hold the due date and owner too, and an update expression
    // cannot build a string from attributes: the item is read first and written only if nobody changed it since.
    for (let attempt = 1; ; attempt += 1) {
      const current = await this.getItem(meetingId, seq);
      if (current === null) throw itemNotFound(meetingId, seq);
      try {
        return await this.#writeItem(current, { ...stateOf(current), status }, current.lastChange, at, {
          unchangedSince: current.updatedAt,
        });
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        if (attempt >= maxStatusAttempts) {
          throw new FollowthroughError(`Item ${seq} of ${meetingId} kept changing while its status was set`, {
            cause: error,
          });
        }
      }
    }
  }

  async getItem(meetingId: string, seq: number): Promise<StoredItem | null> {
    const record = await this.#get(itemKey(meetingId, seq));
    return record === undefined ? null : toItem(record);
  }

  async updateItem(
    meetingId: string,
    seq: number,
    state: ItemState,
    lastChange: ItemChange | null,
    at: string,
  ): Promise<StoredItem> {
    // Read for the meeting date in the series key; it never changes, so a write in between cannot stale it, and
    // every other part of both index keys comes from `state`, written in the same update.
    const current = await this.getItem(meetingId, seq);
    if (current === null) throw itemNotFound(meetingId, seq);
    try {
      return await this.#writeItem(current, state, lastChange, at, {});
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw itemNotFound(meetingId, seq, error);
      throw error;
    }
  }

  async listSeriesItems(seriesId: string, options: { openOnly?: boolean } = {}): Promise<StoredItem[]> {
    const { openOnly = false } = options;
    const records = await this.#queryIndex(
      gsi2,
      seriesItemsPartition(seriesId),
      openOnly ? openSortKeyPrefix : undefined,
    );
    // Without openOnly the index groups by status first; the port promises meeting order across statuses.
    return records.map(toItem).sort(byMeetingThenSeq);
  }

  async getSeries(seriesId: string): Promise<Series | null> {
    // Consistent: a caller that lost a putSeries race reads again and must see the winner's version.
    const record = await this.#get(seriesKey(seriesId));
    return record === undefined ? null : toSeries(record);
  }

  async putSeries(series: Series, expectedVersion: number): Promise<boolean> {
    try {
      await this.#documents.put({
        TableName: this.#tableName,
        // Expiry counted from its latest write: a series that still meets stays, one that stopped goes.
        Item: storedSeries(series, this.#retentionSeconds / 86_400),
        ...(expectedVersion === 0
          ? this.#absentCondition()
          : {
              ConditionExpression: '#version = :expected',
              ExpressionAttributeNames: { '#version': 'version' },
              ExpressionAttributeValues: { ':expected': expectedVersion },
            }),
      });
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async listSeriesByAuthor(address: string, options: { limit?: number; cursor?: string } = {}): Promise<Page<Series>> {
    return this.#page(gsi1, authorPartition(address), { ...options, newestFirst: false }, toSeries);
  }

  async getPerson(address: string): Promise<PersonRecord | null> {
    const record = await this.#get(personKey(address));
    return record === undefined ? null : toPerson(record);
  }

  async putPersonIfAbsent(person: PersonRecord): Promise<PersonRecord> {
    if (await this.#putIfAbsent(storedPerson(person))) return person;
    const record = await this.#get(personKey(person.address));
    if (record === undefined) {
      throw new FollowthroughError(`Person ${person.address} exists by its key but cannot be read back`);
    }
    const stored = toPerson(record);
    // Stored before people were indexed by weekly slot: without these keys the weekly job would never find them.
    if (record[gsi2.partitionKey] === undefined) await this.#indexBySlot(stored);
    return stored;
  }

  async markAuthored(address: string, authored: boolean): Promise<void> {
    try {
      await this.#documents.update({
        TableName: this.#tableName,
        Key: personKey(address),
        UpdateExpression: 'SET #authored = :authored',
        // Without attribute_exists UpdateItem would create a bare person.
        ConditionExpression: authored
          ? 'attribute_exists(pk)'
          : 'attribute_exists(pk) AND attribute_not_exists(#authored)',
        ExpressionAttributeNames: { '#authored': 'authored' },
        ExpressionAttributeValues: { ':authored': authored },
      });
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async #indexBySlot(person: PersonRecord): Promise<void> {
    const keys = slotKeys(person);
    try {
      await this.#documents.update({
        TableName: this.#tableName,
        Key: personKey(person.address),
        UpdateExpression: 'SET #slotPk = :slotPk, #slotSk = :slotSk',
        // Once: a concurrent upgrade, or a later change of slot written with the record, is not overwritten.
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#slotPk)',
        ExpressionAttributeNames: { '#slotPk': gsi2.partitionKey, '#slotSk': gsi2.sortKey },
        ExpressionAttributeValues: { ':slotPk': keys[gsi2.partitionKey], ':slotSk': keys[gsi2.sortKey] },
      });
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async setOptOut(address: string, kind: OptOutKind, optedOut: boolean, at: string): Promise<PersonRecord> {
    try {
      const { Attributes } = await this.#documents.update({
        TableName: this.#tableName,
        Key: personKey(address),
        UpdateExpression: `${optedOut ? 'ADD' : 'DELETE'} #optOut :kinds SET #updatedAt = :at`,
        // The condition makes a repeat change nothing at all, updatedAt included; contains() on a missing set is
        // false, and a missing person fails attribute_exists.
        ConditionExpression: optedOut
          ? 'attribute_exists(pk) AND NOT contains(#optOut, :kind)'
          : 'contains(#optOut, :kind)',
        ExpressionAttributeNames: { '#optOut': 'optOut', '#updatedAt': 'updatedAt' },
        ExpressionAttributeValues: { ':kinds': new Set([kind]), ':kind': kind, ':at': at },
        ReturnValues: 'ALL_NEW',
      });
      if (Attributes === undefined) throw new FollowthroughError(`Person ${address} was updated but not returned`);
      return toPerson(Attributes);
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const person = await this.getPerson(address);
      if (person === null) throw new NotFoundError(`There is no person ${address}.`, { cause: error });
      return person;
    }
  }

  async recordSentMail(mail: SentMailRecord): Promise<void> {
    // The mail first, then the pointer: a pointer never leads to a missing mail, and a retry after a crash
    // between the two writes the pointer it missed. A ref seen before keeps the mail first recorded under it.
    const expiresAt = this.#expiresAt(mail.sentAt);
    await this.#putIfAbsent({ ...mail, ...sentMailKey(mail.ref), [ttlAttribute]: expiresAt });
    await this.#documents.put({
      TableName: this.#tableName,
      Item: { ref: mail.ref, ...messageIdKey(mail.messageId), [ttlAttribute]: expiresAt },
    });
  }

  async getSentMail(ref: string): Promise<SentMailRecord | null> {
    const record = await this.#get(sentMailKey(ref));
    return record === undefined ? null : toSentMail(record);
  }

  async findSentMailByMessageId(messageId: string): Promise<SentMailRecord | null> {
    const pointer = await this.#get(messageIdKey(messageId));
    return pointer === undefined ? null : this.getSentMail(parseRecord(messageIdPointer, pointer).ref);
  }

  async claimOutbox(claim: OutboxClaim): Promise<OutboxClaimResult> {
    // The port promises a pending record whatever the caller passed: sent comes only from markOutboxSent.
    const record: OutboxRecord = { ...claim, state: 'pending', sentAt: null };
    // It expires with the mail's SentMailRecord: its key is only ever asked for again while the mail is recent.
    const stored = { ...record, ...outboxKey(claim.key), [ttlAttribute]: this.#expiresAt(claim.claimedAt) };
    if (await this.#putIfAbsent(stored)) return { outcome: 'claimed', record };
    const existing = await this.getOutbox(claim.key);
    if (existing === null) {
      // Nothing deletes outbox records, so a failed condition with no record behind it is a broken table.
      throw new FollowthroughError(`Outbox record ${claim.key} exists by its key but cannot be read back`);
    }
    return { outcome: 'exists', record: existing };
  }

  async getOutbox(key: string): Promise<OutboxRecord | null> {
    // Consistent: the claim that just failed its condition must see the record that made it fail.
    const record = await this.#get(outboxKey(key));
    return record === undefined ? null : toOutbox(record);
  }

  async markOutboxSent(key: string, sent: { messageId: string; sentAt: string }): Promise<void> {
    const record = await this.getOutbox(key);
    if (record === null) throw new NotFoundError(`There is no outbox record ${key}.`);
    const { ref, kind, to, subject, meetingId, seriesId, items } = record;
    await this.recordSentMail({
      ref,
      kind,
      messageId: sent.messageId,
      to,
      subject,
      sentAt: sent.sentAt,
      meetingId,
      seriesId,
      items,
    });
    if (record.state === 'sent') return;
    try {
      await this.#documents.update({
        TableName: this.#tableName,
        Key: outboxKey(key),
        UpdateExpression: 'SET #state = :sent, #sentAt = :at',
        ConditionExpression: '#state = :pending',
        ExpressionAttributeNames: { '#state': 'state', '#sentAt': 'sentAt' },
        ExpressionAttributeValues: { ':sent': 'sent', ':pending': 'pending', ':at': sent.sentAt },
      });
    } catch (error) {
      // Another attempt at the same mail marked it between the read and this write: its sentAt stands.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async suppressAddress(record: SuppressionRecord): Promise<void> {
    // Conditional: a repeat of the event, or a later bounce of mail already in flight, keeps the first record.
    await this.#putIfAbsent({
      ...record,
      address: record.address.trim().toLowerCase(),
      ...suppressionKey(record.address),
    });
  }

  async getSuppression(address: string): Promise<SuppressionRecord | null> {
    const record = await this.#get(suppressionKey(address));
    return record === undefined ? null : toSuppression(record);
  }

  async claimWebhookDelivery(webhookId: string, at: string): Promise<WebhookDeliveryClaim> {
    const delivery: WebhookDelivery = {
      webhookId,
      state: 'pending',
      receivedAt: at,
      expiresAt: epochSeconds(at) + webhookDeliveryRetentionSeconds,
      meetingId: null,
      completedAt: null,
    };
    try {
      await this.#documents.put({
        TableName: this.#tableName,
        Item: { ...delivery, ...webhookDeliveryKey(webhookId) },
        // TTL deletes expired records days late (and dynalite never): an expired record counts as absent.
        ConditionExpression: 'attribute_not_exists(pk) OR #expiresAt <= :now',
        ExpressionAttributeNames: { '#expiresAt': ttlAttribute },
        ExpressionAttributeValues: { ':now': epochSeconds(at) },
      });
      return { outcome: 'claimed', delivery };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const existing = await this.getWebhookDelivery(webhookId);
    if (existing === null) {
      // Only TTL deletes these records, and not within the moment between the failed put and this read.
      throw new FollowthroughError(`Webhook delivery ${webhookId} exists by its key but cannot be read back`);
    }
    return { outcome: 'seen', delivery: existing };
  }

  async completeWebhookDelivery(webhookId: string, meetingId: string, at: string): Promise<void> {
    try {
      await this.#documents.update({
        TableName: this.#tableName,
        Key: webhookDeliveryKey(webhookId),
        UpdateExpression: 'SET #state = :complete, #meetingId = :meetingId, #completedAt = :at',
        // Without it UpdateItem would create a bare record (with no expiry) for an unknown id.
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#state': 'state', '#meetingId': 'meetingId', '#completedAt': 'completedAt' },
        ExpressionAttributeValues: { ':complete': 'complete', ':meetingId': meetingId, ':at': at },
      });
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new NotFoundError(`There is no webhook delivery ${webhookId}.`, { cause: error });
      }
      throw error;
    }
  }

  async getWebhookDelivery(webhookId: string): Promise<WebhookDelivery | null> {
    // Consistent: the claim that just failed its condition must see the record that made it fail.
    const record = await this.#get(webhookDeliveryKey(webhookId), { expired: true });
    return record === undefined ? null : toWebhookDelivery(record);
  }

  async listPeopleInSlot(
    slot: WeeklySlot,
    options: { limit?: number; cursor?: string } = {},
  ): Promise<Page<PersonRecord>> {
    return this.#page(gsi2, weeklySlotPartition(slot), { ...options, newestFirst: false }, toPerson);
  }

  async getPeople(addresses: readonly string[]): Promise<PersonRecord[]> {
    return (await this.#batchGet(addresses.map(personKey))).map(toPerson);
  }

  async getSeriesMany(seriesIds: readonly string[]): Promise<Series[]> {
    return (await this.#batchGet(seriesIds.map(seriesKey))).map(toSeries);
  }

  async getSuppressions(addresses: readonly string[]): Promise<SuppressionRecord[]> {
    return (await this.#batchGet(addresses.map(suppressionKey))).map(toSuppression);
  }

  async getOutboxMany(keys: readonly string[]): Promise<OutboxRecord[]> {
    return (await this.#batchGet(keys.map(outboxKey))).map(toOutbox);
  }

  async putOutboxClaims(claims: readonly OutboxClaim[]): Promise<void> {
    // Pending whatever the caller passed, and expiring as claimOutbox's records do.
    await this.#batchPut(
      claims.map((claim) => ({
        ...claim,
        state: 'pending',
        sentAt: null,
        ...outboxKey(claim.key),
        [ttlAttribute]: this.#expiresAt(claim.claimedAt),
      })),
    );
  }

  async markOutboxSentMany(sent: readonly OutboxSent[]): Promise<void> {
    // Two rounds, as markOutboxSent writes in two steps: a batch's records land in no set order, and a sent outbox
    // record must never be there without the SentMailRecord a reply looks for.
    await this.#batchPut(
      sent.flatMap(({ record, messageId, sentAt }) => {
        const { ref, kind, to, subject, meetingId, seriesId, items } = record;
        const expiresAt = this.#expiresAt(sentAt);
        const mail: SentMailRecord = { ref, kind, messageId, to, subject, sentAt, meetingId, seriesId, items };
        return [
          { ...mail, ...sentMailKey(ref), [ttlAttribute]: expiresAt },
          { ref, ...messageIdKey(messageId), [ttlAttribute]: expiresAt },
        ];
      }),
    );
    await this.#batchPut(
      sent.map(({ record, sentAt }) => ({
        ...record,
        state: 'sent',
        sentAt,
        ...outboxKey(record.key),
        [ttlAttribute]: this.#expiresAt(record.claimedAt),
      })),
    );
  }

  async claimWeeklyPage(pageKey: string, until: string): Promise<WeeklyPageLease> {
    const now = Math.floor(this.#now().getTime() / 1000);
    try {
      await this.#documents.put({
        TableName: this.#tableName,
        Item: {
          ...weeklyPageKey(pageKey),
          state: 'leased',
          leasedUntil: epochSeconds(until),
          [ttlAttribute]: now + weeklyPageRetentionSeconds,
        },
        // Free, expired, or leased by a worker whose lease ran out (it crashed, or its Lambda timed out).
        ConditionExpression:
          'attribute_not_exists(pk) OR #expiresAt <= :now OR (#state = :leased AND #leasedUntil <= :now)',
        ExpressionAttributeNames: { '#expiresAt': ttlAttribute, '#state': 'state', '#leasedUntil': 'leasedUntil' },
        ExpressionAttributeValues: { ':now': now, ':leased': 'leased' },
      });
      return 'claimed';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const lease = await this.#get(weeklyPageKey(pageKey));
    return lease?.state === 'done' ? 'done' : 'busy';
  }

  async completeWeeklyPage(pageKey: string): Promise<void> {
    try {
      await this.#documents.update({
        TableName: this.#tableName,
        Key: weeklyPageKey(pageKey),
        UpdateExpression: 'SET #state = :done',
        // Without it UpdateItem would create a bare lease (with no expiry) for a page never claimed.
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':done': 'done' },
      });
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new NotFoundError(`There is no lease on weekly page ${pageKey}.`, { cause: error });
      }
      throw error;
    }
  }

  async releaseWeeklyPage(pageKey: string, until: string): Promise<void> {
    try {
      await this.#documents.update({
        TableName: this.#tableName,
        Key: weeklyPageKey(pageKey),
        UpdateExpression: 'SET #leasedUntil = :zero',
        // Only the caller's own lease: one that ran out and was taken by another worker since stays theirs.
        ConditionExpression: '#state = :leased AND #leasedUntil = :until',
        ExpressionAttributeNames: { '#state': 'state', '#leasedUntil': 'leasedUntil' },
        ExpressionAttributeValues: { ':leased': 'leased', ':until': epochSeconds(until), ':zero': 0 },
      });
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /**
   * BatchGetItem, 100 keys a request (its limit), the requests at once; the keys DynamoDB left unprocessed (it
   * throttled, or a response passed 16 MB) are asked for again after a backoff. Expired records are dropped.
   */
  async #batchGet(keys: ReadonlyArray<{ pk: string; sk: string }>): Promise<StoredRecord[]> {
    const unique = [...new Map(keys.map((key) => [`${key.pk}\n${key.sk}`, key])).values()];
    const chunks = await Promise.all(
      chunked(unique, maxBatchGet).map(async (chunk) => {
        const records: StoredRecord[] = [];
        let pending: Array<Record<string, unknown>> = chunk;
        for (let attempt = 0; pending.length > 0; attempt += 1) {
          if (attempt > 0) await backoff(attempt, `BatchGetItem left ${pending.length} keys unprocessed`);
          const { Responses, UnprocessedKeys } = await this.#documents.batchGet(
            // Consistent, as every GetItem of this store: an opt-out or a claim just written must be seen.
            { RequestItems: { [this.#tableName]: { Keys: pending, ConsistentRead: true } } },
          );
          records.push(...(Responses?.[this.#tableName] ?? []));
          pending = UnprocessedKeys?.[this.#tableName]?.Keys ?? [];
        }
        return records;
      }),
    );
    return chunks.flat().filter((record) => this.#live(record));
  }

  /** BatchWriteItem puts, 25 records a request (its limit), retrying what DynamoDB left unprocessed. */
  async #batchPut(records: readonly StoredRecord[]): Promise<void> {
    await Promise.all(
      chunked(records, maxBatchWrite).map(async (chunk) => {
        let pending: Array<Record<string, unknown>> = chunk.map((Item) => ({ PutRequest: { Item } }));
        for (let attempt = 0; pending.length > 0; attempt += 1) {
          if (attempt > 0) await backoff(attempt, `BatchWriteItem left ${pending.length} records unprocessed`);
          const { UnprocessedItems } = await this.#documents.batchWrite({
            RequestItems: { [this.#tableName]: pending },
          });
          pending = UnprocessedItems?.[this.#tableName] ?? [];
        }
      }),
    );
  }

  /** Writes an item's state, its change and both index keys in one update; throws ConditionalCheckFailed. */
  async #writeItem(
    current: StoredItem,
    state: ItemState,
    lastChange: ItemChange | null,
    at: string,
    { unchangedSince }: { unchangedSince?: string },
  ): Promise<StoredItem> {
    const next = { ...current, ...state };
    const names: Record<string, string> = {
      '#status': 'status',
      '#due': 'due',
      '#owner': 'owner',
      '#ownerName': 'ownerName',
      '#snoozedUntil': 'snoozedUntil',
      '#flags': 'flags',
      '#lastChange': 'lastChange',
      '#updatedAt': 'updatedAt',
      '#ownerPk': gsi1.partitionKey,
      '#ownerSk': gsi1.sortKey,
      '#seriesSk': gsi2.sortKey,
    };
    const values: Record<string, unknown> = {
      ':status': state.status,
      ':due': state.due,
      ':owner': state.owner,
      ':ownerName': state.ownerName,
      ':snoozedUntil': state.snoozedUntil,
      ':flags': state.flags,
      ':lastChange': lastChange,
      ':at': at,
      ':seriesSk': seriesItemsSortKey(next),
    };
    const set = [
      '#status = :status',
      '#due = :due',
      '#owner = :owner',
      '#ownerName = :ownerName',
      '#snoozedUntil = :snoozedUntil',
      '#flags = :flags',
      '#lastChange = :lastChange',
      '#updatedAt = :at',
      '#seriesSk = :seriesSk',
    ];
    let remove = '';
    if (state.owner === null) {
      // An item that loses its owner leaves the owner index: REMOVE, since an index key cannot be null.
      remove = ' REMOVE #ownerPk, #ownerSk';
    } else {
      set.push('#ownerPk = :ownerPk', '#ownerSk = :ownerSk');
      values[':ownerPk'] = ownerPartition(state.owner);
      values[':ownerSk'] = ownerSortKey(next);
    }
    // Without attribute_exists UpdateItem would create a bare record for an unknown item.
    let condition = 'attribute_exists(pk)';
    if (unchangedSince !== undefined) {
      condition += ' AND #updatedAt = :seen';
      values[':seen'] = unchangedSince;
    }
    const { Attributes } = await this.#documents.update({
      TableName: this.#tableName,
      Key: itemKey(current.meetingId, current.seq),
      UpdateExpression: `SET ${set.join(', ')}${remove}`,
      ConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValues: 'ALL_NEW',
    });
    if (Attributes === undefined) {
      throw new FollowthroughError(`Updating item ${current.seq} of ${current.meetingId} returned nothing`);
    }
    return toItem(Attributes);
  }

  /** Puts the record unless one with its key exists (and has not expired); says whether it did. */
  async #putIfAbsent(record: StoredRecord): Promise<boolean> {
    try {
      await this.#documents.put({ TableName: this.#tableName, Item: record, ...this.#absentCondition() });
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** The record under the key, unless it has expired (unless asked for it all the same). */
  async #get(key: { pk: string; sk: string }, options: { expired?: boolean } = {}): Promise<StoredRecord | undefined> {
    const { Item } = await this.#documents.get({ TableName: this.#tableName, Key: key, ConsistentRead: true });
    return Item === undefined || options.expired || this.#live(Item) ? Item : undefined;
  }

  /** Epoch seconds, retention after the given instant: the table's TTL attribute. */
  #expiresAt(from: string): number {
    return epochSeconds(from) + this.#retentionSeconds;
  }

  /**
   * Whether a record is still there for the application. DynamoDB deletes an expired record within days, not at its
   * time (and dynalite and DynamoDB Local never do), so every read drops what has expired, on this side: a
   * FilterExpression would do the same after the read, and paging by hand is no different either way.
   */
  #live(record: StoredRecord): boolean {
    const expiresAt = record[ttlAttribute];
    return typeof expiresAt !== 'number' || expiresAt > Math.floor(this.#now().getTime() / 1000);
  }

  /** The condition of a write that only creates: nothing under the key, or only a record that has expired. */
  #absentCondition() {
    return {
      ConditionExpression: 'attribute_not_exists(pk) OR #expiresAt <= :now',
      ExpressionAttributeNames: { '#expiresAt': ttlAttribute },
      ExpressionAttributeValues: { ':now': Math.floor(this.#now().getTime() / 1000) },
    };
  }

  async #updateMeeting(
    meetingId: string,
    updateExpression: string,
    names: Record<string, string>,
    values: Record<string, string>,
  ): Promise<void> {
    try {
      await this.#documents.update({
        TableName: this.#tableName,
        Key: meetingKey(meetingId),
        UpdateExpression: updateExpression,
        // Without it UpdateItem would create a bare record for an unknown id.
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      });
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new NotFoundError(`There is no meeting ${meetingId}.`, { cause: error });
      }
      throw error;
    }
  }

  /** One index partition whole, or the part of it whose sort key begins with `prefix`. */
  async #queryIndex(index: Index, partition: string, prefix: string | undefined): Promise<StoredRecord[]> {
    return this.#queryAll({
      TableName: this.#tableName,
      IndexName: index.name,
      KeyConditionExpression: prefix === undefined ? '#pk = :pk' : '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames:
        prefix === undefined ? { '#pk': index.partitionKey } : { '#pk': index.partitionKey, '#sk': index.sortKey },
      ExpressionAttributeValues: prefix === undefined ? { ':pk': partition } : { ':pk': partition, ':prefix': prefix },
    });
  }

  /** One page of an index partition, in sort key order or (newestFirst) against it. */
  async #page<T>(
    index: Index,
    partition: string,
    options: { limit?: number; cursor?: string; newestFirst: boolean },
    toModel: (record: StoredRecord) => T,
  ): Promise<Page<T>> {
    const { limit = defaultPageSize, cursor, newestFirst } = options;
    if (!Number.isInteger(limit) || limit < 1) {
      throw new InvalidInputError('limit', `The page size must be a whole number above 0, not ${limit}.`);
    }
    const { Items = [], LastEvaluatedKey } = await this.#documents.query({
      TableName: this.#tableName,
      IndexName: index.name,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': index.partitionKey },
      ExpressionAttributeValues: { ':pk': partition },
      ScanIndexForward: !newestFirst,
      // One more than asked: DynamoDB returns a LastEvaluatedKey whenever it stops at Limit, even with nothing
      // after it, and the port promises no cursor on the last page.
      Limit: limit + 1,
      ...(cursor === undefined ? {} : { ExclusiveStartKey: decodeCursor(index, partition, cursor) }),
    });
    const page = Items.slice(0, limit);
    const last = page.at(-1);
    const next = Items.length > limit ? last : LastEvaluatedKey;
    return {
      // The cursor comes from what was read, expired records included, so a page may hold fewer than `limit`.
      items: page.filter((record) => this.#live(record)).map(toModel),
      ...(next === undefined ? {} : { cursor: encodeCursor(index, next) }),
    };
  }

  /** Every page of a Query: a page stops at 1 MB, and these lists are read whole. */
  async #queryAll(input: QueryCommandInput): Promise<StoredRecord[]> {
    const records: StoredRecord[] = [];
    let startKey: StoredRecord | undefined;
    do {
      const { Items = [], LastEvaluatedKey } = await this.#documents.query({
        ...input,
        ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
      });
      records.push(...Items.filter((record) => this.#live(record)));
      startKey = LastEvaluatedKey;
    } while (startKey !== undefined);
    return records;
  }
}
