import { createHash } from 'node:crypto';
import { senderDomainAllowed } from '../domain/email/allowed-senders';
import { whyNeverAnswer } from '../domain/email/automated';
import { type Cut, withinMeetingLimits } from '../domain/email/limits';
import { type ParsedEmail, parseEmail } from '../domain/email/parse-email';
import { readNotesOf } from '../domain/email/read-notes';
import { singleFromAddress } from '../domain/email/sender-trust';
import { FollowthroughError, InvalidInputError } from '../domain/errors';
import { rulesExtractor } from '../domain/extraction/rules-extractor';
import type { Extraction, Meeting, SentMailRecord } from '../domain/model';
import { calendarParts, seriesIdOf } from '../domain/series/next-meeting';
import type { ReplyResult } from './apply-reply';
import { refInSubject } from './outgoing';
import {
  type IngestDeps,
  meetingIdOf,
  type NotesInput,
  type NotesResult,
  RejectedInputError,
  storeMeeting,
} from './store-meeting';

export {
  type IngestDeps,
  meetingIdOf,
  type NotesInput,
  type NotesResult,
  RejectedInputError,
  storeMeeting,
} from './store-meeting';

/** What the receiving side knows of the sender: on AWS, from SES's verdicts (see senderTrust). */
export interface InboundTrust {
  /** The From address is the sender's own. The local SMTP inbox and the CLI have no verdicts and say true. */
  senderVerified: boolean;
}

export type IngestResult =
  /** `cuts`: what the limits left unread (limits.ts); absent when all of it was read. */
  | (NotesResult & { cuts?: Cut[] })
  | ReplyResult
  /** Mail that must never be answered (a loop, an auto-reply, a bounce, a list): kept, never acted on. */
  | { outcome: 'ignored'; reason: string; rawKey: string }
  /** From a domain that is not an allowed sender domain: kept, unanswered (no backscatter). */
  | { outcome: 'dropped'; reason: string; rawKey: string }
  /** Notes whose sender could not be verified: kept as an unverified meeting, with no items, schedules or mail. */
  | { outcome: 'unverified'; meeting: Meeting; reason: string };

/**
 * Take one inbound email — the one use case behind the SES inbox, the local SMTP inbox and `followthrough ingest`.
 *
 * 1. Keep the raw bytes before anything reads them, so that nothing is ever lost.
 * 2. Mail that must never be answered (auto-replies, bounces, lists, our own mail come back) stops here: ignored.
 * 3. Mail from a domain that is not an allowed sender domain stops here too, unanswered: dropped.
 * 4. A reply to a mail we sent (In-Reply-To / References, or the [ft-…] ref in its subject) carries commands:
 *    `done 2`, `2 due friday`… — see applyReply. From an unverified sender it changes nothing and gets nothing.
 * 5. Anything else is the notes of a 1:1: see storeMeeting. From an unverified sender they are kept as an
 *    unverified meeting, so nothing is lost and no one is mailed on a spoofed sender's say-so.
 *
 * Replies and limit notices are imported when one comes: they render and send mail (templates, MIME), which the
 * notes themselves never do here, and the inbound Lambda's cold start stays without them (bench/bundles.ts).
 */
