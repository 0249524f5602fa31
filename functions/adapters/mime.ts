import MailComposer from 'nodemailer/lib/mail-composer';
import { encodeWord } from 'nodemailer/lib/mime-funcs';
import type MimeNode from 'nodemailer/lib/mime-node';
import type { Person } from '../domain/model';
import { headerText } from '../domain/render/format';
import type { OutgoingMail } from '../ports/mailer';
import { binaryOrEightBit, type Escapes, escapesIn, mimeBytes } from './mime-bytes';

export const kindHeader = 'X-Followthrough-Kind';

export interface MimeOptions {
  /** The Date header (SES replaces it with the time it accepted the message). */
  date: Date;
  /** The Message-ID header, in angle brackets (SES replaces it with its own). */
  messageId: string;
  /** The random part of the multipart boundary, drawn by nodemailer when not given (a test fixes it). */
  baseBoundary?: string;
}

/**
 * The RFC 5322 bytes of a message: text and HTML as multipart/alternative, our headers (In-Reply-To, References,
 * List-Unsubscribe, X-Followthrough-*) as given, and the kind of mail in `X-Followthrough-Kind`.
 */
export async function composeMime(mail: OutgoingMail, options: MimeOptions): Promise<Buffer> {
  const { root, scanned } = compiledMime(mail, options);
  // Written without nodemailer's streams (see mime-bytes.ts), byte for byte what build() writes; build() writes
  // what that does not cover.
  return mimeBytes(root, scanned) ?? root.build();
}

/** nodemailer's tree of the message, and its text parts as scanned for their encoding (see mime-bytes.ts). */
export function compiledMime(mail: OutgoingMail, options: MimeOptions): { root: MimeNode; scanned: Escapes[] } {
  // nodemailer's MailComposer, not a transport: the bytes are the same (a stream transport composes with it), and
  // `createTransport` brings the SMTP client, pooling and DKIM along (≈ 200 KB of bundle).
  const fields = {
    // CRLF because that is what goes over the wire: SES takes the bytes as they are, and an .eml of the outbox shows
    // what a recipient would see.
    newline: 'windows' as const,
    from: mailbox(mail.from),
    to: mail.to.map(mailbox),
    subject: headerWords(mail.subject),
    text: mail.text,
    html: mail.html,
    date: options.date,
    messageId: options.messageId,
    ...(options.baseBoundary === undefined ? {} : { baseBoundary: options.baseBoundary }),
    headers: { ...checkedHeaders(mail.headers ?? {}), [kindHeader]: mail.kind },
  };
  const named = [fields.from, ...fields.to].map((box) => (typeof box === 'string' ? '' : box.name));
  // The parts are scanned once, for the choice of encoding and for the encoding itself.
  const scanned = [escapesIn(fields.text), escapesIn(fields.html)];
  const composer = new MailComposer({
    ...fields,
    ...decidedTextEncoding(
      [fields.text, fields.html, fields.subject, ...named, ...Object.values(fields.headers)],
      scanned,
    ),
  });
  return { root: composer.compile(), scanned };
}

// What nodemailer counts, one character at a time, to choose between quoted-printable and base64 (see
// decidedTextEncoding): characters that are binary or 8-bit, and Latin letters.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this class counts.
const NOT_TEXT = /[\x00-\x08\x0b\x0c\x0e-\x1f\x80-\uffff]+/g;
const LETTERS = /[A-Za-z]+/g;

/** Letters in the text: runs, not single characters, since each match costs the replace a step. */
const lettersIn = (text: string): number => text.length - text.replace(LETTERS, '').length;

/**
 * How many characters the pattern's matches cover: counted from the few runs it finds, where a replace would copy
 * the rest of a 37 KB digest to measure the difference (≈ 60 µs of a weekly mail, measured).
 */
function matchedLength(value: string, pattern: RegExp): number {
  let length = 0;
  for (const run of value.match(pattern) ?? []) length += run.length;
  return length;
}

/** The encoding nodemailer's MimeNode would choose for this value (see decidedTextEncoding). */
export const encodingOf = (value: string, nonLatin = matchedLength(value, NOT_TEXT)): 'Q' | 'B' => {
  // The answer is Q as soon as the letters outnumber the rest: in mail that is mostly Latin text a stretch at the
  // start shows it, without counting the letters of all of it.
  const stretch = 64 * (nonLatin + 1);
  if (stretch < value.length && lettersIn(value.slice(0, stretch)) > nonLatin) return 'Q';
  return nonLatin < lettersIn(value) ? 'Q' : 'B';
};

/**
 * nodemailer chooses quoted-printable or base64 for each text part, and for each header it encodes, by counting Latin
 * letters against binary and 8-bit characters in a JavaScript loop: ≈ 0.8 ms of the ≈ 2.5 ms it takes to compose a
 * weekly digest (35 KB of HTML), measured. The same count done with two native replaces comes to the same choice;
 * when it is the same for every part and header of the mail, telling nodemailer that choice skips its loop and
 * changes no byte. Otherwise nodemailer counts, as before.
 */
function decidedTextEncoding(
  values: string[],
  scanned: readonly Escapes[],
): { textEncoding?: 'quoted-printable' | 'base64' } {
  const choices = new Set(
    values
      .filter((value) => value !== '')
      .map((value) => {
        const escapes = scanned.find((known) => known.text === value);
        return escapes === undefined ? encodingOf(value) : encodingOf(value, binaryOrEightBit(escapes));
      }),
  );
  if (choices.size !== 1) return {};
  return { textEncoding: choices.has('Q') ? 'quoted-printable' : 'base64' };
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
