import type { Person } from '../model';

const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
export const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

/**
 * Reads a YYYY-MM-DD calendar date; null for anything else, including impossible dates like 2026-02-30. Read digit by
 * digit: a mail renders a dozen dates per item, and a regex match plus a Date probe each was ~6% of a wrap-up.
 */
export function parseCalendarDate(iso: string): CalendarDate | null {
  if (iso.length !== 10 || iso.charCodeAt(4) !== 45 || iso.charCodeAt(7) !== 45) return null;
  const year = digitsAt(iso, 0, 4);
  const month = digitsAt(iso, 5, 7);
  const day = digitsAt(iso, 8, 10);
  // Years 0–99 stay unread, as when this was a Date.UTC probe (which reads them as 1900–1999): no stored date is one.
  if (year < 100 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return { year, month, day };
}

/** The number written by the ASCII digits iso[from..to), or -1 when any is not one. */
function digitsAt(iso: string, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) {
    const digit = iso.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * "Fri 13 Nov", with the year only when it differs from `contextYear` ("Fri 8 Jan 2027").
 * The model's dates are already local calendar dates, so the weekday is computed in UTC on purpose:
 * shifting by a time zone here would move "2026-11-13" to Thursday for anyone west of Greenwich.
 */
export function formatShortDate(date: CalendarDate, contextYear?: number): string {
  const weekday = weekdays[weekdayOf(date)];
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

// Whitespace other than a space, or two spaces: what collapseWhitespace has to change inside a line.
const COLLAPSIBLE = /[^\S ]| {2}/;

/** Notes arrive with hard-wrapped lines and tabs; one line of text per field keeps both parts of a mail tidy. */
export function collapseWhitespace(text: string): string {
  // Most fields are one tidy line already; finding that out costs a fraction of the replace and trim (~370 ns a call,
  // ~50 calls a wrap-up), so tidy text is returned as it is.
  if (!COLLAPSIBLE.test(text) && text.charCodeAt(0) !== 32 && text.charCodeAt(text.length - 1) !== 32) return text;
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
  // No more UTF-16 units than the limit is no more characters either: the common case needs no Array.from.
  if (line.length <= max) return line;
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
  return longWeekdays[weekdayOf(date)] ?? null;
}

// Sakamoto's method: the day of the week by arithmetic on the proleptic Gregorian calendar, as Date counts it.
const monthOffsets = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4] as const;

/**
 * 0 for Sunday … 6 for Saturday, computed in UTC (see formatShortDate). Without a Date per call: a mail formats two
 * or three dates an item. What Date.UTC would read differently (years 0–99 as 1900–1999, a month or day out of range
 * rolled over) is left to Date.
 */
function weekdayOf(date: CalendarDate): number {
  const { year, month, day } = date;
  const offset = monthOffsets[month - 1];
  const plain = Number.isInteger(year) && year >= 100 && year <= 9999 && Number.isInteger(day) && day >= 1 && day <= 31;
  if (offset === undefined || !plain) return new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  const y = month < 3 ? year - 1 : year;
  return (y + Math.floor(y / 4) - Math.floor(y / 100) + Math.floor(y / 400) + offset + day) % 7;
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
