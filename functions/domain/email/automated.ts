import type { ParsedEmail } from './parse-email';

/** Our own addresses: mail from them is mail we sent, come back. */
export interface OwnAddresses {
  fromAddress: string;
  inboxAddress: string;
}

/** Headers of ours that every mail we send carries (outgoing.ts, adapters/mime.ts). */
const OWN_HEADERS = ['x-followthrough-ref', 'x-followthrough-kind'];

/** Local parts that belong to mail systems, not people (RFC 5321 §4.5.1, RFC 3834 §2). */
const SYSTEM_MAILBOXES = new Set(['mailer-daemon', 'postmaster']);

const BULK_PRECEDENCE = new Set(['bulk', 'list', 'junk']);

/**
 * Why a message must never be answered, or null when it may be (issue 7, R6). Answering an auto-reply, a bounce, a
 * list's mail or our own mail come back is how two robots mail each other forever; RFC 3834 asks responders to
 * leave all of these alone. Such mail is kept and acted on not at all: no meeting, no change, no mail.
 * The reasons are fixed phrases: they are logged, and a header's own value may carry anything.
 */
export function whyNeverAnswer(email: Pick<ParsedEmail, 'headers' | 'from'>, own: OwnAddresses): string | null {
  const values = (name: string) => email.headers.get(name) ?? [];

  if (OWN_HEADERS.some((name) => values(name).length > 0)) return 'it is mail followthrough sent';
  const from = email.from?.address.toLowerCase() ?? null;
  if (from !== null && (from === own.fromAddress.toLowerCase() || from === own.inboxAddress.toLowerCase())) {
    return 'it is from followthrough’s own address';
  }
  // "auto-replied; owner-email=…": the keyword comes before any parameter (RFC 3834 §5).
  const autoSubmitted = values('auto-submitted').map((v) => (v.split(';')[0] ?? '').trim().toLowerCase());
  if (autoSubmitted.some((keyword) => keyword !== 'no')) return 'it was sent automatically (Auto-Submitted)';
  if (values('precedence').some((v) => BULK_PRECEDENCE.has(v.trim().toLowerCase())))
    return 'it is bulk or list mail (Precedence)';
  if (values('list-id').length > 0) return 'it came through a mailing list (List-Id)';
  // The null reverse-path: delivery reports and other mail that no one may answer (RFC 5321 §4.5.5).
  if (values('return-path').some((v) => v.replace(/\s/g, '') === '<>' || v.trim() === '')) {
    return 'it has an empty Return-Path (a bounce or other delivery report)';
  }
  const localPart = from === null ? null : from.slice(0, from.lastIndexOf('@'));
  if (localPart !== null && SYSTEM_MAILBOXES.has(localPart))
    return 'it is from a mail system (mailer-daemon, postmaster)';
  return null;
}
