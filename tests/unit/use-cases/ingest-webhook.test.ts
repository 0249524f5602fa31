import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { NotesResult } from '../../../functions/use-cases/ingest-email';
import { RejectedInputError } from '../../../functions/use-cases/ingest-email';
import { ingestWebhookNotes, markdownToText, webhookAnswer } from '../../../functions/use-cases/ingest-webhook';
import { startWorlds, type UseCaseWorld } from '../../support/use-case-deps';

const dana = 'dana.whitfield@acme-sales.example';
const marcus = 'marcus.reid@acme-sales.example';

/** What a notes app posts: Dana's notes of her 1:1 with Marcus on Tue 14 Jul 2026, in Los Angeles. */
const notes = {
  id: 'notes-2026-07-14',
  subject: '1:1 Dana / Marcus',
  date: '2026-07-14',
  timeZone: 'America/Los_Angeles',
  attendees: [
    { email: dana, name: 'Dana Whitfield' },
    { email: marcus, name: 'Marcus Reid' },
  ],
  author: dana,
  format: 'text',
  notes: [
    'Action items',
    '- Marcus: send Initech the revised renewal quote by Friday',
    '- Dana: introduce Marcus to the Globex VP by 7/21',
    '',
    'Next 1:1 Tue 7/21.',
  ].join('\n'),
};

const json = (body: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(body));

