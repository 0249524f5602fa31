/**
 * Reading a reply to one of our emails: what the person wrote above the quoted mail, and the commands in it
 * ("done 2", "2 due friday", "snooze 3 until monday", "assign 4 to Jordan").
 *
 * One command per line, so that a sentence that merely mentions a number never changes an item: a line is either a
 * whole command or it is reported back as not understood. Dates are read by findDue, relative to the sender's own
 * calendar day, with the same vocabulary as the notes (EOW, next Tuesday, 12/4 in the sender's order).
 */
import EmailReplyParser from 'email-reply-parser';
import { builtPattern } from '../built-patterns';
import { type DateOrder, findDue, NUMBER_WORDS } from '../due-date';
import { addDays } from '../email/message-date';

export type ReplyCommand =
  | { action: 'done' | 'drop'; numbers: number[]; line: string }
  /** until: YYYY-MM-DD; null when the reply named no date (one week, by the item rules). */
  | { action: 'snooze'; numbers: number[]; until: string | null; line: string }
  | { action: 'due'; numbers: number[]; due: string; line: string }
  /** owner: as written ("Jordan", "jordan.lee@acme.example", "me"); matching it to a person is the caller's job. */
  | { action: 'owner'; numbers: number[]; owner: string; line: string };

export interface ParsedReply {
  commands: ReplyCommand[];
  /** Lines that held no command, as written (trimmed, at most 200 characters each, at most 10). */
  notUnderstood: string[];
}

export interface ReplyContext {
  /** The sender's local date, YYYY-MM-DD: "friday" is the first Friday after it. */
  today: string;
  dateOrder: DateOrder;
}

const MAX_INPUT = 20_000;
// email-reply-parser's header regexes are cubic in the length of a line and, across lines, in the length of the
// text (a 20,000-character line takes 11 s, 8,000 characters of "xxx. skrev" lines 0.4 s): it only ever sees short
// lines and, with the quoted history already cut or collapsed, at most this much text.
const MAX_LINE = 1_000;
const MAX_PARSER_INPUT = 4_000;
const MAX_NOT_UNDERSTOOD = 10;
const MAX_NOT_UNDERSTOOD_CHARS = 200;
const MAX_NUMBER = 999;
/** "done 1-40" is a clean-up; a wider range is a typo. */
const MAX_RANGE = 50;

// ---------- The new text of a reply ----------

/**
 * The new text of a reply: quoted history, forwarded mail and signatures removed. email-reply-parser finds the
 * ">"-quoted parts and signatures; history that mail apps send unquoted (Outlook's "From: … Sent: …" block,
 * "-----Original Message-----", an "On … wrote:" line over unquoted text, our own "-- " footer) is cut here, since
 * the library leaves it in.
 */
export function visibleReplyText(text: string): string {
  const lines = text
    .slice(0, MAX_INPUT)
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.slice(0, MAX_LINE));
  const head = lines.slice(0, historyStart(lines));
  const visible = new EmailReplyParser()
    .parseReply(upTo(collapseQuotes(head), MAX_PARSER_INPUT))
    .replace(/\r\n?/g, '\n')
    .split('\n');
  return visible
    .slice(0, historyStart(visible))
    .filter((line) => !isQuoted(line) && !isAttribution(line))
    .join('\n')
    .trim();
}

/** Lines that begin history the sender did not write: everything from the first of them on is cut. */
function historyStart(lines: string[]): number {
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line === '' || isQuoted(line)) continue;
    if (
      /^--$/.test(line) ||
      /^_{10,}$/.test(line) ||
      /^-{2,}\s*(?:original message|ursprüngliche nachricht|message d'origine|mensaje original)\s*-{2,}$/i.test(line) ||
      /^-{2,}\s*forwarded message\s*-{2,}$/i.test(line) ||
      /^begin forwarded message:?$/i.test(line) ||
      isHeaderBlock(lines, i)
    ) {
      return i;
    }
    if (isAttribution(line) || isAttribution(`${line} ${(lines[i + 1] ?? '').trim()}`)) {
      // Over ">"-quoted lines the attribution is the library's to hide, and text below the quote is still new.
      const next = lines.slice(i + 1).find((l) => l.trim() !== '' && !isAttribution(`${line} ${l.trim()}`));
      if (next === undefined || !isQuoted(next.trim())) return i;
    }
  }
  return lines.length;
}

