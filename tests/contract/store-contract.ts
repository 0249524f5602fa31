import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbStore } from '../../functions/adapters/aws/dynamodb-store';
import { ensureTable } from '../../functions/adapters/aws/dynamodb-table';
import { createLocalDynamoClient } from '../../functions/adapters/local/local-dynamodb-client';
import { InvalidInputError, NotFoundError } from '../../functions/domain/errors';
import type {
  ItemState,
  Meeting,
  PersonRecord,
  Series,
  StoredItem,
  SuppressionRecord,
} from '../../functions/domain/model';
import type { OutboxClaim, OutboxSent, Page, Store, WebhookDelivery } from '../../functions/ports/store';
import {
  aChange,
  aMeeting,
  anItem,
  anOutboxClaim,
  aPerson,
  aSentMail,
  aSeries,
  dana,
  meetingItems,
  priya,
  sam,
  seriesId,
} from './store-fixtures';

export interface StoreContext {
  /** A store on a table of its own, empty. */
  store: Store;
  /** Names of the SDK commands the store's client sent, in order (see recordCommandNames). */
  commands: string[];
  /** Another store on the same table whose clock reads `now`: what the table looks like then (TTL, R25). */
  storeAt(now: Date): Store;
  /** Writes a record as it is, past the store: what an older version of the store left in the table. */
  putRaw(record: Record<string, unknown>): Promise<void>;
  teardown(): Promise<void>;
}

/**
 * The contract's stores read the table as of a day in the fixtures' own spring, not by the wall clock: the fixture
 * records would otherwise expire (R25) once the wall clock passes their retention.
 */
const fixtureNow = new Date('2025-04-15T12:00:00Z');

/** Records the name of every command the client sends: the suite's evidence that no method hides a Scan. */
export const recordCommandNames = (client: DynamoDBClient): string[] => {
  const commands: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      // The SDK types commandName as optional; every command this store sends names itself.
      commands.push(context.commandName ?? 'unnamed');
      return next(args);
    },
    { step: 'initialize', name: 'recordCommandNames' },
  );
  return commands;
};

let tables = 0;

/** A store on a fresh table of the server at `endpoint`, with its commands recorded: one test's setup. */
export const storeOn = async (endpoint: string): Promise<StoreContext> => {
  const client = createLocalDynamoClient(endpoint);
  const commands = recordCommandNames(client);
  tables += 1;
  const tableName = `followthrough-contract-${tables}`;
  await ensureTable(client, tableName);
  return {
    store: new DynamoDbStore({ client, tableName, now: () => fixtureNow }),
    commands,
    storeAt: (now) => new DynamoDbStore({ client, tableName, now: () => now }),
    putRaw: async (record) => {
      await DynamoDBDocumentClient.from(client).send(new PutCommand({ TableName: tableName, Item: record }));
    },
    teardown: async () => client.destroy(),
  };
};

/**
 * The fixture meeting and its wrap-up arrived on 12 March 2025 and the series was last written on 26 March, so with
 * the default retention of 730 days all of them are still there on 1 March 2027 and all gone on 1 April 2027.
 */
const beforeExpiry = new Date('2027-03-01T00:00:00Z');
const afterExpiry = new Date('2027-04-01T00:00:00Z');

/** Every read of a record that expires, and what it gives when there is nothing to give. */
const expiringReads: [string, (store: Store) => Promise<unknown>, unknown][] = [
  ['getMeeting', (s) => s.getMeeting(aMeeting().id), null],
  ['getItem', (s) => s.getItem(aMeeting().id, 1), null],
  ['listMeetingItems', (s) => s.listMeetingItems(aMeeting().id), []],
  ['listItemsByOwner', (s) => s.listItemsByOwner({ owner: priya.address }), []],
  ['listItemsByOwner (open only)', (s) => s.listItemsByOwner({ owner: priya.address, openOnly: true }), []],
  ['listSeriesItems', (s) => s.listSeriesItems(seriesId), []],
  ['listMeetings', async (s) => (await s.listMeetings()).items, []],
  ['getSeries', (s) => s.getSeries(seriesId), null],
  ['listSeriesByAuthor', async (s) => (await s.listSeriesByAuthor(dana.address)).items, []],
  ['getSentMail', (s) => s.getSentMail(aSentMail().ref), null],
  ['findSentMailByMessageId', (s) => s.findSentMailByMessageId(aSentMail().messageId), null],
  ['getOutbox', (s) => s.getOutbox(anOutboxClaim().key), null],
  ['getSeriesMany', (s) => s.getSeriesMany([seriesId]), []],
  ['getOutboxMany', (s) => s.getOutboxMany([anOutboxClaim().key]), []],
];

const secondMeeting = (overrides: Partial<Meeting> = {}): Meeting =>
  aMeeting({
    id: 'm_8c41d07a25e94b6b',
    messageId: '<20250326151002.4d2c@mail.northwind.example>',
    rawKey: 'raw/2025/03/26/m_8c41d07a25e94b6b.eml',
    receivedAt: '2025-03-26T15:10:40.512Z',
    date: '2025-03-26',
    sentAt: '2025-03-26T15:10:02.000Z',
    nextMeetingDate: null,
    ...overrides,
  });

const stateOf = (item: StoredItem): ItemState => ({
  status: item.status,
  due: item.due,
  owner: item.owner,
  ownerName: item.ownerName,
  snoozedUntil: item.snoozedUntil,
  flags: item.flags,
});

/** Priya's mailbox no longer exists: SES reported a permanent bounce of her wrap-up. */
const aSuppression = (overrides: Partial<SuppressionRecord> = {}): SuppressionRecord => ({
  address: priya.address,
  reason: 'bounce',
  detail: 'Permanent/General',
  feedbackId: '0100019a1f3c2b7e-4d5a9e61-8c2f-4b7e-9a13-5e0c7d2f1b84-000000',
  at: '2025-03-12T16:41:02.000Z',
  ...overrides,
});

const webhookId = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W';

/** The delivery as first claimed at 2025-03-12T16:20:00Z: pending, expiring seven days (604,800 s) later. */
const aDelivery = (overrides: Partial<WebhookDelivery> = {}): WebhookDelivery => ({
  webhookId,
  state: 'pending',
  receivedAt: '2025-03-12T16:20:00.000Z',
  expiresAt: Date.parse('2025-03-12T16:20:00.000Z') / 1000 + 604_800,
  meetingId: null,
  completedAt: null,
  ...overrides,
});

const refs = (items: StoredItem[]): Array<[string, number]> => items.map(({ meetingId, seq }) => [meetingId, seq]);

/** Every page of series by an author, following cursors; fails rather than loop if the cursors never end. */
const allSeriesByAuthor = async (store: Store, address: string, limit: number): Promise<Array<Page<Series>>> => {
  const pages: Array<Page<Series>> = [];
  let cursor: string | undefined;
  do {
    const page = await store.listSeriesByAuthor(address, { limit, ...(cursor === undefined ? {} : { cursor }) });
    pages.push(page);
    cursor = page.cursor;
  } while (cursor !== undefined && pages.length < 20);
  return pages;
};

