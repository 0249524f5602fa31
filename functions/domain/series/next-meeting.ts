/**
 * The 1:1 series a meeting belongs to, and when it meets next: the date the notes name, else the next occurrence
 * of a calendar invite that came with the notes, else the series' usual cadence.
 *
 * Calendar dates are local dates in the series' time zone: an invite for Thursday 17:00 in Los Angeles is a Friday
 * meeting for a series kept in London. All date arithmetic is on YYYY-MM-DD in UTC, so the machine's zone never
 * leaks in.
 */
import { createHash } from 'node:crypto';
import type ICAL from 'ical.js';
import { addDays } from '../email/message-date';
import type { ParsedEmail } from '../email/parse-email';
import type { NextMeetingSource, Person } from '../model';
import { isTimeZone, localDate, zonedInstant } from '../time';

/**
 * ical.js, once loadCalendarReader has run. It is ≈ 80 KB of bundle and only mail that carries an invite needs it,
 * so the one place invites come in (storeMeeting) loads it first, and the inbound Lambda's cold start goes without.
 * Reading an invite without it throws: it is never silently skipped.
 */
let icalModule: typeof ICAL | undefined;

export async function loadCalendarReader(): Promise<void> {
  icalModule ??= (await import('ical.js')).default;
}

function ical(): typeof ICAL {
  if (icalModule === undefined) throw new Error('a calendar invite was read before loadCalendarReader()');
  return icalModule;
}

// ---------- The series ----------

/** The same people in any order, any letter case, listed any number of times: the same series. */
export function seriesIdOf(attendees: Person[]): string {
  const addresses = [...new Set(attendees.map((p) => p.address.trim().toLowerCase()).filter((a) => a !== ''))].sort();
  return `s${createHash('sha256').update(addresses.join('\n')).digest('hex').slice(0, 20)}`;
}

// ---------- Calendar parts of an email ----------

const CALENDAR_TYPES = new Set(['text/calendar', 'application/ics', 'text/x-vcalendar', 'application/x-ics']);
/** A whole exported calendar is not an invite for one series: reading it would cost more than it tells. */
const MAX_ICS_CHARS = 512 * 1024;
const MAX_CALENDARS = 10;
const MAX_MIME_DEPTH = 4;
const MAX_MIME_PARTS = 200;

/**
 * The iCalendar texts an email carries: its text/calendar and .ics parts, and those inside attached messages.
 * postal-mime already lifts the parts of an inline message/rfc822 into the attachments, but a message attached as a
 * file ("Forward as attachment": Content-Disposition: attachment) stays one opaque attachment, and its parts are
 * found here. Identical texts (Google sends an invite both as a text/calendar alternative and as invite.ics) count
 * once. Line ends are CRLF, as RFC 5545 writes them.
 */
export function calendarParts(email: ParsedEmail): string[] {
  const found: string[] = [];
  const budget = { parts: MAX_MIME_PARTS };
  for (const attachment of email.attachments) {
    if (isCalendar(attachment.mimeType, attachment.filename)) {
      found.push(decodeText(attachment.content, 'utf-8'));
    } else if (attachment.mimeType === 'message/rfc822') {
      found.push(...calendarsInEntity(Buffer.from(attachment.content).toString('latin1'), 1, budget));
    }
  }
  // postal-mime hands calendar parts over as text with LF line ends, raw parts keep their CRLF: one form for both.
  const texts = found.map((text) => text.replace(/\r?\n/g, '\r\n'));
  return [...new Set(texts)]
    .filter((text) => text.length <= MAX_ICS_CHARS && /BEGIN:VCALENDAR/i.test(text))
    .slice(0, MAX_CALENDARS);
}

function isCalendar(mimeType: string, filename: string | null): boolean {
  return CALENDAR_TYPES.has(mimeType.toLowerCase()) || /\.ics$/i.test(filename ?? '');
}

/**
 * A small MIME walker for attached messages, which ParsedEmail holds only as raw bytes (read as latin1, one
 * character per byte): headers, multipart boundaries, nested messages, base64 and quoted-printable.
 */
