import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FollowthroughError } from '../../../functions/domain/errors';
import { MAX_SERIES_MEETINGS, type Meeting, type Person, type Series } from '../../../functions/domain/model';
import { seriesIdOf } from '../../../functions/domain/series/next-meeting';
import type { Store } from '../../../functions/ports/store';
import {
  digestScheduleName,
  followUpMeeting,
  weeklyScheduleName,
  weeklySlotScheduleName,
  withMeeting,
} from '../../../functions/use-cases/follow-up-meeting';
import { startWorlds, type UseCaseWorld } from '../../support/use-case-deps';

const dana: Person = { address: 'dana.whitfield@acme-sales.example', name: 'Dana Whitfield' };
const marcus: Person = { address: 'marcus.reid@acme-sales.example', name: 'Marcus Reid' };
const seriesId = seriesIdOf([dana, marcus]);

/** A meeting of Dana and Marcus as ingest stores it, written by Dana in New York unless told otherwise. */
function meeting(id: string, date: string, overrides: Partial<Meeting> = {}): Meeting {
  return {
    id,
    date,
    sentAt: `${date}T20:50:00.000Z`,
    utcOffsetMinutes: -300,
    timeZone: null,
    subject: '1:1 Dana / Marcus',
    attendees: [dana, marcus],
    author: dana,
    nextMeetingDate: null,
    agenda: [],
    messageId: `<${id}@mail.acme-sales.example>`,
    rawKey: `${date}/${id}.eml`,
    receivedAt: `${date}T21:00:00.000Z`,
    state: 'pending',
    itemCount: 0,
    wrapupSentAt: null,
    seriesId,
    ...overrides,
  };
}

/** Adds the meetings one after the other, as their notes arrive. */
const seriesOf = (...meetings: Meeting[]): Series =>
  meetings.reduce<Series | null>((series, m) => withMeeting(series, m, [], m.receivedAt), null) as Series;

/** The date `days` after 2026-01-01. */
const dayAfterNewYear = (days: number): string => new Date(Date.UTC(2026, 0, 1 + days)).toISOString().slice(0, 10);

describe('withMeeting', () => {
  it('keeps the meetings in date order whatever order their notes arrive in', () => {
    const series = seriesOf(meeting('m12', '2026-11-12'), meeting('m26', '2026-11-26'), meeting('m19', '2026-11-19'));

    expect(series.meetings.map((m) => m.date)).toEqual(['2026-11-12', '2026-11-19', '2026-11-26']);
  });

  it('keeps only the latest meetings, dropping the oldest', () => {
    const full = seriesOf(
      ...Array.from({ length: MAX_SERIES_MEETINGS }, (_, i) => meeting(`m${i}`, dayAfterNewYear(7 * i))),
    );

    const next = withMeeting(full, meeting('mnew', '2026-12-31'), [], '2026-12-31T21:00:00Z');

    expect(next.meetings).toHaveLength(MAX_SERIES_MEETINGS);
    expect(next.meetings[0]?.id).toBe('m1');
    expect(next.meetings.at(-1)?.id).toBe('mnew');
  });

  it('records the same meeting once, however often it is added', () => {
    const once = seriesOf(meeting('m12', '2026-11-12'));

    const twice = withMeeting(once, meeting('m12', '2026-11-12'), [], '2026-11-12T21:05:00Z');

    expect(twice.meetings).toEqual(once.meetings);
    expect(twice.version).toBe(once.version + 1);
  });

  it('lets the latest notes set the author, the next meeting and the time zone', () => {
    const series = seriesOf(
      meeting('m12', '2026-11-12', { nextMeetingDate: '2026-11-19' }),
      meeting('m19', '2026-11-19', { author: marcus, nextMeetingDate: '2026-11-27', utcOffsetMinutes: -480 }),
    );

    expect(series).toMatchObject({
      author: marcus,
      nextMeeting: { date: '2026-11-27', source: 'notes' },
      timeZone: 'Etc/GMT+8',
    });
  });

  it('lets corrected notes for the same day, arriving later, be the latest whatever their ids', () => {
    for (const [first, second] of [
      ['m-aaa', 'm-zzz'],
      ['m-zzz', 'm-aaa'],
    ] as const) {
      const series = seriesOf(
        meeting(first, '2026-11-19', { nextMeetingDate: '2026-11-26' }),
        meeting(second, '2026-11-19', { author: marcus, nextMeetingDate: '2026-12-03' }),
      );

      expect(series.meetings.map((m) => m.id)).toEqual([first, second]);
      expect(series).toMatchObject({ author: marcus, nextMeeting: { date: '2026-12-03', source: 'notes' } });
    }
  });

  it('takes the zone the notes name over the one their offset suggests', () => {
    const series = seriesOf(meeting('m12', '2026-11-12', { timeZone: 'America/New_York' }));

    expect(series.timeZone).toBe('America/New_York');
  });

  it('changes neither the author, the next meeting nor the time zone for older notes arriving late', () => {
    const current = seriesOf(meeting('m19', '2026-11-19', { nextMeetingDate: '2026-11-26' }));

    const late = withMeeting(
      current,
      meeting('m12', '2026-11-12', { author: marcus, nextMeetingDate: '2026-11-19', utcOffsetMinutes: -480 }),
      [],
      '2026-11-20T10:00:00Z',
    );

    expect(late.meetings.map((m) => m.id)).toEqual(['m12', 'm19']);
    expect(late).toMatchObject({
      author: dana,
      nextMeeting: { date: '2026-11-26', source: 'notes' },
      timeZone: 'Etc/GMT+5',
    });
  });

  it('merges the members by address, keeping a name learnt once', () => {
    const series = seriesOf(
      meeting('m12', '2026-11-12', { attendees: [dana, { address: marcus.address, name: null }] }),
      meeting('m19', '2026-11-19', {
        attendees: [
          { address: dana.address, name: null },
          { address: 'Marcus.Reid@acme-sales.example', name: 'Marcus Reid' },
        ],
      }),
    );

    expect(series.members).toEqual([dana, marcus]);
  });
});

