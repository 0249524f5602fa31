import { createHash } from 'node:crypto';
import { FollowthroughError } from '../domain/errors';
import {
  MAX_SERIES_MEETINGS,
  type Meeting,
  type Person,
  type PersonRecord,
  type Series,
  slotOf,
  type WeeklySlot,
} from '../domain/model';
import { deriveNextMeeting } from '../domain/series/next-meeting';
import { timeZoneForOffset, zonedInstant } from '../domain/time';
import type { Clock } from '../ports/clock';
import type { Scheduler } from '../ports/scheduler';
import type { Store } from '../ports/store';
import { personKey } from './outgoing';

export interface FollowUpDeps {
  store: Store;
  scheduler: Scheduler;
  clock: Clock;
}

/** The pre-meeting digest goes out at this local time on the meeting's day (see README: why the morning of). */
export const DIGEST_TIME = '08:00';

export const DEFAULT_WEEKLY = { day: 'MON', time: '08:00' } as const;

const MAX_SERIES_WRITES = 5;

export const digestScheduleName = (seriesId: string, address: string): string =>
  `digest-${seriesId}-${personKey(address)}`;

/** The schedule of one person's weekly mail, as made before weekly slots: deleted when the person is next seen. */
export const weeklyScheduleName = (address: string): string => `weekly-${personKey(address)}`;

/**
 * The one schedule of everyone whose weekly mail goes out at this day, time and zone. `s` + 16 hex: schedule names
 * hold neither '/' nor '+', which zone names do, and cannot meet a person's `p…` names.
 */
export const weeklySlotScheduleName = (slot: WeeklySlot): string =>
  `weekly-s${createHash('sha256').update(`${slot.day}\n${slot.time}\n${slot.timeZone}`).digest('hex').slice(0, 16)}`;

/**
 * What a new meeting sets in motion once its items are stored: the series learns of it (and re-derives the next
 * meeting), each attendee gets a person record and their weekly slot a schedule (one for everyone in the slot), and
 * each attendee's pre-meeting digest is (re)scheduled for the morning of the next meeting. Every step is idempotent,
 * so a resumed ingest repeats it safely.
 */
export async function followUpMeeting(
  deps: FollowUpDeps,
  meeting: Meeting,
  calendars: string[],
): Promise<{ series: Series; digestsAt: string[] }> {
  const series = await recordInSeries(deps.store, meeting, calendars, deps.clock.now().toISOString());
  const now = deps.clock.now();
  const digestsAt: string[] = [];
  for (const member of series.members) {
    const wrote = series.author?.address.toLowerCase() === member.address.toLowerCase();
    const person = await deps.store.putPersonIfAbsent(newPerson(member, series.timeZone, now.toISOString(), wrote));
    const slot = slotOf(person);
    await deps.scheduler.scheduleWeekly({
      name: weeklySlotScheduleName(slot),
      ...slot,
      job: { kind: 'weekly-slot', ...slot },
    });
    if (person.authored === undefined) await settleOlderPerson(deps, person, wrote);
    else if (wrote && !person.authored) await deps.store.markAuthored(person.address, true);
    if (series.nextMeeting === null) continue;
    const at = zonedInstant(series.nextMeeting.date, DIGEST_TIME, person.timeZone);
    // Too late for this meeting's morning (notes sent on the day of the next one): the digest would only repeat
    // what the wrap-up says. The schedule of that name, if any, is for an older date and sends nothing when it fires.
    if (at.getTime() <= now.getTime()) continue;
    await deps.scheduler.reschedule({
      name: digestScheduleName(series.id, person.address),
      at: at.toISOString(),
      job: { kind: 'digest', seriesId: series.id, recipient: person.address, meetingDate: series.nextMeeting.date },
    });
    digestsAt.push(at.toISOString());
  }
  return { series, digestsAt };
}

function newPerson(member: Person, timeZone: string, now: string, authored: boolean): PersonRecord {
  return {
    address: member.address,
    name: member.name,
    timeZone,
    weekly: { ...DEFAULT_WEEKLY },
    createdAt: now,
    updatedAt: now,
    authored,
  };
}

