import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createScheduledSendHandler } from '../../../functions/handlers/scheduled-send';
import type { Mailer } from '../../../functions/ports/mailer';
import type { WeeklyPage } from '../../../functions/ports/page-queue';
import { ingestEmail } from '../../../functions/use-cases/ingest-email';
import { mailRef, refInSubject } from '../../../functions/use-cases/outgoing';
import {
  dispatchWeekly,
  PAGE_SIZE,
  pageLeaseKey,
  sendWeekly,
  sendWeeklyPage,
  WeeklyPageBusyError,
} from '../../../functions/use-cases/send-weekly';
import { fixtureBytes } from '../../support/fixtures';
import { startWorlds, type UseCaseWorld } from '../../support/use-case-deps';

const dana = 'dana.whitfield@acme-sales.example';
const marcus = 'marcus.reid@acme-sales.example';
const priya = 'priya.natarajan@acme-sales.example';

/** Monday 23 Nov 2026, 08:00 in New York (Etc/GMT+5, the zone of the notes' Date header): the slot's occurrence. */
const monday = '2026-11-23T13:00:00Z';
const slot = { day: 'MON', time: '08:00', timeZone: 'Etc/GMT+5' } as const;
const page: WeeklyPage = { date: '2026-11-23', addresses: [dana, marcus, priya] };

