import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DynamoDbStore } from '../../../functions/adapters/aws/dynamodb-store';
import type { FileScheduler } from '../../../functions/adapters/local/file-scheduler';
import type { Store } from '../../../functions/ports/store';
import {
  type IngestDeps,
  ingestEmail,
  meetingIdOf,
  RejectedInputError,
} from '../../../functions/use-cases/ingest-email';
import { personKey } from '../../../functions/use-cases/outgoing';
import { fixtureBytes } from '../../support/fixtures';
import { startWorlds, type UseCaseWorld } from '../../support/use-case-deps';

const now = new Date('2026-11-17T21:43:00Z');
const demoMeetingId = meetingIdOf('<20261117214210.4471.demo@mail.northwind-sales.example>');
const ingestNotes = ingestEmail;
const wrapupOnly = (scheduler: FileScheduler) => scheduler.list().filter((s) => s.name.startsWith('wrapup-'));

describe('ingestEmail with notes', () => {
  let worlds: Awaited<ReturnType<typeof startWorlds>>;
  let world: UseCaseWorld;
  let dir: string;
  let store: DynamoDbStore;
  let scheduler: FileScheduler;
  let deps: IngestDeps;

  beforeAll(async () => {
    worlds = await startWorlds();
  });
  afterAll(async () => {
    await worlds.close();
  });
  beforeEach(async () => {
    world = await worlds.world(now.toISOString());
    ({ dir, store, deps } = world);
    scheduler = world.deps.scheduler;
  });
  afterEach(async () => {
    await world.dispose();
  });

  it('stores the meeting as complete with its items and schedules the wrap-up 30 minutes later', async () => {
    const result = await ingestNotes(deps, fixtureBytes('demo-one-on-one.eml'));

    expect(result.outcome).toBe('ingested');
    expect(await store.getMeeting(demoMeetingId)).toMatchObject({
      state: 'complete',
      itemCount: 5,
      date: '2026-11-17',
    });
    expect((await store.listMeetingItems(demoMeetingId)).map((i) => i.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(wrapupOnly(scheduler)).toEqual([
      expect.objectContaining({
        name: `wrapup-${demoMeetingId}`,
        at: '2026-11-17T22:13:00.000Z',
        job: { kind: 'wrapup', meetingId: demoMeetingId },
        state: 'pending',
      }),
    ]);
  });

  it('keeps the raw email byte for byte before reading it', async () => {
    const raw = fixtureBytes('demo-one-on-one.eml');

    const result = await ingestNotes(deps, raw);

    expect(result.outcome === 'ingested' && (await deps.archive.get(result.meeting.rawKey))).toEqual(raw);
  });

  it('stores and schedules nothing new for the same email a second time', async () => {
    await ingestNotes(deps, fixtureBytes('demo-one-on-one.eml'));
    await store.setItemStatus(demoMeetingId, 1, 'done', now.toISOString());

    const again = await ingestNotes(deps, fixtureBytes('demo-one-on-one.eml'));

    expect(again.outcome).toBe('duplicate');
    expect((await store.listMeetingItems(demoMeetingId)).map((i) => i.status)).toEqual([
      'done',
      'open',
      'open',
      'open',
      'open',
    ]);
    expect(wrapupOnly(scheduler)).toHaveLength(1);
  });

  it('finishes the job when a delivery after a crash finds the meeting still pending', async () => {
    // A first attempt that stored the items and the schedule, then died before marking the meeting complete.
    const crashing = new Proxy<Store>(store, {
      get: (target, property) =>
        property === 'completeMeeting'
          ? () => Promise.reject(new Error('Lambda timed out'))
          : (target[property as keyof Store] as (...args: unknown[]) => unknown).bind(target),
    });
    await expect(ingestNotes({ ...deps, store: crashing }, fixtureBytes('demo-one-on-one.eml'))).rejects.toThrow(
      'Lambda timed out',
    );
    expect(await store.getMeeting(demoMeetingId)).toMatchObject({ state: 'pending' });

    const retry = await ingestNotes(deps, fixtureBytes('demo-one-on-one.eml'));

    expect(retry.outcome).toBe('ingested');
    expect(await store.getMeeting(demoMeetingId)).toMatchObject({ state: 'complete' });
    expect(await store.listMeetingItems(demoMeetingId)).toHaveLength(5);
    expect(wrapupOnly(scheduler)).toHaveLength(1);
  });

  it('rejects what is not an email, naming the field, and keeps its bytes', async () => {
    const raw = fixtureBytes('not-an-email.txt');

    const error = await ingestNotes(deps, raw).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RejectedInputError);
    expect((error as RejectedInputError).field).toBe('headers');
    expect(await readFile(join(dir, 'raw', (error as RejectedInputError).rawKey))).toEqual(Buffer.from(raw));
    expect((await store.listMeetings()).items).toEqual([]);
  });

  it('rejects an email without a text body and stores no meeting', async () => {
    const error = await ingestNotes(deps, fixtureBytes('empty-body.eml')).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RejectedInputError);
    expect((error as RejectedInputError).field).toBe('body');
    expect((await store.listMeetings()).items).toEqual([]);
    expect(scheduler.list()).toEqual([]);
  });

  it('stores a meeting with no items when the notes hold none, and still schedules its wrap-up', async () => {
    const result = await ingestNotes(deps, fixtureBytes('no-items.eml'));

    expect(result.outcome === 'ingested' && result.items).toEqual([]);
    expect(wrapupOnly(scheduler)).toHaveLength(1);
  });

  it('records the meeting in its series and schedules both digests for 08:00 on the day of the next 1:1', async () => {
    const result = await ingestNotes(deps, fixtureBytes('demo-one-on-one.eml'));
    if (result.outcome !== 'ingested') throw new Error('expected the notes to be ingested');

    expect(result.series).toMatchObject({
      meetings: [{ id: demoMeetingId, date: '2026-11-17' }],
      nextMeeting: { date: '2026-11-24', source: 'notes' },
      timeZone: 'Etc/GMT+5',
      author: { address: 'priya.raman@northwind-sales.example' },
    });
    const digests = scheduler.list().filter((s) => s.name.startsWith('digest-'));
    expect(digests.map((s) => ('at' in s ? [s.name, s.at] : [])).sort()).toEqual(
      ['leo.martins@northwind-sales.example', 'priya.raman@northwind-sales.example']
        .map((address) => [`digest-${result.series.id}-${personKey(address)}`, '2026-11-24T13:00:00.000Z'])
        .sort(),
    );
    // Both attendees share one weekly slot, and so one schedule.
    expect(scheduler.list().filter((s) => s.name.startsWith('weekly-'))).toEqual([
      expect.objectContaining({ weekly: { day: 'MON', time: '08:00', timeZone: 'Etc/GMT+5' } }),
    ]);
    expect(await store.getPerson('leo.martins@northwind-sales.example')).toMatchObject({
      timeZone: 'Etc/GMT+5',
      weekly: { day: 'MON', time: '08:00' },
    });
  });

  it('moves the pending digest when the next notes of the series arrive, instead of adding a second one', async () => {
    await ingestNotes(deps, fixtureBytes('loop/01-dana-marcus-nov12.eml'));
    const before = scheduler.list().filter((s) => s.name.startsWith('digest-'));
    world.clock.set('2026-11-19T21:15:00Z');

    const second = await ingestNotes(deps, fixtureBytes('loop/03-dana-marcus-nov19.eml'));

    const after = scheduler.list().filter((s) => s.name.startsWith('digest-'));
    expect(after.map((s) => s.name).sort()).toEqual(before.map((s) => s.name).sort());
    expect(after.map((s) => ('at' in s ? s.at : null))).toEqual([
      '2026-11-26T13:00:00.000Z',
      '2026-11-26T13:00:00.000Z',
    ]);
    expect(second.outcome === 'ingested' && second.series.nextMeeting).toEqual({
      date: '2026-11-26',
      source: 'cadence',
    });
    expect(second.outcome === 'ingested' && second.series.meetings.map((m) => m.date)).toEqual([
      '2026-11-12',
      '2026-11-19',
    ]);
  });

  it('puts the two people of a 1:1 in one series whoever sends the notes', async () => {
    const first = await ingestNotes(deps, fixtureBytes('loop/01-dana-marcus-nov12.eml'));
    const flipped = new TextDecoder()
      .decode(fixtureBytes('loop/03-dana-marcus-nov19.eml'))
      .replace(
        'From: Dana Whitfield <dana.whitfield@acme-sales.example>',
        'From: Marcus Reid <marcus.reid@acme-sales.example>',
      )
      .replace(
        'To: Marcus Reid <marcus.reid@acme-sales.example>',
        'To: Dana Whitfield <dana.whitfield@acme-sales.example>',
      );

    const second = await ingestNotes(deps, new TextEncoder().encode(flipped));

    expect(first.outcome === 'ingested' && second.outcome === 'ingested').toBe(true);
    if (first.outcome !== 'ingested' || second.outcome !== 'ingested') return;
    expect(second.meeting.seriesId).toBe(first.meeting.seriesId);
    expect(second.series.author?.address).toBe('marcus.reid@acme-sales.example');
  });

  it('keeps mail that followthrough sent itself and acts on none of it', async () => {
    const own = new TextDecoder()
      .decode(fixtureBytes('loop/01-dana-marcus-nov12.eml'))
      .replace(
        'From: Dana Whitfield <dana.whitfield@acme-sales.example>',
        'From: followthrough <notes@followthrough.example>',
      );

    const result = await ingestNotes(deps, new TextEncoder().encode(own));

    expect(result.outcome).toBe('ignored');
    expect((await store.listMeetings()).items).toEqual([]);
    expect(scheduler.list()).toEqual([]);
  });

  it('takes the next 1:1 from a recurring invite that came with the notes when the notes name none', async () => {
    world.clock.set('2026-11-10T21:41:00Z');

    const result = await ingestNotes(deps, fixtureBytes('notes-with-inline-invitation.eml'));

    // Every other Tuesday from 15 Sep, 16:00 New York: the notes are of Tue 10 Nov, so the next one is Tue 24 Nov.
    expect(result.outcome === 'ingested' && result.series.nextMeeting).toEqual({
      date: '2026-11-24',
      source: 'calendar',
    });
  });
});