/** The Store contract, run against every DynamoDB-compatible server the project supports. */
export const describeStoreContract = (name: string, setup: () => Promise<StoreContext>): void => {
  describe(`Store contract on ${name}`, () => {
    const suiteCommands: string[] = [];
    let context: StoreContext;
    let store: Store;

    beforeEach(async () => {
      context = await setup();
      store = context.store;
    });

    afterEach(async () => {
      suiteCommands.push(...context.commands);
      await context.teardown();
    });

    it('claims a meeting it has never seen and stores it as pending', async () => {
      // Prepare
      const meeting = aMeeting();

      // Act
      const result = await store.claimMeeting(meeting);

      // Assess
      expect(result).toStrictEqual({ outcome: 'claimed' });
      expect(await store.getMeeting(meeting.id)).toStrictEqual(meeting);
    });

    it('stores a meeting whose optional facts are all null or empty and reads them back so', async () => {
      // Prepare
      const meeting = aMeeting({
        sentAt: null,
        utcOffsetMinutes: null,
        author: null,
        nextMeetingDate: null,
        agenda: [],
        attendees: [{ address: 'priya.raman@northwind.example', name: null }],
      });

      // Act
      await store.claimMeeting(meeting);

      // Assess
      expect(await store.getMeeting(meeting.id)).toStrictEqual(meeting);
    });

    it('stores a claimed meeting as pending even when handed one marked complete', async () => {
      // Act
      await store.claimMeeting(aMeeting({ state: 'complete' }));

      // Assess
      expect(await store.getMeeting(aMeeting().id)).toStrictEqual(aMeeting({ state: 'pending' }));
    });

    it('reports a completed meeting claimed again as a duplicate', async () => {
      // Prepare
      await store.claimMeeting(aMeeting());
      await store.completeMeeting(aMeeting().id);

      // Act
      const result = await store.claimMeeting(aMeeting());

      // Assess
      expect(result).toStrictEqual({ outcome: 'duplicate', meeting: aMeeting({ state: 'complete' }) });
    });

    it('resumes a pending meeting claimed again and keeps what the first claim stored', async () => {
      // Prepare
      await store.claimMeeting(aMeeting());

      // Act
      const result = await store.claimMeeting(aMeeting({ rawKey: 'raw/2025/03/12/redelivered.eml' }));

      // Assess
      expect(result).toStrictEqual({ outcome: 'resumed', meeting: aMeeting() });
      expect(await store.getMeeting(aMeeting().id)).toStrictEqual(aMeeting());
    });

    it('[R4] keeps a meeting claimed as unverified unverified, and reports it claimed again as a duplicate', async () => {
      // Act
      const first = await store.claimMeeting(aMeeting({ state: 'unverified', itemCount: 0 }));
      const again = await store.claimMeeting(aMeeting({ state: 'unverified', itemCount: 0 }));

      // Assess
      expect(first).toStrictEqual({ outcome: 'claimed' });
      expect(again).toStrictEqual({ outcome: 'duplicate', meeting: aMeeting({ state: 'unverified', itemCount: 0 }) });
      expect(await store.getMeeting(aMeeting().id)).toStrictEqual(aMeeting({ state: 'unverified', itemCount: 0 }));
    });

    it('returns null for a meeting id it does not know', async () => {
      // Act
      const meeting = await store.getMeeting('m_0000000000000000');

      // Assess
      expect(meeting).toBeNull();
    });

    it('marks a meeting complete', async () => {
      // Prepare
      await store.claimMeeting(aMeeting());

      // Act
      await store.completeMeeting(aMeeting().id);

      // Assess
      expect(await store.getMeeting(aMeeting().id)).toStrictEqual(aMeeting({ state: 'complete' }));
    });

    it('refuses to complete a meeting it does not know, and creates none', async () => {
      // Act
      const completing = store.completeMeeting('m_0000000000000000');

      // Assess
      await expect(completing).rejects.toBeInstanceOf(NotFoundError);
      expect(await store.getMeeting('m_0000000000000000')).toBeNull();
    });

    it('records when the wrap-up was sent', async () => {
      // Prepare
      await store.claimMeeting(aMeeting());

      // Act
      await store.markWrapupSent(aMeeting().id, '2025-03-12T16:34:11.000Z');

      // Assess
      expect(await store.getMeeting(aMeeting().id)).toStrictEqual(
        aMeeting({ wrapupSentAt: '2025-03-12T16:34:11.000Z' }),
      );
    });

    it('refuses to record a wrap-up for a meeting it does not know', async () => {
      // Act
      const marking = store.markWrapupSent('m_0000000000000000', '2025-03-12T16:34:11.000Z');

      // Assess
      await expect(marking).rejects.toBeInstanceOf(NotFoundError);
      expect(await store.getMeeting('m_0000000000000000')).toBeNull();
    });

    it('lists the items of a meeting in seq order, past seq 9', async () => {
      // Prepare
      const items = [
        ...meetingItems(aMeeting().id),
        anItem({ seq: 10, text: 'Book the offsite room', due: '2025-04-02' }),
        anItem({ seq: 11, text: 'Share the incident review doc', owner: null, ownerName: null, flags: ['no-owner'] }),
      ];
      await store.claimMeeting(aMeeting({ itemCount: items.length }));

      // Act
      await store.putItems([...items].reverse());

      // Assess
      expect(await store.listMeetingItems(aMeeting().id)).toStrictEqual(items);
    });

    it('lists only the items of the meeting asked for', async () => {
      // Prepare
      await store.claimMeeting(aMeeting());
      await store.claimMeeting(secondMeeting());
      await store.putItems([...meetingItems(aMeeting().id), ...meetingItems(secondMeeting().id)]);

      // Act
      const items = await store.listMeetingItems(secondMeeting().id);

      // Assess
      expect(items).toStrictEqual(meetingItems(secondMeeting().id));
    });

    it('leaves an existing item as it is when the same items are put again', async () => {
      // Prepare
      await store.claimMeeting(aMeeting());
      await store.putItems(meetingItems(aMeeting().id));
      const done = await store.setItemStatus(aMeeting().id, 1, 'done', '2025-03-13T09:12:00.000Z');

      // Act
      await store.putItems(meetingItems(aMeeting().id));

      // Assess
      const [first, ...rest] = await store.listMeetingItems(aMeeting().id);
      expect(first).toStrictEqual(done);
      expect(rest).toStrictEqual(meetingItems(aMeeting().id).slice(1));
    });

    it('lists an owner’s open items first, due date ascending, undated last, then the closed ones', async () => {
      // Prepare
      const later = secondMeeting().id;
      await store.putItems([
        anItem({ seq: 1, due: '2025-03-19' }),
        anItem({ seq: 2, due: null, flags: ['no-date'], text: 'Think about the tech-lead track' }),
        anItem({ seq: 3, status: 'done', due: '2025-03-10', text: 'Send the Q1 self-review' }),
        anItem({ meetingId: later, seq: 1, due: '2025-03-13', text: 'Pair with Sam on the flaky deploy' }),
        anItem({ meetingId: later, seq: 2, status: 'dropped', due: '2025-03-01', text: 'Migrate the wiki' }),
        anItem({ meetingId: later, seq: 3, owner: dana.address, ownerName: dana.name, due: '2025-03-11' }),
      ]);

      // Act
      const items = await store.listItemsByOwner({ owner: priya.address });

      // Assess
      expect(items.map(({ meetingId, seq }) => [meetingId, seq])).toStrictEqual([
        [later, 1],
        [aMeeting().id, 1],
        [aMeeting().id, 2],
        [aMeeting().id, 3],
        [later, 2],
      ]);
    });

    it('lists only open items when asked for open ones', async () => {
      // Prepare
      await store.putItems([
        anItem({ seq: 1, due: '2025-03-19' }),
        anItem({ seq: 2, status: 'done', due: '2025-03-10' }),
        anItem({ seq: 3, status: 'dropped', due: null }),
        anItem({ seq: 4, due: null }),
      ]);

      // Act
      const items = await store.listItemsByOwner({ owner: priya.address, openOnly: true });

      // Assess
      expect(items).toStrictEqual([anItem({ seq: 1, due: '2025-03-19' }), anItem({ seq: 4, due: null })]);
    });

    it('matches owners whatever the case of the stored or the asked name', async () => {
      // Prepare
      const shouted = anItem({ seq: 1, owner: 'Priya.Raman@Northwind.example' });
      const asWritten = anItem({ seq: 2, owner: 'Marcus', ownerName: 'Marcus', flags: ['owner-not-attendee'] });
      await store.putItems([shouted, asWritten]);

      // Act
      const byAddress = await store.listItemsByOwner({ owner: 'PRIYA.RAMAN@NORTHWIND.EXAMPLE' });
      const byName = await store.listItemsByOwner({ owner: 'marcus' });

      // Assess
      expect(byAddress).toStrictEqual([shouted]);
      expect(byName).toStrictEqual([asWritten]);
    });

    it('lists no item that has no owner under any owner', async () => {
      // Prepare
      await store.putItems([anItem({ seq: 1, owner: null, ownerName: null, flags: ['no-owner'] })]);

      // Act
      const items = await store.listItemsByOwner({ owner: 'null' });

      // Assess
      expect(items).toStrictEqual([]);
    });

    it('reads every page when an owner’s, a meeting’s or a series’ items exceed one 1 MB page', async () => {
      // Prepare: five items of ≈ 300 KB each, under the 400 KB item limit and over 1 MB together
      const notes = 'Context pasted from the design doc. '.repeat(8_500);
      const items = [1, 2, 3, 4, 5].map((seq) => anItem({ seq, source: notes }));
      await store.putItems(items);
      const queriesBefore = context.commands.filter((command) => command === 'QueryCommand').length;

      // Act
      const byOwner = await store.listItemsByOwner({ owner: priya.address });
      const byMeeting = await store.listMeetingItems(aMeeting().id);

      const bySeries = await store.listSeriesItems(seriesId);

      // Assess
      expect(byOwner).toStrictEqual(items);
      expect(byMeeting).toStrictEqual(items);
      expect(bySeries).toStrictEqual(items);
      // The premise: each listing took at least two pages, or this test proves nothing.
      const queries = context.commands.filter((command) => command === 'QueryCommand').length - queriesBefore;
      expect(queries).toBeGreaterThanOrEqual(6);
    });

    it('sets an item’s status and returns the item as stored', async () => {
      // Prepare
      await store.putItems(meetingItems(aMeeting().id));

      // Act
      const updated = await store.setItemStatus(aMeeting().id, 2, 'done', '2025-03-14T08:30:00.000Z');

      // Assess
      const expected = { ...meetingItems(aMeeting().id)[1], status: 'done', updatedAt: '2025-03-14T08:30:00.000Z' };
      expect(updated).toStrictEqual(expected);
      expect((await store.listMeetingItems(aMeeting().id))[1]).toStrictEqual(expected);
    });

    it('moves an item out of the open listing once it is done, and back when reopened', async () => {
      // Prepare
      await store.putItems([anItem({ seq: 1, due: '2025-03-19' }), anItem({ seq: 2, due: '2025-03-20' })]);

      // Act
      await store.setItemStatus(aMeeting().id, 1, 'done', '2025-03-14T08:30:00.000Z');
      const whileDone = await store.listItemsByOwner({ owner: priya.address, openOnly: true });
      await store.setItemStatus(aMeeting().id, 1, 'open', '2025-03-15T10:00:00.000Z');
      const reopened = await store.listItemsByOwner({ owner: priya.address, openOnly: true });

      // Assess
      expect(whileDone.map((item) => item.seq)).toStrictEqual([2]);
      expect(reopened.map((item) => item.seq)).toStrictEqual([1, 2]);
    });

    it('refuses to set the status of an item it does not have, and creates none', async () => {
      // Prepare
      await store.putItems(meetingItems(aMeeting().id));

      // Act
      const setting = store.setItemStatus(aMeeting().id, 7, 'done', '2025-03-14T08:30:00.000Z');

      // Assess
      await expect(setting).rejects.toBeInstanceOf(NotFoundError);
      expect(await store.listMeetingItems(aMeeting().id)).toStrictEqual(meetingItems(aMeeting().id));
    });

    it('lists meetings newest first, by meeting date and then by arrival', async () => {
      // Prepare
      const march12 = aMeeting();
      const march26 = secondMeeting();
      const march26Resent = secondMeeting({ id: 'm_b9e07f13c2aa4d18', receivedAt: '2025-03-26T17:45:03.004Z' });
      const february = aMeeting({
        id: 'm_1d5be2c94f7a4c33',
        date: '2025-02-26',
        receivedAt: '2025-03-27T08:00:00.000Z',
      });
      for (const meeting of [march26, february, march12, march26Resent]) await store.claimMeeting(meeting);

      // Act
      const page = await store.listMeetings();

      // Assess
      expect(page).toStrictEqual({ items: [march26Resent, march26, march12, february] });
    });

    it('pages through meetings with cursors, with no meeting missed or repeated', async () => {
      // Prepare
      const meetings = [1, 2, 3, 4, 5].map((day) =>
        aMeeting({
          id: `m_7a0c${day}e5512f84d9`,
          date: `2025-01-0${day}`,
          receivedAt: `2025-01-0${day}T17:00:00.000Z`,
        }),
      );
      for (const meeting of meetings) await store.claimMeeting(meeting);

      // Act
      const first = await store.listMeetings({ limit: 2 });
      const second = await store.listMeetings({ limit: 2, ...(first.cursor ? { cursor: first.cursor } : {}) });
      const third = await store.listMeetings({ limit: 2, ...(second.cursor ? { cursor: second.cursor } : {}) });

      // Assess
      const newestFirst = [...meetings].reverse();
      expect(first).toStrictEqual({ items: newestFirst.slice(0, 2), cursor: expect.any(String) });
      expect(second).toStrictEqual({ items: newestFirst.slice(2, 4), cursor: expect.any(String) });
      expect(third).toStrictEqual({ items: newestFirst.slice(4) });
    });

    it('gives no cursor when the last page is exactly full', async () => {
      // Prepare
      await store.claimMeeting(aMeeting());
      await store.claimMeeting(secondMeeting());

      // Act
      const page = await store.listMeetings({ limit: 2 });

      // Assess
      expect(page).toStrictEqual({ items: [secondMeeting(), aMeeting()] });
    });

    it('rejects a cursor it did not issue as invalid input', async () => {
      // Act
      const listing = store.listMeetings({ cursor: Buffer.from('{"pk":1}').toString('base64url') });

      // Assess
      await expect(listing).rejects.toBeInstanceOf(InvalidInputError);
    });

    it('reads an item back by meeting and seq', async () => {
      // Prepare
      await store.putItems(meetingItems(aMeeting().id));

      // Act
      const item = await store.getItem(aMeeting().id, 2);

      // Assess
      expect(item).toStrictEqual(meetingItems(aMeeting().id)[1]);
    });

    it('returns null for an item it does not have', async () => {
      // Prepare
      await store.putItems(meetingItems(aMeeting().id));

      // Act
      const item = await store.getItem(aMeeting().id, 4);

      // Assess
      expect(item).toBeNull();
    });

    it('stores a snoozed item with its last change and reads both back', async () => {
      // Prepare
      const item = anItem({ snoozedUntil: '2025-03-24', lastChange: aChange() });

      // Act
      await store.putItems([item]);

      // Assess
      expect(await store.getItem(item.meetingId, item.seq)).toStrictEqual(item);
    });

    it('updates an item’s state and last change and returns the item as stored', async () => {
      // Prepare
      await store.putItems(meetingItems(aMeeting().id));
      const state: ItemState = {
        status: 'open',
        due: '2025-03-28',
        owner: sam.address,
        ownerName: sam.name,
        snoozedUntil: '2025-03-21',
        flags: ['ambiguous-date'],
      };

      // Act
      const updated = await store.updateItem(aMeeting().id, 1, state, aChange(), '2025-03-14T08:30:00.000Z');

      // Assess
      const expected = {
        ...meetingItems(aMeeting().id)[0],
        ...state,
        lastChange: aChange(),
        updatedAt: '2025-03-14T08:30:00.000Z',
      };
      expect(updated).toStrictEqual(expected);
      expect(await store.getItem(aMeeting().id, 1)).toStrictEqual(expected);
    });

    it('clears the last change when an update is an undo', async () => {
      // Prepare
      await store.putItems([anItem({ status: 'done', lastChange: aChange({ action: 'done' }) })]);

      // Act
      await store.updateItem(aMeeting().id, 1, stateOf(anItem()), null, '2025-03-14T08:31:00.000Z');

      // Assess
      expect(await store.getItem(aMeeting().id, 1)).toStrictEqual(anItem({ updatedAt: '2025-03-14T08:31:00.000Z' }));
    });

    it('moves an item from the old owner’s listing to the new owner’s when the owner changes', async () => {
      // Prepare
      await store.putItems([anItem({ seq: 1 }), anItem({ seq: 2, due: '2025-03-20' })]);

      // Act
      await store.updateItem(
        aMeeting().id,
        1,
        { ...stateOf(anItem()), owner: 'Sam.Whitfield@Northwind.example', ownerName: sam.name },
        aChange({ action: 'owner' }),
        '2025-03-14T08:30:00.000Z',
      );

      // Assess
      expect(refs(await store.listItemsByOwner({ owner: priya.address }))).toStrictEqual([[aMeeting().id, 2]]);
      expect(refs(await store.listItemsByOwner({ owner: sam.address, openOnly: true }))).toStrictEqual([
        [aMeeting().id, 1],
      ]);
    });

    it('takes an item out of every owner’s listing when its owner is removed, and back when one is set', async () => {
      // Prepare
      await store.putItems([anItem()]);

      // Act
      await store.updateItem(
        aMeeting().id,
        1,
        { ...stateOf(anItem()), owner: null, ownerName: null },
        aChange({ action: 'owner' }),
        '2025-03-14T08:30:00.000Z',
      );
      const whileUnowned = await store.listItemsByOwner({ owner: priya.address });
      await store.updateItem(aMeeting().id, 1, stateOf(anItem()), null, '2025-03-14T08:31:00.000Z');
      const reowned = await store.listItemsByOwner({ owner: priya.address });

      // Assess
      expect(whileUnowned).toStrictEqual([]);
      expect(refs(reowned)).toStrictEqual([[aMeeting().id, 1]]);
    });

    it('reorders an owner’s open items when a due date changes', async () => {
      // Prepare
      await store.putItems([anItem({ seq: 1, due: '2025-03-19' }), anItem({ seq: 2, due: '2025-03-20' })]);

      // Act
      await store.updateItem(
        aMeeting().id,
        1,
        { ...stateOf(anItem()), due: '2025-03-27' },
        aChange({ action: 'due' }),
        '2025-03-14T08:30:00.000Z',
      );

      // Assess
      const items = await store.listItemsByOwner({ owner: priya.address, openOnly: true });
      expect(items.map((item) => [item.seq, item.due])).toStrictEqual([
        [2, '2025-03-20'],
        [1, '2025-03-27'],
      ]);
    });

    it('takes a done item out of the open listings of its owner and its series', async () => {
      // Prepare
      await store.putItems(meetingItems(aMeeting().id));

      // Act
      await store.updateItem(
        aMeeting().id,
        1,
        { ...stateOf(anItem()), status: 'done' },
        aChange({ action: 'done' }),
        '2025-03-14T08:30:00.000Z',
      );

      // Assess
      expect(await store.listItemsByOwner({ owner: priya.address, openOnly: true })).toStrictEqual([]);
      expect(refs(await store.listSeriesItems(seriesId, { openOnly: true }))).toStrictEqual([
        [aMeeting().id, 2],
        [aMeeting().id, 3],
      ]);
    });

    it('refuses to update an item it does not have, and creates none', async () => {
      // Act
      const updating = store.updateItem(aMeeting().id, 7, stateOf(anItem()), aChange(), '2025-03-14T08:30:00.000Z');

      // Assess
      await expect(updating).rejects.toBeInstanceOf(NotFoundError);
      expect(await store.getItem(aMeeting().id, 7)).toBeNull();
    });

    it('keeps the last change as it was when only the status is set', async () => {
      // Prepare
      await store.putItems([anItem({ snoozedUntil: '2025-03-24', lastChange: aChange() })]);

      // Act
      const done = await store.setItemStatus(aMeeting().id, 1, 'done', '2025-03-15T10:00:00.000Z');

      // Assess
      expect(done).toStrictEqual(
        anItem({
          status: 'done',
          snoozedUntil: '2025-03-24',
          lastChange: aChange(),
          updatedAt: '2025-03-15T10:00:00.000Z',
        }),
      );
    });

    it('lists a series’ items oldest meeting first, then by seq, whatever their status', async () => {
      // Prepare
      const later = secondMeeting().id;
      await store.putItems([
        anItem({ meetingId: later, meetingDate: '2025-03-26', seq: 2, text: 'Write up the deploy postmortem' }),
        anItem({ meetingId: later, meetingDate: '2025-03-26', seq: 1, status: 'done' }),
        anItem({ seq: 10, status: 'dropped' }),
        anItem({ seq: 2, owner: null, ownerName: null, flags: ['no-owner'] }),
        anItem({ seq: 1 }),
      ]);

      // Act
      const items = await store.listSeriesItems(seriesId);

      // Assess
      expect(refs(items)).toStrictEqual([
        [aMeeting().id, 1],
        [aMeeting().id, 2],
        [aMeeting().id, 10],
        [later, 1],
        [later, 2],
      ]);
    });

    it('lists only a series’ open items, oldest meeting first, when asked for open ones', async () => {
      // Prepare
      const later = secondMeeting().id;
      await store.putItems([
        anItem({ meetingId: later, meetingDate: '2025-03-26', seq: 1 }),
        anItem({ seq: 3 }),
        anItem({ seq: 2, status: 'done' }),
        anItem({ seq: 1, status: 'dropped' }),
      ]);

      // Act
      const items = await store.listSeriesItems(seriesId, { openOnly: true });

      // Assess
      expect(refs(items)).toStrictEqual([
        [aMeeting().id, 3],
        [later, 1],
      ]);
    });

    it('lists only the items of the series asked for', async () => {
      // Prepare
      const otherSeries = 'se_0b7d3e91a6c24f58';
      await store.putItems([anItem({ seq: 1 }), anItem({ seq: 2, seriesId: otherSeries })]);

      // Act
      const items = await store.listSeriesItems(otherSeries);

      // Assess
      expect(items).toStrictEqual([anItem({ seq: 2, seriesId: otherSeries })]);
    });

    it('returns null for a series it does not know', async () => {
      // Act
      const series = await store.getSeries(seriesId);

      // Assess
      expect(series).toBeNull();
    });

    it('stores a new series when it expects none and reads it back', async () => {
      // Act
      const written = await store.putSeries(aSeries(), 0);

      // Assess
      expect(written).toBe(true);
      expect(await store.getSeries(seriesId)).toStrictEqual(aSeries());
    });

    it('stores a series with no author or next meeting and reads the nulls back', async () => {
      // Prepare
      const series = aSeries({ author: null, nextMeeting: null, meetings: [] });

      // Act
      await store.putSeries(series, 0);

      // Assess
      expect(await store.getSeries(seriesId)).toStrictEqual(series);
    });

    it('refuses to create a series that exists and leaves the stored one as it is', async () => {
      // Prepare
      await store.putSeries(aSeries(), 0);

      // Act
      const written = await store.putSeries(aSeries({ timeZone: 'Europe/London' }), 0);

      // Assess
      expect(written).toBe(false);
      expect(await store.getSeries(seriesId)).toStrictEqual(aSeries());
    });

    it('replaces a series whose stored version is the one expected', async () => {
      // Prepare
      await store.putSeries(aSeries(), 0);
      const next = aSeries({ version: 2, nextMeeting: { date: '2025-04-10', source: 'notes' } });

      // Act
      const written = await store.putSeries(next, 1);

      // Assess
      expect(written).toBe(true);
      expect(await store.getSeries(seriesId)).toStrictEqual(next);
    });

    it('refuses a series write that expects an older version, and keeps the newer one', async () => {
      // Prepare: two writers read version 1; the first writes version 2
      await store.putSeries(aSeries(), 0);
      await store.putSeries(aSeries({ version: 2, timeZone: 'America/Chicago' }), 1);

      // Act
      const written = await store.putSeries(aSeries({ version: 2, timeZone: 'Europe/London' }), 1);

      // Assess
      expect(written).toBe(false);
      expect(await store.getSeries(seriesId)).toStrictEqual(aSeries({ version: 2, timeZone: 'America/Chicago' }));
    });

    it('refuses a series update when there is no series to update, and creates none', async () => {
      // Act
      const written = await store.putSeries(aSeries({ version: 2 }), 1);

      // Assess
      expect(written).toBe(false);
      expect(await store.getSeries(seriesId)).toBeNull();
    });

    it('pages through an author’s series with cursors, with no series missed or repeated', async () => {
      // Prepare
      const mine = [1, 2, 3, 4, 5].map((n) => aSeries({ id: `se_${n}a1c0a7e9b2f4c83` }));
      for (const series of mine) await store.putSeries(series, 0);
      await store.putSeries(aSeries({ id: 'se_9f00aa7e9b2f4c83', author: sam }), 0);
      await store.putSeries(aSeries({ id: 'se_8e00aa7e9b2f4c83', author: null }), 0);

      // Act
      const pages = await allSeriesByAuthor(store, dana.address, 2);

      // Assess
      expect(pages).toStrictEqual([
        { items: mine.slice(0, 2), cursor: expect.any(String) },
        { items: mine.slice(2, 4), cursor: expect.any(String) },
        { items: mine.slice(4) },
      ]);
    });

    it('gives no cursor when the last page of an author’s series is exactly full', async () => {
      // Prepare
      await store.putSeries(aSeries(), 0);

      // Act
      const page = await store.listSeriesByAuthor(dana.address, { limit: 1 });

      // Assess
      expect(page).toStrictEqual({ items: [aSeries()] });
    });

    it('finds an author’s series whatever the case of the stored or the asked address', async () => {
      // Prepare
      const series = aSeries({ author: { address: 'Dana.Okafor@Northwind.example', name: dana.name } });
      await store.putSeries(series, 0);

      // Act
      const page = await store.listSeriesByAuthor('DANA.OKAFOR@NORTHWIND.EXAMPLE');

      // Assess
      expect(page).toStrictEqual({ items: [series] });
    });

    it('lists a series under its new author once the author changes', async () => {
      // Prepare
      await store.putSeries(aSeries(), 0);

      // Act
      await store.putSeries(aSeries({ version: 2, author: priya }), 1);

      // Assess
      expect(await store.listSeriesByAuthor(dana.address)).toStrictEqual({ items: [] });
      expect(await store.listSeriesByAuthor(priya.address)).toStrictEqual({
        items: [aSeries({ version: 2, author: priya })],
      });
    });

    it.each([
      ['a forged cursor', Buffer.from('{"pk":1}').toString('base64url')],
      ['a cursor that is not base64url JSON', 'not-a-cursor!'],
      [
        'a cursor for another author',
        Buffer.from(
          JSON.stringify({ pk: 'SERIES#x', sk: 'META', gsi1pk: 'AUTHOR#sam.whitfield@northwind.example', gsi1sk: 'x' }),
        ).toString('base64url'),
      ],
    ])('rejects %s for an author’s series as invalid input', async (_, cursor) => {
      // Act
      const listing = store.listSeriesByAuthor(dana.address, { cursor });

      // Assess
      await expect(listing).rejects.toBeInstanceOf(InvalidInputError);
    });

    it('rejects a meetings cursor passed to the series listing as invalid input', async () => {
      // Prepare
      await store.claimMeeting(aMeeting());
      await store.claimMeeting(secondMeeting());
      const { cursor } = await store.listMeetings({ limit: 1 });

      // Act
      const listing = store.listSeriesByAuthor(dana.address, cursor === undefined ? {} : { cursor });

      // Assess
      expect(cursor).toEqual(expect.any(String));
      await expect(listing).rejects.toBeInstanceOf(InvalidInputError);
    });

    it('returns null for a person it does not know', async () => {
      // Act
      const person = await store.getPerson(priya.address);

      // Assess
      expect(person).toBeNull();
    });

    it('stores a person it does not know and returns them', async () => {
      // Act
      const stored = await store.putPersonIfAbsent(aPerson());

      // Assess
      expect(stored).toStrictEqual(aPerson());
      expect(await store.getPerson(priya.address)).toStrictEqual(aPerson());
    });

    it('keeps the first record of a person and returns it to a later writer', async () => {
      // Prepare
      await store.putPersonIfAbsent(aPerson());

      // Act
      const stored = await store.putPersonIfAbsent(
        aPerson({
          address: 'Priya.Raman@Northwind.example',
          timeZone: 'Etc/GMT+5',
          weekly: { day: 'FRI', time: '16:00' },
        }),
      );

      // Assess
      expect(stored).toStrictEqual(aPerson());
      expect(await store.getPerson(priya.address)).toStrictEqual(aPerson());
    });

    it('finds a person whatever the case of the address asked for', async () => {
      // Prepare
      await store.putPersonIfAbsent(aPerson());

      // Act
      const person = await store.getPerson('PRIYA.RAMAN@northwind.EXAMPLE');

      // Assess
      expect(person).toStrictEqual(aPerson());
    });

    it('[R17] records an opt-out on the person and returns the record as it now is', async () => {
      // Prepare
      await store.putPersonIfAbsent(aPerson());

      // Act
      const updated = await store.setOptOut(priya.address, 'weekly', true, '2025-04-01T09:00:00.000Z');

      // Assess
      const expected = aPerson({ optOut: ['weekly'], updatedAt: '2025-04-01T09:00:00.000Z' });
      expect(updated).toStrictEqual(expected);
      expect(await store.getPerson(priya.address)).toStrictEqual(expected);
    });

    it('[R17] keeps several opt-outs in a fixed order whatever order they came in', async () => {
      // Prepare
      await store.putPersonIfAbsent(aPerson());

      // Act
      await store.setOptOut(priya.address, 'rollup', true, '2025-04-01T09:00:00.000Z');
      await store.setOptOut('PRIYA.RAMAN@northwind.EXAMPLE', 'digest', true, '2025-04-02T09:00:00.000Z');

      // Assess
      expect((await store.getPerson(priya.address))?.optOut).toStrictEqual(['digest', 'rollup']);
    });

    it('[R17] changes nothing when the same opt-out arrives again, not even the time', async () => {
      // Prepare
      await store.putPersonIfAbsent(aPerson());
      await store.setOptOut(priya.address, 'weekly', true, '2025-04-01T09:00:00.000Z');

      // Act
      const repeated = await store.setOptOut(priya.address, 'weekly', true, '2025-04-03T09:00:00.000Z');

      // Assess
      const expected = aPerson({ optOut: ['weekly'], updatedAt: '2025-04-01T09:00:00.000Z' });
      expect(repeated).toStrictEqual(expected);
      expect(await store.getPerson(priya.address)).toStrictEqual(expected);
    });

    it('[R17] removes one opt-out and leaves the others', async () => {
      // Prepare
      await store.putPersonIfAbsent(aPerson());
      await store.setOptOut(priya.address, 'weekly', true, '2025-04-01T09:00:00.000Z');
      await store.setOptOut(priya.address, 'digest', true, '2025-04-01T09:00:00.000Z');

      // Act
      const updated = await store.setOptOut(priya.address, 'weekly', false, '2025-04-02T09:00:00.000Z');

      // Assess
      expect(updated).toStrictEqual(aPerson({ optOut: ['digest'], updatedAt: '2025-04-02T09:00:00.000Z' }));
    });

    it('[R17] reads a person whose last opt-out was removed as having none', async () => {
      // Prepare
      await store.putPersonIfAbsent(aPerson());
      await store.setOptOut(priya.address, 'weekly', true, '2025-04-01T09:00:00.000Z');

      // Act
      await store.setOptOut(priya.address, 'weekly', false, '2025-04-02T09:00:00.000Z');

      // Assess
      expect(await store.getPerson(priya.address)).toStrictEqual(aPerson({ updatedAt: '2025-04-02T09:00:00.000Z' }));
    });

    it('[R17] changes nothing when removing an opt-out the person does not have', async () => {
      // Prepare
      await store.putPersonIfAbsent(aPerson());

      // Act
      const unchanged = await store.setOptOut(priya.address, 'rollup', false, '2025-04-02T09:00:00.000Z');

      // Assess
      expect(unchanged).toStrictEqual(aPerson());
      expect(await store.getPerson(priya.address)).toStrictEqual(aPerson());
    });

    it('[R17] stores a person created with opt-outs and reads them back', async () => {
      // Act
      await store.putPersonIfAbsent(aPerson({ optOut: ['digest', 'weekly'] }));

      // Assess
      expect(await store.getPerson(priya.address)).toStrictEqual(aPerson({ optOut: ['digest', 'weekly'] }));
    });

    it('[R17] refuses an opt-out for an address it has no person for, and creates none', async () => {
      // Act
      const optingOut = store.setOptOut(priya.address, 'weekly', true, '2025-04-01T09:00:00.000Z');

      // Assess
      await expect(optingOut).rejects.toBeInstanceOf(NotFoundError);
      expect(await store.getPerson(priya.address)).toBeNull();
    });

    it('records a sent mail and reads it back by its ref', async () => {
      // Act
      await store.recordSentMail(aSentMail());

      // Assess
      expect(await store.getSentMail(aSentMail().ref)).toStrictEqual(aSentMail());
    });

    it('records a mail about no meeting or series and with no items', async () => {
      // Prepare
      const notice = aSentMail({
        ref: 'notice-unreadable-priya.raman@northwind.example-2025-03-12',
        kind: 'notice',
        meetingId: null,
        seriesId: null,
        items: [],
      });

      // Act
      await store.recordSentMail(notice);

      // Assess
      expect(await store.getSentMail(notice.ref)).toStrictEqual(notice);
    });

    it('returns null for a ref and a Message-ID it has not recorded', async () => {
      // Prepare
      await store.recordSentMail(aSentMail());

      // Act
      const byRef = await store.getSentMail('wrapup-m_0000000000000000-priya.raman@northwind.example');
      const byMessageId = await store.findSentMailByMessageId('<unknown.1741796051@followthrough.northwind.example>');

      // Assess
      expect(byRef).toBeNull();
      expect(byMessageId).toBeNull();
    });

    it.each([
      ['as sent', '<wrapup.m_3f2a9c1e7b4d4e0f.1741796051@followthrough.northwind.example>'],
      ['without angle brackets', 'wrapup.m_3f2a9c1e7b4d4e0f.1741796051@followthrough.northwind.example'],
      ['in another case', '<WRAPUP.M_3F2A9C1E7B4D4E0F.1741796051@FollowThrough.Northwind.Example>'],
      ['with surrounding space', '  <wrapup.m_3f2a9c1e7b4d4e0f.1741796051@followthrough.northwind.example>\r\n'],
    ])('finds a sent mail by its Message-ID %s', async (_, messageId) => {
      // Prepare
      await store.recordSentMail(aSentMail());

      // Act
      const mail = await store.findSentMailByMessageId(messageId);

      // Assess
      expect(mail).toStrictEqual(aSentMail());
    });

    it('finds a mail recorded with an unbracketed Message-ID by the bracketed one', async () => {
      // Prepare
      await store.recordSentMail(aSentMail({ messageId: 'Digest.1741796051@followthrough.northwind.example' }));

      // Act
      const mail = await store.findSentMailByMessageId('<digest.1741796051@followthrough.northwind.example>');

      // Assess
      expect(mail).toStrictEqual(aSentMail({ messageId: 'Digest.1741796051@followthrough.northwind.example' }));
    });

    it('keeps the first mail recorded under a ref', async () => {
      // Prepare
      await store.recordSentMail(aSentMail());

      // Act
      await store.recordSentMail(aSentMail({ subject: 'Wrap-up (again)', sentAt: '2025-03-12T16:40:00.000Z' }));

      // Assess
      expect(await store.getSentMail(aSentMail().ref)).toStrictEqual(aSentMail());
    });

    it('[R21] claims an outbox record as pending and reads it back by its key', async () => {
      // Act
      const claimed = await store.claimOutbox(anOutboxClaim());

      // Assess
      const pending = { ...anOutboxClaim(), state: 'pending', sentAt: null };
      expect(claimed).toStrictEqual({ outcome: 'claimed', record: pending });
      expect(await store.getOutbox(anOutboxClaim().key)).toStrictEqual(pending);
    });

    it('[R21] keeps the first claim of a key and returns it to a second claim', async () => {
      // Prepare
      await store.claimOutbox(anOutboxClaim());

      // Act
      const second = await store.claimOutbox(
        anOutboxClaim({ ref: 'b7q2w5e3r6t4y2u5', messageId: '<second@followthrough.northwind.example>' }),
      );

      // Assess
      const first = { ...anOutboxClaim(), state: 'pending', sentAt: null };
      expect(second).toStrictEqual({ outcome: 'exists', record: first });
      expect(await store.getOutbox(anOutboxClaim().key)).toStrictEqual(first);
    });

    it('[R20] finds a claimed mail by neither its ref nor its Message-ID until it is sent', async () => {
      // Act
      await store.claimOutbox(anOutboxClaim());

      // Assess
      expect(await store.getSentMail(anOutboxClaim().ref)).toBeNull();
      expect(await store.getSentMail(anOutboxClaim().key)).toBeNull();
      expect(await store.findSentMailByMessageId(anOutboxClaim().messageId)).toBeNull();
    });

    it('[R21] marks an outbox record sent and records the mail under its ref and delivered Message-ID', async () => {
      // Prepare
      await store.claimOutbox(anOutboxClaim());
      const delivered = '<0102019a-6f2e-4d8a@eu-west-1.amazonses.com>';

      // Act
      await store.markOutboxSent(anOutboxClaim().key, { messageId: delivered, sentAt: '2025-03-12T16:34:11.000Z' });

      // Assess
      const { key: _key, claimedAt: _claimedAt, ...mail } = anOutboxClaim();
      const sentMail = { ...mail, messageId: delivered, sentAt: '2025-03-12T16:34:11.000Z' };
      expect(await store.getOutbox(anOutboxClaim().key)).toStrictEqual({
        ...anOutboxClaim(),
        state: 'sent',
        sentAt: '2025-03-12T16:34:11.000Z',
      });
      expect(await store.getSentMail(anOutboxClaim().ref)).toStrictEqual(sentMail);
      expect(await store.findSentMailByMessageId(delivered)).toStrictEqual(sentMail);
    });

    it('[R21] marking a sent record again keeps its first sending and adds the second Message-ID', async () => {
      // Prepare
      await store.claimOutbox(anOutboxClaim());
      await store.markOutboxSent(anOutboxClaim().key, { messageId: '<first@ses>', sentAt: '2025-03-12T16:34:11.000Z' });

      // Act
      await store.markOutboxSent(anOutboxClaim().key, {
        messageId: '<second@ses>',
        sentAt: '2025-03-12T16:35:00.000Z',
      });

      // Assess
      expect(await store.getOutbox(anOutboxClaim().key)).toMatchObject({ sentAt: '2025-03-12T16:34:11.000Z' });
      expect(await store.getSentMail(anOutboxClaim().ref)).toMatchObject({
        messageId: '<first@ses>',
        sentAt: '2025-03-12T16:34:11.000Z',
      });
      expect(await store.findSentMailByMessageId('<second@ses>')).toMatchObject({ ref: anOutboxClaim().ref });
    });

    it('refuses to mark an outbox record that was never claimed', async () => {
      // Act
      const marking = store.markOutboxSent('never-claimed', { messageId: '<a@b>', sentAt: '2025-03-12T16:34:11.000Z' });

      // Assess
      await expect(marking).rejects.toBeInstanceOf(NotFoundError);
      expect(await store.getOutbox('never-claimed')).toBeNull();
    });

    it('suppresses an address and reads the record back', async () => {
      // Act
      await store.suppressAddress(aSuppression());

      // Assess
      expect(await store.getSuppression(priya.address)).toStrictEqual(aSuppression());
    });

    it('finds a suppression whatever the case of the stored or the asked address', async () => {
      // Prepare
      await store.suppressAddress(aSuppression({ address: 'Priya.Raman@Northwind.example' }));

      // Act
      const suppression = await store.getSuppression('PRIYA.RAMAN@northwind.EXAMPLE');

      // Assess
      expect(suppression).toStrictEqual(aSuppression());
    });

    it('keeps the first suppression of an address when another event for it arrives', async () => {
      // Prepare
      await store.suppressAddress(aSuppression());

      // Act
      await store.suppressAddress(
        aSuppression({
          reason: 'complaint',
          detail: 'abuse',
          feedbackId: '0100019a1f5e8d02-7c1b3a49-6f2e-4d8a-b5c7-0e9f2d6a4b13-000000',
          at: '2025-03-13T09:00:00.000Z',
        }),
      );

      // Assess
      expect(await store.getSuppression(priya.address)).toStrictEqual(aSuppression());
    });

    it('returns null for an address it has not suppressed', async () => {
      // Prepare
      await store.suppressAddress(aSuppression());

      // Act
      const suppression = await store.getSuppression(dana.address);

      // Assess
      expect(suppression).toBeNull();
    });

    it('[R2] claims a webhook delivery it has never seen as pending, expiring a week after it arrived', async () => {
      // Act
      const claim = await store.claimWebhookDelivery(webhookId, '2025-03-12T16:20:00.000Z');

      // Assess
      expect(claim).toStrictEqual({ outcome: 'claimed', delivery: aDelivery() });
      expect(await store.getWebhookDelivery(webhookId)).toStrictEqual(aDelivery());
    });

    it('[R2] finds a pending delivery claimed again and keeps the first claim', async () => {
      // Prepare
      await store.claimWebhookDelivery(webhookId, '2025-03-12T16:20:00.000Z');

      // Act
      const claim = await store.claimWebhookDelivery(webhookId, '2025-03-12T16:21:30.000Z');

      // Assess
      expect(claim).toStrictEqual({ outcome: 'seen', delivery: aDelivery() });
      expect(await store.getWebhookDelivery(webhookId)).toStrictEqual(aDelivery());
    });

    it('[R2] marks a delivery complete with its meeting, and a later claim finds it complete', async () => {
      // Prepare
      await store.claimWebhookDelivery(webhookId, '2025-03-12T16:20:00.000Z');

      // Act
      await store.completeWebhookDelivery(webhookId, aMeeting().id, '2025-03-12T16:20:01.000Z');
      const claim = await store.claimWebhookDelivery(webhookId, '2025-03-12T17:00:00.000Z');

      // Assess
      const complete = aDelivery({
        state: 'complete',
        meetingId: aMeeting().id,
        completedAt: '2025-03-12T16:20:01.000Z',
      });
      expect(claim).toStrictEqual({ outcome: 'seen', delivery: complete });
      expect(await store.getWebhookDelivery(webhookId)).toStrictEqual(complete);
    });

    it('[R2] claims anew a delivery whose record has expired, though TTL has not deleted it yet', async () => {
      // Prepare
      await store.claimWebhookDelivery(webhookId, '2025-03-12T16:20:00.000Z');
      await store.completeWebhookDelivery(webhookId, aMeeting().id, '2025-03-12T16:20:01.000Z');

      // Act
      const claim = await store.claimWebhookDelivery(webhookId, '2025-03-19T16:20:00.000Z');

      // Assess
      const renewed = aDelivery({ receivedAt: '2025-03-19T16:20:00.000Z', expiresAt: aDelivery().expiresAt + 604_800 });
      expect(claim).toStrictEqual({ outcome: 'claimed', delivery: renewed });
      expect(await store.getWebhookDelivery(webhookId)).toStrictEqual(renewed);
    });

    it('[R2] lets exactly one of two concurrent claims of a webhook-id claim it', async () => {
      // Act
      const claims = await Promise.all([
        store.claimWebhookDelivery(webhookId, '2025-03-12T16:20:00.000Z'),
        store.claimWebhookDelivery(webhookId, '2025-03-12T16:20:00.000Z'),
      ]);

      // Assess
      expect(claims.map((claim) => claim.outcome).sort()).toStrictEqual(['claimed', 'seen']);
      expect(await store.getWebhookDelivery(webhookId)).toStrictEqual(aDelivery());
    });

    it('refuses to complete a webhook delivery it does not know, and creates none', async () => {
      // Act
      const completing = store.completeWebhookDelivery(webhookId, aMeeting().id, '2025-03-12T16:20:01.000Z');

      // Assess
      await expect(completing).rejects.toBeInstanceOf(NotFoundError);
      expect(await store.getWebhookDelivery(webhookId)).toBeNull();
    });

    it('keeps each webhook delivery under its own id', async () => {
      // Prepare
      await store.claimWebhookDelivery(webhookId, '2025-03-12T16:20:00.000Z');

      // Act
      const other = await store.getWebhookDelivery('msg_2KWPBgLlAfxdpx2AI54pPJ85f4X');

      // Assess
      expect(other).toBeNull();
    });

    describe('the weekly job’s page reads and writes', () => {
      const mondayMorning = { day: 'MON', time: '08:00', timeZone: 'America/New_York' } as const;
      /** People at numbered addresses, in the slot unless told otherwise. */
      const people = (count: number, overrides: Partial<PersonRecord> = {}): PersonRecord[] =>
        Array.from({ length: count }, (_, n) =>
          aPerson({ address: `person${String(n).padStart(3, '0')}@northwind.example`, name: null, ...overrides }),
        );
      const addresses = (records: PersonRecord[]) => records.map((p) => p.address).sort();
      const lease = 'kq3m7x2p4v6z5n8b3r2w7y4t6c';
      const sent = (claim: OutboxClaim, messageId: string): OutboxSent => ({
        record: { ...claim, state: 'pending', sentAt: null },
        messageId,
        sentAt: '2025-03-17T12:00:05.000Z',
      });

      it('lists the people of a weekly slot by address, a page at a time, with no one missed or repeated', async () => {
        // Prepare
        const inSlot = people(7);
        for (const person of [...inSlot, ...people(9, { timeZone: 'Europe/Paris' }).slice(7)]) {
          await store.putPersonIfAbsent(person);
        }

        // Act
        const pages: Array<Page<PersonRecord>> = [];
        let cursor: string | undefined;
        do {
          const page = await store.listPeopleInSlot(mondayMorning, { limit: 3, ...(cursor ? { cursor } : {}) });
          pages.push(page);
          cursor = page.cursor;
        } while (cursor !== undefined && pages.length < 10);

        // Assess
        expect(pages.map((page) => page.items.length)).toStrictEqual([3, 3, 1]);
        expect(pages.flatMap((page) => page.items)).toStrictEqual(inSlot);
      });

      it('lists nobody in a slot nobody has', async () => {
        // Prepare
        await store.putPersonIfAbsent(aPerson());

        // Act
        const page = await store.listPeopleInSlot({ ...mondayMorning, time: '09:00' });

        // Assess
        expect(page).toStrictEqual({ items: [] });
      });

      it('adds a person stored before the slot index to it when the person is put again', async () => {
        // Prepare: the record as the store wrote it before people had slot keys
        await context.putRaw({ ...aPerson(), pk: `PERSON#${priya.address}`, sk: 'META' });
        const before = await store.listPeopleInSlot(mondayMorning);

        // Act
        const stored = await store.putPersonIfAbsent(aPerson({ timeZone: 'Europe/Paris' }));

        // Assess
        expect(before.items).toStrictEqual([]);
        expect(stored).toStrictEqual(aPerson());
        expect((await store.listPeopleInSlot(mondayMorning)).items).toStrictEqual([aPerson()]);
      });

      it('records that a person wrote notes, and keeps it across a later put', async () => {
        // Prepare
        await store.putPersonIfAbsent(aPerson({ authored: false }));

        // Act
        await store.markAuthored('Priya.Raman@northwind.example', true);
        await store.putPersonIfAbsent(aPerson({ authored: false }));

        // Assess
        expect(await store.getPerson(priya.address)).toStrictEqual(aPerson({ authored: true }));
      });

      it('records that a person wrote no notes only where nothing was known', async () => {
        // Prepare
        await store.putPersonIfAbsent(aPerson());
        await store.putPersonIfAbsent(aPerson({ address: sam.address, authored: true }));

        // Act
        await store.markAuthored(priya.address, false);
        await store.markAuthored(sam.address, false);

        // Assess
        expect((await store.getPerson(priya.address))?.authored).toBe(false);
        expect((await store.getPerson(sam.address))?.authored).toBe(true);
      });

      it('marks no one it does not know as an author, and creates no one', async () => {
        // Act
        await store.markAuthored(sam.address, true);

        // Assess
        expect(await store.getPerson(sam.address)).toBeNull();
      });

      it('reads many people at once, past 100 addresses, whatever their case, leaving out unknown ones', async () => {
        // Prepare
        const stored = people(130);
        for (const person of stored) await store.putPersonIfAbsent(person);

        // Act
        const found = await store.getPeople([
          ...stored.map((p) => p.address.toUpperCase()),
          sam.address,
          stored[0]?.address ?? '',
        ]);

        // Assess
        expect(addresses(found)).toStrictEqual(addresses(stored));
      });

      it('reads many series at once, leaving out unknown ones', async () => {
        // Prepare
        await store.putSeries(aSeries(), 0);
        await store.putSeries(aSeries({ id: 'se_0000000000000002', author: null }), 0);

        // Act
        const found = await store.getSeriesMany([seriesId, 'se_0000000000000002', 'se_unknown']);

        // Assess
        expect(found.sort((a, b) => a.id.localeCompare(b.id))).toStrictEqual([
          aSeries({ id: 'se_0000000000000002', author: null }),
          aSeries(),
        ]);
      });

      it('reads the suppressions of many addresses at once, whatever their case', async () => {
        // Prepare
        await store.suppressAddress(aSuppression());

        // Act
        const found = await store.getSuppressions(['PRIYA.Raman@northwind.example', dana.address]);

        // Assess
        expect(found).toStrictEqual([aSuppression()]);
      });

      it('[R21] stores outbox claims as pending, replacing what was under their keys, and reads them back at once', async () => {
        // Prepare
        await store.claimOutbox(anOutboxClaim());
        const second = anOutboxClaim({ key: 'c9v2b7n4m6x3z5q8w2e7r4t6y3', ref: 'b7q2w5e3r6t4y2u5' });
        const replaced = anOutboxClaim({ ref: 'd3f6g2h7j4k5l2z3', messageId: '<replaced@followthrough.example>' });

        // Act
        await store.putOutboxClaims([replaced, second]);

        // Assess
        const found = await store.getOutboxMany([anOutboxClaim().key, second.key, 'unknown']);
        expect(found.sort((a, b) => a.key.localeCompare(b.key))).toStrictEqual([
          { ...second, state: 'pending', sentAt: null },
          { ...replaced, state: 'pending', sentAt: null },
        ]);
      });

      it('[R21] marks many outbox records sent and records each mail under its ref and delivered Message-ID', async () => {
        // Prepare
        const second = anOutboxClaim({ key: 'c9v2b7n4m6x3z5q8w2e7r4t6y3', ref: 'b7q2w5e3r6t4y2u5' });
        await store.putOutboxClaims([anOutboxClaim(), second]);

        // Act
        await store.markOutboxSentMany([sent(anOutboxClaim(), '<one@ses>'), sent(second, '<two@ses>')]);

        // Assess
        const { key: _key, claimedAt: _claimedAt, ...mail } = second;
        const sentMail = { ...mail, messageId: '<two@ses>', sentAt: '2025-03-17T12:00:05.000Z' };
        expect(await store.getOutbox(second.key)).toStrictEqual({
          ...second,
          state: 'sent',
          sentAt: '2025-03-17T12:00:05.000Z',
        });
        expect(await store.getSentMail(second.ref)).toStrictEqual(sentMail);
        expect(await store.findSentMailByMessageId('<two@ses>')).toStrictEqual(sentMail);
        expect(await store.findSentMailByMessageId('<one@ses>')).toMatchObject({ ref: anOutboxClaim().ref });
      });

      it('[R22] leases a weekly page to one claimant: a second is told it is busy', async () => {
        // Act
        const first = await store.claimWeeklyPage(lease, '2025-04-15T12:05:00Z');
        const second = await store.claimWeeklyPage(lease, '2025-04-15T12:05:00Z');

        // Assess
        expect([first, second]).toStrictEqual(['claimed', 'busy']);
      });

      it('[R22] lets exactly one of two concurrent claims of a weekly page take it', async () => {
        // Act
        const claims = await Promise.all([
          store.claimWeeklyPage(lease, '2025-04-15T12:05:00Z'),
          store.claimWeeklyPage(lease, '2025-04-15T12:05:00Z'),
        ]);

        // Assess
        expect(claims.sort()).toStrictEqual(['busy', 'claimed']);
      });

      it('[R22] tells a claim of a completed page that it is done', async () => {
        // Prepare
        await store.claimWeeklyPage(lease, '2025-04-15T12:05:00Z');

        // Act
        await store.completeWeeklyPage(lease);

        // Assess
        expect(
          await context.storeAt(new Date('2025-04-15T13:00:00Z')).claimWeeklyPage(lease, '2025-04-15T13:05:00Z'),
        ).toBe('done');
      });

      it('[R22] gives a page whose lease ran out to the next claim', async () => {
        // Prepare
        await store.claimWeeklyPage(lease, '2025-04-15T12:05:00Z');

        // Act
        const later = await context
          .storeAt(new Date('2025-04-15T12:05:00Z'))
          .claimWeeklyPage(lease, '2025-04-15T12:10:00Z');

        // Assess
        expect(later).toBe('claimed');
      });

      it('[R22] gives a released page to the next claim at once', async () => {
        // Prepare
        await store.claimWeeklyPage(lease, '2025-04-15T12:05:00Z');

        // Act
        await store.releaseWeeklyPage(lease, '2025-04-15T12:05:00Z');

        // Assess
        expect(await store.claimWeeklyPage(lease, '2025-04-15T12:06:00Z')).toBe('claimed');
      });

      it('[R22] leaves alone a lease taken since by someone else when asked to release an old one', async () => {
        // Prepare
        await store.claimWeeklyPage(lease, '2025-04-15T12:05:00Z');
        await context.storeAt(new Date('2025-04-15T12:05:00Z')).claimWeeklyPage(lease, '2025-04-15T12:10:00Z');

        // Act
        await store.releaseWeeklyPage(lease, '2025-04-15T12:05:00Z');

        // Assess
        expect(
          await context.storeAt(new Date('2025-04-15T12:06:00Z')).claimWeeklyPage(lease, '2025-04-15T12:11:00Z'),
        ).toBe('busy');
      });

      it('refuses to complete a weekly page never claimed, and creates no lease', async () => {
        // Act
        const completing = store.completeWeeklyPage(lease);

        // Assess
        await expect(completing).rejects.toBeInstanceOf(NotFoundError);
        expect(await store.claimWeeklyPage(lease, '2025-04-15T12:05:00Z')).toBe('claimed');
      });
    });

    describe('records past their expiry (TTL deletes them days late)', () => {
      beforeEach(async () => {
        await store.claimMeeting(aMeeting());
        await store.putItems(meetingItems(aMeeting().id));
        await store.putSeries(aSeries(), 0);
        await store.recordSentMail(aSentMail());
        await store.claimOutbox(anOutboxClaim());
      });

      it.each(expiringReads)('[R25] %s returns nothing once the record has expired', async (_, read, nothing) => {
        // Act
        const found = await read(context.storeAt(afterExpiry));

        // Assess
        expect(found).toStrictEqual(nothing);
      });

      it.each(expiringReads)('[R25] %s still returns the record before it expires', async (_, read, nothing) => {
        // Act
        const found = await read(context.storeAt(beforeExpiry));

        // Assess
        expect(found).not.toStrictEqual(nothing);
      });

      it('[R25] claims a meeting afresh once the stored one has expired', async () => {
        // Act
        const claim = await context
          .storeAt(afterExpiry)
          .claimMeeting(aMeeting({ receivedAt: '2027-04-01T00:00:00.000Z' }));

        // Assess
        expect(claim).toStrictEqual({ outcome: 'claimed' });
        expect(await context.storeAt(afterExpiry).getMeeting(aMeeting().id)).toStrictEqual(
          aMeeting({ receivedAt: '2027-04-01T00:00:00.000Z' }),
        );
      });

      it('[R25] creates a series anew once the stored one has expired', async () => {
        // Act
        const later = context.storeAt(afterExpiry);
        const written = await later.putSeries(aSeries({ updatedAt: '2027-04-01T00:00:00.000Z' }), 0);

        // Assess
        expect(written).toBe(true);
        expect(await later.getSeries(seriesId)).toStrictEqual(aSeries({ updatedAt: '2027-04-01T00:00:00.000Z' }));
      });

      it('[R25] keeps people and suppressions, which never expire', async () => {
        // Prepare
        await store.putPersonIfAbsent(aPerson());
        await store.suppressAddress(aSuppression());

        // Act
        const years = context.storeAt(new Date('2040-01-01T00:00:00Z'));

        // Assess
        expect(await years.getPerson(priya.address)).toStrictEqual(aPerson());
        expect(await years.getSuppression(priya.address)).toStrictEqual(aSuppression());
      });
    });

    it('answers every method without a Scan, across the whole suite', async () => {
      // Prepare: every method once more, so this holds even when the test runs alone
      await store.claimMeeting(aMeeting());
      await store.claimMeeting(aMeeting());
      await store.putItems(meetingItems(aMeeting().id));
      await store.completeMeeting(aMeeting().id);
      await store.markWrapupSent(aMeeting().id, '2025-03-12T16:34:11.000Z');
      await store.getMeeting(aMeeting().id);
      await store.listMeetingItems(aMeeting().id);
      await store.listItemsByOwner({ owner: priya.address });
      await store.listItemsByOwner({ owner: priya.address, openOnly: true });
      await store.listMeetings({ limit: 1 });
      await store.setItemStatus(aMeeting().id, 1, 'done', '2025-03-13T09:12:00.000Z');
      await store.getItem(aMeeting().id, 1);
      await store.updateItem(
        aMeeting().id,
        2,
        { ...stateOf(anItem()), owner: null },
        aChange(),
        '2025-03-14T00:00:00Z',
      );
      await store.listSeriesItems(seriesId);
      await store.listSeriesItems(seriesId, { openOnly: true });
      await store.putSeries(aSeries(), 0);
      await store.getSeries(seriesId);
      await store.listSeriesByAuthor(dana.address, { limit: 1 });
      await store.putPersonIfAbsent(aPerson());
      await store.putPersonIfAbsent(aPerson());
      await store.getPerson(priya.address);
      await store.setOptOut(priya.address, 'weekly', true, '2025-04-01T09:00:00.000Z');
      await store.setOptOut(priya.address, 'weekly', true, '2025-04-01T09:00:00.000Z');
      await store.recordSentMail(aSentMail());
      await store.getSentMail(aSentMail().ref);
      await store.findSentMailByMessageId(aSentMail().messageId);
      await store.claimOutbox(anOutboxClaim());
      await store.claimOutbox(anOutboxClaim());
      await store.getOutbox(anOutboxClaim().key);
      await store.markOutboxSent(anOutboxClaim().key, { messageId: '<a@b>', sentAt: '2025-03-12T16:34:11.000Z' });
      await store.suppressAddress(aSuppression());
      await store.suppressAddress(aSuppression());
      await store.getSuppression(priya.address);
      await store.claimWebhookDelivery(webhookId, '2025-03-12T16:20:00.000Z');
      await store.claimWebhookDelivery(webhookId, '2025-03-12T16:20:00.000Z');
      await store.completeWebhookDelivery(webhookId, aMeeting().id, '2025-03-12T16:20:01.000Z');
      await store.getWebhookDelivery(webhookId);
      await store.markAuthored(priya.address, true);
      await store.listPeopleInSlot({ day: 'MON', time: '08:00', timeZone: 'America/New_York' }, { limit: 1 });
      await store.getPeople([priya.address]);
      await store.getSeriesMany([seriesId]);
      await store.getSuppressions([priya.address]);
      await store.putOutboxClaims([anOutboxClaim({ key: 'k2' })]);
      await store.getOutboxMany([anOutboxClaim().key, 'k2']);
      await store.markOutboxSentMany([
        {
          record: { ...anOutboxClaim({ key: 'k2' }), state: 'pending', sentAt: null },
          messageId: '<c@d>',
          sentAt: '2025-03-12T16:34:12.000Z',
        },
      ]);
      await store.claimWeeklyPage('page', '2025-04-15T12:05:00Z');
      await store.releaseWeeklyPage('page', '2025-04-15T12:05:00Z');
      await store.claimWeeklyPage('page', '2025-04-15T12:05:00Z');
      await store.completeWeeklyPage('page');

      // Act
      const sent = new Set([...suiteCommands, ...context.commands]);

      // Assess
      expect(sent).toContain('QueryCommand');
      expect([...sent].filter((command) => /scan/i.test(command))).toStrictEqual([]);
    });
  });
};
