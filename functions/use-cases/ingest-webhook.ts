import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { htmlToText } from '../domain/email/html-text';
import { type Cut, withinMeetingLimits } from '../domain/email/limits';
import type { WrittenDate } from '../domain/email/message-date';
import type { NotesMessage } from '../domain/email/read-notes';
import { FollowthroughError, InvalidInputError } from '../domain/errors';
import { rulesExtractor } from '../domain/extraction/rules-extractor';
import type { Extraction } from '../domain/model';
import { isTimeZone, localDate, zonedInstant } from '../domain/time';
import { englishMessages } from '../domain/zod-messages';
import { type IngestDeps, type NotesResult, RejectedInputError, storeMeeting } from './store-meeting';

/** A body larger than this is refused before it is read whole (413 at the HTTP edge). */
export const WEBHOOK_MAX_BYTES = 1024 * 1024;

const day = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD'));

/** What `POST /webhooks/notes` takes: the notes of one 1:1 and who was there. */
export const webhookNotesSchema = z
  .object({
    /** The caller's id for these notes: sending the same id twice stores them once. */
    id: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(200))),
    subject: z._default(z.string().check(z.trim(), z.maxLength(500)), ''),
    /** The meeting's date, local (YYYY-MM-DD), or an ISO date-time with an offset. */
    date: z.union([day, z.iso.datetime({ offset: true })]),
    /** IANA; without it, a date-time's own offset, else UTC. */
    timeZone: z.optional(z.string().check(z.refine(isTimeZone, 'must be an IANA time zone such as Europe/London'))),
    attendees: z
      .array(z.object({ email: z.email(), name: z.optional(z.string().check(z.trim(), z.maxLength(200))) }))
      .check(z.minLength(1, 'needs at least one attendee'), z.maxLength(20)),
    /** Who wrote the notes: "I" and "me" in them; one of the attendees, the first by default. */
    author: z.optional(z.email()),
    notes: z.string().check(z.minLength(1, 'must not be empty'), z.maxLength(200_000)),
    format: z._default(z.enum(['text', 'markdown', 'html']), 'text'),
  })
  .check(
    z.refine(
      (body) =>
        body.author === undefined || body.attendees.some((a) => a.email.toLowerCase() === body.author?.toLowerCase()),
      { path: ['author'], message: 'must be one of the attendees' },
    ),
  );

export type WebhookNotes = z.infer<typeof webhookNotesSchema>;

/**
 * Notes posted to the webhook: the same follow-up as notes by email (see storeMeeting), from JSON.
 * The raw body is kept first; a body that is not valid JSON or breaks the schema is refused naming the field.
 */
export async function ingestWebhookNotes(deps: IngestDeps, body: Uint8Array): Promise<NotesResult & { cuts?: Cut[] }> {
  const receivedAt = deps.clock.now();
  const rawKey = await deps.archive.put(body, receivedAt);
  let input: WebhookNotes;
  try {
    input = parseBody(body);
  } catch (error) {
    if (error instanceof InvalidInputError) throw new RejectedInputError(rawKey, error);
    throw error;
  }
  let extraction: Extraction;
  let itemsCut: Cut | null;
  try {
    const extracted = await (deps.extractor ?? rulesExtractor).extract(await notesOf(input), {
      inboxAddresses: [deps.config.inboxAddress],
    });
    // The same item limit as mail: the schema already bounds the attendees and the length of the notes.
    const limited = withinMeetingLimits(extracted);
    extraction = { ...limited.extraction, meeting: { ...extracted.meeting, timeZone: input.timeZone ?? null } };
    itemsCut = limited.cut;
  } catch (error) {
    if (error instanceof InvalidInputError) throw new RejectedInputError(rawKey, error);
    throw new FollowthroughError('Could not read the notes.', { cause: error });
  }
  const key = input.id ?? createHash('sha256').update(body).digest('hex');
  const stored = await storeMeeting(deps, {
    rawKey,
    messageId: `<webhook-${key}@followthrough>`,
    extraction,
    calendars: [],
    receivedAt,
  });
  return itemsCut === null ? stored : { ...stored, cuts: [itemsCut] };
}

