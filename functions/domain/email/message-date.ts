import * as chrono from 'chrono-node/en';
import { parseCalendarDate } from '../render/format';

/** A message date as the sender's clock showed it: the calendar date people mean by "today" in their notes. */
export interface WrittenDate {
  /** YYYY-MM-DD as written (the sender's local calendar day). */
  date: string;
  /** Minutes east of UTC, when the header says; null for forwarded headers that show only a local time. */
  offsetMinutes: number | null;
  /** The instant, ISO, when the offset is known. */
  instant: string | null;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const ZONES: Record<string, number> = {
  UT: 0,
  UTC: 0,
  GMT: 0,
  Z: 0,
  EST: -300,
  EDT: -240,
  CST: -360,
  CDT: -300,
  MST: -420,
  MDT: -360,
  PST: -480,
  PDT: -420,
};

// Later years come from broken or hostile clocks, and due dates counted from them ("by Friday" after 31 Dec 9999)
// would need a year that a YYYY-MM-DD date cannot write.
const LATEST_YEAR = 2999;

// RFC 5322 date-time: "Thu, 12 Nov 2026 15:08:44 -0500". The written day is the sender's local day.
const RFC5322 =
  /^(?:[A-Za-z]{3},?\s*)?(\d{1,2})\s+([A-Za-z]{3})[A-Za-z]*\.?\s+(\d{2,4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([+-]\d{4}|[A-Za-z]{1,5})?/;

/**
 * Reads a Date header, or the "Date:"/"Sent:" line of a forwarded message ("Thu, Oct 8, 2026 at 5:47 PM",
 * "25 September 2026 16:18"). A forwarded line with no year takes the year of `context` (the message around it).
 */
export function localDateOf(written: string | null, context: WrittenDate | null = null): WrittenDate | null {
  if (!written?.trim()) return null;
  const text = written.replace(/\s+/g, ' ').trim().slice(0, 200);
  const rfc = RFC5322.exec(text);
  if (rfc) {
    const [, day, mon, yearText, hh, mm, ss, zone] = rfc;
    const month = MONTHS.indexOf((mon ?? '').toLowerCase()) + 1;
    let year = Number(yearText);
    if (year < 100) year += year < 50 ? 2000 : 1900;
    if (month > 0) {
      const offset = parseOffset(zone);
      const date = isoDate(year, month, Number(day));
      // "32 Jan", "31 Feb", "25:61": a header that names no real moment says nothing about the day.
      if (parseCalendarDate(date) === null || year > LATEST_YEAR || Number(hh) > 23 || Number(mm) > 59) return null;
      return {
        date,
        offsetMinutes: offset,
        instant: offset === null ? null : toInstant(date, Number(hh), Number(mm), Number(ss ?? 0), offset),
      };
    }
  }
  // Forwarded headers are written by mail clients in many local formats; chrono reads them.
  const reference = context ? new Date(`${context.date}T12:00:00Z`) : new Date(Date.UTC(2000, 0, 1));
  const parsed = chrono.parse(text.replace(/\bat\b/g, ' '), reference)[0];
  if (!parsed) return null;
  const start = parsed.start;
  const year = start.get('year');
  const month = start.get('month');
  const day = start.get('day');
  if (!year || !month || !day) return null;
  const date = isoDate(year, month, day);
  if (parseCalendarDate(date) === null || year > LATEST_YEAR) return null;
  const offset = start.isCertain('timezoneOffset') ? (start.get('timezoneOffset') ?? null) : null;
  return {
    date,
    offsetMinutes: offset,
    instant:
      offset === null
        ? null
        : toInstant(date, start.get('hour') ?? 0, start.get('minute') ?? 0, start.get('second') ?? 0, offset),
  };
}

function parseOffset(zone: string | undefined): number | null {
  if (!zone) return null;
  const numeric = /^([+-])(\d{2})(\d{2})$/.exec(zone);
  if (numeric) return (numeric[1] === '-' ? -1 : 1) * (Number(numeric[2]) * 60 + Number(numeric[3]));
  return ZONES[zone.toUpperCase()] ?? null;
}

function isoDate(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function toInstant(date: string, hour: number, minute: number, second: number, offsetMinutes: number): string {
  const utc = Date.parse(`${date}T00:00:00Z`) + ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000;
  return new Date(utc).toISOString();
}

/** Calendar arithmetic on YYYY-MM-DD, in UTC so that the machine's own zone never shifts a day. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