describe('followUpMeeting', () => {
  let worlds: Awaited<ReturnType<typeof startWorlds>>;
  let world: UseCaseWorld;

  const digests = () => world.deps.scheduler.list().filter((s) => s.name.startsWith('digest-'));
  const follow = (m: Meeting, store: Store = world.store) => followUpMeeting({ ...world.deps, store }, m, []);
  /** A store whose putSeries answers as given before doing anything else. */
  const withPutSeries = (putSeries: Store['putSeries']): Store =>
    new Proxy<Store>(world.store, {
      get: (target, property) =>
        property === 'putSeries'
          ? putSeries
          : (target[property as keyof Store] as (...args: unknown[]) => unknown).bind(target),
    });

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

  it('schedules each attendee’s digest for 08:00 their time on the day of the next meeting', async () => {
    const { digestsAt } = await follow(meeting('m12', '2026-11-12', { nextMeetingDate: '2026-11-19' }));

    expect(digestsAt).toEqual(['2026-11-19T13:00:00.000Z', '2026-11-19T13:00:00.000Z']);
    expect(digests()).toEqual(
      [dana, marcus].map((p) =>
        expect.objectContaining({
          name: digestScheduleName(seriesId, p.address),
          at: '2026-11-19T13:00:00.000Z',
          job: { kind: 'digest', seriesId, recipient: p.address, meetingDate: '2026-11-19' },
          state: 'pending',
        }),
      ),
    );
  });

  it('schedules no digest once 08:00 of the next meeting’s day has passed', async () => {
    world.clock.set('2026-11-19T13:00:00Z');

    const result = await follow(meeting('m18', '2026-11-18', { nextMeetingDate: '2026-11-19' }));

    expect(result.digestsAt).toEqual([]);
    expect(digests()).toEqual([]);
    expect(result.series.nextMeeting).toEqual({ date: '2026-11-19', source: 'notes' });
    // The weekly mail does not depend on it: both are in the one slot of Monday 08:00 in their zone.
    expect(world.deps.scheduler.list().filter((s) => s.name.startsWith('weekly-'))).toHaveLength(1);
  });

  it('still schedules the digest a minute before its 08:00', async () => {
    world.clock.set('2026-11-19T12:59:00Z');

    const result = await follow(meeting('m18', '2026-11-18', { nextMeetingDate: '2026-11-19' }));

    expect(result.digestsAt).toEqual(['2026-11-19T13:00:00.000Z', '2026-11-19T13:00:00.000Z']);
  });

  it('moves the digests when later notes move the next meeting, and arms them again once fired', async () => {
    await follow(meeting('m12', '2026-11-12', { nextMeetingDate: '2026-11-19' }));
    await world.deps.scheduler.runDue(new Date('2026-11-19T13:00:00Z'), async () => {});
    expect(digests().map((s) => s.state)).toEqual(['done', 'done']);
    world.clock.set('2026-11-19T21:15:00Z');

    await follow(meeting('m19', '2026-11-19', { nextMeetingDate: '2026-11-26' }));

    expect(digests()).toEqual(
      [dana, marcus].map((p) =>
        expect.objectContaining({
          name: digestScheduleName(seriesId, p.address),
          at: '2026-11-26T13:00:00.000Z',
          job: expect.objectContaining({ meetingDate: '2026-11-26' }),
          state: 'pending',
        }),
      ),
    );
  });

  it('keeps a person’s own time zone and weekly slot when they already have a record', async () => {
    await world.store.putPersonIfAbsent({
      address: marcus.address,
      name: 'Marcus Reid',
      timeZone: 'Asia/Tokyo',
      weekly: { day: 'TUE', time: '09:00' },
      createdAt: '2026-11-01T00:00:00Z',
      updatedAt: '2026-11-01T00:00:00Z',
    });

    await follow(meeting('m12', '2026-11-12', { nextMeetingDate: '2026-11-19' }));

    const schedules = world.deps.scheduler.list();
    const slot = { day: 'TUE', time: '09:00', timeZone: 'Asia/Tokyo' } as const;
    expect(schedules.find((s) => s.name === weeklySlotScheduleName(slot))).toMatchObject({
      weekly: slot,
      job: { kind: 'weekly-slot', ...slot },
    });
    expect(schedules.find((s) => s.name === digestScheduleName(seriesId, marcus.address))).toMatchObject({
      at: '2026-11-18T23:00:00.000Z',
    });
    expect(await world.store.getPerson(dana.address)).toMatchObject({ timeZone: 'Etc/GMT+5' });
  });

  it('schedules one weekly slot for the people who share a day, time and zone, and no schedule of their own', async () => {
    await follow(meeting('m12', '2026-11-12'));

    const weekly = world.deps.scheduler.list().filter((s) => s.name.startsWith('weekly-'));
    const slot = { day: 'MON', time: '08:00', timeZone: 'Etc/GMT+5' } as const;
    expect(weekly).toEqual([
      expect.objectContaining({
        name: weeklySlotScheduleName(slot),
        weekly: slot,
        job: { kind: 'weekly-slot', ...slot },
      }),
    ]);
  });

  it('records who wrote the notes, and that the other attendee did not', async () => {
    await follow(meeting('m12', '2026-11-12'));

    expect((await world.store.getPerson(dana.address))?.authored).toBe(true);
    expect((await world.store.getPerson(marcus.address))?.authored).toBe(false);
  });

  it('records a person who writes the notes of a later meeting as an author', async () => {
    await follow(meeting('m12', '2026-11-12'));

    await follow(meeting('m19', '2026-11-19', { author: marcus }));

    expect((await world.store.getPerson(marcus.address))?.authored).toBe(true);
  });

  it('deletes the weekly schedule of their own that a person recorded before slots still has', async () => {
    // Marcus as the store and the scheduler knew him before weekly slots: no `authored`, a schedule of his own.
    await world.store.putPersonIfAbsent({
      address: marcus.address,
      name: 'Marcus Reid',
      timeZone: 'Etc/GMT+5',
      weekly: { day: 'MON', time: '08:00' },
      createdAt: '2026-11-01T00:00:00Z',
      updatedAt: '2026-11-01T00:00:00Z',
    });
    await world.deps.scheduler.scheduleWeekly({
      name: weeklyScheduleName(marcus.address),
      day: 'MON',
      time: '08:00',
      timeZone: 'Etc/GMT+5',
      job: { kind: 'weekly', person: marcus.address },
    });

    await follow(meeting('m12', '2026-11-12'));

    const names = world.deps.scheduler.list().map((s) => s.name);
    expect(names).not.toContain(weeklyScheduleName(marcus.address));
    expect(names).toContain(weeklySlotScheduleName({ day: 'MON', time: '08:00', timeZone: 'Etc/GMT+5' }));
    expect((await world.store.getPerson(marcus.address))?.authored).toBe(false);
  });

  it('learns from the author index whether a person recorded before slots wrote notes', async () => {
    // Marcus wrote the notes of a 1:1 with Priya before; his record says nothing of it.
    await world.store.putSeries(
      { ...seriesOf(meeting('p1', '2026-11-10', { author: marcus })), id: 'se_marcus_priya', author: marcus },
      0,
    );
    await world.store.putPersonIfAbsent({
      address: marcus.address,
      name: 'Marcus Reid',
      timeZone: 'Etc/GMT+5',
      weekly: { day: 'MON', time: '08:00' },
      createdAt: '2026-11-01T00:00:00Z',
      updatedAt: '2026-11-01T00:00:00Z',
    });

    await follow(meeting('m12', '2026-11-12'));

    expect((await world.store.getPerson(marcus.address))?.authored).toBe(true);
  });

  it('reads the series again and retries when other notes of the series were written first', async () => {
    let raced = false;
    const racing = withPutSeries(async (series, expectedVersion) => {
      if (!raced) {
        raced = true;
        // The notes of 19 Nov, ingested at the same moment, reach the table first.
        const other = withMeeting(null, meeting('m19', '2026-11-19'), [], '2026-11-19T21:15:00Z');
        expect(await world.store.putSeries(other, 0)).toBe(true);
        return false;
      }
      return world.store.putSeries(series, expectedVersion);
    });

    const { series } = await follow(meeting('m12', '2026-11-12'), racing);

    const stored = await world.store.getSeries(seriesId);
    expect(stored?.meetings.map((m) => m.id)).toEqual(['m12', 'm19']);
    expect(stored?.version).toBe(2);
    expect(series).toEqual(stored);
  });

  it('gives up when the series keeps changing under it', async () => {
    const busy = withPutSeries(async () => false);

    await expect(follow(meeting('m12', '2026-11-12'), busy)).rejects.toThrow(FollowthroughError);
    expect(await world.store.getSeries(seriesId)).toBeNull();
    expect(digests()).toEqual([]);
  });
});
