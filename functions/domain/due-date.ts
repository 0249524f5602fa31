/**
 * Due dates in one line of 1:1 notes, resolved against the meeting's local calendar date.
 *
 * The rules are the corpus README's "Due date" section. chrono-node reads dates that name a month
 * ("Dec 3", "3. Dezember", "jeudi 10 décembre"); everything relative ("by Friday", "EOW", "next Tues",
 * "in two weeks") is resolved here, because chrono's own reading of those differs from the rules
 * (its "Friday" can be today, its "next Tuesday" is the coming one) and it knows no sales shorthand.
 *
 * All arithmetic is on day numbers (days since 1970-01-01, UTC), so the machine's time zone never leaks in.
 */
import { strict as deStrict } from 'chrono-node/de';
import { type Chrono, strict as enStrict, type ParsedResult } from 'chrono-node/en';
import { strict as frStrict } from 'chrono-node/fr';
import { builtPattern } from './built-patterns';

export type DateOrder = 'mdy' | 'dmy';
export type DueLanguage = 'en' | 'de' | 'fr';

export interface DueContext {
  /** Local calendar date of the meeting, YYYY-MM-DD. */
  meetingDate: string;
  /** How numeric dates like 3/12 read for this sender. */
  order: DateOrder;
  /** The next 1:1 when the notes name it ("before our next 1:1" resolves to it). */
  nextMeetingDate: string | null;
  /** The notes' main language; text may mix, so all three vocabularies are always on. Default 'en'. */
  language?: DueLanguage;
  /** The due date of the item said just before, for "… and chase legal by the same day". */
  previousDue?: string | null;
}

export interface DueMatch {
  /** ISO date, or null when the phrase is vague (ASAP, no rush, once it closes, Q1 …) or the next 1:1 is unknown. */
  due: string | null;
  /** Other acceptable dates, only when the phrase truly supports two readings ("before Friday's call"). */
  alternatives?: string[];
  /** The words that decided it, as written. */
  phrase: string;
  /** Where the phrase starts in the line. */
  index: number;
}

export interface DateOrderSignals {
  /** Minutes east of UTC of the notes message's Date header. */
  utcOffsetMinutes: number | null;
  /** The Content-Language header ("en-GB", "de-DE"). */
  contentLanguage: string | null;
  /** The notes text (numeric dates in it can decide). */
  text: string;
  /** Addresses on the message (their country domains can decide). */
  addresses: string[];
}

// ---------- Calendar arithmetic on day numbers ----------

type Day = number;
const DAY_MS = 86_400_000;

function dayFromIso(iso: string): Day {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  const day = m ? dayOf(Number(m[1]), Number(m[2]), Number(m[3])) : null;
  if (day === null) throw new RangeError(`Not a calendar date (YYYY-MM-DD): ${iso}`);
  return day;
}

function isoOf(day: Day): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function partsOf(day: Day): { y: number; m: number; d: number } {
  const date = new Date(day * DAY_MS);
  return { y: date.getUTCFullYear(), m: date.getUTCMonth() + 1, d: date.getUTCDate() };
}

/** The day number of a calendar date, or null when the date does not exist (31 Nov, 29 Feb 2027). */
function dayOf(y: number, m: number, d: number): Day | null {
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return null;
  return Date.UTC(y, m - 1, d) / DAY_MS;
}

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** 0 = Monday … 6 = Sunday: the notes' weeks run Monday to Sunday. */
function weekdayOf(day: Day): number {
  return (new Date(day * DAY_MS).getUTCDay() + 6) % 7;
}

/** "by Friday" / a bare weekday: the first such day strictly after the meeting (a Friday's "Friday" is a week out). */
function nextWeekday(meeting: Day, weekday: number): Day {
  return meeting + ((weekday - weekdayOf(meeting) + 7) % 7 || 7);
}

/** "next Tuesday": that weekday in the following Monday–Sunday week. */
function weekdayNextWeek(meeting: Day, weekday: number): Day {
  return meeting - weekdayOf(meeting) + 7 + weekday;
}

/** "this Friday": that weekday of the meeting's week, unless it is already past. */
function weekdayThisWeek(meeting: Day, weekday: number): Day {
  const day = meeting - weekdayOf(meeting) + weekday;
  return day >= meeting ? day : nextWeekday(meeting, weekday);
}

/** "EOW": the Friday of the meeting's week; a weekend meeting has no Friday left, so it means the next one. */
function endOfWeek(meeting: Day): Day {
  return weekdayThisWeek(meeting, 4);
}

function endOfMonth(meeting: Day, monthsAhead: number): Day {
  const { y, m } = partsOf(meeting);
  return Date.UTC(y, m - 1 + monthsAhead + 1, 0) / DAY_MS;
}

function addMonths(meeting: Day, months: number): Day {
  const { y, m, d } = partsOf(meeting);
  const first = Date.UTC(y, m - 1 + months, 1) / DAY_MS;
  const target = partsOf(first);
  return first + Math.min(d, daysInMonth(target.y, target.m)) - 1;
}

/** A date written without a year is its next occurrence on or after the meeting ("8 Jan" in December → next year). */
function nextOccurrence(meeting: Day, month: number, day: number): Day | null {
  const { y } = partsOf(meeting);
  // Eight years always reach the next 29 February.
  for (let year = y; year <= y + 8; year++) {
    const date = dayOf(year, month, day);
    if (date !== null && date >= meeting) return date;
  }
  return null;
}

/** "the 18th": the next month (this one included) that has that day on or after the meeting. */
function nextDayOfMonth(meeting: Day, dayOfMonth: number, weekday?: number): Day | null {
  const { y, m } = partsOf(meeting);
  for (let i = 0; i < 28; i++) {
    const date = dayOf(y + Math.floor((m - 1 + i) / 12), ((m - 1 + i) % 12) + 1, dayOfMonth);
    if (date !== null && date >= meeting && (weekday === undefined || weekdayOf(date) === weekday)) return date;
  }
  // "Thursday 8th" whose weekday never matches: the day of month is the stronger word.
  return weekday === undefined ? null : nextDayOfMonth(meeting, dayOfMonth);
}

// ---------- Vocabulary ----------

const WEEKDAYS: Readonly<Record<string, number>> = {
  monday: 0,
  mon: 0,
  montag: 0,
  lundi: 0,
  tuesday: 1,
  tues: 1,
  tue: 1,
  dienstag: 1,
  mardi: 1,
  wednesday: 2,
  weds: 2,
  wed: 2,
  mittwoch: 2,
  mercredi: 2,
  thursday: 3,
  thurs: 3,
  thur: 3,
  thu: 3,
  donnerstag: 3,
  jeudi: 3,
  friday: 4,
  fri: 4,
  freitag: 4,
  vendredi: 4,
  saturday: 5,
  sat: 5,
  samstag: 5,
  sonnabend: 5,
  samedi: 5,
  sunday: 6,
  sun: 6,
  sonntag: 6,
  dimanche: 6,
};

