import MailComposer from 'nodemailer/lib/mail-composer';
import { encodeWord } from 'nodemailer/lib/mime-funcs';
import type { Person } from '../domain/model';
import { headerText } from '../domain/render/format';
import type { OutgoingMail } from '../ports/mailer';

export const kindHeader = 'X-Followthrough-Kind';

export interface MimeOptions {
  /** The Date header (SES replaces it with the time it accepted the message). */
  date: Date;
  /** The Message-ID header, in angle brackets (SES replaces it with its own). */
  messageId: string;
}

/**
 * The RFC 5322 bytes of a message: text and HTML as multipart/alternative, our headers (In-Reply-To, References,
 * List-Unsubscribe, X-Followthrough-*) as given, and the kind of mail in `X-Followthrough-Kind`.
 */
export async function composeMime(mail: OutgoingMail, options: MimeOptions): Promise<Buffer> {
  // nodemailer's MailComposer, not a transport: the bytes are the same (a stream transport composes with it), and
  // `createTransport` brings the SMTP client, pooling and DKIM along (≈ 200 KB of bundle).
  const composer = new MailComposer({
    // CRLF because that is what goes over the wire: SES takes the bytes as they are, and an .eml of the outbox shows
    // what a recipient would see.
    newline: 'windows',
    from: mailbox(mail.from),
    to: mail.to.map(mailbox),
    subject: headerWords(mail.subject),
    text: mail.text,
    html: mail.html,
    date: options.date,
    messageId: options.messageId,
    headers: { ...checkedHeaders(mail.headers ?? {}), [kindHeader]: mail.kind },
  });
  return composer.compile().build();
}

function mailbox(person: Person): { name: string; address: string } | string {
  const name = person.name === null ? '' : headerWords(person.name);
  return name === '' ? person.address : { name, address: person.address };
}

/**
 * A subject or display name as its header carries it: one clean line (headerText), whoever built it, and any
 * "=?…?=" in it sent as an encoded word of its own. nodemailer writes plain ASCII as it is, and clients decode every
 * encoded word they find, even in a quoted name: a name typed as "=?utf-8?B?SGkNCkJjYzogeEB5?=" would show as
 * "Hi", a line break and "Bcc: x@y".
 */
function headerWords(text: string): string {
  const line = headerText(text);
  return line.includes('=?') ? encodeWord(line, 'B', 52) : line;
}

// A msg-id: printable ASCII without spaces, in angle brackets (RFC 5322 3.6.4).
const MSG_ID = /<[\x21-\x3b\x3d\x3f-\x7e]{1,250}>/g;
const MAX_REFERENCES = 20;

function checkedHeaders(headers: Record<string, string>): Record<string, string> {
  const checked: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!/^[A-Za-z0-9-]+$/.test(name)) {
      throw new Error(`refusing header ${JSON.stringify(name)}: a header name is letters, digits and dashes`);
    }
    const thread = threadIds(name, value);
    if (thread !== undefined) {
      if (thread !== null) checked[name] = thread;
      continue;
    }
    // A line break in a header would let data (a subject, a name) write headers of its own, such as Bcc.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is what this line does.
    if (/[\u0000-\u001f\u007f]/.test(value)) {
      throw new Error(`refusing header ${JSON.stringify(name)}: a header value is one line of text`);
    }
    checked[name] = value;
  }
  return checked;
}

/**
 * In-Reply-To and References quote the Message-ID of a mail a stranger wrote: only the msg-ids in it go back out (the
 * first for In-Reply-To, the latest few for References), or no header at all. Undefined for any other header.
 */
function threadIds(name: string, value: string): string | null | undefined {
  const header = name.toLowerCase();
  if (header !== 'in-reply-to' && header !== 'references') return undefined;
  const ids = value.match(MSG_ID) ?? [];
  const kept = header === 'in-reply-to' ? ids.slice(0, 1) : ids.slice(-MAX_REFERENCES);
  return kept.length === 0 ? null : kept.join(' ');
}