describe('notes posted to the webhook', () => {
  let worlds: Awaited<ReturnType<typeof startWorlds>>;
  let world: UseCaseWorld;

  const post = (body: unknown) => ingestWebhookNotes(world.deps, json(body));
  const ingested = (result: NotesResult) => {
    if (result.outcome !== 'ingested') throw new Error(`expected the notes to be ingested, got ${result.outcome}`);
    return result;
  };
  const rejection = async (body: Uint8Array): Promise<RejectedInputError> => {
    const error = await ingestWebhookNotes(world.deps, body).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RejectedInputError);
    return error as RejectedInputError;
  };
  const items = async (result: NotesResult) =>
    (await world.store.listMeetingItems(result.meeting.id)).map((i) => [i.text, i.owner, i.due]);

  beforeAll(async () => {
    worlds = await startWorlds();
  });

  it('[R9] stores the first 200 of 250 items and says what it left out, as the mail path does', async () => {
    const many = Array.from({ length: 250 }, (_, i) => `- Marcus: call account ${i + 1} by Friday`);

    const result = await post({ ...notes, id: 'many-items', notes: ['Action items', ...many].join('\n') });

    expect(ingested(result).items).toHaveLength(200);
    expect(await world.store.listMeetingItems(result.meeting.id)).toHaveLength(200);
    expect(webhookAnswer(result)).toMatchObject({ items: 200, cuts: [{ limit: 'items', kept: 200, total: 250 }] });
  });
  afterAll(async () => {
    await worlds.close();
  });
  beforeEach(async () => {
    world = await worlds.world('2026-07-14T18:00:00Z');
  });
  afterEach(async () => {
    await world.dispose();
  });

  it('stores the meeting and its items from plain-text notes, and schedules the wrap-up', async () => {
    const result = ingested(await post(notes));

    expect(await world.store.getMeeting(result.meeting.id)).toMatchObject({
      state: 'complete',
      date: '2026-07-14',
      itemCount: 2,
      author: { address: dana },
      attendees: [
        { address: dana, name: 'Dana Whitfield' },
        { address: marcus, name: 'Marcus Reid' },
      ],
      nextMeetingDate: '2026-07-21',
    });
    expect(await items(result)).toEqual([
      ['Send Initech the revised renewal quote', marcus, '2026-07-17'],
      ['Introduce Marcus to the Globex VP', dana, '2026-07-21'],
    ]);
    expect(world.deps.scheduler.list().filter((s) => s.name.startsWith('wrapup-'))).toEqual([
      expect.objectContaining({
        at: '2026-07-14T18:30:00.000Z',
        job: { kind: 'wrapup', meetingId: result.meeting.id },
      }),
    ]);
  });

  it('reads Markdown notes: headings, bold and code marks dropped, links kept as text with the address', async () => {
    const result = ingested(
      await post({
        ...notes,
        format: 'markdown',
        notes: [
          '## Action items',
          '- **Marcus**: send [the Initech quote](https://crm.example/q/42) by Friday',
          '- Dana: review the `Q3` plan by 7/21',
          '',
          '### Next 1:1 Tue 7/21 ###',
        ].join('\n'),
      }),
    );

    expect(await items(result)).toEqual([
      ['Send the Initech quote (https://crm.example/q/42)', marcus, '2026-07-17'],
      ['Review the Q3 plan', dana, '2026-07-21'],
    ]);
    expect(result.series.nextMeeting).toEqual({ date: '2026-07-21', source: 'notes' });
  });

  it('turns Markdown into the plain text notes are read from, lists kept as lists', () => {
    expect(
      markdownToText(
        '# 1:1 Dana / Marcus #\r\n## Action items\n- __Marcus__: send [the quote](https://crm.example/q/42) by `Friday`\n  - **sub** point',
      ),
    ).toBe(
      '1:1 Dana / Marcus\nAction items\n- Marcus: send the quote (https://crm.example/q/42) by Friday\n  - sub point',
    );
  });

  it('reads HTML notes', async () => {
    const result = ingested(
      await post({
        ...notes,
        format: 'html',
        notes:
          '<h2>Action items</h2><ul><li><b>Marcus</b>: send Initech the revised renewal quote by Friday</li>' +
          '<li>Dana: introduce Marcus to the Globex VP by 7/21</li></ul>',
      }),
    );

    expect(await items(result)).toEqual([
      ['Send Initech the revised renewal quote', marcus, '2026-07-17'],
      ['Introduce Marcus to the Globex VP', dana, '2026-07-21'],
    ]);
  });

  it('stores the notes once when the same id is posted twice', async () => {
    const first = ingested(await post(notes));
    await world.store.setItemStatus(first.meeting.id, 1, 'done', '2026-07-14T18:10:00Z');

    const again = await post({ ...notes, notes: `${notes.notes}\n- Marcus: one more thing by Friday` });

    expect(again).toMatchObject({ outcome: 'duplicate', meeting: { id: first.meeting.id } });
    expect((await world.store.listMeetingItems(first.meeting.id)).map((i) => i.status)).toEqual(['done', 'open']);
    expect(world.deps.scheduler.list().filter((s) => s.name.startsWith('wrapup-'))).toHaveLength(1);
  });

  it('refuses a body that is not JSON, naming the body, and keeps it', async () => {
    const body = new TextEncoder().encode('{"notes": "Action items",');

    const error = await rejection(body);

    expect(error.field).toBe('body');
    expect(await world.deps.archive.get(error.rawKey)).toEqual(body);
    expect((await world.store.listMeetings()).items).toEqual([]);
  });

  it.each([
    ['attendees', 'missing', { attendees: undefined }, 'attendees: is required'],
    ['attendees', 'empty', { attendees: [] }, 'attendees: needs at least one attendee'],
    ['attendees.0.email', 'not an address', { attendees: [{ email: 'dana at acme' }] }, 'attendees.0.email:'],
    ['date', 'not YYYY-MM-DD', { date: '14/07/2026' }, 'date:'],
    ['timeZone', 'not an IANA zone', { timeZone: 'Pacific Time' }, 'timeZone: must be an IANA time zone'],
    ['author', 'not an attendee', { author: 'jordan.lee@acme-sales.example' }, 'author: must be one of the attendees'],
    ['notes', 'empty', { notes: '' }, 'notes: must not be empty'],
  ])('refuses notes whose %s is %s, naming the field, and keeps the raw body', async (field, _why, change, message) => {
    const body = json({ ...notes, ...change });

    const error = await rejection(body);

    expect(error.field).toBe(field);
    expect(error.message).toContain(message);
    expect(await world.deps.archive.get(error.rawKey)).toEqual(body);
    expect((await world.store.listMeetings()).items).toEqual([]);
    expect(world.deps.scheduler.list()).toEqual([]);
  });

  it('takes the first attendee as the author when none is named', async () => {
    const result = ingested(
      await post({ ...notes, author: undefined, attendees: [{ email: marcus }, { email: dana, name: 'Dana' }] }),
    );

    expect(result.meeting.author).toEqual({ address: marcus, name: null });
  });

  it('gives a summer meeting in Los Angeles the offset of Pacific daylight time', async () => {
    const result = ingested(await post(notes));

    expect(result.meeting.utcOffsetMinutes).toBe(-420);
    // The zone the caller named, not the offset's Etc zone: the digests follow daylight saving.
    expect(result.series.timeZone).toBe('America/Los_Angeles');
    // The digest the morning of the next 1:1: 08:00 in Los Angeles.
    expect(result.digestsAt).toEqual(['2026-07-21T15:00:00.000Z', '2026-07-21T15:00:00.000Z']);
  });

  it('gives a winter meeting in Los Angeles the offset of Pacific standard time', async () => {
    world.clock.set('2026-01-14T18:00:00Z');

    const result = ingested(await post({ ...notes, id: 'notes-2026-01-14', date: '2026-01-14' }));

    expect(result.meeting.utcOffsetMinutes).toBe(-480);
    expect(result.series.timeZone).toBe('America/Los_Angeles');
  });

  it('takes the meeting’s date from a date-time with an offset', async () => {
    const result = ingested(await post({ ...notes, date: '2026-07-14T16:30:00-07:00' }));

    expect(result.meeting).toMatchObject({ date: '2026-07-14', sentAt: '2026-07-14T23:30:00.000Z' });
  });

  it('reads a date-time in the named zone: 01:00 UTC on the 15th is the evening of the 14th in Los Angeles', async () => {
    const result = ingested(await post({ ...notes, date: '2026-07-15T01:00:00Z' }));

    expect(result.meeting).toMatchObject({
      date: '2026-07-14',
      utcOffsetMinutes: -420,
      timeZone: 'America/Los_Angeles',
    });
  });

  it('reads a date-time with an offset and no zone in its own offset', async () => {
    const { timeZone: _named, ...withoutZone } = notes;

    const result = ingested(await post({ ...withoutZone, date: '2026-07-14T21:30:00+05:30' }));

    expect(result.meeting).toMatchObject({ date: '2026-07-14', utcOffsetMinutes: 330, timeZone: null });
    expect(result.series.timeZone).toBe('Asia/Kolkata');
  });
});
