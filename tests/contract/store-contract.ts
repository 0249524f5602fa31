import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbStore } from '../../functions/adapters/aws/dynamodb-store';
import { ensureTable } from '../../functions/adapters/aws/dynamodb-table';
import { createLocalDynamoClient } from '../../functions/adapters/local/local-dynamodb-client';
import { InvalidInputError, NotFoundError } from '../../functions/domain/errors';
import type { Meeting } from '../../functions/domain/model';
import type { Store } from '../../functions/ports/store';
import { aMeeting, anItem, dana, meetingItems, priya } from './store-fixtures';

export interface StoreContext {
  /** A store on a table of its own, empty. */
  store: Store;
  /** Names of the SDK commands the store's client sent, in order (see recordCommandNames). */
  commands: string[];
  teardown(): Promise<void>;
}

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
  return { store: new DynamoDbStore({ client, tableName }), commands, teardown: async () => client.destroy() };
};

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

    it('stores a meeting whose optional facts are all null and reads them back as null', async () => {
      // Prepare
      const meeting = aMeeting({
        sentAt: null,
        utcOffsetMinutes: null,
        author: null,
        nextMeetingDate: null,
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

    it('reads every page when an owner’s items or a meeting’s items exceed one 1 MB page', async () => {
      // Prepare: five items of ≈ 300 KB each, under the 400 KB item limit and over 1 MB together
      const notes = 'Context pasted from the design doc. '.repeat(8_500);
      const items = [1, 2, 3, 4, 5].map((seq) => anItem({ seq, source: notes }));
      await store.putItems(items);
      const queriesBefore = context.commands.filter((command) => command === 'QueryCommand').length;

      // Act
      const byOwner = await store.listItemsByOwner({ owner: priya.address });
      const byMeeting = await store.listMeetingItems(aMeeting().id);

      // Assess
      expect(byOwner).toStrictEqual(items);
      expect(byMeeting).toStrictEqual(items);
      // The premise: each listing took at least two pages, or this test proves nothing.
      const queries = context.commands.filter((command) => command === 'QueryCommand').length - queriesBefore;
      expect(queries).toBeGreaterThanOrEqual(4);
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

      // Act
      const sent = new Set([...suiteCommands, ...context.commands]);

      // Assess
      expect(sent).toContain('QueryCommand');
      expect([...sent].filter((command) => /scan/i.test(command))).toStrictEqual([]);
    });
  });
};