function parseBody(body: Uint8Array): WebhookNotes {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch (error) {
    throw new InvalidInputError('body', 'The body is not valid JSON in UTF-8.', { cause: error });
  }
  const parsed = webhookNotesSchema.safeParse(json, englishMessages);
  if (parsed.success) return parsed.data;
  const [issue] = parsed.error.issues;
  const field = issue === undefined || issue.path.length === 0 ? 'body' : issue.path.map(String).join('.');
  const missing = issue?.code === 'invalid_type' && /received undefined/.test(issue.message);
  throw new InvalidInputError(field, `${field}: ${missing ? 'is required' : (issue?.message ?? 'is not valid')}`);
}

async function notesOf(input: WebhookNotes): Promise<NotesMessage> {
  const attendees = input.attendees.map((a) => ({ address: a.email.toLowerCase(), name: a.name ?? null }));
  const authorAddress = (input.author ?? input.attendees[0]?.email ?? '').toLowerCase();
  const author = attendees.find((p) => p.address === authorAddress) ?? null;
  const written = writtenDate(input.date, input.timeZone);
  return {
    messageId: null,
    original: {
      from: author,
      to: attendees.filter((p) => p !== author),
      cc: [],
      subject: input.subject,
      date: written,
    },
    outerDate: written,
    forwardDepth: 0,
    body: await bodyText(input),
    contentLanguage: null,
    addresses: attendees.map((p) => p.address),
  };
}

/**
 * The meeting's local date and offset, as a Date header would give them: a date-time is read in the named zone
 * (01:00Z on the 15th is the evening of the 14th in Los Angeles), else in its own offset; a bare date is local.
 */
function writtenDate(date: string, timeZone: string | undefined): WrittenDate {
  if (date.length === 10) {
    return { date, offsetMinutes: offsetOn(date, timeZone ?? 'UTC'), instant: null };
  }
  const instant = new Date(date);
  if (timeZone !== undefined) {
    const local = localDate(instant, timeZone);
    return { date: local, offsetMinutes: offsetOn(local, timeZone), instant: instant.toISOString() };
  }
  const offset = /([+-])(\d{2}):?(\d{2})$/.exec(date);
  const offsetMinutes =
    offset === null ? 0 : (offset[1] === '-' ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3]));
  return { date: date.slice(0, 10), offsetMinutes, instant: instant.toISOString() };
}

/** Minutes east of UTC at noon on that day in that zone. */
const offsetOn = (date: string, timeZone: string): number =>
  Math.round((Date.parse(`${date}T12:00:00Z`) - zonedInstant(date, '12:00', timeZone).getTime()) / 60_000);

async function bodyText(input: WebhookNotes): Promise<string> {
  switch (input.format) {
    case 'html':
      return htmlToText(input.notes);
    case 'markdown':
      return markdownToText(input.notes);
    case 'text':
      return input.notes;
  }
}

/** Markdown as notes people write it: headings, emphasis and links become plain text; lists stay lists. */
export function markdownToText(markdown: string): string {
  return markdown
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) =>
      line
        .replace(/^ {0,3}#{1,6}[ \t]+/, '')
        // Closing hashes from where a run of spaces starts, not from each space in it; a link's text holds no "["
        // and its URL no "(": otherwise each "[" would be read again up to 2,500 characters (ReDoS, R12).
        .replace(/(?<![ \t])[ \t]+#+[ \t]*$/, '')
        .replace(/\[([^[\]\n]{0,500})\]\((https?:[^()\s]{1,2000})\)/g, '$1 ($2)')
        .replace(/(\*\*|__)(?=\S)([^*_\n]{1,500}?)\1/g, '$2')
        .replace(/`([^`\n]{1,500})`/g, '$1'),
    )
    .join('\n');
}

/** What the webhook answers with (202), on the local server and on AWS alike: no notes, no addresses. */
export interface WebhookAnswer {
  outcome: 'ingested' | 'duplicate';
  meetingId: string;
  items: number;
  wrapupAt: string | null;
  /** What was left out: the items past the limit, so the sender knows the wrap-up lists fewer than the notes. */
  cuts?: Cut[];
}

export function webhookAnswer(result: NotesResult & { cuts?: Cut[] }): WebhookAnswer {
  return {
    outcome: result.outcome,
    meetingId: result.meeting.id,
    items: result.outcome === 'ingested' ? result.items.length : result.meeting.itemCount,
    wrapupAt: result.outcome === 'ingested' ? result.wrapupAt : null,
    ...(result.cuts === undefined ? {} : { cuts: result.cuts }),
  };
}
