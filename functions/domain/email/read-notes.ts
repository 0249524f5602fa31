import EmailForwardParser from 'email-forward-parser';
import { InvalidInputError } from '../errors';
import type { Person } from '../model';
import { htmlToText } from './html-text';
import { type Cut, MAIL_LIMITS } from './limits';
import { localDateOf, type WrittenDate } from './message-date';
import { header, type ParsedEmail, parseEmail } from './parse-email';

/** The notes of one meeting, taken out of whatever envelope (forwards, replies) they arrived in. */
export interface NotesMessage {
  /** The outer message's Message-ID: a second delivery of the same email carries the same one. */
  messageId: string | null;
  /** The message that carries the notes: for a forward, the innermost original. */
  original: {
    from: Person | null;
    to: Person[];
    cc: Person[];
    subject: string;
    date: WrittenDate | null;
  };
  /** The outer message's Date: the fallback when a forward's own date cannot be read. */
  outerDate: WrittenDate | null;
  /** How many forwards the notes were wrapped in. */
  forwardDepth: number;
  /** The notes text: quoted history, forwarding comments and signatures removed. */
  body: string;
  contentLanguage: string | null;
  /** Every address on the outer and inner messages, for locale signals. */
  addresses: string[];
  /** What the limits left unread of the message the notes came from (see limits.ts). */
  cuts?: Cut[];
}

const forwardParser = new EmailForwardParser();

/**
 * The notes of an email, read from its attached message when it was "forwarded as attachment" (Apple Mail,
 * Thunderbird, Outlook's "Forward as attachment"): then the body is only the forwarder's comment, and the attached
 * message is the original, with the meeting's date and people. One level: a message attached inside the attached
 * one is not opened.
 */
export async function readNotesOf(email: ParsedEmail): Promise<NotesMessage> {
  const attached = await attachedOriginal(email);
  const notes = await readNotes(email, attached);
  // A message attached inside the attached one is never opened: whatever it holds was not read.
  const unopened = attached?.attachments.some((a) => a.mimeType === 'message/rfc822') === true;
  const cuts = [...email.cuts, ...(notes.cuts ?? []), ...(unopened ? [{ limit: 'attached-depth' } as const] : [])];
  // The outer message and the attached one can both meet the same limit; the sender is told once.
  return { ...notes, cuts: [...new Map(cuts.map((cut) => [JSON.stringify(cut), cut])).values()] };
}

async function attachedOriginal(email: ParsedEmail): Promise<ParsedEmail | null> {
  const attached = email.attachments.filter((a) => a.mimeType === 'message/rfc822');
  if (attached.length !== 1 || !attached[0]) return null;
  try {
    return await parseEmail(attached[0].content);
  } catch {
    // An attachment that is not a readable message leaves the body as the notes.
    return null;
  }
}

export async function readNotes(email: ParsedEmail, attached: ParsedEmail | null = null): Promise<NotesMessage> {
  const { text, cut } = withinNotesLimit(await bodyText(email));
  const cuts: Cut[] = cut === null ? [] : [cut];
  if (attached !== null) {
    const inner = await tryReadNotes(attached);
    // The attachment holds the notes only when it says more than the message it is attached to.
    if (inner !== null && inner.body.length > stripQuotedHistory(text).trim().length) {
      const outerAddresses = [email.from, ...email.to, ...email.cc].flatMap((p) => (p ? [p.address] : []));
      return {
        ...inner,
        cuts: [...attached.cuts, ...(inner.cuts ?? [])],
        messageId: email.messageId,
        outerDate: localDateOf(email.dateHeader),
        forwardDepth: inner.forwardDepth + 1,
        contentLanguage: inner.contentLanguage ?? header(email, 'content-language'),
        addresses: [...outerAddresses, ...inner.addresses],
      };
    }
  }
  if (!text.trim()) throw new InvalidInputError('body', 'The email has no text: there are no notes to read.');

  let body = text;
  let subject = email.subject;
  let original: NotesMessage['original'] = {
    from: email.from,
    to: email.to,
    cc: email.cc,
    subject: email.subject,
    date: localDateOf(email.dateHeader),
  };
  const addresses = [email.from, ...email.to, ...email.cc].flatMap((p) => (p ? [p.address] : []));
  let depth = 0;
  for (; ; depth++) {
    const result = forwardParser.read(body, subject);
    // "Fwd:" in a subject with no forwarded message under it: the body itself is the notes.
    if (!result.forwarded || !result.email?.body?.trim()) break;
    if (depth === MAIL_LIMITS.forwardDepth) {
      cuts.push({ limit: 'forward-depth', kept: depth });
      break;
    }
    const inner = result.email;
    const from = toPerson(inner.from);
    const to = [inner.to ?? []].flat().flatMap(toPersonList);
    const cc = [inner.cc ?? []].flat().flatMap(toPersonList);
    original = {
      from: from ?? original.from,
      to,
      cc,
      subject: inner.subject?.trim() || original.subject,
      date: localDateOf(inner.date ?? null, original.date) ?? original.date,
    };
    addresses.push(...[from, ...to, ...cc].flatMap((p) => (p ? [p.address] : [])));
    body = inner.body ?? '';
    subject = inner.subject ?? subject;
  }
  return {
    messageId: email.messageId,
    original,
    outerDate: localDateOf(email.dateHeader),
    forwardDepth: depth,
    body: stripSignature(stripQuotedHistory(body)).trim(),
    contentLanguage: header(email, 'content-language'),
    addresses,
    cuts,
  };
}

