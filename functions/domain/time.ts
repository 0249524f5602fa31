/**
 * Local calendar and wall-clock time in IANA time zones, on Intl alone (no time-zone library).
 *
 * Node 20's Intl accepts only IANA names ("Asia/Kolkata", "Etc/GMT+5", "UTC"), not offsets like "+05:30", so a
 * sender known only by a Date header's offset is given a zone by timeZoneForOffset. Dates are YYYY-MM-DD strings
 * and times HH:MM (24-hour), as they are stored.
 */
import { InvalidInputError } from './errors';
import type { Weekday } from './model';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

const weekdays: readonly Weekday[] = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const formatters = new Map<string, Intl.DateTimeFormat>();

/** One formatter per zone: building one costs far more than using it, and the digests ask for the same few zones. */
const formatterFor = (timeZone: string): Intl.DateTimeFormat => {
  const cached = formatters.get(timeZone);
  if (cached !== undefined) return cached;
  if (!isTimeZone(timeZone)) {
    throw new InvalidInputError(
      'timeZone',
      `${JSON.stringify(timeZone)} is not a time zone name such as Europe/London.`,
    );
  }
  const formatter = new Intl.DateTimeFormat('en-US', {
    timeZone,
    // h23, not hour12: false: with the latter some ICU versions write midnight as 24.
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  formatters.set(timeZone, formatter);
  return formatter;
};

/** Whether Intl knows the zone. Offsets ("+05:30") are refused even where a newer Intl would take them. */
export const isTimeZone = (name: string): boolean => {
  // IANA names start with a letter; newer V8s accept offsets, which would make stored zones work on one Node only.
  if (!/^[A-Za-z]/.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
};

/**
 * Zones for the offsets that are not whole hours, by minutes east of UTC. Where two places share an offset at
 * different times of year, the likelier sender comes first and the other is kept for `at` to pick.
 */
const fractionalOffsetZones: ReadonlyMap<number, readonly string[]> = new Map([
  [-570, ['Pacific/Marquesas']],
  [-210, ['America/St_Johns']],
  // Newfoundland in summer.
  [-150, ['America/St_Johns']],
  [210, ['Asia/Tehran']],
  [270, ['Asia/Kabul']],
  [330, ['Asia/Kolkata']],
  [345, ['Asia/Kathmandu']],
  [390, ['Asia/Yangon']],
  [525, ['Australia/Eucla']],
  // Darwin keeps +09:30 all year; Adelaide has it only in its winter.
  [570, ['Australia/Darwin', 'Australia/Adelaide']],
  // Adelaide's summer time (1.4 million people) before Lord Howe Island's standard time (400).
  [630, ['Australia/Adelaide', 'Australia/Lord_Howe']],
  [765, ['Pacific/Chatham']],
  // Chatham in summer.
  [825, ['Pacific/Chatham']],
]);

/**
 * A zone for a Date header's offset (minutes east of UTC): UTC for none, the fixed Etc/GMT zone for whole hours,
 * a city for the fractional offsets people use, else the nearest whole hour. Etc names invert the sign (POSIX):
 * UTC−5 is Etc/GMT+5. Given `at` (when the header was written), a city whose offset then differs is passed over
 * for one that matches.
 */
export const timeZoneForOffset = (offsetMinutes: number | null, at?: Date): string => {
  if (offsetMinutes === null || !Number.isFinite(offsetMinutes)) return 'UTC';
  const cities = fractionalOffsetZones.get(offsetMinutes);
  if (cities !== undefined) {
    const matching =
      at === undefined ? undefined : cities.find((zone) => offsetAt(at.getTime(), zone) === offsetMinutes);
    return matching ?? (cities[0] as string);
  }
  // Etc/GMT-14 (Kiribati) and Etc/GMT+12 are the ends of the Etc range.
  const hours = Math.min(14, Math.max(-12, Math.round(offsetMinutes / 60)));
  if (hours === 0) return 'UTC';
  return hours > 0 ? `Etc/GMT-${hours}` : `Etc/GMT+${-hours}`;
};

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const wallClockAt = (epochMs: number, timeZone: string): WallClock => {
  const parts: Partial<Record<Intl.DateTimeFormatPartTypes, number>> = {};
  for (const part of formatterFor(timeZone).formatToParts(epochMs)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const { year, month, day, hour, minute, second } = parts;
  if (
    year === undefined ||
    month === undefined ||
    day === undefined ||
    hour === undefined ||
    minute === undefined ||
    second === undefined
  ) {
    throw new InvalidInputError('timeZone', `Intl gave no full date and time for ${timeZone}.`);
  }
  return { year, month, day, hour, minute, second };
};

/** Minutes east of UTC in `timeZone` at the instant. */
const offsetAt = (epochMs: number, timeZone: string): number => {
  const wholeSecond = Math.floor(epochMs / 1000) * 1000;
  const wall = wallClockAt(wholeSecond, timeZone);
  const wallAsUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  return Math.round((wallAsUtc - wholeSecond) / MINUTE_MS);
};

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

const formatDate = (year: number, month: number, day: number): string => `${pad(year, 4)}-${pad(month)}-${pad(day)}`;

/** Day number (days since 1970-01-01) of a YYYY-MM-DD date, refusing dates that do not exist (2025-02-30). */
const parseDate = (date: string): number => {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (match !== null) {
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const epochMs = Date.UTC(year, month - 1, day);
    const back = new Date(epochMs);
    if (back.getUTCFullYear() === year && back.getUTCMonth() === month - 1 && back.getUTCDate() === day) {
      return epochMs / DAY_MS;
    }
  }
  throw new InvalidInputError('date', `${JSON.stringify(date)} is not a date in the form YYYY-MM-DD.`);
};

const dateOfDayNumber = (dayNumber: number): string => {
  const date = new Date(dayNumber * DAY_MS);
  return formatDate(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());
};

/** Minutes since midnight of an HH:MM time. */
const parseTime = (time: string): number => {
  const match = /^(\d{2}):(\d{2})$/.exec(time);
  const hours = Number(match?.[1]);
  const minutes = Number(match?.[2]);
  if (match === null || hours > 23 || minutes > 59) {
    throw new InvalidInputError('time', `${JSON.stringify(time)} is not a time in the form HH:MM (00:00 to 23:59).`);
  }
  return hours * 60 + minutes;
};

/** The calendar date (YYYY-MM-DD) in `timeZone` at the instant. */
export const localDate = (instant: Date, timeZone: string): string => {
  const wall = wallClockAt(instant.getTime(), timeZone);
  return formatDate(wall.year, wall.month, wall.day);
};

/**
 * The instant at which the wall clock in `timeZone` shows `date` at `time`. A time skipped by a daylight-saving
 * change (02:30 on a spring-forward night) becomes the first minute after the gap (03:00); a time that happens
 * twice (01:30 on a fall-back night) is the first of the two.
 */
export const zonedInstant = (date: string, time: string, timeZone: string): Date => {
  const wallAsUtc = parseDate(date) * DAY_MS + parseTime(time) * MINUTE_MS;
  // Every offset is within ±14 h, so the offsets a day either side are those before and after any change that
  // could touch this wall time.
  const before = offsetAt(wallAsUtc - DAY_MS, timeZone);
  const after = offsetAt(wallAsUtc + DAY_MS, timeZone);
  // A reading is real when the zone's offset at the instant it gives is the offset it assumed.
  const candidates = [...new Set([before, after])]
    .filter((offset) => offsetAt(wallAsUtc - offset * MINUTE_MS, timeZone) === offset)
    .map((offset) => wallAsUtc - offset * MINUTE_MS)
    .sort((a, b) => a - b);
  const earliest = candidates[0];
  if (earliest !== undefined) return new Date(earliest);
  // In a gap: the clock jumps from before the wall time (offset `before`) to after it (offset `after`). The
  // change happened on a whole minute between the two readings; find it.
  let lastBefore = (wallAsUtc - after * MINUTE_MS) / MINUTE_MS;
  let firstAfter = (wallAsUtc - before * MINUTE_MS) / MINUTE_MS;
  while (firstAfter - lastBefore > 1) {
    const middle = Math.floor((lastBefore + firstAfter) / 2);
    if (offsetAt(middle * MINUTE_MS, timeZone) === before) lastBefore = middle;
    else firstAfter = middle;
  }
  return new Date(firstAfter * MINUTE_MS);
};

/** The day of the week of a calendar date. */
export const weekdayOf = (date: string): Weekday => {
  // 1970-01-01 was a Thursday.
  const index = (((parseDate(date) + 4) % 7) + 7) % 7;
  return weekdays[index] as Weekday;
};

/** The first instant strictly after `after` at which it is `day` at `time` in `timeZone`. */
export const nextWeeklyOccurrence = (after: Date, day: Weekday, time: string, timeZone: string): Date => {
  const start = parseDate(localDate(after, timeZone));
  // Two weeks covers a zone that skips a whole calendar day (Samoa, 2011-12-30) as well as this week's slot passing.
  for (let dayNumber = start; dayNumber <= start + 14; dayNumber += 1) {
    const date = dateOfDayNumber(dayNumber);
    if (weekdayOf(date) !== day) continue;
    const instant = zonedInstant(date, time, timeZone);
    if (instant.getTime() > after.getTime()) return instant;
  }
  throw new InvalidInputError('day', `${JSON.stringify(day)} is not a day of the week (MON to SUN).`);
};