function calendarsInEntity(raw: string, depth: number, budget: { parts: number }): string[] {
  if (depth > MAX_MIME_DEPTH || budget.parts-- <= 0) return [];
  const split = /\r?\n\r?\n/.exec(raw);
  const head = split ? raw.slice(0, split.index) : raw;
  const body = split ? raw.slice(split.index + split[0].length) : '';
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    if (colon > 0 && !headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  const contentType = headers.get('content-type') ?? 'text/plain';
  const type = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  const filename = parameter(headers.get('content-disposition') ?? '', 'filename') ?? parameter(contentType, 'name');

  if (type.startsWith('multipart/')) {
    const boundary = parameter(contentType, 'boundary');
    return boundary === null ? [] : bodyParts(body, boundary).flatMap((part) => calendarsInEntity(part, depth, budget));
  }
  const encoding = (headers.get('content-transfer-encoding') ?? '').trim().toLowerCase();
  if (type === 'message/rfc822') {
    return calendarsInEntity(transferDecode(body, encoding).toString('latin1'), depth + 1, budget);
  }
  if (!isCalendar(type, filename)) return [];
  return [decodeText(transferDecode(body, encoding), parameter(contentType, 'charset') ?? 'utf-8')];
}

function parameter(header: string, name: string): string | null {
  for (const part of header.split(';').slice(1)) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim().toLowerCase() !== name) continue;
    const value = part.slice(eq + 1).trim();
    return value.startsWith('"') && value.endsWith('"') && value.length >= 2 ? value.slice(1, -1) : value;
  }
  return null;
}

function bodyParts(body: string, boundary: string): string[] {
  const parts: string[] = [];
  let current: string[] | null = null;
  for (const line of body.split(/\r?\n/)) {
    const marker = line.trimEnd();
    if (marker === `--${boundary}--`) break;
    if (marker === `--${boundary}`) {
      if (current !== null) parts.push(current.join('\r\n'));
      current = [];
    } else current?.push(line);
  }
  if (current !== null) parts.push(current.join('\r\n'));
  return parts;
}

