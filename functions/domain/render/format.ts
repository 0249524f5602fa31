import type { Person } from '../model';

const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
export const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

/** Reads a YYYY-MM-DD calendar date; null for anything else, including impossible dates like 2026-02-30. */
export function parseCalendarDate(iso: string): CalendarDate | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) return null;
  return { year, month, day };
}

/**
 * "Fri 13 Nov", with the year only when it differs from `contextYear` ("Fri 8 Jan 2027").
 * The model's dates are already local calendar dates, so the weekday is computed in UTC on purpose:
 * shifting by a time zone here would move "2026-11-13" to Thursday for anyone west of Greenwich.
 */
export function formatShortDate(date: CalendarDate, contextYear?: number): string {
  const weekday = weekdays[new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay()];
  const label = `${weekday} ${date.day} ${months[date.month - 1]}`;
  return contextYear === undefined || contextYear === date.year ? label : `${label} ${date.year}`;
}

/**
 * The name people know someone by, or their address when the email named no one. A name is a header's words
 * (a From, a To, a webhook's attendee), and it goes back into headers (subjects, To): headerText's one clean line.
 */
export function displayName(person: Person): string {
  const name = person.name === null ? '' : headerText(person.name);
  return name === '' ? person.address : name;
}

/** "Marcus" from "Marcus Reid" and from the directory form "Reid, Marcus"; the address when there is no name. */
export function firstName(person: Person): string {
  const name = person.name === null ? '' : headerText(person.name);
  if (name === '') return person.address;
  const comma = name.indexOf(',');
  const given = comma === -1 ? name : name.slice(comma + 1).trim();
  return given.split(' ')[0] || name;
}

/** Notes arrive with hard-wrapped lines and tabs; one line of text per field keeps both parts of a mail tidy. */
export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Subjects and display names longer than this are cut: no client shows more, and folding a huge header helps no one. */
export const MAX_HEADER_TEXT = 200;

// C0 and C1 controls (CR, LF, NUL, ESC, NEL…) and U+2028/2029 end a line somewhere, which in a header starts a header
// of the data's choosing (Bcc); the bidi overrides and isolates make a subject show as something else.
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters it exists to find.
const HEADER_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

/**
 * Text for a header line of a mail we send (a subject, a display name), from words people typed or a mail carried:
 * one line, no control character, whitespace runs collapsed, at most `max` characters (cut between characters,
 * never inside a surrogate pair, and marked with "…").
 */
export function headerText(text: string, max = MAX_HEADER_TEXT): string {
  const line = collapseWhitespace(text.replace(HEADER_UNSAFE, ' '));
  const characters = Array.from(line);
  if (characters.length <= max) return line;
  const kept = characters.slice(0, max - 1).join('');
  return `${kept.trimEnd()}…`;
}

const longWeekdays = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

/** `formatShortDate` for a stored YYYY-MM-DD; a value we cannot read is shown as stored rather than hidden. */
export function formatIsoDate(iso: string, contextYear?: number): string {
  const date = parseCalendarDate(iso);
  return date === null ? iso : formatShortDate(date, contextYear);
}

/** "Thursday" for 2026-11-19; null when the date cannot be read. */
export function longWeekday(iso: string): string | null {
  const date = parseCalendarDate(iso);
  if (date === null) return null;
  return longWeekdays[new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay()] ?? null;
}

/** The Monday on or before a date: the week a weekly mail is "the week of". */
export function mondayOf(date: CalendarDate): CalendarDate {
  const probe = new Date(Date.UTC(date.year, date.month - 1, date.day));
  probe.setUTCDate(probe.getUTCDate() - ((probe.getUTCDay() + 6) % 7));
  return { year: probe.getUTCFullYear(), month: probe.getUTCMonth() + 1, day: probe.getUTCDate() };
}

/** "1 day", "9 days". */
export function countOf(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