/**
 * A person recorded before weekly slots (their record says nothing of `authored`), seen again: their own weekly
 * schedule goes, now that the slot's schedule sends their mail (both would fire at the same moment), and their
 * record learns whether they wrote notes, from the author index, once. That mark comes last: until it is written,
 * the next meeting of theirs does this again.
 */
async function settleOlderPerson(deps: FollowUpDeps, person: PersonRecord, wrote: boolean): Promise<void> {
  await deps.scheduler.cancel(weeklyScheduleName(person.address));
  const authored = wrote || (await deps.store.listSeriesByAuthor(person.address, { limit: 1 })).items.length > 0;
  await deps.store.markAuthored(person.address, authored);
}

/** Adds the meeting to its series with an optimistic write, retried when two notes of one series arrive at once. */
async function recordInSeries(store: Store, meeting: Meeting, calendars: string[], now: string): Promise<Series> {
  for (let attempt = 0; attempt < MAX_SERIES_WRITES; attempt += 1) {
    const current = await store.getSeries(meeting.seriesId);
    // A resumed ingest whose series write landed before the crash: writing again would only bump the version (and
    // re-derive the next meeting over whatever later notes wrote since), so the series stays as it is.
    if (current?.meetings.some((m) => m.id === meeting.id)) return current;
    const next = withMeeting(current, meeting, calendars, now);
    if (await store.putSeries(next, current?.version ?? 0)) return next;
  }
  throw new FollowthroughError(
    `Series ${meeting.seriesId} kept changing under ${MAX_SERIES_WRITES} attempts to write it`,
  );
}

export function withMeeting(current: Series | null, meeting: Meeting, calendars: string[], now: string): Series {
  const known = current?.meetings ?? [];
  // A stable sort on the date alone: notes arriving for a day already known (a corrected version) come last.
  const meetings = known.some((m) => m.id === meeting.id)
    ? known
    : [...known, { id: meeting.id, date: meeting.date }]
        .sort((a, b) => a.date.localeCompare(b.date))
        .slice(-MAX_SERIES_MEETINGS);
  const latest = meetings.at(-1);
  const isLatest = current === null || latest?.id === meeting.id;
  const timeZone = isLatest ? zoneOf(meeting, current) : (current?.timeZone ?? zoneOf(meeting, null));
  return {
    id: meeting.seriesId,
    members: mergeMembers(current?.members ?? [], meeting.attendees),
    author: isLatest ? meeting.author : (current?.author ?? meeting.author),
    meetings,
    // Only the latest notes say when the series meets next; older notes arriving late change nothing there.
    nextMeeting: isLatest
      ? deriveNextMeeting({
          fromNotes: meeting.nextMeetingDate,
          calendars,
          meetingDates: meetings.map((m) => m.date),
          meetingDate: meeting.date,
          timeZone,
        })
      : (current?.nextMeeting ?? null),
    timeZone,
    version: (current?.version ?? 0) + 1,
    updatedAt: now,
  };
}

/** The meeting's own zone when it names one, else the zone of its Date header's offset, else what the series had. */
function zoneOf(meeting: Meeting, current: Series | null): string {
  if (meeting.timeZone !== null) return meeting.timeZone;
  if (meeting.utcOffsetMinutes !== null) return timeZoneForOffset(meeting.utcOffsetMinutes);
  return current?.timeZone ?? 'UTC';
}

/** The same addresses (the series id says so); a name learnt once is kept when later mail shows none. */
function mergeMembers(known: Person[], attendees: Person[]): Person[] {
  const byAddress = new Map(known.map((p) => [p.address.toLowerCase(), p]));
  for (const person of attendees) {
    const address = person.address.toLowerCase();
    const before = byAddress.get(address);
    byAddress.set(address, { address, name: person.name ?? before?.name ?? null });
  }
  return [...byAddress.values()].sort((a, b) => a.address.localeCompare(b.address));
}