/**
 * The text up to MAIL_LIMITS.notesChars, ended at the last line break before the limit (or, in one endless line, at
 * the last space); nothing after it is read. `from` quotes the first words of the part left out, for the notice.
 */
function withinNotesLimit(text: string): { text: string; cut: Cut | null } {
  const limit = MAIL_LIMITS.notesChars;
  if (text.length <= limit) return { text, cut: null };
  let end = text.lastIndexOf('\n', limit);
  if (end <= 0) end = text.lastIndexOf(' ', limit);
  if (end <= 0) end = limit;
  // Never between the two halves of a surrogate pair (an emoji, a CJK extension character).
  if (/[\ud800-\udbff]/.test(text.charAt(end - 1))) end--;
  const kept = text.slice(0, end);
  return {
    text: kept,
    cut: { limit: 'notes-length', kept: kept.length, total: text.length, from: openingWords(text, end) },
  };
}

/** The first few words of the text from `start` on, skipping blank lines: "Q3 pipeline review and…". */
function openingWords(text: string, start: number): string {
  const rest = text.slice(start, start + 400).trimStart();
  const line = rest.slice(0, rest.indexOf('\n') === -1 ? rest.length : rest.indexOf('\n')).trim();
  if (line.length <= 60) return line;
  const space = line.lastIndexOf(' ', 60);
  return `${line.slice(0, space > 20 ? space : 60)}…`;
}

async function bodyText(email: ParsedEmail): Promise<string> {
  return normaliseText(email.text?.trim() ? email.text : email.html ? await htmlToText(email.html) : '');
}

async function tryReadNotes(email: ParsedEmail): Promise<NotesMessage | null> {
  try {
    return await readNotes(email);
  } catch {
    return null;
  }
}

interface ForwardedPerson {
  address?: string | null;
  name?: string | null;
}

function toPerson(p: ForwardedPerson | undefined | null): Person | null {
  const address = p?.address?.trim().toLowerCase();
  if (!address?.includes('@')) return null;
  return { address, name: cleanName(p?.name) };
}

function toPersonList(p: ForwardedPerson): Person[] {
  const person = toPerson(p);
  return person ? [person] : [];
}

/** "Sethi, Vikram" is how Outlook writes Vikram Sethi. */
function cleanName(name: string | null | undefined): string | null {
  const trimmed = name?.replace(/^["']|["']$/g, '').trim();
  if (!trimmed) return null;
  // The part after the comma starts at a non-space: with `\s*([^,]+)` both would compete for the spaces.
  const lastFirst = /^([^,]+),\s*([^,\s][^,]*)$/.exec(trimmed);
  return lastFirst ? `${lastFirst[2]} ${lastFirst[1]}` : trimmed;
}

function normaliseText(text: string): string {
  return (
    text
      .replace(/\r\n?/g, '\n')
      .replace(/[\u00a0\u2007\u202f]/g, ' ')
      .replace(/[\u200b-\u200d\u2060\ufeff]/g, '')
      // Control and direction marks say nothing a reader sees.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is what this line does.
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
      // Runs of blank lines and of spaces inside a line mean nothing more than one, and cost the parsers after
      // this (the forward parser, the date reader) time that grows with their length.
      .replace(/\n(?:[ \t]*\n){3,}/g, '\n\n\n')
      .replace(/(\S)[ \t]{2,}/g, '$1 ')
  );
}

// Older mail below a reply: Gmail's attribution line, Outlook's separator and header block, a quoted line.
// `.` rather than [^\n]: with /m every line terminator (CR, U+2028) starts a line for `^`, and [^\n] would read on
// across them from each of those starts. One run of spaces holding a line break, not `\s*\n(?:\s*\n){0,2}\s*`, whose
// parts share the spaces. The localised attribution looks for its verb ahead, so that the verb and the `.*` before
// the colon do not re-read the line for every repeat of the verb.
const GMAIL_ATTRIBUTION = /^On\b.{0,300}\bwrote:\s*$/m;
const GMAIL_ATTRIBUTION_WRAPPED = /^On\b.{0,200}\n.{0,200}\bwrote:\s*$/m;
const OUTLOOK_HISTORY = /^(?:_{8,}|-{3,}\s*Original Message\s*-{3,})[^\S\n]*\n\s*\*?From:/im;
const HEADER_BLOCK = /^\*?From:\*?\s.+\n\s*\*?(?:Sent|Date):\*?\s/m;
const LOCALISED_ATTRIBUTION =
  /^(?:Am|Le|El|Il|Op)\s(?=.{0,200}(?:schrieb|a écrit|escribió|ha scritto|schreef)).*:\s*$/m;

export function stripQuotedHistory(body: string): string {
  let cut = body.length;
  for (const pattern of [
    GMAIL_ATTRIBUTION,
    GMAIL_ATTRIBUTION_WRAPPED,
    OUTLOOK_HISTORY,
    HEADER_BLOCK,
    LOCALISED_ATTRIBUTION,
  ]) {
    const match = pattern.exec(body);
    if (match && match.index < cut) cut = match.index;
  }
  return body
    .slice(0, cut)
    .split('\n')
    .filter((line) => !/^\s*>/.test(line))
    .join('\n');
}

// "-- " is the standard signature delimiter; phones add their own line.
const SIGNATURE = /^(?:--\s*|Sent from my \w+.*|Get Outlook for \w+.*)$/m;

function stripSignature(body: string): string {
  const match = SIGNATURE.exec(body);
  return match ? body.slice(0, match.index) : body;
}
