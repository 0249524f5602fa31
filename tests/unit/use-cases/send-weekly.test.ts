import { readFile } from 'node:fs/promises';
import PostalMime, { type Email } from 'postal-mime';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError } from '../../../functions/domain/errors';
import { ingestEmail } from '../../../functions/use-cases/ingest-email';
import { sendWeekly } from '../../../functions/use-cases/send-weekly';
import { fixtureBytes } from '../../support/fixtures';
import { startWorlds, type UseCaseWorld } from '../../support/use-case-deps';

const dana = 'dana.whitfield@acme-sales.example';
const marcus = 'marcus.reid@acme-sales.example';
const priya = 'priya.natarajan@acme-sales.example';

/** Monday 23 Nov 2026, 08:00 in New York: when the default weekly schedule fires. */
const monday = '2026-11-23T13:00:00Z';

describe('the weekly mail and the roll-up', () => {
  let worlds: Awaited<ReturnType<typeof startWorlds>>;
  let world: UseCaseWorld;
  /** Meeting ids: Dana / Marcus on 12 and 19 Nov, Dana / Priya on 17 Nov. */
  let marcus12: string;
  let priya17: string;
  let marcus19: string;

  const ingest = async (name: string, at: string): Promise<string> => {
    world.clock.set(at);
    const result = await ingestEmail(world.deps, fixtureBytes(name));
    if (result.outcome !== 'ingested') throw new Error(`${name} should ingest`);
    return result.meeting.id;
  };
  /** Dana's two series: she wrote the notes of both, so she manages Marcus and Priya. */
  const ingestBothSeries = async () => {
    marcus12 = await ingest('loop/01-dana-marcus-nov12.eml', '2026-11-12T21:00:00Z');
    priya17 = await ingest('loop/02-dana-priya-nov17.eml', '2026-11-17T16:10:00Z');
    marcus19 = await ingest('loop/03-dana-marcus-nov19.eml', '2026-11-19T21:15:00Z');
    world.clock.set(monday);
  };
  const close = (meetingId: string, ...seqs: number[]) =>
    Promise.all(seqs.map((seq) => world.store.setItemStatus(meetingId, seq, 'done', '2026-11-20T15:00:00Z')));
  const mails = async (kind: string, to: string): Promise<Email[]> => {
    const sent = (await world.outbox()).filter((m) => m.kind === kind && m.to.includes(to));
    return Promise.all(sent.map(async (m) => PostalMime.parse(await readFile(m.file))));
  };
  const textOf = async (kind: string, to: string): Promise<string> => {
    const found = await mails(kind, to);
    expect(found, `${kind} to ${to}`).toHaveLength(1);
    return found[0]?.text ?? '';
  };
  /** The numbered items of a mail's text, in order. */
  const listed = (text: string) => [...text.matchAll(/^\d+\. (.+)$/gm)].map((m) => m[1]);

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

  describe('the weekly mail', () => {
    it('lists what the person owns across their series, overdue first, undated last', async () => {
      await ingestBothSeries();

      const result = await sendWeekly(world.deps, dana);

      expect(result.weekly).toBe('sent');
      const text = await textOf('weekly', dana);
      expect(text).toContain('Dana, you own 3 open items, 1 overdue.');
      expect(text.indexOf('Overdue\n---')).toBeLessThan(text.indexOf('Still open\n---'));
      expect(listed(text)).toEqual([
        'Introduce Marcus to the Globex VP of Operations',
        "Approve Marcus's conference budget",
        "Review Priya's territory plan",
      ]);
      expect(text).toMatch(/1\. Introduce Marcus.*\n.*1:1 with Marcus Reid.*\n {3}\[OVERDUE · 10 days\]/);
      expect(text).toMatch(/3\. Review Priya's territory plan\n {3}Due: no date · 1:1 with Priya Natarajan/);
    });

    it('sends nothing to someone with nothing open', async () => {
      await ingestBothSeries();
      await close(marcus12, 1);
      await close(marcus19, 1);

      const result = await sendWeekly(world.deps, marcus);

      expect(result).toEqual({ weekly: 'nothing-open', rollup: 'not-a-manager' });
      expect(await mails('weekly', marcus)).toEqual([]);
    });

    it('leaves out an item snoozed past today', async () => {
      await ingestBothSeries();
      await world.store.updateItem(
        marcus19,
        1,
        {
          status: 'open',
          due: '2026-11-24',
          owner: marcus,
          ownerName: 'Marcus Reid',
          snoozedUntil: '2026-11-30',
          flags: [],
        },
        null,
        '2026-11-20T15:00:00Z',
      );

      await sendWeekly(world.deps, marcus);

      expect(listed(await textOf('weekly', marcus))).toEqual(['Send Initech the revised renewal quote']);
    });

    it('sends once on one local day, however often the schedule fires', async () => {
      await ingestBothSeries();
      await sendWeekly(world.deps, marcus);
      // 03:00 UTC on Tuesday is still Monday evening in New York.
      world.clock.set('2026-11-24T03:00:00Z');

      const again = await sendWeekly(world.deps, marcus);

      expect(again.weekly).toBe('already-sent');
      expect(await mails('weekly', marcus)).toHaveLength(1);
    });

    it('sends again the next week', async () => {
      await ingestBothSeries();
      await sendWeekly(world.deps, marcus);
      world.clock.set('2026-11-30T13:00:00Z');

      expect((await sendWeekly(world.deps, marcus)).weekly).toBe('sent');
      expect(await mails('weekly', marcus)).toHaveLength(2);
    });

    it('counts days in the time zone of the person’s own record', async () => {
      // Marcus has moved to Tokyo; his record says so, whatever the series' zone.
      await world.store.putPersonIfAbsent({
        address: marcus,
        name: 'Marcus Reid',
        timeZone: 'Asia/Tokyo',
        weekly: { day: 'MON', time: '08:00' },
        createdAt: '2026-11-01T00:00:00Z',
        updatedAt: '2026-11-01T00:00:00Z',
      });
      await ingestBothSeries();
      // Tuesday 11:00 in New York, already Wednesday 25 Nov in Tokyo: the QBR due on the 24th is a day late there.
      world.clock.set('2026-11-24T16:00:00Z');

      await sendWeekly(world.deps, marcus);

      expect(await textOf('weekly', marcus)).toMatch(
        /Book the Initech QBR for early December\n.*\n {3}\[OVERDUE · 1 day\]/,
      );
    });

    it('fails for someone it has no record of', async () => {
      await expect(sendWeekly(world.deps, 'nobody@acme-sales.example')).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  describe('the roll-up', () => {
    it('gives a manager of two series the counts and the oldest open item of each report', async () => {
      await ingestBothSeries();

      const result = await sendWeekly(world.deps, dana);

      expect(result.rollup).toBe('sent');
      const text = await textOf('rollup', dana);
      expect(text).toContain('Dana, across your 2 reports: 5 open items, 2 overdue, 1 stalled.');
      // Most overdue and stalled first; only what each report owns, not the manager's own items in the series.
      expect(text).toMatch(
        /Marcus Reid: 2 open · 1 overdue · 1 stalled\n {3}Oldest open item: Send Initech the revised renewal quote\n {3}Due: Mon 16 Nov · open since Thu 12 Nov \(11 days\)\n\nPriya Natarajan: 3 open · 1 overdue · 0 stalled\n {3}Oldest open item: Send me the Hooli pilot summary\n/,
      );
    });

    it('names the next oldest item once the oldest is done', async () => {
      await ingestBothSeries();
      await close(marcus12, 1);

      await sendWeekly(world.deps, dana);

      expect(await textOf('rollup', dana)).toMatch(
        /Marcus Reid: 1 open · 0 overdue · 0 stalled\n {3}Oldest open item: Book the Initech QBR for early December/,
      );
    });

    it('leaves snoozed items out of the counts', async () => {
      await ingestBothSeries();
      await world.store.updateItem(
        priya17,
        1,
        {
          status: 'open',
          due: '2026-11-20',
          owner: priya,
          ownerName: 'Priya Natarajan',
          snoozedUntil: '2026-11-30',
          flags: [],
        },
        null,
        '2026-11-20T15:00:00Z',
      );

      await sendWeekly(world.deps, dana);

      expect(await textOf('rollup', dana)).toMatch(
        /Priya Natarajan: 2 open · 0 overdue · 0 stalled\n {3}Oldest open item: Line up two reference customers/,
      );
    });

    it('is not sent to someone who wrote the notes of one series only', async () => {
      marcus12 = await ingest('loop/01-dana-marcus-nov12.eml', '2026-11-12T21:00:00Z');
      world.clock.set(monday);

      const result = await sendWeekly(world.deps, dana);

      expect(result).toEqual({ weekly: 'sent', rollup: 'not-a-manager' });
      expect(await mails('rollup', dana)).toEqual([]);
    });

    it('is skipped when no report has anything open', async () => {
      await ingestBothSeries();
      await close(marcus12, 1);
      await close(marcus19, 1);
      await close(priya17, 1, 2, 4);

      const result = await sendWeekly(world.deps, dana);

      expect(result).toEqual({ weekly: 'sent', rollup: 'nothing-open' });
      expect(await mails('rollup', dana)).toEqual([]);
    });

    it('is sent once on one local day', async () => {
      await ingestBothSeries();
      await sendWeekly(world.deps, dana);
      world.clock.set('2026-11-24T03:00:00Z');

      const again = await sendWeekly(world.deps, dana);

      expect(again).toEqual({ weekly: 'already-sent', rollup: 'already-sent' });
      expect(await mails('rollup', dana)).toHaveLength(1);
    });
  });
});