/** Outlook's reply header: "From: …" with "Sent: …" or "Date: …" in the next few lines. */
function isHeaderBlock(lines: string[], index: number): boolean {
  if (!/^\*?(?:from|von|de|van|da)\s?:\*?\s*\S/i.test((lines[index] ?? '').trim())) return false;
  return lines
    .slice(index + 1, index + 4)
    .some((l) => /^\*?(?:sent|date|gesendet|datum|envoyé|verzonden|inviato|enviado)\s?:/i.test(l.trim()));
}

/** "On Thu, Nov 12, 2026 at 5:47 PM Followthrough <notes@…> wrote:" and its translations. */
function isAttribution(line: string): boolean {
  const text = line.trim();
  return (
    text.length <= 2 * MAX_LINE &&
    /^(?:on|am|le|el|il|op)\s.*\s(?:wrote|schrieb|a écrit|escribió|ha scritto|schreef):?$/i.test(text)
  );
}

function isQuoted(line: string): boolean {
  return line.trimStart().startsWith('>');
}

/** A run of ">" lines becomes one: the library only needs to see that there was a quote, not all of it. */
function collapseQuotes(lines: string[]): string[] {
  return lines.filter((line, i) => !(isQuoted(line) && i > 0 && isQuoted(lines[i - 1] ?? '')));
}

function upTo(lines: string[], max: number): string {
  let text = '';
  for (const line of lines) {
    if (text.length + line.length + 1 > max) break;
    text += `${line}\n`;
  }
  return text;
}

// ---------- Commands ----------

const DONE_WORDS: Readonly<Record<string, 'done' | 'drop'>> = {
  done: 'done',
  finished: 'done',
  closed: 'done',
  complete: 'done',
  completed: 'done',
  drop: 'drop',
  dropped: 'drop',
  cancel: 'drop',
  cancelled: 'drop',
  canceled: 'drop',
  remove: 'drop',
  removed: 'drop',
  delete: 'drop',
  deleted: 'drop',
};
const VERB = `(?<verb>${Object.keys(DONE_WORDS).join('|')})`;

// Whitespace is collapsed to single spaces before these run, so no two parts of a pattern compete for the same
// characters and every match is linear.
const ITEM = '#?\\d{1,4}(?: ?[-–] ?#?\\d{1,4})?';
const SEP = '(?: ?, ?(?:and )?| ?& ?| ?\\+ ?| and )';
const NUMS = `(?:(?:items?|nos?\\.?|numbers?) )?(?<nums>${ITEM}(?:${SEP}${ITEM})*)`;
/** Between a leading number and its verb: "2 done", "2. done", "2: done", "2 - done", "1 and 3 are done". */
const AFTER_NUMS = '(?: ?[:.)] ?| ?[-–—] | is | are | )(?:now )?';
const NAME = "(?<name>[^\\s@]{1,64}@[^\\s@]{1,255}|[\\p{L}][\\p{L}.'-]*(?: [\\p{L}][\\p{L}.'-]*){0,3})";
const TO_NAME = '(?: ?[:=,]| ?->| ?→| is| to)? ';

// The s flag: with a line terminator left in a line, `.+$` would fail after every way of splitting the numbers, each
// time after reading to the end of the line.
function rx(source: string): RegExp {
  return builtPattern(`^${source}$`, 'isu');
}

/** A command before the line it came from is attached. */
type CommandBody = ReplyCommand extends infer C ? (C extends unknown ? Omit<C, 'line'> : never) : never;
type Groups = Record<string, string | undefined>;
type Reader = (groups: Groups, context: ReplyContext) => CommandBody | null;

const GRAMMAR: readonly (readonly [RegExp, Reader])[] = [
  // done 2 · drop 1, 3 · finished #2 · 2 done · 1 and 3 are done · mark 2 as done
  [rx(`${VERB}(?: ?: ?| )${NUMS}`), doneOrDrop],
  [rx(`${NUMS}${AFTER_NUMS}${VERB}`), doneOrDrop],
  [rx(`mark ${NUMS} (?:as )?${VERB}`), doneOrDrop],
  // snooze 3 · snooze 3 until monday · snooze 3 for 2 weeks · 3 snooze to 12/1
  [rx(`snoozed?(?: ?: ?| )${NUMS}(?: (?<rest>.+))?`), snooze],
  [rx(`${NUMS}${AFTER_NUMS}snoozed?(?: (?<rest>.+))?`), snooze],
  // due 2 friday · 2 due 12/4 · 2 is due by EOW · move 2 to next tuesday
  [rx(`due(?: date)?(?: ?: ?| )${NUMS}(?: ?[:,]| (?:on|by|to|is|=|->|→))? (?<date>.+)`), due],
  [rx(`${NUMS}${AFTER_NUMS}(?:is )?due(?: date)?(?: ?[:,]| (?:on|by|to|is|=|->|→))? (?<date>.+)`), due],
  [rx(`(?:move|push|postpone|reschedule) ${NUMS} (?:to|until|till) (?<date>.+)`), due],
  // owner 2 jordan · 2 owner: Jordan Lee · assign 2 to jordan · 2 is jordan's
  [rx(`owner(?: (?:of|for))?(?: ?: ?| )${NUMS}${TO_NAME}${NAME}`), owner],
  [rx(`${NUMS}${AFTER_NUMS}(?:new )?owner${TO_NAME}${NAME}`), owner],
  [rx(`(?:re)?assign ${NUMS} to ${NAME}`), owner],
  [rx(`${NUMS} is ${NAME}'s`), owner],
];

