import { createHash } from 'node:crypto';
import { parseEmail } from '../domain/email/parse-email';
import { readNotes } from '../domain/email/read-notes';
import { FollowthroughError, InvalidInputError } from '../domain/errors';
import { extract } from '../domain/extraction/extract';
import type { Meeting, StoredItem } from '../domain/model';
import type { Clock } from '../ports/clock';
import type { RawMailArchive } from '../ports/raw-mail';
import type { Scheduler } from '../ports/scheduler';
import type { Store } from '../ports/store';

export interface IngestDeps {
  store: Store;
  scheduler: Scheduler;
  archive: RawMailArchive;
  clock: Clock;
  config: { inboxAddress: string; wrapupDelayMinutes: number };
}

export type IngestResult =
  | { outcome: 'ingested'; meeting: Meeting; items: StoredItem[]; wrapupAt: string }
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

/**
 * Ingest the notes of a 1:1 — the one use case behind the SES inbox, the webhook and `followthrough ingest`.
 *
 * 1. Keep the raw bytes before anything reads them, so that nothing is ever lost.
 * 2. Read the email (forwards unwrapped, quotes dropped) and extract the meeting and its action items.
 * 3. Claim the meeting by its id, derived from the Message-ID: a second delivery finds it and stops here.
 * 4. Store the items, then schedule the wrap-up under a name derived from the meeting, then mark the meeting
 *    complete. No transactions (dynalite has none): each step is idempotent and a re-delivery after a crash
 *    resumes from the pending meeting and redoes only what is missing.
 */
export async function ingestNotes(deps: IngestDeps, raw: Uint8Array): Promise<IngestResult> {
  const receivedAt = deps.clock.now();
  const rawKey = await deps.archive.put(raw, receivedAt);

  let extraction: ReturnType<typeof extract>;
  let messageId: string;
  try {
    const email = await parseEmail(raw);
    const notes = readNotes(email);
    extraction = extract(notes, { inboxAddresses: [deps.config.inboxAddress] });
    if (extraction.meeting.attendees.length === 0) {
      throw new InvalidInputError('From', 'The notes name no attendees: the email has no From, To or Cc address.');
    }
    messageId = email.messageId ?? `<sha256-${createHash('sha256').update(raw).digest('hex')}@followthrough>`;
  } catch (error) {
    if (error instanceof InvalidInputError) throw new RejectedInputError(rawKey, error);
    throw new FollowthroughError('Could not read the notes email.', { cause: error });
  }

  const meetingId = meetingIdOf(messageId);
  const meeting: Meeting = {
    ...extraction.meeting,
    id: meetingId,
    messageId,
    rawKey,
    receivedAt: receivedAt.toISOString(),
    state: 'pending',
    itemCount: extraction.items.length,
    wrapupSentAt: null,
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
  }));
  await deps.store.putItems(items);

  const wrapupAt = new Date(receivedAt.getTime() + deps.config.wrapupDelayMinutes * 60_000).toISOString();
  await deps.scheduler.scheduleOnce({ name: `wrapup-${meetingId}`, at: wrapupAt, job: { kind: 'wrapup', meetingId } });
  await deps.store.completeMeeting(meetingId);
  return { outcome: 'ingested', meeting: { ...stored, state: 'complete' }, items, wrapupAt };
}

/** Stable across re-deliveries of the same email, short enough for a schedule name (≤ 64 chars on AWS). */
export function meetingIdOf(messageId: string): string {
  return `m${createHash('sha256').update(messageId.trim().toLowerCase()).digest('hex').slice(0, 20)}`;
}
