import { readFile } from 'node:fs/promises';
import PostalMime, { type Email } from 'postal-mime';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../../functions/ports/store';
import { ingestEmail } from '../../../functions/use-cases/ingest-email';
import { refInSubject } from '../../../functions/use-cases/outgoing';
import { sendDigest } from '../../../functions/use-cases/send-digest';
import { fixtureBytes } from '../../support/fixtures';
import { startWorlds, type UseCaseWorld } from '../../support/use-case-deps';

const dana = 'dana.whitfield@acme-sales.example';
const marcus = 'marcus.reid@acme-sales.example';
const priya = 'priya.natarajan@acme-sales.example';

/** Notes of the 1:1 held early on the morning of the digest's own day. */
const sameDayNotes = new TextEncoder().encode(
  [
    'From: Dana Whitfield <dana.whitfield@acme-sales.example>',
    'To: Marcus Reid <marcus.reid@acme-sales.example>',
    'Cc: notes@followthrough.example',
    'Subject: 1:1 Dana / Marcus - early start',
    'Date: Thu, 26 Nov 2026 07:30:00 -0500',
    'Message-ID: <20261126123000.5005.early@mail.acme-sales.example>',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset="utf-8"',
    '',
    'Action items',
    '- Marcus: send Globex the pilot proposal by 12/2',
    '',
  ].join('\r\n'),
);