/**
 * The commands in a reply, one per line. Reads only the new text (visibleReplyText), skips greetings, and stops at a
 * sign-off ("Thanks", "Best", …) once no command follows it, so the name under it is not reported back. A line
 * that is not a whole command is never acted on: it goes to notUnderstood, for the confirmation to show.
 */
export function parseReplyCommands(text: string, context: ReplyContext): ParsedReply {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(context.today) || Number.isNaN(Date.parse(context.today))) {
    throw new RangeError(`Not a calendar date (YYYY-MM-DD): ${context.today}`);
  }
  const lines = visibleReplyText(text)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !isQuoted(line));
  const read = lines.map((line) => {
    const body = tidy(line);
    if (body === '') return { line, kind: 'blank' as const };
    if (isSignOff(body)) return { line, kind: 'sign-off' as const };
    const command = readCommand(body, context);
    return command === null ? { line, body, kind: 'other' as const } : { line, kind: 'command' as const, command };
  });
  const lastCommand = read.findLastIndex((r) => r.kind === 'command');
  const signOff = read.findIndex((r, i) => r.kind === 'sign-off' && i > lastCommand);
  const end = signOff < 0 ? read.length : signOff;

  const commands: ReplyCommand[] = [];
  const notUnderstood: string[] = [];
  let started = false;
  read.slice(0, end).forEach((r, i) => {
    if (r.kind === 'command') {
      commands.push({ ...r.command, line: r.line });
      started = true;
    } else if (r.kind === 'other') {
      if (!started && isGreeting(r.body)) return;
      // "Dana" or "– D" closing a reply that has no "Thanks" above it.
      if (i === end - 1 && end === read.length && commands.length > 0 && isNameLine(r.body)) return;
      started = true;
      if (notUnderstood.length < MAX_NOT_UNDERSTOOD) notUnderstood.push(clip(r.line));
    }
  });
  return { commands, notUnderstood };
}

function readCommand(body: string, context: ReplyContext): CommandBody | null {
  for (const [pattern, reader] of GRAMMAR) {
    const groups = pattern.exec(body)?.groups;
    const command = groups === undefined ? null : reader(groups, context);
    if (command !== null) return command;
  }
  return null;
}

function doneOrDrop(groups: Groups): CommandBody | null {
  const numbers = numbersIn(groups.nums);
  const action = DONE_WORDS[(groups.verb ?? '').toLowerCase()];
  return numbers === null || action === undefined ? null : { action, numbers };
}

function snooze(groups: Groups, context: ReplyContext): CommandBody | null {
  const numbers = numbersIn(groups.nums);
  if (numbers === null) return null;
  if (groups.rest === undefined) return { action: 'snooze', numbers, until: null };
  const until = snoozeEnd(groups.rest, context);
  return until === null || until <= context.today ? null : { action: 'snooze', numbers, until };
}

function due(groups: Groups, context: ReplyContext): CommandBody | null {
  const numbers = numbersIn(groups.nums);
  const date = readDate(groups.date ?? '', context);
  return numbers === null || date === null || date < context.today ? null : { action: 'due', numbers, due: date };
}

const NOT_NAMES = new Set(['is', 'to', 'of', 'for', 'the', 'and', 'by', 'on', 'due', 'done', 'owner']);

function owner(groups: Groups): CommandBody | null {
  const numbers = numbersIn(groups.nums);
  const name = groups.name ?? '';
  if (numbers === null || NOT_NAMES.has(name.toLowerCase())) return null;
  return { action: 'owner', numbers, owner: name };
}

