import { createHash } from 'node:crypto';
import { senderDomainAllowed } from '../domain/email/allowed-senders';
import { whyNeverAnswer } from '../domain/email/automated';
import { type Cut, MAIL_LIMITS } from '../domain/email/limits';
import { type ParsedEmail, parseEmail } from '../domain/email/parse-email';
import { singleFromAddress } from '../domain/email/sender-trust';
import type { Person } from '../domain/model';
import { cutLines, type NoticeReason, renderNoticeMail } from '../domain/render/notice';
import { mailRef, type OutgoingDeps, type SendOutcome, sendOnce } from './outgoing';

export interface NoticeDeps extends OutgoingDeps {
  config: OutgoingDeps['config'] & { inboxAddress: string; allowedSenderDomains: readonly string[] };
}

/** 'not-needed': nothing was left unread; 'not-answered': the sender is not one we may write to. */
export type NoticeOutcome = SendOutcome | 'not-needed' | 'not-answered';

/**
 * Tell the sender what of their notes was left unread (issue 7, R9): one short mail per email, however often the
 * email is delivered. Only cuts that left something unread count; see cutLines. `messageId` is the email's own, or
 * the one ingest derived from its bytes when it has none.
 */
export async function sendCutsNotice(
  deps: NoticeDeps,
  email: ParsedEmail,
  messageId: string,
  cuts: readonly Cut[],
  senderVerified: boolean,
): Promise<NoticeOutcome> {
  if (cutLines(cuts).length === 0) return 'not-needed';
  return notify(deps, email, messageId, senderVerified, { kind: 'cuts', cuts: [...cuts] });
}

/**
 * Tell the sender that their email was too large to read at all. The body is not read — that is the point of the
 * limit — so the sender comes from the header block alone, parsed on its own.
 */
export async function sendTooLargeNotice(
  deps: NoticeDeps,
  raw: Uint8Array,
  senderVerified: boolean,
): Promise<NoticeOutcome> {
  const headers = headerBlock(raw);
  if (headers === null) return 'not-answered';
  let email: ParsedEmail;
  try {
    email = await parseEmail(headers);
  } catch {
    return 'not-answered';
  }
  const messageId = email.messageId ?? `<sha256-${createHash('sha256').update(raw).digest('hex')}@followthrough>`;
  return notify(deps, email, messageId, senderVerified, {
    kind: 'too-large',
    bytes: raw.byteLength,
    limitBytes: MAIL_LIMITS.messageBytes,
  });
}

/**
 * 1. Only to a sender we would act for: verified (a spoofed From would have us mail a stranger), with one From
 *    address (the one the verdict was about), from an allowed domain, and never to automated mail (R6: two robots
 *    answering each other never stop).
 * 2. The key derives from the email's Message-ID and the sender: a second delivery finds the notice sent.
 * 3. It answers the email (In-Reply-To) and says it is an automatic answer (RFC 3834 Auto-Submitted), so that the
 *    sender's own auto-responder leaves it alone.
 */
async function notify(
  deps: NoticeDeps,
  email: ParsedEmail,
  messageId: string,
  senderVerified: boolean,
  reason: NoticeReason,
): Promise<NoticeOutcome> {
  const to = answerableSender(deps, email, senderVerified);
  if (to === null) return 'not-answered';
  const threadId = email.messageId !== null && MESSAGE_ID.test(email.messageId) ? email.messageId : null;
  return sendOnce(deps, {
    key: mailRef('notice', reason.kind, messageId, to.address),
    kind: 'notice',
    to,
    mail: renderNoticeMail({ to, about: email.subject, reason }),
    headers: {
      'Auto-Submitted': 'auto-replied',
      ...(threadId === null ? {} : { 'In-Reply-To': threadId, References: threadId }),
    },
  });
}

// One message id and nothing else: it is copied into our own headers.
const MESSAGE_ID = /^<[^<>\s]{1,250}>$/;

function answerableSender(deps: NoticeDeps, email: ParsedEmail, senderVerified: boolean): Person | null {
  const from = email.from;
  if (!senderVerified || from === null) return null;
  if (singleFromAddress(email.headers.get('from') ?? []) !== from.address) return null;
  if (whyNeverAnswer(email, deps.config) !== null) return null;
  if (!senderDomainAllowed(from.address, deps.config.allowedSenderDomains)) return null;
  return from;
}

/** The bytes up to and including the blank line that ends the headers, or null when none ends within the limit. */
function headerBlock(raw: Uint8Array): Uint8Array | null {
  const window = raw.subarray(0, MAIL_LIMITS.headerBytes);
  for (let i = 0; i < window.length - 1; i++) {
    if (window[i] !== 0x0a) continue;
    const next = window[i + 1] === 0x0d ? i + 2 : i + 1;
    if (window[next] === 0x0a) return raw.subarray(0, next + 1);
  }
  return null;
}
