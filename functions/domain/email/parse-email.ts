import PostalMime, { type Address, type Attachment, type Email } from 'postal-mime';
import { InvalidInputError } from '../errors';
import type { Person } from '../model';
import { capHtmlDepth } from './html-depth';
import { type Cut, MAIL_LIMITS } from './limits';
import { WINDOWS_1252_80_9F } from './windows-1252';

/** An email as the rest of the domain sees it: decoded, with the headers we act on picked out. */
export interface ParsedEmail {
  messageId: string | null;
  subject: string;
  /** The Date header as written: its calendar date and offset are the sender's local ones. */
  dateHeader: string | null;
  from: Person | null;
  to: Person[];
  cc: Person[];
  /** Lower-cased header name → every value, in order. */
  headers: Map<string, string[]>;
  text: string | null;
  html: string | null;
  attachments: ParsedAttachment[];
  /** What the limits left unread (see limits.ts); empty for any ordinary message. */
  cuts: Cut[];
}

export interface ParsedAttachment {
  filename: string | null;
  mimeType: string;
  content: Uint8Array;
}

// Headers that any real message has at least one of; a file with none of them is not an email.
const ENVELOPE_HEADERS = ['from', 'to', 'date', 'subject', 'message-id'];

/**
 * Reads a raw message within MAIL_LIMITS: too large, too many lines, headers too long or parts nested too deep →
 * InvalidInputError (`size`, `lines`, `headers`, `depth`); too many parts, attached messages or HTML nested too deep → read up to the limit,
 * with the rest listed in `cuts`.
 */
export async function parseEmail(bytes: Uint8Array): Promise<ParsedEmail> {
  if (bytes.byteLength > MAIL_LIMITS.messageBytes) {
    throw new InvalidInputError(
      'size',
      `The email is ${megabytes(bytes.byteLength)}; followthrough reads emails of up to ${megabytes(MAIL_LIMITS.messageBytes)}.`,
    );
  }
  const lines = lineCount(bytes, MAIL_LIMITS.lines);
  if (lines > MAIL_LIMITS.lines) {
    throw new InvalidInputError(
      'lines',
      `The email has more than ${MAIL_LIMITS.lines.toLocaleString('en-US')} lines; followthrough reads emails of up to that many.`,
    );
  }
  const { input, cut: partsCut } = withinPartLimit(bytes);
  let email: Email;
  try {
    email = await PostalMime.parse(input, {
      attachmentEncoding: 'arraybuffer',
      maxHeadersSize: MAIL_LIMITS.headerBytes,
      maxNestingDepth: MAIL_LIMITS.multipartDepth,
      maxRfc822NestingDepth: MAIL_LIMITS.attachedMessageDepth,
    });
  } catch (error) {
    throw limitError(error) ?? error;
  }
  const cuts: Cut[] = partsCut === null ? [] : [partsCut];
  if (email.attachments.some((a) => a.rfc822DepthExceeded)) cuts.push({ limit: 'attached-depth' });
  const html = email.html === undefined ? null : capHtmlDepth(email.html);
  if (html?.capped) cuts.push({ limit: 'html-depth', kept: MAIL_LIMITS.htmlDepth });
  const headers = new Map<string, string[]>();
  for (const { key, value } of email.headers) headers.set(key, [...(headers.get(key) ?? []), value]);
  if (!ENVELOPE_HEADERS.some((name) => headers.has(name))) {
    throw new InvalidInputError(
      'headers',
      'This is not an email: it has none of the From, To, Date or Subject headers.',
    );
  }
  return {
    messageId: email.messageId?.trim() || null,
    subject: repairC1(email.subject ?? '').trim(),
    dateHeader: headers.get('date')?.[0]?.trim() || null,
    from: people(email.from ? [email.from] : [])[0] ?? null,
    to: people(email.to ?? []),
    cc: people(email.cc ?? []),
    headers,
    text: email.text === undefined ? null : bodyText(email.text),
    html: html === null ? null : bodyText(html.html),
    attachments: email.attachments.map(toAttachment),
    cuts,
  };
}

/**
 * postal-mime reports its limits as plain Errors, named only by their message (postal-mime 4.0.0, mime-node.ts);
 * a test feeds it a message over each limit, so a reworded message in a later version fails there, not here.
 */
function limitError(error: unknown): InvalidInputError | null {
  const message = error instanceof Error ? error.message : '';
  if (message.startsWith('Maximum MIME nesting depth')) {
    return new InvalidInputError(
      'depth',
      `The email nests its parts more than ${MAIL_LIMITS.multipartDepth} levels deep; followthrough reads no deeper.`,
    );
  }
  if (message.startsWith('Maximum header size')) {
    return new InvalidInputError(
      'headers',
      `The email's headers are longer than ${kilobytes(MAIL_LIMITS.headerBytes)}; followthrough reads no longer headers.`,
    );
  }
  return null;
}

// "boundary=b1" or boundary="b 1" in any Content-Type; RFC 2046 allows at most 70 characters, senders write more.
const DECLARED_BOUNDARY = /boundary\s*=\s*(?:"([^"\r\n]{0,1000})"|([^\s;"]{1,1000}))/gi;

/**
 * The message up to the start of its part number MAIL_LIMITS.parts + 1, when it has more. postal-mime has no limit
 * on parts, so they are counted before it reads anything: a part starts at a line "--<boundary>" for a boundary
 * some Content-Type declares. Cutting the bytes there leaves the multipart unterminated, which the parser closes as
 * it would a truncated message. The count can only be too high (a boundary quoted in a text part counts too).
 */