const MONTHS: Readonly<Record<string, number>> = {
  january: 1,
  jan: 1,
  januar: 1,
  jänner: 1,
  janvier: 1,
  janv: 1,
  february: 2,
  feb: 2,
  februar: 2,
  février: 2,
  fevrier: 2,
  févr: 2,
  march: 3,
  mar: 3,
  märz: 3,
  maerz: 3,
  mars: 3,
  april: 4,
  apr: 4,
  avril: 4,
  avr: 4,
  may: 5,
  mai: 5,
  june: 6,
  jun: 6,
  juni: 6,
  juin: 6,
  july: 7,
  jul: 7,
  juli: 7,
  juillet: 7,
  juil: 7,
  august: 8,
  aug: 8,
  août: 8,
  aout: 8,
  september: 9,
  sept: 9,
  sep: 9,
  septembre: 9,
  october: 10,
  oct: 10,
  oktober: 10,
  okt: 10,
  octobre: 10,
  november: 11,
  nov: 11,
  novembre: 11,
  december: 12,
  dec: 12,
  dezember: 12,
  dez: 12,
  décembre: 12,
  decembre: 12,
  déc: 12,
};

/** Abbreviations that are also everyday words ("mon" is French for "my", "may" a verb): only capitalised. */
const NEEDS_CAPITAL = new Set(['mon', 'sat', 'sun', 'wed', 'may', 'mar']);

/** Counts written as words, in the three languages of the notes ("in two weeks", "in zwei Wochen"). */
export const NUMBER_WORDS: Readonly<Record<string, number>> = {
  a: 1,
  an: 1,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  ein: 1,
  eine: 1,
  einer: 1,
  einem: 1,
  zwei: 2,
  drei: 3,
  vier: 4,
  fünf: 5,
  sechs: 6,
  sieben: 7,
  acht: 8,
  neun: 9,
  zehn: 10,
  un: 1,
  une: 1,
  deux: 2,
  trois: 3,
  quatre: 4,
  cinq: 5,
  sept: 7,
  huit: 8,
  neuf: 9,
  dix: 10,
};

function alternation(words: Iterable<string>): string {
  // Longest first, so "tuesday" is not read as "tue" + "sday".
  return [...words]
    .sort((a, b) => b.length - a.length)
    .map((w) => w.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&'))
    .join('|');
}

/** Unicode-aware word edges: \b does not see "ü" or "é" as letters. */
const L = '(?<![\\p{L}\\p{N}_])';
const R = '(?![\\p{L}\\p{N}_])';
const WD = `(?<wd>${alternation(Object.keys(WEEKDAYS))})${R}`;
const MONTH_WORDS = alternation(Object.keys(MONTHS));
const MON = `(?<mon>${MONTH_WORDS})${R}`;
const NUM = `(?<n>\\d{1,2}|${alternation(Object.keys(NUMBER_WORDS))})`;
const UNIT = `(?<unit>days?|weeks?|wks?|months?|tagen?|wochen?|monaten?|monate|monat|jours?|semaines?|mois)`;
const MEETING_EN = '(?:1:1|1-1|1on1|1-on-1|one-on-one|one on one|meeting|sync|check-in|checkin|catch-up|catchup)';
const MEETING_DE = '(?:1:1|termin|treffen|meeting|gespräch|jour fixe)';
const MEETING_FR = '(?:1:1|point|rendez-vous|rdv|réunion|entretien)';

/** The patterns built by rx that must start where a word starts: matchesIn checks that on each match. */
const AT_WORD_START = new WeakSet<RegExp>();

/**
 * A global pattern, read only through matchesIn. One that starts with L is kept without it: V8 tested that
 * lookbehind, a class of every letter and digit, at each position of the line before the first letter of the
 * pattern, and that was over half of the time the forty-odd patterns took on a line. The check is made on each match
 * instead, and a match that starts inside a word is tried again one character on, which gives the same matches.
 */
function rx(source: string): RegExp {
  if (!source.startsWith(L)) return builtPattern(source, 'gud');
  const pattern = builtPattern(source.slice(L.length), 'gud');
  AT_WORD_START.add(pattern);
  return pattern;
}

const WORD_CHAR = /[\p{L}\p{N}_]/u;

/** Whether the code point before `index` is a letter, a digit or "_": what L looks behind for. */
function afterWordChar(text: string, index: number): boolean {
  if (index === 0) return false;
  const code = text.charCodeAt(index - 1);
  if (code < 0x80) {
    return (
      (code >= 0x61 && code <= 0x7a) ||
      (code >= 0x41 && code <= 0x5a) ||
      (code >= 0x30 && code <= 0x39) ||
      code === 0x5f
    );
  }
  const high = index >= 2 ? text.charCodeAt(index - 2) : 0;
  const pair = code >= 0xdc00 && code <= 0xdfff && high >= 0xd800 && high <= 0xdbff;
  return WORD_CHAR.test(pair ? text.slice(index - 2, index) : text.charAt(index - 1));
}

const nextCodePoint = (text: string, index: number): number =>
  index + ((text.codePointAt(index) ?? 0) > 0xffff ? 2 : 1);

/**
 * Every match of a pattern built by rx, as text.matchAll(pattern) gives them, but without the copy of the pattern
 * that matchAll makes on each call (with some forty patterns per line, the copies took three quarters of the time of
 * reading a line). The pattern's lastIndex is left at 0, as matchAll leaves it.
 */
function matchesIn(pattern: RegExp, text: string): RegExpExecArray[] {
  const found: RegExpExecArray[] = [];
  const atWordStart = AT_WORD_START.has(pattern);
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    if (atWordStart && afterWordChar(text, m.index)) {
      pattern.lastIndex = nextCodePoint(text, m.index);
      continue;
    }
    found.push(m);
    // An empty match moves on by one code point, as matchAll does with the u flag.
    if (m[0] === '') pattern.lastIndex = nextCodePoint(text, pattern.lastIndex);
  }
  return found;
}