function transferDecode(body: string, encoding: string): Buffer {
  if (encoding === 'base64') return Buffer.from(body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
  if (encoding === 'quoted-printable') {
    return Buffer.from(
      body
        .replace(/=\r?\n/g, '')
        .replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
      'latin1',
    );
  }
  return Buffer.from(body, 'latin1');
}

function decodeText(bytes: Uint8Array, charset: string): string {
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

// ---------- The next occurrence in a calendar ----------

/** Weekly for nineteen years, daily for almost three: older series fall back to their cadence. */
const MAX_OCCURRENCES = 1000;
/** Across every event of every calendar of one email. */
const MAX_OCCURRENCES_TOTAL = 5000;
const MAX_EVENTS = 50;

/**
 * The first occurrence of the invites' events whose local date in `timeZone` is strictly after `after`: VEVENTs
 * with DTSTART in UTC, with a TZID (defined in the file, as Outlook's "Eastern Standard Time", or an IANA name) or
 * floating, RRULE with EXDATE, UNTIL and COUNT, and single occurrences moved or cancelled (RECURRENCE-ID).
 * Null when there is none or nothing can be read; it never throws.
 */
export function nextMeetingFromCalendar(ics: string[], after: string, timeZone: string): string | null {
  if (!isIsoDate(after)) return null;
  const budget = { occurrences: MAX_OCCURRENCES_TOTAL };
  let best: string | null = null;
  for (const text of ics.slice(0, MAX_CALENDARS)) {
    const date = nextInCalendar(text, after, timeZone, budget);
    if (date !== null && (best === null || date < best)) best = date;
  }
  return best;
}

function nextInCalendar(text: string, after: string, timeZone: string, budget: { occurrences: number }): string | null {
  if (typeof text !== 'string' || text.length > MAX_ICS_CHARS) return null;
  const { parse } = ical();
  try {
    return nextInComponents(parse(text), after, timeZone, budget);
  } catch {
    return null;
  }
}

function nextInComponents(
  parsed: unknown,
  after: string,
  timeZone: string,
  budget: { occurrences: number },
): string | null {
  // One component parses to its jCal array, several to an array of them, an empty text to nothing.
  if (!Array.isArray(parsed)) return null;
  const list: unknown[] = Array.isArray(parsed[0]) ? parsed : [parsed];
  const { Component } = ical();
  const calendars = list.filter(Array.isArray).map((jcal) => new Component(jcal));
  let best: string | null = null;
  for (const calendar of calendars) {
    // A cancellation says when the meeting no longer is.
    if (String(calendar.getFirstPropertyValue('method') ?? '').toUpperCase() === 'CANCEL') continue;
    const events = calendar.getAllSubcomponents('vevent').slice(0, MAX_EVENTS);
    const overrides = events.filter((e) => e.hasProperty('recurrence-id'));
    for (const event of events) {
      let date: string | null = null;
      try {
        date = event.hasProperty('recurrence-id')
          ? overrideDate(event, events, after, timeZone)
          : nextOfSeries(event, overrides, after, timeZone, budget);
      } catch {
        // One unreadable event (a bad TZID, an RRULE ical.js refuses) leaves the others.
      }
      if (date !== null && (best === null || date < best)) best = date;
    }
  }
  return best;
}

function nextOfSeries(
  event: ICAL.Component,
  overrides: ICAL.Component[],
  after: string,
  timeZone: string,
  budget: { occurrences: number },
): string | null {
  if (isCancelled(event)) return null;
  const start = startOf(event);
  if (start === null) return null;
  const uid = event.getFirstPropertyValue('uid');
  // Occurrences moved or cancelled on their own are read from their own VEVENT (overrideDate).
  const replaced = new Set(
    overrides
      .filter((o) => o.getFirstPropertyValue('uid') === uid)
      .map((o) => (o.getFirstPropertyValue('recurrence-id') as ICAL.Time | null)?.toUnixTime()),
  );
  const tzid = tzidOf(event);
  if (!event.hasProperty('rrule') && !event.hasProperty('rdate')) {
    const date = localDateOf(start, tzid, timeZone);
    return date > after ? date : null;
  }
  if (!event.getAllProperties('rrule').every((p) => isSafeRule(p.getFirstValue() as ICAL.Recur))) return null;
  const expansion = new (ical().RecurExpansion)({ component: event, dtstart: start });
  for (let n = 0; n < MAX_OCCURRENCES && budget.occurrences > 0; n++, budget.occurrences--) {
    const occurrence = expansion.next();
    if (!occurrence) return null;
    if (replaced.has(occurrence.toUnixTime())) continue;
    const date = localDateOf(occurrence, tzid, timeZone);
    if (date > after) return date;
  }
  return null;
}

/** A moved occurrence counts where it moved to, a cancelled one not at all. */
function overrideDate(event: ICAL.Component, events: ICAL.Component[], after: string, timeZone: string): string | null {
  const uid = event.getFirstPropertyValue('uid');
  const master = events.find((e) => !e.hasProperty('recurrence-id') && e.getFirstPropertyValue('uid') === uid);
  if (isCancelled(event) || (master !== undefined && isCancelled(master))) return null;
  const start = startOf(event);
  if (start === null) return null;
  const date = localDateOf(start, tzidOf(event), timeZone);
  return date > after ? date : null;
}

function startOf(event: ICAL.Component): ICAL.Time | null {
  const value = event.getFirstPropertyValue('dtstart');
  return value instanceof ical().Time ? value : null;
}

function tzidOf(event: ICAL.Component): string | null {
  const tzid = event.getFirstProperty('dtstart')?.getParameter('tzid');
  return typeof tzid === 'string' ? tzid : null;
}

function isCancelled(event: ICAL.Component): boolean {
  return String(event.getFirstPropertyValue('status') ?? '').toUpperCase() === 'CANCELLED';
}

/**
 * ical.js loops forever inside one step of rules that can never match (FREQ=DAILY;INTERVAL=7;BYDAY=TU from a
 * Thursday, FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30): no occurrence cap reaches into that step. Only the shapes a
 * meeting series takes are expanded: weekly on plain weekdays, daily (on weekdays only every single day), monthly on
 * a day of the month or on the 1st–4th or last weekday.
 */
function isSafeRule(rule: ICAL.Recur): boolean {
  const parts = Object.keys(rule.parts ?? {});
  const byDay = (rule.parts?.BYDAY ?? []).map(String);
  const plainDays = byDay.every((d) => /^(?:MO|TU|WE|TH|FR|SA|SU)$/.test(d));
  switch (rule.freq) {
    case 'WEEKLY':
      return parts.every((p) => p === 'BYDAY') && plainDays;
    case 'DAILY':
      return parts.every((p) => p === 'BYDAY') && plainDays && (byDay.length === 0 || (rule.interval ?? 1) === 1);
    case 'MONTHLY':
      if (parts.length !== 1) return false;
      if (parts[0] === 'BYMONTHDAY') return true;
      return parts[0] === 'BYDAY' && byDay.every((d) => /^(?:[+]?[1-4]|-[1-4])(?:MO|TU|WE|TH|FR|SA|SU)$/.test(d));
    default:
      return false;
  }
}

/**
 * The local date of a moment in `timeZone`. An all-day date is itself; a floating time has no zone and is taken as
 * local; a TZID the file does not define is looked up as an IANA name.
 */
function localDateOf(time: ICAL.Time, tzid: string | null, timeZone: string): string {
  const wall = isoDate(time.year, time.month, time.day);
  if (time.isDate) return wall;
  if (time.zone !== null && time.zone !== ical().Timezone.localTimezone) {
    return localDate(new Date(time.toUnixTime() * 1000), timeZone);
  }
  if (tzid !== null && isTimeZone(tzid)) {
    const clock = `${String(time.hour).padStart(2, '0')}:${String(time.minute).padStart(2, '0')}`;
    return localDate(zonedInstant(wall, clock, tzid), timeZone);
  }
  return wall;
}

// ---------- Cadence ----------

const DEFAULT_GAP_DAYS = 7;
const CADENCE_MEETINGS = 6;
const MIN_GAP_DAYS = 1;
const MAX_GAP_DAYS = 35;

/**
 * The series' usual gap, added to `after`: the median of the gaps between its last six distinct meeting dates,
 * each gap held to 1–35 days (a skipped month is not the new rhythm); a week while there are fewer than two.
 */
export function nextMeetingByCadence(meetingDates: string[], after: string): string {
  if (!isIsoDate(after)) throw new RangeError(`Not a calendar date (YYYY-MM-DD): ${after}`);
  const days = [...new Set(meetingDates.filter(isIsoDate))]
    .sort()
    .slice(-CADENCE_MEETINGS)
    .map((date) => Date.parse(`${date}T00:00:00Z`) / 86_400_000);
  const gaps = days
    .slice(1)
    .map((day, i) => Math.min(MAX_GAP_DAYS, Math.max(MIN_GAP_DAYS, day - (days[i] ?? day))))
    .sort((a, b) => a - b);
  if (gaps.length === 0) return addDays(after, DEFAULT_GAP_DAYS);
  const middle = Math.floor(gaps.length / 2);
  const median =
    gaps.length % 2 === 1 ? (gaps[middle] ?? DEFAULT_GAP_DAYS) : ((gaps[middle - 1] ?? 0) + (gaps[middle] ?? 0)) / 2;
  return addDays(after, Math.round(median));
}

// ---------- All together ----------

/**
 * When the series meets next, strongest source first: the notes (only a date after this meeting), then a
 * calendar invite that came with them, then the cadence of the series.
 */
export function deriveNextMeeting(input: {
  fromNotes: string | null;
  calendars: string[];
  meetingDates: string[];
  meetingDate: string;
  timeZone: string;
}): { date: string; source: NextMeetingSource } {
  if (input.fromNotes !== null && isIsoDate(input.fromNotes) && input.fromNotes > input.meetingDate) {
    return { date: input.fromNotes, source: 'notes' };
  }
  const fromCalendar = nextMeetingFromCalendar(input.calendars, input.meetingDate, input.timeZone);
  if (fromCalendar !== null) return { date: fromCalendar, source: 'calendar' };
  return { date: nextMeetingByCadence(input.meetingDates, input.meetingDate), source: 'cadence' };
}

function isIsoDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const time = Date.parse(`${text}T00:00:00Z`);
  return !Number.isNaN(time) && new Date(time).toISOString().startsWith(text);
}

function isoDate(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