describe('the weekly job of a slot, a page at a time', () => {
  let worlds: Awaited<ReturnType<typeof startWorlds>>;
  let world: UseCaseWorld;

  /** Dana's 1:1s with Marcus (12 and 19 Nov) and Priya (17 Nov): she manages both, and all three own items. */
  const ingestLoop = async () => {
    for (const [name, at] of [
      ['loop/01-dana-marcus-nov12.eml', '2026-11-12T21:00:00Z'],
      ['loop/02-dana-priya-nov17.eml', '2026-11-17T16:10:00Z'],
      ['loop/03-dana-marcus-nov19.eml', '2026-11-19T21:15:00Z'],
    ] as const) {
      world.clock.set(at);
      if ((await ingestEmail(world.deps, fixtureBytes(name))).outcome !== 'ingested') throw new Error(name);
    }
    world.clock.set(monday);
  };
  /** The outbox as `kind to address` lines, sorted. */
  const outbox = async () => (await world.outbox()).map((m) => `${m.kind} to ${m.to.join(',')}`).sort();
  /** People in the slot with nothing else: enough of them to fill pages. */
  const addPeople = async (count: number, timeZone: string = slot.timeZone) => {
    for (let n = 0; n < count; n += 1) {
      await world.store.putPersonIfAbsent({
        address: `person${String(n).padStart(3, '0')}@acme-sales.example`,
        name: null,
        timeZone,
        weekly: { day: 'MON', time: '08:00' },
        createdAt: '2026-11-01T00:00:00Z',
        updatedAt: '2026-11-01T00:00:00Z',
        authored: false,
      });
    }
  };
  /** A page queue that keeps what it is handed. */
  const recordingQueue = () => {
    const pages: WeeklyPage[] = [];
    return {
      pages,
      deps: {
        store: world.store,
        weeklyPages: {
          send: async (sent: readonly WeeklyPage[]) => {
            pages.push(...sent);
          },
        },
      },
    };
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

  describe('the dispatcher', () => {
    it('hands the people of the slot to the page queue in pages of 100, by address', async () => {
      await addPeople(PAGE_SIZE + 30);
      const queue = recordingQueue();

      const dispatched = await dispatchWeekly(queue.deps, slot, new Date(monday));

      expect(dispatched).toEqual({ pages: 2, people: 130 });
      expect(queue.pages.map((p) => p.addresses.length)).toEqual([100, 30]);
      expect(queue.pages.flatMap((p) => p.addresses)).toEqual(
        Array.from({ length: 130 }, (_, n) => `person${String(n).padStart(3, '0')}@acme-sales.example`),
      );
    });

    it('dates every page with the occurrence’s local date in the slot’s zone', async () => {
      await addPeople(1);
      const queue = recordingQueue();

      // 03:00 UTC on Tuesday is still Monday evening five hours west.
      await dispatchWeekly(queue.deps, slot, new Date('2026-11-24T03:00:00Z'));

      expect(queue.pages.map((p) => p.date)).toEqual(['2026-11-23']);
    });

    it('leaves out the people of other slots', async () => {
      await addPeople(3, 'Europe/Paris');
      const queue = recordingQueue();

      const dispatched = await dispatchWeekly(queue.deps, slot, new Date(monday));

      expect(dispatched).toEqual({ pages: 0, people: 0 });
      expect(queue.pages).toEqual([]);
    });
  });

  describe('the slot’s schedule firing on the local stack', () => {
    it('sends each person of the slot their weekly mail, and the manager her roll-up', async () => {
      await ingestLoop();
      const fire = createScheduledSendHandler(world.deps);

      await fire({ kind: 'weekly-slot', ...slot });

      expect(await outbox()).toEqual([
        `rollup to ${dana}`,
        `weekly to ${dana}`,
        `weekly to ${marcus}`,
        `weekly to ${priya}`,
      ]);
    });

    it('sends a person one weekly mail when their schedule of before slots fires on the same day', async () => {
      await ingestLoop();
      await sendWeekly(world.deps, marcus);

      await createScheduledSendHandler(world.deps)({ kind: 'weekly-slot', ...slot });

      expect((await outbox()).filter((line) => line === `weekly to ${marcus}`)).toHaveLength(1);
    });
  });

  describe('the page worker', () => {
    it('sends the mails under the keys a person’s own weekly mail used', async () => {
      await ingestLoop();

      await sendWeeklyPage(world.deps, page);

      for (const [kind, address] of [
        ['weekly', dana],
        ['rollup', dana],
        ['weekly', marcus],
        ['weekly', priya],
      ] as const) {
        expect(await world.store.getOutbox(mailRef(kind, address, '2026-11-23'))).toMatchObject({ state: 'sent' });
      }
    });

    it('reports what became of each person of the page', async () => {
      await ingestLoop();

      const result = await sendWeeklyPage(world.deps, page);

      expect(result).toEqual({
        outcome: 'sent',
        people: new Map([
          [dana, { weekly: 'sent', rollup: 'sent' }],
          [marcus, { weekly: 'sent', rollup: 'not-a-manager' }],
          [priya, { weekly: 'sent', rollup: 'not-a-manager' }],
        ]),
      });
    });

    it('[R22] does nothing for a page it sent before', async () => {
      await ingestLoop();
      await sendWeeklyPage(world.deps, page);

      const again = await sendWeeklyPage(world.deps, { ...page, addresses: [priya, marcus, dana.toUpperCase()] });

      expect(again).toEqual({ outcome: 'done' });
      expect(await outbox()).toHaveLength(4);
    });

    it('[R22] refuses a page another worker is sending, and sends nothing', async () => {
      await ingestLoop();
      await world.store.claimWeeklyPage(pageLeaseKey(page), '2026-11-23T13:05:00Z');

      await expect(sendWeeklyPage(world.deps, page)).rejects.toBeInstanceOf(WeeklyPageBusyError);
      expect(await outbox()).toEqual([]);
    });

    it('[R22] takes over a page whose worker’s lease ran out', async () => {
      await ingestLoop();
      await world.store.claimWeeklyPage(pageLeaseKey(page), '2026-11-23T13:05:00Z');
      world.clock.set('2026-11-23T13:05:00Z');

      await sendWeeklyPage(world.deps, page);

      expect(await outbox()).toHaveLength(4);
    });

    it('[R22] sends a mail a crashed worker claimed with the ref and Message-ID of that claim', async () => {
      await ingestLoop();
      const key = mailRef('weekly', marcus, '2026-11-23');
      await world.store.putOutboxClaims([
        {
          key,
          ref: 'x4k2m7qp3vz6nd5w',
          messageId: '<crashed-claim@followthrough.example>',
          kind: 'weekly',
          to: [marcus],
          subject: 'Your open items [ft-x4k2m7qp3vz6nd5w]',
          meetingId: null,
          seriesId: null,
          items: [],
          claimedAt: '2026-11-23T13:00:00.000Z',
        },
      ]);

      await sendWeeklyPage(world.deps, page);

      const toMarcus = (await world.outbox()).filter((m) => m.kind === 'weekly' && m.to.includes(marcus));
      expect(toMarcus.map((m) => refInSubject(m.subject))).toEqual(['x4k2m7qp3vz6nd5w']);
      expect(await world.store.findSentMailByMessageId('<crashed-claim@followthrough.example>')).toMatchObject({
        ref: 'x4k2m7qp3vz6nd5w',
      });
    });

    it('[R22] marks what it sent before a send failed, lets go of the page, and sends only the rest when run again', async () => {
      await ingestLoop();
      let calls = 0;
      const failingSecond: Mailer = {
        send: async (mail) => {
          calls += 1;
          if (calls === 2) throw new Error('SES throttled');
          return world.deps.mailer.send(mail);
        },
      };
      const failing = sendWeeklyPage({ ...world.deps, mailer: failingSecond }, page);
      await expect(failing).rejects.toThrow('SES throttled');
      const sentFirst = await outbox();
      const keys = [
        mailRef('weekly', dana, '2026-11-23'),
        mailRef('rollup', dana, '2026-11-23'),
        mailRef('weekly', marcus, '2026-11-23'),
        mailRef('weekly', priya, '2026-11-23'),
      ];
      const states = await Promise.all(keys.map(async (key) => (await world.store.getOutbox(key))?.state));

      // The lease was let go of: the page runs again at once, without waiting for the lease to run out.
      await sendWeeklyPage(world.deps, page);

      expect(states.filter((state) => state === 'sent')).toHaveLength(sentFirst.length);
      expect(states.filter((state) => state === 'pending')).toHaveLength(4 - sentFirst.length);
      expect(await outbox()).toEqual([
        `rollup to ${dana}`,
        `weekly to ${dana}`,
        `weekly to ${marcus}`,
        `weekly to ${priya}`,
      ]);
    });

    it('[R22] renders, claims and sends a page 25 mails at a time: after a failed send the later mails are not claimed', async () => {
      // 30 people of the slot, each owning an open item of a 1:1 with Dana.
      const people = Array.from({ length: 30 }, (_, n) => `owner${String(n).padStart(2, '0')}@acme-sales.example`);
      for (const [n, address] of people.entries()) {
        await world.store.putPersonIfAbsent({
          address,
          name: null,
          timeZone: slot.timeZone,
          weekly: { day: 'MON', time: '08:00' },
          createdAt: '2026-11-01T00:00:00Z',
          updatedAt: '2026-11-01T00:00:00Z',
          authored: false,
        });
        const seriesId = `ser_owner${n}`;
        await world.store.putSeries(
          {
            id: seriesId,
            members: [
              { address, name: null },
              { address: dana, name: 'Dana Whitfield' },
            ],
            author: { address: dana, name: 'Dana Whitfield' },
            meetings: [{ id: `mtg_owner${n}`, date: '2026-11-12' }],
            nextMeeting: null,
            timeZone: slot.timeZone,
            version: 1,
            updatedAt: '2026-11-12T21:00:00.000Z',
          },
          0,
        );
        await world.store.putItems([
          {
            meetingId: `mtg_owner${n}`,
            seq: 1,
            status: 'open',
            createdAt: '2026-11-12T21:00:00.000Z',
            updatedAt: '2026-11-12T21:00:00.000Z',
            seriesId,
            meetingDate: '2026-11-12',
            snoozedUntil: null,
            lastChange: null,
            text: 'Send the revised MAP',
            owner: address,
            ownerName: null,
            due: null,
            source: '- send the revised MAP',
            ownerSource: null,
            dueSource: null,
            flags: ['no-date'],
            section: 'action',
          },
        ]);
      }
      let calls = 0;
      const failingThird: Mailer = {
        send: async (mail) => {
          calls += 1;
          if (calls === 3) throw new Error('SES throttled');
          return world.deps.mailer.send(mail);
        },
      };

      const failing = sendWeeklyPage(
        { ...world.deps, mailer: failingThird },
        { date: '2026-11-23', addresses: people },
      );

      await expect(failing).rejects.toThrow('SES throttled');
      const claims = await world.store.getOutboxMany(people.map((address) => mailRef('weekly', address, '2026-11-23')));
      expect(claims).toHaveLength(25);
      expect(claims.filter((claim) => claim.state === 'sent').length).toBe((await outbox()).length);
    });

    it('[R16] sends nothing to a suppressed person of the page, and the others get theirs', async () => {
      await ingestLoop();
      await world.store.suppressAddress({
        address: marcus,
        reason: 'bounce',
        detail: 'Permanent/General',
        feedbackId: 'feedback-1',
        at: '2026-11-20T00:00:00.000Z',
      });

      const result = await sendWeeklyPage(world.deps, page);

      expect(result.outcome === 'sent' && result.people.get(marcus)).toEqual({
        weekly: 'suppressed',
        rollup: 'not-a-manager',
      });
      expect(await world.store.getOutbox(mailRef('weekly', marcus, '2026-11-23'))).toBeNull();
      expect(await outbox()).toEqual([`rollup to ${dana}`, `weekly to ${dana}`, `weekly to ${priya}`]);
    });

    it('asks the author index of no one whose record says they never wrote notes', async () => {
      // Lee's record says no, though two series name Lee as their author: the record decides, and no roll-up is
      // looked for (asked, the index would give two series with nothing open: 'nothing-open').
      const lee = 'lee.park@acme-sales.example';
      await world.store.putPersonIfAbsent({
        address: lee,
        name: 'Lee Park',
        timeZone: slot.timeZone,
        weekly: { day: 'MON', time: '08:00' },
        createdAt: '2026-11-01T00:00:00Z',
        updatedAt: '2026-11-01T00:00:00Z',
        authored: false,
      });
      for (const report of [marcus, priya]) {
        await world.store.putSeries(
          {
            id: `se_lee_${report.slice(0, 5)}`,
            members: [
              { address: lee, name: 'Lee Park' },
              { address: report, name: null },
            ],
            author: { address: lee, name: 'Lee Park' },
            meetings: [{ id: `m_lee_${report.slice(0, 5)}`, date: '2026-11-16' }],
            nextMeeting: null,
            timeZone: slot.timeZone,
            version: 1,
            updatedAt: '2026-11-16T21:00:00.000Z',
          },
          0,
        );
      }

      const result = await sendWeeklyPage(world.deps, { date: '2026-11-23', addresses: [lee] });

      expect(result).toEqual({
        outcome: 'sent',
        people: new Map([[lee, { weekly: 'nothing-open', rollup: 'not-a-manager' }]]),
      });
    });
  });
});