export async function ingestEmail(
  deps: IngestDeps,
  raw: Uint8Array,
  inbound: InboundTrust = { senderVerified: true },
): Promise<IngestResult> {
  const receivedAt = deps.clock.now();
  const rawKey = await deps.archive.put(raw, receivedAt);

  let email: ParsedEmail;
  try {
    email = await parseEmail(raw);
  } catch (error) {
    if (error instanceof InvalidInputError) {
      // Too large to read at all: a verified sender is told, since only they can send it smaller.
      if (error.field === 'size') {
        const { sendTooLargeNotice } = await import('./send-limit-notice');
        await sendTooLargeNotice(deps, raw, inbound.senderVerified);
      }
      throw new RejectedInputError(rawKey, error);
    }
    throw new FollowthroughError('Could not read the email.', { cause: error });
  }
  const neverAnswer = whyNeverAnswer(email, deps.config);
  if (neverAnswer !== null) return { outcome: 'ignored', reason: neverAnswer, rawKey };
  if (!senderDomainAllowed(email.from?.address ?? null, deps.config.allowedSenderDomains)) {
    return { outcome: 'dropped', reason: 'the sender’s domain is not an allowed sender domain', rawKey };
  }
  // The From acted on must be the one that was verified: with two From headers, or one naming several people, a
  // verdict about "the" sender may have been about another address than the one read here.
  const senderVerified =
    inbound.senderVerified &&
    email.from !== null &&
    singleFromAddress(email.headers.get('from') ?? []) === email.from.address;

  const replied = await findRepliedMail(deps, email);
  if (replied !== null) {
    if (!senderVerified) {
      return { outcome: 'reply-refused', repliedRef: replied.ref, reason: 'the sender could not be verified' };
    }
    const { applyReply } = await import('./apply-reply');
    return applyReply(deps, email, replied);
  }

  let extraction: Extraction;
  let cuts: Cut[];
  try {
    // A sender who cannot be verified does not get to spend model calls: the rules read unverified notes.
    const extractor = senderVerified ? (deps.extractor ?? rulesExtractor) : rulesExtractor;
    const read = await readNotesOf(email);
    cuts = read.cuts ?? [];
    const limited = withinMeetingLimits(
      await extractor.extract(read, {
        inboxAddresses: [deps.config.inboxAddress],
      }),
    );
    extraction = limited.extraction;
    if (limited.cut !== null) cuts.push(limited.cut);
  } catch (error) {
    if (error instanceof InvalidInputError) throw new RejectedInputError(rawKey, error);
    throw new FollowthroughError('Could not read the notes email.', { cause: error });
  }
  const messageId = email.messageId ?? `<sha256-${createHash('sha256').update(raw).digest('hex')}@followthrough>`;
  const notes = { rawKey, messageId, extraction, calendars: calendarParts(email), receivedAt };
  if (!senderVerified) return keepUnverifiedMeeting(deps, notes);
  const stored = await storeMeeting(deps, notes);
  // After the meeting is stored, and on a duplicate too: a crash between the two still sends the notice, once.
  if (cuts.length > 0) {
    const { sendCutsNotice } = await import('./send-limit-notice');
    await sendCutsNotice(deps, email, messageId, cuts, senderVerified);
  }
  return cuts.length === 0 ? stored : { ...stored, cuts };
}

/**
 * Keep notes whose sender could not be verified as an unverified meeting: what they said and where the raw mail
 * is, so that nothing is lost, but no items, no schedules and no mail — a forged From must not put words in
 * someone's mouth or make us mail the people it names. Its id is not the verified meeting's, so a spoofed copy that
 * arrives first cannot stand in for the real notes when they come.
 */
async function keepUnverifiedMeeting(
  deps: IngestDeps,
  input: NotesInput,
): Promise<Extract<IngestResult, { outcome: 'unverified' }>> {
  const reason = 'the sender could not be verified';
  const { extraction } = input;
  if (extraction.meeting.attendees.length === 0) {
    throw new RejectedInputError(
      input.rawKey,
      new InvalidInputError('From', 'The notes name no attendees: the email has no From, To or Cc address.'),
    );
  }
  const meeting: Meeting = {
    ...extraction.meeting,
    id: meetingIdOf(`unverified ${input.messageId}`),
    messageId: input.messageId,
    rawKey: input.rawKey,
    receivedAt: input.receivedAt.toISOString(),
    state: 'unverified',
    itemCount: 0,
    wrapupSentAt: null,
    seriesId: seriesIdOf(extraction.meeting.attendees),
  };
  const claim = await deps.store.claimMeeting(meeting);
  return { outcome: 'unverified', meeting: claim.outcome === 'claimed' ? meeting : claim.meeting, reason };
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