/** Words before a date that make it a deadline rather than a fact about the task. */
const MARKER_WORD = builtPattern(
  `${L}(?<w>by|before|due(?: on| by| date)?|until|till|til|through|thru|no later than|not later than|nlt|latest by|` +
    'deadline(?: is)?|target(?: date)?|targeting|eta|new date|new target|new deadline|ahead of|prior to|in time for|' +
    'on or before|bis(?: zum| spätestens)?|spätestens(?: am| bis)?|vor|fällig(?: am| bis)?|frist|avant(?: le)?|' +
    "d'ici(?: le)?|au plus tard(?: le)?|échéance)\\s*:?$",
  'u',
);
/** A dash, bar or colon right before a date: "– EOW", "| 4/12 |", "Deadline: Fri". */
const MARKER_PUNCT = /(?:(?:^|\s)[-–—|]|:)$/u;
const MARKER_AFTER = /^\s*(?:at the latest|latest|deadline|spätestens|au plus tard)(?![\p{L}])/u;
const BEFORE_WORD = /(?:before|ahead of|prior to|vor|avant)$/u;
const DETERMINER = /(?:^|\s)(?:the|this|that|our|their|your|my|his|her|its)\s+$/u;
/** "at the Oct 1 staff mtg": the thing happens at that event, so its date is when it is due. */
const AT_EVENT = /(?:^|\s)(?:at|on|during|in|am|à|au)$/u;
/** Words that may follow a date without making it describe a noun ("by 3/12 and", "on 9/28 when"). */
const FOLLOW_STOP = new Set(
  'and or to for at by with from in on if so but when then as because until before after latest is was are will pls please und oder bis et ou a the'.split(
    ' ',
  ),
);
const DEADLINE_NOUN = /^(?:deadline|cutoff|cut-off|due|close|closing|end|frist|échéance)$/u;
const UNIT_AFTER =
  /^\s*(?:days?|weeks?|wks?|months?|mos?|years?|yrs?|hours?|hrs?|mins?|minutes?|people|seats|users|sites|reps|deals|accounts|x|k|m|%|pts?|points?|tage?n?|wochen?|monaten?|jahren?|jours?|semaines?|mois|ans?)(?![\p{L}])/u;

// ---------- Candidates ----------

interface Candidate {
  start: number;
  end: number;
  due: Day | null;
  alternatives: Day[];
  /** Due null on purpose: the words say "no fixed date". */
  vague: boolean;
  /** The words themselves are a deadline ("EOD", "tomorrow", "ASAP"), whatever comes before. */
  inherent: boolean;
  /** Bare digits like 3-12 or 4.12 that count only after a deadline word or a weekday. */
  needsContext: boolean;
  /** EOD / COB: a time of day that merges with a neighbouring date ("EOD tomorrow", "COB Friday"). */
  modifier: boolean;
  /** A bare weekday that can qualify the date right after it ("Wed 11/18"). */
  weekday: number | null;
  /** The date re-read when a weekday names it ("Thursday 8th" is the next 8th that is a Thursday). */
  withWeekday: ((weekday: number) => Day | null) | null;
  /** "before our next 1:1": an explicit date right after it wins over the context's. */
  anchor: boolean;
}

interface Env {
  ctx: DueContext;
  meeting: Day;
  next: Day | null;
  previous: Day | null;
  /** The normalised line, original case. */
  text: string;
  /** The same, lower-cased, index for index. */
  lower: string;
}

type Make = (m: RegExpMatchArray, env: Env) => Candidate | null;

function at(m: RegExpMatchArray, fields: Partial<Candidate>): Candidate {
  const start = m.index ?? 0;
  return span(start, start + m[0].length, fields);
}

function span(start: number, end: number, fields: Partial<Candidate>): Candidate {
  return {
    start,
    end,
    due: null,
    alternatives: [],
    vague: false,
    inherent: false,
    needsContext: false,
    modifier: false,
    weekday: null,
    withWeekday: null,
    anchor: false,
    ...fields,
  };
}

function capitalOk(word: string, m: RegExpMatchArray, group: string, env: Env): boolean {
  if (!NEEDS_CAPITAL.has(word)) return true;
  const index = m.indices?.groups?.[group]?.[0];
  const first = index === undefined ? '' : (env.text[index] ?? '');
  return first !== first.toLowerCase();
}

function weekdayIn(m: RegExpMatchArray, env: Env): number | null {
  const word = m.groups?.wd;
  if (word === undefined || !capitalOk(word, m, 'wd', env)) return null;
  return WEEKDAYS[word] ?? null;
}

function monthIn(m: RegExpMatchArray, env: Env): number | null {
  const word = m.groups?.mon;
  if (word === undefined || !capitalOk(word, m, 'mon', env)) return null;
  return MONTHS[word] ?? null;
}

const relative = (inherent: boolean, resolve: (env: Env) => Day | null): Make => {
  return (m, env) => at(m, { due: resolve(env), inherent });
};

const vague: Make = (m) => at(m, { vague: true, inherent: true });

