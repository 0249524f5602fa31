import { InvalidInputError } from '../errors';
import type { Extraction } from '../model';

/**
 * How much of an inbound email followthrough reads (issue 7, R9). Every limit has one outcome, named here:
 * - a refusal: nothing is read, the raw bytes are kept, and ingest fails with an InvalidInputError naming the field;
 * - a cut: the message is read up to the limit, and the result lists what was left unread (`Cut`), so that a
 *   verified sender can be told exactly what was not read.
 * The values sit far above what a 1:1's notes need, and low enough that one message costs one Lambda a bounded
 * amount of memory and time (ses-inbound has 1 GB and 60 seconds).
 */
export const MAIL_LIMITS = {
  /**
   * Refused (field `size`). SES takes up to 40 MB, but a notes email is text: even with a few screenshots it rarely
   * passes 2 MB. The parser holds the raw bytes, the decoded parts and the text at once — several copies of the
   * message — so 10 MB keeps the worst case well inside the function's memory.
   */
  messageBytes: 10 * 1024 * 1024,
  /**
   * Refused (field `lines`). The parser spends some 6 µs on each line whatever its length, so 10 MB of bare line
   * breaks would take over a minute (ses-inbound has 60 seconds). A 10 MB message of base64 attachments, at 78
   * bytes a line, has some 135,000 lines; 250,000 lets that through and bounds the parse to about 2 seconds.
   */
  lines: 250_000,
  /**
   * Refused (field `headers`): the header bytes of all parts together (postal-mime's own `maxHeadersSize`, 2 MB by
   * default). A message relayed through Microsoft 365 with its ARC and DKIM chains carries about 30 KB; 256 KB
   * leaves room for that, for long recipient lists, and for a header on each of 200 parts.
   */
  headerBytes: 256 * 1024,
  /**
   * Refused (field `depth`): multiparts inside multiparts (postal-mime's `maxNestingDepth`, 256 by default).
   * Clients nest four or five (mixed › related › alternative), a forward a few more.
   */
  multipartDepth: 20,
  /**
   * Cut: message/rfc822 parts opened inside one another (postal-mime's `maxRfc822NestingDepth`, 10 by default);
   * deeper ones stay unopened attachments. Each level is parsed again from its own copy of the bytes, so every
   * level costs memory; a forward of a forward of a forward is three.
   */
  attachedMessageDepth: 3,
  /**
   * Cut: forwarded messages quoted inside one another in the text ("---------- Forwarded message ---------"),
   * which the forward parser unwraps one at a time. Ten is more than any real chain of forwards.
   */
  forwardDepth: 10,
  /**
   * Cut: MIME parts (postal-mime has no limit of its own). A forwarded 1:1 with a signature's logos and a calendar
   * invitation has 10 to 30; the text comes first, so reading the first 200 keeps the notes and bounds the work
   * (a decoder and a header parse per part) that thousands of tiny parts would cost.
   */
  parts: 200,
  /**
   * Cut, at a line break: the characters of the notes text that are read. A long 1:1's notes run to 10,000; 100,000
   * is some forty pages. Everything after the text (the forward parser, the extractor, the store) grows with it.
   */
  notesChars: 100_000,
  /**
   * Cut: the HTML tags kept open inside one another when HTML is turned into text. Real mail nests some 30;
   * the HTML parser's cost grows with the square of the depth (100,000 nested tags take it tens of seconds), so
   * deeper tags are dropped and their text joins the level above.
   */
  htmlDepth: 100,
  /**
   * Refused (field `To`): the attendees of one meeting. Every attendee is mailed the wrap-up and gets digests, so
   * a message listing a thousand addresses would make followthrough mail them all; the webhook's schema allows the
   * same 20.
   */
  attendees: 20,
  /**
   * Cut: the action items stored for one meeting. Each is a write, a line in two wrap-ups and in every digest
   * until it is closed; no 1:1 agrees on more than a few dozen.
   */
  items: 200,
} as const;

/** Something left unread, as the result reports it and the notice to the sender describes it. */
export type Cut =
  /** The notes text was longer than `notesChars`: `from` is where the unread part begins (a few words). */
  | { limit: 'notes-length'; kept: number; total: number; from: string }
  | { limit: 'parts'; kept: number; total: number }
  /** Messages attached inside attached messages, deeper than followthrough opens, were not opened. */
  | { limit: 'attached-depth' }
  /** Forwards quoted inside forwards, more than `kept` levels deep, were not unwrapped. */
  | { limit: 'forward-depth'; kept: number }
  /** HTML tags nested more than `kept` deep were dropped; their text is kept. */
  | { limit: 'html-depth'; kept: number }
  | { limit: 'items'; kept: number; total: number };

/**
 * The extraction within the meeting limits: more attendees than `attendees` → InvalidInputError (field `To`); more
 * items than `items` → the first ones, and a cut.
 */
export function withinMeetingLimits(extraction: Extraction): { extraction: Extraction; cut: Cut | null } {
  const people = extraction.meeting.attendees.length;
  if (people > MAIL_LIMITS.attendees) {
    throw new InvalidInputError(
      'To',
      `The email names ${people} people; followthrough follows up meetings of up to ${MAIL_LIMITS.attendees}, since it mails every attendee.`,
    );
  }
  const total = extraction.items.length;
  if (total <= MAIL_LIMITS.items) return { extraction, cut: null };
  return {
    extraction: { ...extraction, items: extraction.items.slice(0, MAIL_LIMITS.items) },
    cut: { limit: 'items', kept: MAIL_LIMITS.items, total },
  };
}
