import iconv from 'iconv-lite';
import PostalMime, { type Address, type Attachment } from 'postal-mime';
import { InvalidInputError } from '../errors';
import type { Person } from '../model';

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
}

export interface ParsedAttachment {
  filename: string | null;
  mimeType: string;
  content: Uint8Array;
}

// Headers that any real message has at least one of; a file with none of them is not an email.
const ENVELOPE_HEADERS = ['from', 'to', 'date', 'subject', 'message-id'];

export async function parseEmail(bytes: Uint8Array): Promise<ParsedEmail> {
  const email = await PostalMime.parse(bytes, { attachmentEncoding: 'arraybuffer' });
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
    html: email.html === undefined ? null : bodyText(email.html),
    attachments: email.attachments.map(toAttachment),
  };
}

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
const CP1252_HIGH = Array.from({ length: 32 }, (_, i) => {
  const byte = 0x80 + i;
  return [byte, iconv.decode(Buffer.from([byte]), 'win1252')] as const;
});
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