const RULES: ReadonlyArray<readonly [RegExp, Make]> = [
  // The next 1:1 (its date comes from the notes, or from a date written right after the phrase).
  [
    rx(
      `${L}(?:(?:(?:before|by|until|till|for|at|to|ahead of|prior to|in time for)\\s+(?:(?:our|the|my|your)\\s+)?next\\s+${MEETING_EN})` +
        '|(?:for|by|before|until)\\s+next\\s+time|before\\s+we\\s+(?:next\\s+meet|meet\\s+(?:next|again))' +
        `|(?:vor|bis zum|bis|zum|fürs|für das|für den)\\s+(?:(?:dem|das|den|unserem|unseren|unser)\\s+)?nächste[nmrs]?\\s+${MEETING_DE}` +
        `|(?:avant|pour|d'ici)\\s+(?:le|la|notre)\\s+prochaine?\\s+${MEETING_FR})${R}`,
    ),
    (m, env) => at(m, { due: env.next, vague: env.next === null, inherent: true, anchor: true }),
  ],
  // "before Christmas": the 24th is the last working day before it, but the 25th is the literal reading.
  [
    rx(
      `${L}(?:before|by|until|till|ahead of|prior to|vor|bis|avant|d'ici)\\s+(?:the\\s+)?(?:christmas|xmas|x-mas|weihnachten|noël|noel)${R}` +
        '(?!\\s*(?:eve|break|holidays?|party|shutdown|closure))',
    ),
    (m, env) => {
      const eve = nextOccurrence(env.meeting, 12, 24);
      return eve === null ? null : at(m, { due: eve, alternatives: [eve + 1], inherent: true });
    },
  ],
  [
    rx(`${L}(?:christmas eve|xmas eve|heiligabend|réveillon de noël)${R}`),
    relative(false, (env) => nextOccurrence(env.meeting, 12, 24)),
  ],
  [
    rx(`${L}(?:before|by|until|till|ahead of|prior to)\\s+(?:the\\s+)?new\\s+year${R}(?!'s\\s+(?:day|eve))`),
    relative(true, (env) => nextOccurrence(env.meeting, 12, 31)),
  ],
  // Calendar ends.
  [
    rx(
      `${L}(?:eoy|end of (?:the |this )?year|year[- ]end|jahresende|ende des jahres|fin d'année|fin de l'année|fin d'annee|fin de l'annee)${R}`,
    ),
    relative(true, (env) => nextOccurrence(env.meeting, 12, 31)),
  ],
  [
    rx(`${L}(?:end of next month|ende (?:des )?nächsten monats|fin du mois prochain)${R}`),
    relative(true, (env) => endOfMonth(env.meeting, 1)),
  ],
  [
    rx(
      `${L}(?:eom|(?:the )?end of (?:the |this )?month|month[- ]end|ende (?:des|dieses) monats|monatsende|ende monat|fin (?:du|de|de ce) mois)${R}`,
    ),
    relative(true, (env) => endOfMonth(env.meeting, 0)),
  ],
  [
    rx(`${L}(?:(?:the\\s+)?end\\s+of\\s+|ende\\s+|fin\\s+(?:de\\s+|d')?)${MON}(?:\\s+(?<year>\\d{4}))?`),
    (m, env) => {
      const month = monthIn(m, env);
      if (month === null) return null;
      const year = m.groups?.year;
      const { y, m: meetingMonth } = partsOf(env.meeting);
      const inYear = year ? Number(year) : month >= meetingMonth ? y : y + 1;
      return at(m, { due: Date.UTC(inYear, month, 0) / DAY_MS, inherent: true });
    },
  ],
  [
    rx(
      `${L}(?:end of next week|eonw|ende (?:der )?nächsten woche|ende nächster woche|fin de la semaine prochaine)${R}`,
    ),
    relative(true, (env) => weekdayNextWeek(env.meeting, 4)),
  ],
  [
    rx(
      `${L}(?:eow|(?:the )?end of (?:the |this )?week|later this week|this week|by the weekend|ende (?:der|dieser) woche|diese woche|fin de (?:la )?semaine|cette semaine)${R}`,
    ),
    relative(true, (env) => endOfWeek(env.meeting)),
  ],
  // Weekdays.
  ...[
    `${WD}\\s+(?:of\\s+)?(?:next|nächster|nächste|nächsten)\\s+(?:week|woche)`,
    `(?:next|nächste)\\s+(?:week|woche)\\s+${WD}`,
    `(?:next|nächste[nmrs]?|kommende[nmrs]?)\\s+${WD}`,
    `${WD}\\s+prochain`,
  ].map((source): readonly [RegExp, Make] => [
    rx(`${L}${source}`),
    (m, env) => {
      const wd = weekdayIn(m, env);
      return wd === null ? null : at(m, { due: weekdayNextWeek(env.meeting, wd) });
    },
  ]),
  [
    rx(`${L}(?:this|diese[nmrs]?|ce)\\s+${WD}`),
    (m, env) => {
      const wd = weekdayIn(m, env);
      return wd === null ? null : at(m, { due: weekdayThisWeek(env.meeting, wd) });
    },
  ],
  [
    rx(`${L}(?:(?:this\\s+)?coming\\s+)?${WD}`),
    (m, env) => {
      const wd = weekdayIn(m, env);
      if (wd === null) return null;
      const start = m.index ?? 0;
      // "last Friday", "vendredi dernier": past days are facts, never deadlines.
      if (/(?:last|since|past|letzten|vergangenen)\s+$/u.test(env.lower.slice(Math.max(0, start - 12), start)))
        return null;
      const after = env.lower.slice(start + m[0].length);
      if (/^\s+(?:dernier|passé)/u.test(after)) return null;
      // "Sat down with Raj", "Sun Life": a short form that is also a word only counts where a date would stand.
      if (
        NEEDS_CAPITAL.has(m.groups?.wd ?? '') &&
        /^\s+(?!(?:morning|afternoon|evening|night|am|pm|a\.m|p\.m|eod|cob|eob)(?![\p{L}]))[\p{L}]/u.test(after)
      ) {
        return null;
      }
      return at(m, { due: nextWeekday(env.meeting, wd), weekday: m[0].includes(' ') ? null : wd });
    },
  ],
  // Days.
  [
    rx(
      `${L}(?:later today|today|tonight|this (?:morning|afternoon|evening)|heute(?:\\s+(?:abend|nachmittag|morgen|früh))?|aujourd'hui|ce soir|cet après-midi)${R}`,
    ),
    relative(true, (env) => env.meeting),
  ],
  [
    rx(`${L}(?:eod|eob|cob|end of (?:the )?(?:business )?day|close of business|feierabend|fin de (?:la )?journée)${R}`),
    (m, env) => at(m, { due: env.meeting, inherent: true, modifier: true }),
  ],
  // "first thing Monday" is Monday; "first thing" alone is the next morning.
  [
    rx(`${L}first thing(?: in the morning)?${R}`),
    (m, env) => at(m, { due: env.meeting + 1, inherent: true, modifier: true }),
  ],
  [
    rx(`${L}(?<!(?:guten|am)\\s)(?:tomorrow|tmrw|tmr|tomorow|morgen|demain)${R}`),
    relative(true, (env) => env.meeting + 1),
  ],
  [rx(`${L}(?:day after tomorrow|übermorgen|après-demain|apres-demain)${R}`), relative(true, (env) => env.meeting + 2)],
  ...[
    `(?:in|within|dans|innerhalb von|binnen)\\s+(?:the\\s+next\\s+)?${NUM}\\s+${UNIT}`,
    `${NUM}\\s+${UNIT}\\s+from\\s+(?:now|today)`,
  ].map((source): readonly [RegExp, Make] => [rx(`${L}${source}${R}`), inSpan]),
  [
    rx(`${L}(?:(?:the\\s+)?same\\s+day|(?:le\\s+)?même\\s+jour|am\\s+(?:selben|gleichen)\\s+tag)${R}`),
    (m, env) => at(m, { due: env.previous, vague: env.previous === null, inherent: true }),
  ],
  // Vague on purpose: recorded with due null.
  [
    rx(
      `${L}(?:asap|a\\.s\\.a\\.p\\.?|as soon as (?:possible|you can|we can)|at (?:your|the) earliest(?: convenience)?|so bald wie möglich|` +
        'so schnell wie möglich|schnellstmöglich|baldmöglichst|dès que possible|des que possible|au plus vite|no rush|no hurry|no urgency|not urgent|' +
        "no deadline|keine eile|pas d'urgence|rien ne presse|when(?:ever)? you (?:can|get (?:a|the) chance|have (?:a |some )?(?:time|moment|minute|sec|second|chance))|" +
        'whenever|when possible|when done|once done|when ready|once ready|in due course|at some point|sometime|eventually|tbd|tbc|to be confirmed|to be determined|ongoing)(?![\\p{L}\\p{N}_])',
    ),
    vague,
  ],
  [
    rx(
      `${L}(?:once\\s+(?!a\\s+(?:day|week|month|year|quarter)${R})(?!(?:more|again)${R})|as soon as\\s+(?!possible${R})|sobald\\s+|dès que\\s+(?!possible${R}))` +
        "[\\p{L}'][\\p{L}'-]*(?:\\s+[\\p{L}'][\\p{L}'-]*){0,2}",
    ),
    vague,
  ],
  [
    rx(
      `${L}(?:(?:(?:from|starting|beginning|early|late|mid|by|in|during|before|after|until|till)\\s+)?next\\s+month|nächsten\\s+monat|(?:le\\s+|du\\s+)?mois\\s+prochain|` +
        `(?:(?:early|mid|later|sometime)\\s+)?next\\s+week|nächste\\s+woche|(?:la\\s+)?semaine\\s+prochaine|` +
        'in\\s+(?:a\\s+)?(?:few|couple(?:\\s+of)?)\\s+(?:days|weeks)|in\\s+the\\s+coming\\s+(?:days|weeks)|in\\s+den\\s+nächsten\\s+tagen|dans\\s+les\\s+prochains\\s+jours)' +
        R,
    ),
    vague,
  ],
  // Quarters are fiscal and differ by company: never a date.
  [
    rx(
      `${L}(?:(?:by|in|before|during|until|till|end\\s+of|start\\s+of|early|late|mid|after|from|bis|vor|avant|d'ici|fin|début)\\s+(?:the\\s+)?(?:q[1-4]|h[12])(?:\\s*'?(?:20)?\\d{2})?|` +
        'eoq|end\\s+of\\s+(?:the\\s+|this\\s+)?quarter|(?:next|this|following)\\s+quarter|quartalsende|nächste[nms]?\\s+quartal|(?:le\\s+)?trimestre\\s+prochain|fin\\s+du\\s+trimestre)' +
        R,
    ),
    vague,
  ],
  // A bare "Q1" only counts after a deadline word ("target Q1", "– Q1"): "the Q1 plan" names the plan.
  [rx(`${L}(?:q[1-4]|h[12])(?:\\s*'?(?:20)?\\d{2})?${R}`), (m) => at(m, { vague: true, needsContext: true })],
  [
    rx(
      `${L}(?:before\\s+the\\s+(?:holiday(?:s|\\s+break|\\s+season)?|break|christmas\\s+break|xmas\\s+break|summer\\s+break|shutdown)|over\\s+the\\s+holidays|` +
        'after\\s+the\\s+holidays|vor\\s+den\\s+feiertagen|avant\\s+les\\s+(?:vacances|fêtes))' +
        R,
    ),
    vague,
  ],
  [
    rx(
      `${L}(?:(?<!(?:no|not|at the)\\s)later(?!\\s+than)|soon|shortly|bald|demnächst|bientôt|plus\\s+tard|prochainement)${R}`,
    ),
    vague,
  ],
  // A month with no day: "in January", "mid-December", "by Jan".
  [
    rx(
      `${L}(?:in|by|before|during|until|till|from|after|early|late|mid|im|ab|bis|en|début|courant|d'ici)(?:\\s+|\\s*-\\s*)(?:the\\s+)?(?:middle\\s+of\\s+)?${MON}\\.?(?!\\s*\\d)`,
    ),
    (m, env) => (monthIn(m, env) === null ? null : vague(m, env)),
  ],
  // Numeric dates.
  [rx(`${L}(?<y>\\d{4})([-/])(?<m>\\d{1,2})\\2(?<d>\\d{1,2})${R}`), isoDate],
  [
    rx(
      '(?<![\\p{L}\\p{N}_/.,$€£#:+-])(\\d{1,2})([/.-])(\\d{1,2})(?:\\2(\\d{4}|\\d{2}))?(?![\\p{L}\\p{N}_%]|[/.,-]\\d)',
    ),
    numericDate,
  ],
  [
    rx(`${L}(?:(?<the>the)\\s+)?(?<d>\\d{1,2})(?:st|nd|rd|th)${R}(?!\\s*(?:of\\s+)?(?:${MONTH_WORDS})${R})`),
    ordinalDate,
  ],
  [
    rx(
      `${L}(?:(?:bis|vor)\\s+(?:zum|dem)\\s+(?<d>\\d{1,2})\\.(?!\\d|\\s*(?:${MONTH_WORDS})${R})|(?:d'ici|avant|pour)\\s+le\\s+(?<d2>\\d{1,2})(?:er)?(?![\\p{L}\\p{N}/.%]|\\s*(?:${MONTH_WORDS})${R}))`,
    ),
    (m, env) => {
      const due = nextDayOfMonth(env.meeting, Number(m.groups?.d ?? m.groups?.d2));
      return due === null ? null : at(m, { due, inherent: true });
    },
  ],
];

