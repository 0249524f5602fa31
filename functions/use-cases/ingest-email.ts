import { createHash } from 'node:crypto';
import { type ParsedEmail, parseEmail } from '../domain/email/parse-email';
import { readNotesOf } from '../domain/email/read-notes';
import { FollowthroughError, InvalidInputError } from '../domain/errors';
import { rulesExtractor } from '../domain/extraction/rules-extractor';
import type { Extraction, Meeting, SentMailRecord, Series, StoredItem } from '../domain/model';
import { calendarParts, seriesIdOf } from '../domain/series/next-meeting';
import type { Extractor } from '../ports/extractor';
import type { RawMailArchive } from '../ports/raw-mail';
import type { Scheduler } from '../ports/scheduler';
import { applyReply, type ReplyResult } from './apply-reply';
import { followUpMeeting } from './follow-up-meeting';
import { type OutgoingDeps, refInSubject } from './outgoing';

export interface IngestDeps extends OutgoingDeps {
  scheduler: Scheduler;
  archive: RawMailArchive;
  /** Who reads the notes: the rules unless configured otherwise (an LLM on Bedrock, with the rules as fallback). */
  extractor?: Extractor;
  config: OutgoingDeps['config'] & { inboxAddress: string; wrapupDelayMinutes: number };
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

export type IngestResult =
  | NotesResult
  | ReplyResult
  /** Mail we sent ourselves, come back (a loop): kept, never answered. */
  | { outcome: 'ignored'; reason: string; rawKey: string };

/** The input could not be read; the raw bytes are kept all the same, under `rawKey`. */
export class RejectedInputError extends InvalidInputError {
  constructor(
    readonly rawKey: string,
    cause: InvalidInputError,
  ) {
    super(cause.field, cause.message, { cause });
  }
}

/**
 * Take one inbound email — the one use case behind the SES inbox, the local SMTP inbox and `followthrough ingest`.
 *
 * 1. Keep the raw bytes before anything reads them, so that nothing is ever lost.
 * 2. A reply to a mail we sent (In-Reply-To / References, or the [ft-…] ref in its subject) carries commands:
 *    `done 2`, `2 due friday`… — see applyReply.
 * 3. Anything else is the notes of a 1:1: see storeMeeting.
 */
export async function ingestEmail(deps: IngestDeps, raw: Uint8Array): Promise<IngestResult> {
  const receivedAt = deps.clock.now();
  const rawKey = await deps.archive.put(raw, receivedAt);

  let email: ParsedEmail;
  try {
    email = await parseEmail(raw);
  } catch (error) {
    if (error instanceof InvalidInputError) throw new RejectedInputError(rawKey, error);
    throw new FollowthroughError('Could not read the email.', { cause: error });
  }
  if (email.from?.address === deps.config.fromAddress.toLowerCase()) {
    return { outcome: 'ignored', reason: 'sent by followthrough itself', rawKey };
  }
  const replied = await findRepliedMail(deps, email);
  if (replied !== null) return applyReply(deps, email, replied);

  let extraction: Extraction;
  try {
    extraction = await (deps.extractor ?? rulesExtractor).extract(await readNotesOf(email), {
      inboxAddresses: [deps.config.inboxAddress],
    });
  } catch (error) {
    if (error instanceof InvalidInputError) throw new RejectedInputError(rawKey, error);
    throw new FollowthroughError('Could not read the notes email.', { cause: error });
  }
  const messageId = email.messageId ?? `<sha256-${createHash('sha256').update(raw).digest('hex')}@followthrough>`;
  return storeMeeting(deps, { rawKey, messageId, extraction, calendars: calendarParts(email), receivedAt });
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

const MESSAGE_ID = /<[^<>\s]{1,250}>/g;

/** The mail of ours this one answers: by In-Reply-To and References (newest first), else by the subject's ref. */
async function findRepliedMail(deps: IngestDeps, email: ParsedEmail): Promise<SentMailRecord | null> {
  const ids = (name: string) => (email.headers.get(name) ?? []).join(' ').match(MESSAGE_ID) ?? [];
  // In-Reply-To names the mail answered; References lists the thread oldest first, so it is read from the end.
  const threaded = [...ids('in-reply-to'), ...ids('references').reverse()];
  for (const id of [...new Set(threaded)].slice(0, 20)) {
    const found = await deps.store.findSentMailByMessageId(id);
    if (found !== null) return found;
  }
  const ref = refInSubject(email.subject);
  return ref === null ? null : deps.store.getSentMail(ref);
}