function withinPartLimit(bytes: Uint8Array): { input: Uint8Array; cut: Cut | null } {
  // latin1 maps each byte to one character, so an index in the text is an offset in the bytes.
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const boundaries = new Set<string>();
  for (const match of text.matchAll(DECLARED_BOUNDARY)) boundaries.add(match[1] ?? match[2] ?? '');
  if (boundaries.size === 0) return { input: bytes, cut: null };
  const longest = Math.max(...[...boundaries].map((b) => b.length));

  let parts = 0;
  let cutAt = -1;
  for (let at = text.startsWith('--') ? 0 : text.indexOf('\n--'); at !== -1; ) {
    const start = text[at] === '\n' ? at + 1 : at;
    const lineEnd = text.indexOf('\n', start);
    const end = lineEnd === -1 ? text.length : lineEnd;
    let stop = end;
    while (stop > start && (text[stop - 1] === '\r' || text[stop - 1] === ' ' || text[stop - 1] === '\t')) stop--;
    if (stop - start - 2 <= longest && boundaries.has(text.slice(start + 2, stop))) {
      parts++;
      if (parts === MAIL_LIMITS.parts + 1) cutAt = start;
    }
    at = lineEnd === -1 ? -1 : text.indexOf('\n--', lineEnd);
  }
  if (cutAt === -1) return { input: bytes, cut: null };
  return { input: bytes.subarray(0, cutAt), cut: { limit: 'parts', kept: MAIL_LIMITS.parts, total: parts } };
}

const megabytes = (bytes: number) => `${(Math.ceil((bytes / (1024 * 1024)) * 10) / 10).toString()} MB`;
const kilobytes = (bytes: number) => `${Math.round(bytes / 1024)} KB`;

export function header(email: ParsedEmail, name: string): string | null {
  return email.headers.get(name.toLowerCase())?.[0] ?? null;
}

function people(addresses: Address[]): Person[] {
  return addresses
    .flatMap((a) => (a.group ? a.group : [a]))
    .filter((a) => a.address?.includes('@'))
    .map((a) => ({ address: (a.address ?? '').trim().toLowerCase(), name: repairC1(a.name).trim() || null }));
}

function toAttachment(a: Attachment): ParsedAttachment {
  const content = typeof a.content === 'string' ? new TextEncoder().encode(a.content) : new Uint8Array(a.content);
  return { filename: a.filename, mimeType: a.mimeType.toLowerCase(), content };
}

/*
 * Node 20.18+/22.13+ decode windows-1252 (and ISO-8859-1, which WHATWG maps to it) bytes 0x80–0x9F as C1 control
 * characters (nodejs/node#60888), so postal-mime hands back U+0080–U+009F where the sender typed ’ “ ” – — € •.
 * Those code points never stand for anything in mail text, and the broken decoder maps byte b to U+00b one to one,
 * so turning each back through a real windows-1252 codec restores exactly what was sent.
 */
const C1 = /[\u0080-\u009f]/g;
/** Bytes 0x80–0x9F and what windows-1252 makes of them ("\ufffd" for the five it leaves undefined). */
const CP1252_HIGH = Array.from(WINDOWS_1252_80_9F, (char, i) => [0x80 + i, char] as const);
const CP1252_C1 = new Map<string, string>(
  CP1252_HIGH.map(([byte, char]) => [String.fromCharCode(byte), char === '\ufffd' ? '' : char]),
);

function repairC1(text: string): string {
  return text.replace(C1, (c) => CP1252_C1.get(c) ?? '');
}

/*
 * A body whose charset label cannot be right — "us-ascii" over 8-bit bytes, or a label no decoder knows
 * ("x-unknown") — is decoded by postal-mime as windows-1252, and when the sender really wrote UTF-8 (scripts and
 * gateways that mislabel nearly always did) that turns "José" into "JosÃ©" and "“" into "â€œ". Read back through
 * windows-1252, such text is valid multi-byte UTF-8, which real windows-1252 or Latin-1 prose practically never is
 * (an accented letter is followed by a plain one, not by a byte from 0x80–0xBF), so it is decoded again as UTF-8.
 * Text with any character windows-1252 cannot hold was not decoded through it and is left as it is.
 */
const CP1252_BYTE = new Map<string, number>(
  CP1252_HIGH.filter(([, char]) => char !== '\ufffd').map(([byte, char]) => [char, byte]),
);
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function bodyText(decoded: string): string {
  return repairC1(mislabeledUtf8(decoded) ?? decoded);
}

function mislabeledUtf8(decoded: string): string | null {
  if (!/[\u0080-\uffff]/.test(decoded)) return null;
  const bytes = new Uint8Array(decoded.length);
  for (let i = 0; i < decoded.length; i++) {
    const code = decoded.charCodeAt(i);
    // Below 0x100 the byte is the code point: Latin-1 letters, and the C1 characters of Node's decoder.
    const byte = code < 0x100 ? code : CP1252_BYTE.get(decoded.charAt(i));
    if (byte === undefined) return null;
    bytes[i] = byte;
  }
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}

/** Line feeds in the bytes, counted up to one past `limit` (there is no need to count further). */
function lineCount(bytes: Uint8Array, limit: number): number {
  let count = 0;
  for (let at = bytes.indexOf(0x0a); at !== -1 && count <= limit; at = bytes.indexOf(0x0a, at + 1)) count++;
  return count;
}