/** "in two weeks", "in 3 days", "dans deux semaines": counted from the meeting day. */
function inSpan(m: RegExpMatchArray, env: Env): Candidate | null {
  const word = m.groups?.n ?? '';
  const n = NUMBER_WORDS[word] ?? Number(word);
  const unit = m.groups?.unit ?? '';
  if (!Number.isInteger(n) || n < 1 || n > 60) return null;
  const due = /^(?:w|s)/u.test(unit)
    ? env.meeting + 7 * n
    : /^(?:mo|mois)/u.test(unit)
      ? addMonths(env.meeting, n)
      : env.meeting + n;
  return at(m, { due, inherent: true });
}

function isoDate(m: RegExpMatchArray): Candidate | null {
  const due = dayOf(Number(m.groups?.y), Number(m.groups?.m), Number(m.groups?.d));
  return due === null ? null : at(m, { due });
}

function numericDate(m: RegExpMatchArray, env: Env): Candidate | null {
  const a = Number(m[1]);
  const sep = m[2];
  const b = Number(m[3]);
  const yearText = m[4];
  const end = (m.index ?? 0) + m[0].length;
  // "support 24/7" is round the clock; "by 24/7" and "24/07" are 24 July.
  const deadlineBefore = /\b(?:by|before|due|on|until|till|bis|avant)\s*$/.test(env.lower.slice(0, m.index ?? 0));
  if (sep === '/' && a === 24 && m[3] === '7' && !deadlineBefore) return null;
  if (UNIT_AFTER.test(env.lower.slice(end))) return null; // "3-5 days", "1/2 day"
  const year = yearText === undefined ? null : yearText.length === 2 ? 2000 + Number(yearText) : Number(yearText);
  const read = (day: number, month: number): Day | null =>
    year === null ? nextOccurrence(env.meeting, month, day) : dayOf(year, month, day);
  // Nobody writes month.day with dots: "4.12." is German/Dutch for 4 December whatever the sender's order.
  const dayFirst = sep === '.' || env.ctx.order === 'dmy';
  const primary = dayFirst ? read(a, b) : read(b, a);
  const swapped = dayFirst ? read(b, a) : read(a, b);
  // 23/10 from a US sender can only be 23 October.
  const due = primary ?? swapped;
  if (due === null) return null;
  const trailingDot = sep === '.' && env.lower[end] === '.';
  return at(m, {
    due,
    end: end + (trailingDot ? 1 : 0),
    needsContext: sep === '-' || (sep === '.' && !trailingDot && year === null),
    withWeekday: (wd) => [primary, swapped].find((d) => d !== null && weekdayOf(d) === wd) ?? due,
  });
}