describe('the pre-meeting digest', () => {
  let worlds: Awaited<ReturnType<typeof startWorlds>>;
  let world: UseCaseWorld;
  let seriesId: string;
  let firstMeeting: string;

  /** Meeting 1 (12 Nov) and meeting 2 (19 Nov) of Dana and Marcus: the next 1:1 is Thu 26 Nov. */
  const ingestSeries = async (second = 'loop/03-dana-marcus-nov19.eml') => {
    const first = await ingestEmail(world.deps, fixtureBytes('loop/01-dana-marcus-nov12.eml'));
    world.clock.set('2026-11-19T21:15:00Z');
    const latest = await ingestEmail(world.deps, fixtureBytes(second));
    if (first.outcome !== 'ingested' || latest.outcome !== 'ingested') throw new Error('the fixtures should ingest');
    seriesId = latest.series.id;
    firstMeeting = first.meeting.id;
    world.clock.set('2026-11-26T13:00:00Z');
  };
  const digest = (recipient = marcus, meetingDate = '2026-11-26') =>
    sendDigest(world.deps, { seriesId, recipient, meetingDate });
  const digests = async (): Promise<Email[]> => {
    const sent = (await world.outbox()).filter((m) => m.kind === 'digest');
    return Promise.all(sent.map(async (m) => PostalMime.parse(await readFile(m.file))));
  };
  const onlyDigest = async (): Promise<string> => {
    const [only, ...more] = await digests();
    expect(more).toEqual([]);
    return only?.text ?? '';
  };

  beforeAll(async () => {
    worlds = await startWorlds();
  });
  afterAll(async () => {
    await worlds.close();
  });
  beforeEach(async () => {
    world = await worlds.world('2026-11-12T21:00:00Z');
  });
  afterEach(async () => {
    await world.dispose();
  });

  it('sends nothing for a job whose date the series has since moved', async () => {
    await ingestSeries();
    // Still 19 Nov in New York: the job of the first notes, for that day, runs after the day's notes moved the series.
    world.clock.set('2026-11-19T21:30:00Z');

    const result = await digest(marcus, '2026-11-19');

    expect(result).toEqual({ outcome: 'stale' });
    expect(await digests()).toEqual([]);
  });

  it('sends nothing when the schedule fires after the meeting day is over', async () => {
    await ingestSeries();
    world.clock.set('2026-11-27T13:00:00Z');

    expect(await digest()).toEqual({ outcome: 'stale' });
    expect(await digests()).toEqual([]);
  });

  it('still sends on the evening of the meeting day, in the series’ time zone', async () => {
    await ingestSeries();
    // 02:00 UTC on the 27th is 21:00 on the 26th in New York.
    world.clock.set('2026-11-27T02:00:00Z');

    expect(await digest()).toMatchObject({ outcome: 'sent' });
  });

  it('sends nothing to someone who is not in the series', async () => {
    await ingestSeries();

    expect(await digest(priya)).toEqual({ outcome: 'stale' });
    expect(await digests()).toEqual([]);
  });

  it('sends nothing more when the schedule fires a second time', async () => {
    await ingestSeries();
    await digest();

    const again = await digest();

    expect(again).toEqual({ outcome: 'already-sent' });
    expect(await digests()).toHaveLength(1);
  });

  it('says in one line that the slate is clean when nothing is open', async () => {
    const first = await ingestEmail(world.deps, fixtureBytes('loop/01-dana-marcus-nov12.eml'));
    if (first.outcome !== 'ingested') throw new Error('the fixture should ingest');
    seriesId = first.series.id;
    for (const seq of [1, 2]) await world.store.setItemStatus(first.meeting.id, seq, 'done', '2026-11-16T15:00:00Z');
    world.clock.set('2026-11-19T13:00:00Z');

    const result = await digest(marcus, '2026-11-19');

    expect(result).toEqual({ outcome: 'sent', open: 0, stalled: 0 });
    const text = await onlyDigest();
    expect(text).toContain('Nothing is open between you and Dana — a clean slate for Thursday.');
    expect(text).not.toMatch(/^\d+\. /m);
    expect(text).not.toContain('Reply with');
  });

  it('leaves out an item snoozed past the meeting', async () => {
    await ingestSeries();
    await world.store.updateItem(
      firstMeeting,
      1,
      {
        status: 'open',
        due: '2026-11-16',
        owner: marcus,
        ownerName: 'Marcus Reid',
        snoozedUntil: '2026-11-27',
        flags: [],
      },
      null,
      '2026-11-20T15:00:00Z',
    );

    await digest();

    const text = await onlyDigest();
    expect(text).not.toContain('Send Initech the revised renewal quote');
    expect(text).toContain('Introduce Marcus to the Globex VP of Operations');
  });

  it('lists a snoozed item again on the day its snooze ends', async () => {
    await ingestSeries();
    await world.store.updateItem(
      firstMeeting,
      1,
      {
        status: 'open',
        due: '2026-11-16',
        owner: marcus,
        ownerName: 'Marcus Reid',
        snoozedUntil: '2026-11-26',
        flags: [],
      },
      null,
      '2026-11-20T15:00:00Z',
    );

    await digest();

    expect(await onlyDigest()).toContain('Send Initech the revised renewal quote');
  });

  it('leaves out what was agreed on the meeting day itself', async () => {
    await ingestSeries();
    // Notes of a 1:1 held that very morning, stored up to their items before the ingest stopped.
    world.clock.set('2026-11-26T12:45:00Z');
    const stopping = new Proxy<Store>(world.store, {
      get: (target, property) =>
        property === 'putSeries'
          ? () => Promise.reject(new Error('Lambda timed out'))
          : (target[property as keyof Store] as (...args: unknown[]) => unknown).bind(target),
    });
    await expect(ingestEmail({ ...world.deps, store: stopping }, sameDayNotes)).rejects.toThrow('Lambda timed out');
    expect((await world.store.listSeriesItems(seriesId)).map((i) => i.text)).toContain(
      'Send Globex the pilot proposal',
    );
    world.clock.set('2026-11-26T13:00:00Z');

    await digest();

    expect(await onlyDigest()).not.toContain('Send Globex the pilot proposal');
  });

  it('marks overdue and stalled items, and counts them in the first line', async () => {
    await ingestSeries();

    const result = await digest();

    expect(result).toEqual({ outcome: 'sent', open: 4, stalled: 2 });
    const text = await onlyDigest();
    expect(text).toContain('4 items still open from earlier meetings: 3 overdue, 2 stalled.');
    expect(text).toMatch(
      /1\. Introduce Marcus to the Globex VP of Operations\n.*\n {3}\[OVERDUE · 13 days\]\n {3}STALLED — Open for 2 meetings\./,
    );
    // Overdue by two days and open for one meeting: late, but not yet stalled.
    expect(text).toMatch(/3\. Book the Initech QBR for early December\n.*\n {3}\[OVERDUE · 2 days\]\n {3}Done: /);
    expect(text).toMatch(/4\. Approve Marcus's conference budget\n.*\n {3}Done: /);
  });

  it('shows the agenda topics the latest notes set', async () => {
    await ingestSeries();

    await digest();

    expect(await onlyDigest()).toMatch(/Agenda\n-+\n\n- Walk through the Q1 territory split\n/);
  });

  it('numbers open, agenda and growth items in one run, as the sent-mail record maps them', async () => {
    await ingestSeries('digest-groups.eml');

    await digest(dana);

    const [mail] = await digests();
    const text = mail?.text ?? '';
    const headings = ['Still open from earlier meetings', 'Agenda', 'Growth'].map((h) => text.indexOf(`${h}\n---`));
    expect(headings.every((at, i) => at > (headings[i - 1] ?? -1))).toBe(true);
    const record = await world.store.getSentMail(refInSubject(mail?.subject ?? '') ?? '');
    const shown = await Promise.all(
      (record?.items ?? []).map(async (ref) => {
        const item = await world.store.getItem(ref.meetingId, ref.seq);
        return [ref.number, item?.section, item?.text];
      }),
    );
    expect(shown).toEqual([
      [1, 'action', 'Introduce Marcus to the Globex VP of Operations'],
      [2, 'action', 'Send Initech the revised renewal quote'],
      [3, 'action', 'Book the Initech QBR for early December'],
      [4, 'action', "Approve Marcus's conference budget"],
      [5, 'agenda', 'Bring the Globex org chart'],
      [6, 'growth', 'Run the next team pipeline review, follow up'],
    ]);
    for (const [number, , itemText] of shown) expect(text).toContain(`${number}. ${itemText}\n`);
  });
});
