/**
 * What the email and webhook paths share once the notes are read: storing a meeting and setting its follow-up in
 * motion. A module of its own so that the webhook function does not bundle the email path (postal-mime, the forward
 * parser, replies and notices) into its cold start; ingest-email.ts re-exports all of it.
 */
import { createHash } from 'node:crypto';
import { InvalidInputError } from '../domain/errors';
import type { Extraction, Meeting, Series, StoredItem } from '../domain/model';
import { loadCalendarReader, seriesIdOf } from '../domain/series/next-meeting';
import type { Extractor } from '../ports/extractor';
import type { RawMailArchive } from '../ports/raw-mail';
import type { Scheduler } from '../ports/scheduler';
import { followUpMeeting } from './follow-up-meeting';
import type { OutgoingDeps } from './outgoing';

export interface IngestDeps extends OutgoingDeps {
  scheduler: Scheduler;
  archive: RawMailArchive;
  /** Who reads the notes: the rules unless configured otherwise (an LLM on Bedrock, with the rules as fallback). */
  extractor?: Extractor;
  config: OutgoingDeps['config'] & {
    inboxAddress: string;
    wrapupDelayMinutes: number;
    /** Domains whose mail is processed, subdomains included; `*` takes any (the local stack's default). */
    allowedSenderDomains: readonly string[];
  };
}

export type NotesResult =
  | {
      outcome: 'ingested';
      meeting: Meeting;
      items: StoredItem[];
      wrapupAt: string;
      series: Series;
      /** When each attendee's pre-meeting digest is due, where one is scheduled. */
      digestsAt: string[];
    }
  | { outcome: 'duplicate'; meeting: Meeting };

/** The input could not be read; the raw bytes are kept all the same, under `rawKey`. */
export class RejectedInputError extends InvalidInputError {
  constructor(
    readonly rawKey: string,
    cause: InvalidInputError,
  ) {
    super(cause.field, cause.message, { cause });
  }
}

export interface NotesInput {
  rawKey: string;
  /** The idempotency key: the email's Message-ID, or the webhook's id. */
  messageId: string;
  extraction: Extraction;
  /** text/calendar invites that came with the notes. */
  calendars: string[];
  receivedAt: Date;
}

/**
 * Store the notes of one meeting and set its follow-up in motion — shared by the email and webhook paths.
 *
 * 1. Claim the meeting by its id, derived from the Message-ID: a second delivery finds it and stops here.
 * 2. Store the items, schedule the wrap-up, record the meeting in its series (people, weekly and pre-meeting
 *    schedules), then mark the meeting complete. No transactions (dynalite has none): each step is idempotent and
 *    a re-delivery after a crash resumes from the pending meeting and redoes only what is missing.
 */
export async function storeMeeting(deps: IngestDeps, input: NotesInput): Promise<NotesResult> {
  const { extraction, receivedAt } = input;
  // The invites are read when the series learns of the meeting (followUpMeeting), with ical.js: loaded only for them.
  if (input.calendars.length > 0) await loadCalendarReader();
  if (extraction.meeting.attendees.length === 0) {
    throw new RejectedInputError(
      input.rawKey,
      new InvalidInputError('From', 'The notes name no attendees: the email has no From, To or Cc address.'),
    );
  }
  const meetingId = meetingIdOf(input.messageId);
  const meeting: Meeting = {
    ...extraction.meeting,
    id: meetingId,
    messageId: input.messageId,
    rawKey: input.rawKey,
    receivedAt: receivedAt.toISOString(),
    state: 'pending',
    itemCount: extraction.items.length,
    wrapupSentAt: null,
    seriesId: seriesIdOf(extraction.meeting.attendees),
  };
  const claim = await deps.store.claimMeeting(meeting);
  if (claim.outcome === 'duplicate') return { outcome: 'duplicate', meeting: claim.meeting };
  const stored = claim.outcome === 'resumed' ? claim.meeting : meeting;

  const now = receivedAt.toISOString();
  const items: StoredItem[] = extraction.items.map((item, index) => ({
    ...item,
    meetingId,
    seq: index + 1,
    status: 'open',
    createdAt: now,
    updatedAt: now,
    seriesId: stored.seriesId,
    meetingDate: stored.date,
    snoozedUntil: null,
    lastChange: null,
  }));
  await deps.store.putItems(items);

  const wrapupAt = new Date(receivedAt.getTime() + deps.config.wrapupDelayMinutes * 60_000).toISOString();
  await deps.scheduler.scheduleOnce({ name: `wrapup-${meetingId}`, at: wrapupAt, job: { kind: 'wrapup', meetingId } });
  const { series, digestsAt } = await followUpMeeting(deps, stored, input.calendars);
  await deps.store.completeMeeting(meetingId);
  return { outcome: 'ingested', meeting: { ...stored, state: 'complete' }, items, wrapupAt, series, digestsAt };
}

/** Stable across re-deliveries of the same email, short enough for a schedule name (≤ 64 chars on AWS). */
export function meetingIdOf(messageId: string): string {
  return `m${createHash('sha256').update(messageId.trim().toLowerCase()).digest('hex').slice(0, 20)}`;
}
