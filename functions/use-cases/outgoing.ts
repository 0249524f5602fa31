import { createHash } from 'node:crypto';
import { type SigningKey, signLink } from '../domain/links/token';
import type { ItemRef, Person, SentMailRecord, StoredItem } from '../domain/model';
import type { LinkFor, RenderedMail } from '../domain/render/inputs';
import type { Clock } from '../ports/clock';
import type { Mailer } from '../ports/mailer';
import type { Store } from '../ports/store';

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

/**
 * A short, stable name for one mail: derived from what it is for, so that sending the same thing again finds the
 * record and stops. It also travels in the subject ("[ft-…]") so that a reply finds the mail even when a client
 * or SES rewrote the Message-ID.
 */
export function mailRef(...parts: string[]): string {
  const digest = createHash('sha256').update(parts.join('\n').toLowerCase()).digest();
  // Ten base-32 characters (50 bits): short in a subject, and collisions are out of reach at our scale.
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of digest) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < 10) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length === 10) break;
  }
  return out;
}

const SUBJECT_REF = /\[ft-([a-z2-7]{10})\]/i;

export const subjectWithRef = (subject: string, ref: string): string => `${subject} [ft-${ref}]`;

export function refInSubject(subject: string): string | null {
  return SUBJECT_REF.exec(subject)?.[1]?.toLowerCase() ?? null;
}

/** A short key for one person in schedule names (addresses can be long and hold characters names cannot). */
export function personKey(address: string): string {
  return `p${createHash('sha256').update(address.trim().toLowerCase()).digest('hex').slice(0, 16)}`;
}

/** The links of one mail, signed for its one recipient. */
export function linksFor(deps: OutgoingDeps, recipient: string): LinkFor {
  const [key] = deps.signingKeys;
  if (key === undefined) throw new Error('No link signing key is configured');
  const expiresAt = Math.floor(deps.clock.now().getTime() / 1000) + LINK_LIFETIME_DAYS * 86_400;
  return (item: StoredItem, action) =>
    `${deps.config.baseUrl}/a/${signLink(
      { action, meetingId: item.meetingId, seq: item.seq, recipient: recipient.toLowerCase(), expiresAt },
      key,
    )}`;
}

export interface Sending {
  ref: string;
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
 * Sends one mail unless its ref says it went already, then records it. Send first, record after: a crash between
 * the two sends it once more on the retry, which beats never sending it (schedules fire at least once anyway).
 * Nothing goes to a suppressed address, and nothing is recorded for it, so that it does not pass for sent.
 */
export async function sendOnce(deps: OutgoingDeps, sending: Sending): Promise<SendOutcome> {
  if ((await deps.store.getSentMail(sending.ref)) !== null) return 'already-sent';
  if ((await deps.store.getSuppression(sending.to.address)) !== null) return 'suppressed';
  const subject = subjectWithRef(sending.mail.subject, sending.ref);
  const sent = await deps.mailer.send({
    kind: sending.kind,
    from: { address: deps.config.fromAddress, name: 'followthrough' },
    to: [sending.to],
    subject,
    html: sending.mail.html,
    text: sending.mail.text,
    headers: { ...sending.headers, 'X-Followthrough-Ref': sending.ref },
  });
  await deps.store.recordSentMail({
    ref: sending.ref,
    kind: sending.kind,
    messageId: sent.messageId,
    to: [sending.to.address],
    subject,
    sentAt: deps.clock.now().toISOString(),
    meetingId: sending.meetingId ?? null,
    seriesId: sending.seriesId ?? null,
    items: sending.items ?? [],
  });
  return 'sent';
}
