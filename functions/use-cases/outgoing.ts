import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { messageIdFor } from '../domain/email/message-id';
import { type SigningKey, signingKeyOf, signLink } from '../domain/links/token';
import type { ItemRef, OutboxRecord, Person, SentMailRecord, StoredItem } from '../domain/model';
import type { LinkFor, RenderedMail } from '../domain/render/inputs';
import type { Clock } from '../ports/clock';
import type { Mailer, OutgoingMail } from '../ports/mailer';
import type { OutboxClaim, Store } from '../ports/store';

/** What every use case that sends mail needs. */
export interface OutgoingDeps {
  store: Store;
  mailer: Mailer;
  clock: Clock;
  config: { fromAddress: string; baseUrl: string };
  /** The first key signs; see parseSigningKeys. */
  signingKeys: SigningKey[];
}

/** How long an action link works: long enough for a digest read late, short enough that old mail goes stale. */
export const LINK_LIFETIME_DAYS = 30;

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

function base32(bytes: Uint8Array, length: number): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5 && out.length < length) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length === length) break;
  }
  return out;
}

/**
 * The outbox key of one mail: derived from what the mail is for, so that a second attempt at the same mail (a
 * retried schedule, a re-delivered reply) finds the outbox record and does not send it again. It stays in the
 * store: anyone who knows a meeting could compute it, so it is never what a reply or a link is matched on.
 */
export function mailRef(...parts: string[]): string {
  // 26 base-32 characters (130 bits): two different mails never share a key, which would silently drop one.
  return base32(createHash('sha256').update(parts.join('\n').toLowerCase()).digest(), 26);
}

/**
 * The public name of one mail, drawn at its outbox claim: it travels in the subject ("[ft-…]") so that a reply
 * finds the mail even when a client or SES rewrote the Message-ID. 16 base-32 characters of randomness (80 bits),
 * so that a ref cannot be guessed from a meeting, a person or a date.
 */
export function newMailRef(): string {
  return base32(randomBytes(10), 16);
}

const SUBJECT_REF = /\[ft-([a-z2-7]{16})\]/i;

export const subjectWithRef = (subject: string, ref: string): string => `${subject} [ft-${ref}]`;

export function refInSubject(subject: string): string | null {
  return SUBJECT_REF.exec(subject)?.[1]?.toLowerCase() ?? null;
}

/** The subject as rendered, without the ref subjectWithRef put at its end. */
export function subjectWithoutRef(subject: string): string {
  // The spaces before the ref go with trimEnd: /\s*\[ft-…\]$/ would re-read a run of spaces from each one.
  const ref = /\[ft-[a-z2-7]{16}\]$/i.exec(subject);
  return ref ? subject.slice(0, ref.index).trimEnd() : subject;
}

/** A short key for one person in schedule names (addresses can be long and hold characters names cannot). */
export function personKey(address: string): string {
  return `p${createHash('sha256').update(address.trim().toLowerCase()).digest('hex').slice(0, 16)}`;
}

/** The links of one mail, signed for its one recipient. */
export function linksFor(deps: OutgoingDeps, recipient: string): LinkFor {
  const key = signingKeyOf(deps.signingKeys);
  const expiresAt = Math.floor(deps.clock.now().getTime() / 1000) + LINK_LIFETIME_DAYS * 86_400;
  return (item: StoredItem, action) =>
    `${deps.config.baseUrl}/a/${signLink(
      { action, meetingId: item.meetingId, seq: item.seq, recipient: recipient.toLowerCase(), expiresAt },
      key,
    )}`;
}

export interface Sending {
  /** The outbox key (mailRef): the same for every attempt at this mail, so that it goes once. */
  key: string;
  kind: SentMailRecord['kind'];
  to: Person;
  mail: RenderedMail;
  meetingId?: string | null;
  seriesId?: string | null;
  items?: ItemRef[];
  headers?: Record<string, string>;
}

/** What became of one mail: 'suppressed' went nowhere, because the address bounced for good or complained. */
export type SendOutcome = 'sent' | 'already-sent' | 'suppressed';

/**
 * Sends one mail once, however often it is asked to (schedules, SNS and SES receipts all deliver at least once).
 *
 * 1. An outbox record under the mail's key that says sent: stop.
 * 2. Nothing goes to a suppressed address, and nothing is recorded for it.
 * 3. Claim the outbox record (a conditional put) before the mailer sees the mail. The claim draws the public ref
 *    and the Message-ID; an earlier attempt's pending claim is used as it is, so a retry sends the same ref and
 *    the same Message-ID.
 * 4. Send, then mark the record sent, which also records the mail for replies (by ref and by Message-ID).
 *
 * A crash between 4's send and its mark leaves the record pending, and the retry sends again: at least once
 * toward the mailer. The local outbox writes a Message-ID once, so there the mail still arrives once. SES has no
 * such check, and it replaces our Message-ID with one of its own for each send, so on AWS that window (the
 * milliseconds between SES's answer and one DynamoDB write) can deliver a second copy: same subject and ref, and
 * a reply to either copy finds the mail (by its ref; by Message-ID for the copy whose id was recorded).
 */
export async function sendOnce(deps: OutgoingDeps, sending: Sending): Promise<SendOutcome> {
  const earlier = await deps.store.getOutbox(sending.key);
  if (earlier?.state === 'sent') return 'already-sent';
  if ((await deps.store.getSuppression(sending.to.address)) !== null) return 'suppressed';
  const record = earlier ?? (await deps.store.claimOutbox(newClaim(deps, sending))).record;
  if (record.state === 'sent') return 'already-sent';
  const sent = await deps.mailer.send(outgoingMail(deps, record, sending));
  await deps.store.markOutboxSent(record.key, { messageId: sent.messageId, sentAt: deps.clock.now().toISOString() });
  return 'sent';
}

/**
 * The outbox claim of a first attempt at a mail: the public ref and the Message-ID are drawn here, once, and every
 * later attempt sends the claim's. Stored conditionally (claimOutbox: an attempt running at the same time may have
 * claimed first) or, by a weekly page under its lease, in a batch.
 */
export function newClaim(deps: Pick<OutgoingDeps, 'config' | 'clock'>, sending: Sending): OutboxClaim {
  const ref = newMailRef();
  return {
    key: sending.key,
    ref,
    messageId: messageIdFor(deps.config.fromAddress, randomUUID()),
    kind: sending.kind,
    to: [sending.to.address],
    subject: subjectWithRef(sending.mail.subject, ref),
    meetingId: sending.meetingId ?? null,
    seriesId: sending.seriesId ?? null,
    items: sending.items ?? [],
    claimedAt: deps.clock.now().toISOString(),
  };
}

/** The mail as the mailer takes it: the claim's subject, ref and Message-ID, this attempt's rendering. */
export function outgoingMail(
  deps: Pick<OutgoingDeps, 'config'>,
  record: Pick<OutboxRecord, 'kind' | 'subject' | 'messageId' | 'ref'>,
  sending: Pick<Sending, 'to' | 'mail' | 'headers'>,
): OutgoingMail {
  return {
    kind: record.kind,
    from: { address: deps.config.fromAddress, name: 'followthrough' },
    to: [sending.to],
    subject: record.subject,
    html: sending.mail.html,
    text: sending.mail.text,
    messageId: record.messageId,
    headers: { ...sending.headers, 'X-Followthrough-Ref': record.ref },
  };
}