function ordinalDate(m: RegExpMatchArray, env: Env): Candidate | null {
  const dayOfMonth = Number(m.groups?.d);
  const hasThe = m.groups?.the !== undefined;
  // "the 3rd party", "the 2nd call": an ordinal that counts something.
  const following = /^\s+([\p{L}][\p{L}-]*)/u.exec(env.lower.slice((m.index ?? 0) + m[0].length))?.[1];
  if (hasThe && following !== undefined && !FOLLOW_STOP.has(following)) return null;
  const due = nextDayOfMonth(env.meeting, dayOfMonth);
  if (due === null) return null;
  return at(m, { due, needsContext: !hasThe, withWeekday: (wd) => nextDayOfMonth(env.meeting, dayOfMonth, wd) });
}

// chrono is quadratic on long whitespace runs and slow on long text: it only ever sees a short window
// around a month name, and only month-name dates are taken from it.
const CHRONO_WINDOW = 28;
const MONTH_TOKEN = rx(`${L}${MON}`);
const PARSERS: Readonly<Record<DueLanguage, Chrono>> = { en: enStrict, de: deStrict, fr: frStrict };

function chronoDates(env: Env): Candidate[] {
  const found: Candidate[] = [];
  // The notes' language first; each parser only runs when the ones before it found nothing (chrono was a fifth of the
  // time of reading the corpus).
  const order = [...new Set<DueLanguage>([env.ctx.language ?? 'en', 'en', 'de', 'fr'])];
  const { y, m: month, d } = partsOf(env.meeting);
  const reference = { instant: new Date(Date.UTC(y, month - 1, d, 12)), timezone: 0 };
  for (const token of matchesIn(MONTH_TOKEN, env.lower)) {
    if (monthIn(token, env) === null) continue;
    const tokenStart = token.index ?? 0;
    const tokenEnd = tokenStart + token[0].length;
    if (found.some((c) => c.start <= tokenStart && c.end >= tokenEnd)) continue;
    let from = Math.max(0, tokenStart - CHRONO_WINDOW);
    let to = Math.min(env.text.length, tokenEnd + CHRONO_WINDOW);
    // Cut at spaces so that "115 Dec" never becomes "15 Dec".
    while (from > 0 && from < tokenStart && env.text[from - 1] !== ' ') from++;
    while (to < env.text.length && to > tokenEnd && env.text[to] !== ' ') to--;
    const chunk = env.text.slice(from, to);
    let hit: ParsedResult | undefined;
    for (const language of order) {
      hit = PARSERS[language]
        .parse(chunk, reference)
        .find(
          (r) =>
            r.start.isCertain('day') &&
            r.start.isCertain('month') &&
            from + r.index <= tokenStart &&
            from + r.index + r.text.length >= tokenEnd,
        );
      if (hit) break;
    }
    if (!hit) continue;
    const hitMonth = hit.start.get('month');
    const hitDay = hit.start.get('day');
    if (hitMonth === null || hitDay === null) continue;
    const year = hit.start.isCertain('year') ? hit.start.get('year') : null;
    const due = year === null ? nextOccurrence(env.meeting, hitMonth, hitDay) : dayOf(year, hitMonth, hitDay);
    if (due === null) continue;
    const start = from + hit.index;
    found.push(span(start, start + hit.text.length, { due }));
  }
  return found;
}

// ---------- Reading a line ----------

/** Long enough for a prose paragraph written as one line; anything longer is not one action item. */
const MAX_LINE = 2000;

interface Normalised {
  text: string;
  lower: string;
  /** For each character of `text`, its index in the original line. */
  origin: number[];
}