/** "1, 3", "#2 and #4", "1-3": each a positive whole number up to 999, in the order written, once each. */
function numbersIn(text: string | undefined): number[] | null {
  if (text === undefined) return null;
  const numbers: number[] = [];
  for (const item of text.split(/ ?, ?(?:and )?| ?& ?| ?\+ ?| and /i)) {
    const range = /^#?(\d+)(?: ?[-–] ?#?(\d+))?$/.exec(item);
    if (!range) return null;
    const from = Number(range[1]);
    const to = range[2] === undefined ? from : Number(range[2]);
    if (from < 1 || to > MAX_NUMBER || to < from || to - from >= MAX_RANGE) return null;
    for (let n = from; n <= to; n++) if (!numbers.includes(n)) numbers.push(n);
  }
  return numbers.length > 0 ? numbers : null;
}

/** "1 week", "for 2 weeks", "until monday", "to 12/1", "next week" (its Monday). */
function snoozeEnd(rest: string, context: ReplyContext): string | null {
  const phrase = rest.replace(/^(?:to|until|till|til|'til|for|by) /i, '');
  const span =
    /^(?<n>\d{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten) ?(?<unit>days?|weeks?|wks?|months?)$/i.exec(
      phrase,
    );
  if (span?.groups) {
    const word = (span.groups.n ?? '').toLowerCase();
    const n = NUMBER_WORDS[word] ?? Number(word);
    const unit = (span.groups.unit ?? '').toLowerCase();
    if (unit.startsWith('d')) return n <= 365 ? addDays(context.today, n) : null;
    if (unit.startsWith('w')) return n <= 52 ? addDays(context.today, 7 * n) : null;
    return n <= 12 ? addMonths(context.today, n) : null;
  }
  if (/^next week$/i.test(phrase)) {
    const weekday = (new Date(`${context.today}T00:00:00Z`).getUTCDay() + 6) % 7;
    return addDays(context.today, 7 - weekday);
  }
  return readDate(phrase, context);
}

/**
 * The date a phrase names, when the whole phrase is that date ("friday", "next tue", "12/4", "Dec 4", "EOW").
 * Words are capitalised first: in a date slot "mon" is Monday, which findDue only believes of "Mon".
 */
function readDate(text: string, context: ReplyContext): string | null {
  const phrase = text
    .trim()
    .replace(/^(?:on|by|to|until|till) /i, '')
    .replace(/(?<![\p{L}'])\p{Ll}/gu, (c) => c.toUpperCase());
  const match = findDue(phrase, { meetingDate: context.today, order: context.dateOrder, nextMeetingDate: null });
  if (!match || match.due === null || match.alternatives !== undefined) return null;
  return match.index === 0 && match.phrase.length === phrase.length ? match.due : null;
}

function addMonths(date: string, months: number): string {
  const [y = 0, m = 1, d = 1] = date.split('-').map(Number);
  const first = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  return new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), Math.min(d, last))).toISOString().slice(0, 10);
}

// ---------- Lines that are not commands ----------

/** Bullets, Markdown emphasis, curly apostrophes, runs of spaces and trailing punctuation go; "?" stays. */
function tidy(line: string): string {
  let text = line.replace(/[‘’ʼ]/g, "'").split(/\s+/).join(' ').trim();
  while (/^[-*•·‣◦–—_]/.test(text)) text = text.slice(1).trimStart();
  while (/[.!,;*_ ]$/.test(text)) text = text.slice(0, -1);
  return text;
}

const SIGN_OFF =
  /^(?:thanks|thank you|thanks again|many thanks|thx|ty|cheers|best|best regards|kind regards|warm regards|regards|all the best|best wishes|sincerely|talk soon|br)(?: so much| all| everyone| team)?(?:,? \p{L}[\p{L}'.-]*)?$/iu;

function isSignOff(body: string): boolean {
  return SIGN_OFF.test(body) || /^sent from my /i.test(body);
}

function isGreeting(body: string): boolean {
  return /^(?:hi|hey|hello|hiya|dear|morning|good morning|good afternoon)(?: \p{L}[\p{L}'.-]*){0,2}$/iu.test(body);
}

function isNameLine(body: string): boolean {
  return /^\p{Lu}[\p{L}'.-]*(?: \p{Lu}[\p{L}'.-]*)?$/u.test(body);
}

function clip(line: string): string {
  return line.length <= MAX_NOT_UNDERSTOOD_CHARS ? line : `${line.slice(0, MAX_NOT_UNDERSTOOD_CHARS - 1)}…`;
}