/** Curly quotes to straight, whitespace runs to one space, lower case kept index-for-index with the text. */
function normalise(line: string): Normalised {
  let text = '';
  let lower = '';
  const origin: number[] = [];
  // Whether the text so far is empty or ends in a space: a whitespace character then adds nothing.
  let afterSpace = true;
  for (let i = 0; i < line.length && text.length < MAX_LINE; i++) {
    const code = line.charCodeAt(i);
    let ch: string;
    let low: string;
    // ASCII without a regex per character: findDue reads every line of the notes at least once, and the tests of
    // each character were a third of its time on the corpus.
    if (code < 0x80) {
      if (code === 0x20 || (code >= 0x09 && code <= 0x0d)) {
        if (afterSpace) continue;
        ch = ' ';
      } else ch = code === 0x60 ? "'" : (line[i] as string);
      low = code >= 0x41 && code <= 0x5a ? String.fromCharCode(code + 0x20) : ch;
    } else {
      ch = line[i] ?? '';
      if (/\s/u.test(ch)) {
        if (afterSpace) continue;
        ch = ' ';
      } else if (/[‘’ʼ´`]/u.test(ch)) ch = "'";
      else if (/[“”„«»]/u.test(ch)) ch = '"';
      const lowered = ch.toLowerCase();
      low = lowered.length === ch.length ? lowered : ch;
    }
    text += ch;
    lower += low;
    origin.push(i);
    afterSpace = ch === ' ';
  }
  const trimmed = text.trimEnd().length;
  return { text: text.slice(0, trimmed), lower: lower.slice(0, trimmed), origin: origin.slice(0, trimmed) };
}

function candidates(line: string, ctx: DueContext, joinAnchors = true): { norm: Normalised; found: Candidate[] } {
  const norm = normalise(line);
  const env: Env = {
    ctx,
    meeting: dayFromIso(ctx.meetingDate),
    next: ctx.nextMeetingDate ? dayFromIso(ctx.nextMeetingDate) : null,
    previous: ctx.previousDue ? dayFromIso(ctx.previousDue) : null,
    text: norm.text,
    lower: norm.lower,
  };
  const all: Candidate[] = [];
  for (const [re, make] of RULES) {
    for (const m of matchesIn(re, norm.lower)) {
      const c = make(m, env);
      if (c) all.push(c);
    }
  }
  all.push(...chronoDates(env));
  return { norm, found: mergeNeighbours(dropOverlaps(all), norm.lower, joinAnchors) };
}

/** Where phrases overlap, the longest reading wins ("end of next week" over "next week"). */
function dropOverlaps(all: Candidate[]): Candidate[] {
  const kept: Candidate[] = [];
  const byLength = [...all].sort(
    (a, b) => b.end - b.start - (a.end - a.start) || Number(a.vague) - Number(b.vague) || a.start - b.start,
  );
  for (const c of byLength) {
    if (!kept.some((k) => c.start < k.end && k.start < c.end)) kept.push(c);
  }
  return kept.sort((a, b) => a.start - b.start);
}

function gap(lower: string, a: Candidate, b: Candidate): string {
  return lower.slice(a.end, b.start);
}

function mergeNeighbours(found: Candidate[], lower: string, joinAnchors: boolean): Candidate[] {
  let list = found;
  // "Wed 11/18", "Thursday 8th", "Friday 27-11": one date; the weekday can settle the day/month order.
  list = mergePairs(list, (a, b) =>
    a.weekday !== null && b.withWeekday !== null && /^[\s,]*$/u.test(gap(lower, a, b))
      ? { ...b, start: a.start, due: b.withWeekday(a.weekday), needsContext: false }
      : null,
  );
  // "EOD tomorrow", "COB Friday", "Friday EOD": the date names the day, EOD only the hour.
  list = mergePairs(list, (a, b) => {
    if (a.modifier && !b.modifier && !b.vague && /^[\s,]*(?:on\s+)?$/u.test(gap(lower, a, b))) {
      return { ...b, start: a.start, inherent: true };
    }
    if (b.modifier && !a.modifier && !a.vague && /^[\s,]*(?:at\s+|by\s+|@\s*)?$/u.test(gap(lower, a, b))) {
      return { ...a, end: b.end, inherent: true };
    }
    return null;
  });
  if (!joinAnchors) return list;
  // "before our next 1:1 (Thursday 8th)": the notes say when it is.
  return mergePairs(list, (a, b) =>
    a.anchor && !b.anchor && !b.vague && b.due !== null && /^[\s,:]*(?:[([]\s*)?(?:on\s+)?$/u.test(gap(lower, a, b))
      ? { ...b, start: a.start, end: lower[b.end] === ')' ? b.end + 1 : b.end, inherent: true, needsContext: false }
      : null,
  );
}

function mergePairs(list: Candidate[], merge: (a: Candidate, b: Candidate) => Candidate | null): Candidate[] {
  const out: Candidate[] = [];
  for (let i = 0; i < list.length; i++) {
    const a = list[i];
    const b = list[i + 1];
    if (!a) continue;
    const merged = b ? merge(a, b) : null;
    if (merged) {
      out.push(merged);
      i++;
    } else out.push(a);
  }
  return out;
}

interface Scored {
  candidate: Candidate;
  score: number;
  start: number;
  end: number;
  alternatives: Day[];
}

/**
 * How much a date looks like the deadline: 4 after a deadline word, 2 plain, 1.8 vague; half a point less
 * inside brackets or quotes ("COB Friday (today)", "(“20 new meetings by Jan 15”)"). A date that describes a noun
 * ("the 10/28 demo", "prep for the Dec 17 session") is not a candidate at all.
 */
function assess(c: Candidate, lower: string): Scored | null {
  const windowStart = Math.max(0, c.start - 48);
  const pre = lower.slice(windowStart, c.start);
  const post = lower.slice(c.end);
  const possessive = /^'s?(?![\p{L}])/u.test(post);
  const determiner = DETERMINER.exec(pre);
  const nounAfter = /^(?:'s?)?\s+([\p{L}][\p{L}\p{N}-]*)/u.exec(post)?.[1];
  const attributive =
    !c.vague &&
    !c.anchor &&
    (possessive || (determiner !== null && nounAfter !== undefined && !FOLLOW_STOP.has(nounAfter)));
  const before = (attributive && determiner ? pre.slice(0, determiner.index) : pre).trimEnd();
  const word = MARKER_WORD.exec(before);
  // A table cell or line that holds nothing but the date is a deadline by position.
  const alone = lower.slice(0, c.start).trim() === '' && post.trim() === '';
  const marked = word !== null || MARKER_PUNCT.test(before) || MARKER_AFTER.test(post) || alone;
  let start = word ? windowStart + word.index : c.start;
  let end = c.end;
  let alternatives = c.alternatives;
  let score: number;
  if (attributive) {
    if (marked) {
      // "before Friday's forecast call": by Friday, or the day before the call.
      const beforeEvent =
        BEFORE_WORD.test(word?.groups?.w ?? '') && nounAfter !== undefined && !DEADLINE_NOUN.test(nounAfter);
      if (beforeEvent && c.due !== null) alternatives = [c.due - 1];
      score = 4;
    } else if (AT_EVENT.test(before)) {
      score = 2;
      start = c.start;
    } else return null;
    end +=
      /^(?:'s?)?(?:\s+(?!(?:and|or|to|for|at|by|with|from|in|on|if|so|but|when|then|as)(?![\p{L}]))[\p{L}][\p{L}\p{N}&-]*){0,2}/u.exec(
        post,
      )?.[0].length ?? 0;
  } else if (c.vague) {
    if (c.needsContext && !marked) return null;
    score = 1.8;
  } else {
    if (c.needsContext && !marked) return null;
    score = c.inherent || marked ? 4 : 2;
  }
  const head = lower.slice(0, c.start);
  const openBrackets = (head.match(/\(/g)?.length ?? 0) - (head.match(/\)/g)?.length ?? 0);
  const openQuotes = (head.match(/"/g)?.length ?? 0) % 2;
  if (openBrackets > 0 || openQuotes > 0) score -= 0.5;
  return { candidate: c, score, start, end, alternatives };
}

/**
 * The due date in one line of action-item text, or null when the line names no date at all.
 *
 * When several dates appear, one introduced by a deadline word (by, before, due, until, EOD, "– Friday") wins
 * over a plain one, and among equals the last one wins.
 */
export function findDue(line: string, ctx: DueContext): DueMatch | null {
  const { norm, found } = candidates(line, ctx);
  let best: Scored | null = null;
  for (const c of found) {
    const scored = assess(c, norm.lower);
    if (scored && (!best || scored.score >= best.score)) best = scored;
  }
  if (!best) return null;
  const first = norm.origin[best.start] ?? 0;
  const last = norm.origin[Math.min(best.end, norm.origin.length) - 1] ?? first;
  const match: DueMatch = {
    due: best.candidate.due === null ? null : isoOf(best.candidate.due),
    phrase: line.slice(first, last + 1),
    index: first,
  };
  if (best.alternatives.length > 0 && best.candidate.due !== null) match.alternatives = best.alternatives.map(isoOf);
  return match;
}

// ---------- The next 1:1 ----------

const NEXT_MEETING = rx(
  `${L}(?:(?<same>same\\s+time)|(?:next|nächste[sr]?|prochaine?)\\s+(?:1:1|1-1|1on1|1-on-1|one-on-one|one on one|meeting|sync|check-in|catch-up|catchup|termin|treffen|gespräch|point|rendez-vous|rdv|réunion|entretien)` +
    '|agenda\\s+for\\s+next\\s+time|see\\s+you(?:\\s+again)?|talk\\s+again|speak\\s+again|meet\\s+again|catch\\s+up\\s+again)' +
    R,
);
/**
 * A word every NEXT_MEETING phrase holds, lower case: a line without one is not normalised and searched (that was
 * most of the time this took, since it reads every line of the notes).
 */
const NEXT_MEETING_WORD = /next|nächste|prochain|same|see|again/;
/** Only filler may stand between "next 1:1" and its date: "is", "moved to", ":", "(". */
const NEXT_MEETING_GAP =
  /^[\s:()\-–—,.]*(?:(?:is|will be|moved to|moves to|now|on|at|set for|scheduled for|booked for|est|ist|am|le|mo|di|mi|do|fr|sa|so|lu|ma|me|je|ve)(?![\p{L}])[\s:,.]*)*$/u;

/**
 * The next 1:1's date when the notes name it: "Next 1:1 Thu 11/19", "next 1:1 moved to …", "Agenda for next time
 * (22/12)", "Prochain 1:1 : jeudi 10 décembre", "see you on the 3rd", "Same time next Wednesday".
 * Quoted lines (">") are older messages and are skipped; the first date found wins.
 */
export function findNextMeetingDate(text: string, ctx: Omit<DueContext, 'nextMeetingDate'>): string | null {
  const meeting = dayFromIso(ctx.meetingDate);
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*>/.test(line) || !NEXT_MEETING_WORD.test(line.toLowerCase())) continue;
    const lower = normalise(line).lower;
    const phrases = matchesIn(NEXT_MEETING, lower);
    if (phrases.length === 0) continue;
    // Unjoined, so that the date after "for next time (" stays a date of its own.
    const { found } = candidates(line, { ...ctx, nextMeetingDate: null }, false);
    for (const phrase of phrases) {
      const after = (phrase.index ?? 0) + phrase[0].length;
      if (phrase.groups?.same && /^\s+next\s+week(?![\p{L}])/u.test(lower.slice(after))) return isoOf(meeting + 7);
      const date = found.find(
        (c) =>
          c.start >= after &&
          !c.vague &&
          !c.anchor &&
          c.due !== null &&
          NEXT_MEETING_GAP.test(lower.slice(after, c.start)),
      );
      if (date?.due !== undefined && date.due !== null) return isoOf(date.due);
    }
  }
  return null;
}

// ---------- Numeric date order ----------

/** Country domains whose people write day/month. */
const DMY_DOMAINS = new Set(
  'uk ie in au nz za de nl be fr es it at ch dk se no fi pl pt br ar cl mx sg my hk ae il ru tr gr cz hu ro lu is'.split(
    ' ',
  ),
);

/**
 * How this sender writes numeric dates. In order: unambiguous dates in the text (23/11 or 11/23), the
 * Content-Language region, the addresses' country domains, then the Date header's offset (the Americas from
 * −10:00 to −03:30 write month/day; the rest of the world day/month), then phone codes and currency in the text.
 * With no signal at all: month/day.
 */
export function guessDateOrder(signals: DateOrderSignals): DateOrder {
  return (
    orderFromDates(signals.text) ??
    orderFromLanguage(signals.contentLanguage) ??
    orderFromAddresses(signals.addresses) ??
    orderFromOffset(signals.utcOffsetMinutes) ??
    orderFromHints(signals.text) ??
    'mdy'
  );
}

function orderFromDates(text: string): DateOrder | null {
  let dmy = 0;
  let mdy = 0;
  const numeric =
    /(?<![\p{L}\p{N}_/.,$€£#:+-])(\d{1,2})([/.-])(\d{1,2})(?:\2(?:\d{4}|\d{2}))?(?![\p{L}\p{N}_%]|[/.,-]\d)/gu;
  for (const m of text.slice(0, 100_000).matchAll(numeric)) {
    const a = Number(m[1]);
    const b = Number(m[3]);
    if (a === 24 && b === 7) continue;
    if (UNIT_AFTER.test(text.slice((m.index ?? 0) + m[0].length))) continue;
    if (a > 12 && a <= 31 && b >= 1 && b <= 12) dmy++;
    else if (b > 12 && b <= 31 && a >= 1 && a <= 12) mdy++;
  }
  return dmy > mdy ? 'dmy' : mdy > dmy ? 'mdy' : null;
}

function orderFromLanguage(contentLanguage: string | null): DateOrder | null {
  const tag = contentLanguage?.split(',')[0]?.trim().toLowerCase();
  if (!tag) return null;
  const [language, region] = tag.split(/[-_]/);
  if (region) return region === 'us' || region === 'ph' ? 'mdy' : region === 'ca' ? null : 'dmy';
  if (!language || language === 'en') return null;
  return language === 'zh' || language === 'ja' || language === 'ko' ? 'mdy' : 'dmy';
}

function orderFromAddresses(addresses: string[]): DateOrder | null {
  let dmy = 0;
  let mdy = 0;
  for (const address of addresses) {
    const tld =
      address
        .toLowerCase()
        .split('.')
        .at(-1)
        ?.replace(/[^a-z]/g, '') ?? '';
    if (DMY_DOMAINS.has(tld)) dmy++;
    else if (tld === 'us') mdy++;
  }
  return dmy > mdy ? 'dmy' : mdy > dmy ? 'mdy' : null;
}

function orderFromOffset(offset: number | null): DateOrder | null {
  if (offset === null) return null;
  return offset >= -600 && offset <= -210 ? 'mdy' : 'dmy';
}

function orderFromHints(text: string): DateOrder | null {
  const sample = text.slice(0, 100_000);
  const dmy =
    sample.match(/\+(?:44|353|91|61|64|49|31|33|32|41|43)[\s(]|£|€|\b(?:UK|Ltd|Pvt|GmbH|B\.V\.)(?![\p{L}])/gu)
      ?.length ?? 0;
  const mdy =
    sample.match(/\+1[\s-]\(?\d{3}|\(\d{3}\)\s?\d{3}-\d{4}|\b\d{3}-\d{3}-\d{4}\b|\b(?:Inc|LLC)(?![\p{L}])/gu)?.length ??
    0;
  return dmy > mdy ? 'dmy' : mdy > dmy ? 'mdy' : null;
}
