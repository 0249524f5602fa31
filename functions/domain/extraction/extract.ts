import { builtPattern } from '../built-patterns';
import { type DueContext, type DueMatch, findDue, findNextMeetingDate, guessDateOrder } from '../due-date';
import { addDays } from '../email/message-date';
import type { NotesMessage } from '../email/read-notes';
import { InvalidInputError } from '../errors';
import type { ExtractedItem, Extraction, ItemFlag, ItemSection, Person } from '../model';
import { fold, OwnerResolver, type ResolvedOwner, spokenName } from './owners';
import {
  ACTION_VERBS,
  DONE,
  DONE_CELL,
  isBoilerplate,
  SECTION_PATTERNS,
  type SectionKind,
  STATUS_CELL,
  VAGUE,
} from './vocabulary';

export interface ExtractOptions {
  /** The service's own inbox addresses: never attendees. */
  inboxAddresses: string[];
}

/**
 * Finds the action items in a meeting's notes. Pure: the meeting's date comes from the message, never a clock.
 *
 * 1. The meeting: the original message's local date (a day earlier when the notes recap "yesterday's 1:1"),
 *    its From/To/Cc minus our inbox, its author.
 * 2. The notes become logical lines (hard-wrapped lines joined), each known by the section heading above it.
 * 3. A line is an item when it is a commitment: in an action section any open task line; elsewhere only an
 *    explicit one ("Name: …", "Name to …", "I'll …", "please …"). Done, questions and discussion are not.
 * 4. Each item gets its owner (resolved to an attendee where possible) and due date (meeting-local).
 */
export function extract(notes: NotesMessage, options: ExtractOptions): Extraction {
  const inbox = new Set(options.inboxAddresses.map((a) => a.toLowerCase()));
  const original = notes.original;
  const attendees = uniquePeople([original.from, ...original.to, ...original.cc]).filter((p) => !inbox.has(p.address));
  const written = original.date ?? notes.outerDate;
  if (!written) {
    throw new InvalidInputError(
      'Date',
      'The email has no Date header that can be read, so the day of the meeting is unknown.',
    );
  }
  const meetingDate =
    /\byesterday['’]?s\b[^.\n]{0,40}\b(?:1[:-]1|one[- ]on[- ]one|meeting|call|chat|catch[- ]?up|session)/i.test(
      notes.body,
    )
      ? addDays(written.date, -1)
      : written.date;
  const order = guessDateOrder({
    utcOffsetMinutes: written.offsetMinutes ?? notes.outerDate?.offsetMinutes ?? null,
    contentLanguage: notes.contentLanguage,
    text: notes.body,
    addresses: notes.addresses,
  });
  const author = original.from && !inbox.has(original.from.address) ? original.from : null;
  const baseContext = { meetingDate, order, language: languageOf(notes) };
  const nextMeetingDate = findNextMeetingDate(notes.body, baseContext);
  const context: DueContext = { ...baseContext, nextMeetingDate };
  const resolver = new OwnerResolver({ attendees, author });
  const { items, agenda } = extractItems(notes.body, { resolver, context });
  return {
    meeting: {
      date: meetingDate,
      sentAt: written.instant,
      utcOffsetMinutes: written.offsetMinutes,
      timeZone: null,
      subject: original.subject,
      attendees,
      author,
      nextMeetingDate,
      agenda,
    },
    items,
  };
}

function languageOf(notes: NotesMessage): 'en' | 'de' | 'fr' {
  const lang = notes.contentLanguage?.toLowerCase() ?? '';
  if (lang.startsWith('de') || /\b(?:bis|morgen|und|für|heute)\b/i.test(notes.body)) return 'de';
  if (lang.startsWith('fr')) return 'fr';
  return 'en';
}

function uniquePeople(people: Array<Person | null>): Person[] {
  const seen = new Map<string, Person>();
  for (const p of people) if (p && !seen.has(p.address)) seen.set(p.address, p);
  return [...seen.values()];
}

interface Scope {
  resolver: OwnerResolver;
  context: DueContext;
}

interface Section {
  kind: SectionKind;
  /** A heading that names a person ("Ben", "My action items") makes them the owner of the lines below. */
  owner: ResolvedOwner | null;
  /** "Agenda for next time (Wed 28 Oct)": the date items in it are due. */
  due: string | null;
  /** The heading as written: the source of the owner or due date it gives its lines. */
  heading: string | null;
  /** Whether the heading's words say what the section holds ("Next steps"), rather than only whose it is ("Ben"). */
  titled: boolean;
}

// One marker or several ("- [ ] " in Markdown task lists).
const BULLET = /^\s*(?:(?:[-*•·◦▪▸►‣–—+]|\d{1,2}[.)]|\(?[a-z]\)|[a-z]\.(?=\s)|\[[ xX✓✔]?\]|☐|☑|✅|✔|✓|🔲)\s*)+/u;
// A line ends at any of these for `.`, `^` and `$`; a task line can still hold the last three.
const LINE_TERMINATOR = /[\n\r\u2028\u2029]/g;

function nextLineTerminator(text: string, from: number): number {
  LINE_TERMINATOR.lastIndex = from;
  return LINE_TERMINATOR.exec(text)?.index ?? text.length;
}

const isSpace = (ch: string | undefined): boolean => ch !== undefined && /\s/.test(ch);

/**
 * Markdown emphasis says nothing about the task: "**Leo**: send…" is "Leo: send…". The same matches as
 * /(\*\*|__)(\S(?:.*?\S)?)\1/g in one pass: that pattern re-reads the rest of the line from every "**" left open.
 * Like it, the shortest text of two characters or more wins, then a single character ("**a**").
 */
function withoutEmphasis(text: string): string {
  let out = '';
  let copied = 0;
  let lineEnd = -1;
  // Per marker, the end of the line where no closing marker followed an opening one: none follows a later one there.
  const unclosedUntil = { '**': -1, __: -1 };
  for (let at = 0; at < text.length - 2; ) {
    if (at > lineEnd) lineEnd = nextLineTerminator(text, at);
    const marker = text.startsWith('**', at) ? '**' : text.startsWith('__', at) ? '__' : null;
    const start = at + 2;
    if (marker === null || isSpace(text[start])) {
      at++;
      continue;
    }
    let close = -1;
    if (at >= unclosedUntil[marker]) {
      close = text.indexOf(marker, start + 2);
      while (close !== -1 && close <= lineEnd && isSpace(text[close - 1])) close = text.indexOf(marker, close + 1);
      if (close > lineEnd) close = -1;
      if (close === -1) unclosedUntil[marker] = lineEnd;
    }
    if (close === -1 && text.startsWith(marker, start + 1) && start < lineEnd) close = start + 1;
    if (close === -1) {
      at++;
      continue;
    }
    out += text.slice(copied, at) + text.slice(start, close);
    copied = close + 2;
    at = copied;
  }
  return out + text.slice(copied);
}
const CHECKBOX_DONE = /^\s*(?:[-*]\s*)?(?:\[[xX✓✔]\]|☑)/u;
const CHECKBOX_OPEN = /^\s*(?:[-*]\s*)?(?:\[ ?\]|☐|🔲)/u;
// A leading emoji or symbol on a heading ("🎯 Action items") says nothing about its kind.
const LEADING_SYMBOLS = /^(?:\p{Extended_Pictographic}|\p{So}|\uFE0F|\u200D|#|\s)+/u;
const BRACKETED_OWNER = /^\[([^\]]{1,60})\]\s*(?:[^:\n]{1,40}:\s+)?/u;
const UNOWNED = /^(?:owner:?\s*)?(?:TBD|TBC|tbd|tbc|unassigned|nobody yet|\?{1,3})\s*(?:[:–—→-]|->)\s*(?=\S)/iu;
// "Carried over from last week: Dwayne's usage export…": an older item restated, so a task.
const CARRIED_PREFIX =
  /^(?:carr(?:ied|y)[- ]?over|rolled(?: over)?|still open|pending|open)(?:\s+from\s+(?:the\s+)?(?:last|previous)\s+(?:week|time|1:1|meeting))?\s*[:–—-]\s*/i;
const TASK_PREFIX =
  /^(?:AI|A\/I|Action(?: item)?|TODO|To-?do|Task|Follow[- ]?up|FU)\s*(?:\(([^)]{1,40})\)\s*)?[:\-–—]\s*/i;

interface LogicalLine {
  text: string;
  source: string;
  bullet: boolean;
  /** Leading spaces: a list nested under a line makes that line its topic. */
  indent: number;
  checkbox: 'open' | 'done' | null;
}

const MAX_LINE_CHARS = 2_000;
// "tobias: pull the comps – tomorrow" typed in lower case starts a line of its own, not a wrapped one.
const LOWER_CASE_NAME_LINE = /^[\p{Ll}][\p{Ll}'’-]{1,20}\s*(?:\([^)]{1,30}\))?:\s/u;

/** Joins hard-wrapped lines back into the lines people wrote. */
function logicalLines(body: string): LogicalLine[] {
  const lines: LogicalLine[] = [];
  let previousRaw = '';
  for (const line of body.split('\n')) {
    // No task runs to thousands of characters; a cap keeps every rule below linear in the size of the notes.
    const capped = line.slice(0, MAX_LINE_CHARS);
    // Cells pasted from a spreadsheet or a Word table are tab-separated: the same row as "a | b | c".
    const written = ((capped.match(/\t/g)?.length ?? 0) >= 2 ? capped.trim().replace(/\t+/g, ' | ') : capped).replace(
      /(\S)[ \t]{2,}/g,
      '$1 ',
    );
    const raw = withoutEmphasis(written);
    const trimmed = raw.trim();
    const last = lines.at(-1);
    const isBullet = BULLET.test(raw) && !/^\s*\d{1,2}[.)]\d/.test(raw);
    const continues =
      last !== undefined &&
      last.text.length < MAX_LINE_CHARS &&
      !isTableRow(trimmed) &&
      !isTableRow(last.text) &&
      previousRaw.trim() !== '' &&
      trimmed !== '' &&
      !isBullet &&
      !TASK_PREFIX.test(trimmed) &&
      ((/^\s+\S/.test(raw) && last.bullet) ||
        (previousRaw.length >= 55 && /^[a-z0-9(]/.test(trimmed) && !LOWER_CASE_NAME_LINE.test(trimmed)));
    if (continues && last) {
      last.text = `${last.text} ${trimmed}`;
      last.source = `${last.source} ${trimmed}`;
    } else if (trimmed) {
      const checkbox = CHECKBOX_DONE.test(raw) ? 'done' : CHECKBOX_OPEN.test(raw) ? 'open' : null;
      const indent = /^\s*/.exec(raw)?.[0].length ?? 0;
      lines.push({
        text: trimmed.replace(BULLET, '').trim(),
        source: written.trim(),
        bullet: isBullet,
        indent,
        checkbox,
      });
    }
    previousRaw = trimmed === '' ? '' : raw;
  }
  return lines;
}

// A closing line ends the notes: what follows is a name, a signature, a disclaimer.
const SIGN_OFF =
  /^(?:thanks|thank you|thanks again|many thanks|cheers|best|best regards|regards|kind regards|warm regards|talk soon|speak soon|ta|groet|groeten|met vriendelijke groet|gruß|grüße|viele grüße|liebe grüße|bonne (?:soirée|journée|semaine)|cordialement|merci|à bientôt|happy [\p{L} ]{2,20}|have a (?:good|great|nice) [\p{L} ]{2,20})\s*[,!.]*\s*\S{0,3}$/iu;
const NEXT_MEETING_LINE =
  /^(?:our\s+)?(?:next|prochain|nächste[snr]?)\s+(?:1[:-]1|one[- ]on[- ]one|meeting|catch[- ]?up|sync|point|réunion|termin|treffen|gespräch)(?![\p{L}])/iu;

/** At most this many agenda topics are kept, each cut to TOPIC_LENGTH: enough for a digest's agenda. */
const MAX_TOPICS = 12;
const TOPIC_LENGTH = 200;

/** The items, and the topics listed under an agenda / "next time" heading that are not items themselves. */
function extractItems(body: string, scope: Scope): { items: ExtractedItem[]; agenda: string[] } {
  const items: ExtractedItem[] = [];
  const agenda: string[] = [];
  // Beside each item: whether it came from a table or a titled list of tasks ("Next steps"), rather than from prose
  // or a summary.
  const fromTaskList: boolean[] = [];
  let section: Section = { kind: 'none', owner: null, due: null, heading: null, titled: false };
  const lines = logicalLines(body);
  const headings = lines.map((line) => asHeading(line, scope));
  // A table whose header names its columns (Task | Owner | Due) holds tasks; a lone row is often a signature.
  let tableHeaded = false;
  // A cover note signed above the notes it carries ("Zoom's summary is below. — Farah", then "Next steps"): a
  // sign-off ends the notes only when no list of tasks follows it.
  const lastTaskHeading = headings.findLastIndex((h) => h?.titled === true && TASK_SECTIONS.has(h.kind));
  for (const [index, line] of lines.entries()) {
    if (isSignOff(line, lines[index + 1], scope)) {
      if (index > lastTaskHeading) break;
      section = { kind: 'none', owner: null, due: null, heading: null, titled: false };
      continue;
    }
    const heading = headings[index];
    if (heading) {
      section = heading;
      continue;
    }
    if (section.kind === 'done' || line.checkbox === 'done') continue;
    if (isTopicOfNestedList(line, lines[index + 1])) continue;
    if (isTableRow(line.text)) {
      if (isTableHeader(line.text)) tableHeaded = true;
      const item = tableItem(line, scope, tableHeaded);
      if (item) {
        items.push(item);
        fromTaskList.push(true);
      }
      continue;
    }
    const before = items.length;
    for (const clause of clauses(line)) {
      // "…and I'll chase legal by the same day": the day of the item just before.
      const context = { ...scope.context, previousDue: items.at(-1)?.due ?? null };
      const found = clauseItems(clause, line, section, { ...scope, context });
      items.push(...found);
      for (const _ of found) fromTaskList.push(section.titled && TASK_SECTIONS.has(section.kind));
    }
    if (section.kind === 'agenda' && items.length === before && agenda.length < MAX_TOPICS) {
      agenda.push(line.text.slice(0, TOPIC_LENGTH));
    }
  }
  return { items: withoutRepeats(items, fromTaskList), agenda };
}

const TASK_SECTIONS: ReadonlySet<SectionKind> = new Set(['action', 'growth', 'agenda']);

/** "1. Ledger migration" above "a. Desmond: write the runbook…": a short line that a nested list hangs from. */
function isTopicOfNestedList(line: LogicalLine, next: LogicalLine | undefined): boolean {
  return (
    line.bullet &&
    next?.bullet === true &&
    next.indent > line.indent &&
    line.text.split(/\s+/).length <= 6 &&
    !/[.!?]$/.test(line.text) &&
    !startsWithVerb(line.text)
  );
}

const MAX_ITEMS_COMPARED = 200;

/**
 * Note-takers say each commitment twice, in the summary ("Ingrid will sign the venue contract before Aug 2") and
 * under "Next steps" ("Sign the Presidio Lodge venue contract before…"): one item, the one from the list of tasks.
 */
function withoutRepeats(items: ExtractedItem[], fromTaskList: boolean[]): ExtractedItem[] {
  // Pairs grow with the square of the items: a recap has dozens, and a list of thousands is not a recap.
  if (items.length > MAX_ITEMS_COMPARED) return items;
  const words = items.map((item) => contentWords(item.text));
  const dropped = new Set<number>();
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) {
      if (dropped.has(i) || dropped.has(j) || items[i]?.owner !== items[j]?.owner) continue;
      if (!sameTask(words[i] ?? new Set(), words[j] ?? new Set())) continue;
      dropped.add(!fromTaskList[i] && fromTaskList[j] ? i : j);
    }
  }
  return items.filter((_, index) => !dropped.has(index));
}

function contentWords(text: string): Set<string> {
  return new Set(
    fold(text)
      .split(/[^a-z0-9]+/)
      .filter((word) => word.length >= 4),
  );
}

function sameTask(a: Set<string>, b: Set<string>): boolean {
  const smaller = Math.min(a.size, b.size);
  if (smaller < 3) return false;
  let shared = 0;
  for (const word of a) if (b.has(word)) shared++;
  return shared / smaller >= 0.7;
}

/** "Thanks," or the author's name alone on a line ("Priya", "— Ava ✨"), unless it heads a list of tasks. */
function isSignOff(line: LogicalLine, next: LogicalLine | undefined, scope: Scope): boolean {
  if (line.bullet) return false;
  const text = line.text.replace(LEADING_SYMBOLS, '').trim();
  if (SIGN_OFF.test(text)) return true;
  const author = scope.resolver.author;
  const name = fold(text.replace(/[^\p{L}\s'’-]/gu, '').replace(/^[-–—\s]+/, ''));
  // Followed by a list or a task ("Priya Raman" above "Review the MAP draft"), the name heads that person's items.
  if (!author || !name || next?.bullet || (next && startsWithVerb(next.text))) return false;
  const authorName = fold(spokenName(author));
  return name === authorName || name === authorName.split(/\s+/)[0];
}

function asHeading(line: LogicalLine, scope: Scope): Section | null {
  if (line.bullet || isTableRow(line.text)) return null;
  const text = line.text.replace(LEADING_SYMBOLS, '').trim();
  const words = text.split(/\s+/).length;
  const endsAsHeading = /:\s*$/.test(text) || !/[.!?,;]$/.test(text);
  if (text.length > 70 || words > 9 || !endsAsHeading) return null;
  // A line that starts with a task verb is a task, whatever it mentions ("Follow up with Osprey about…").
  if (words >= 3 && startsWithVerb(text)) return null;
  // "Marcus: send the deck" is an item, not a heading; "Next 1:1: Thu Dec 17" and "Agenda (11/24):" are headings.
  const colon = /^([^:]{1,40}?):\s+(\S.*)$/.exec(text);
  if (colon && !NEXT_MEETING_LINE.test(text) && !/^agenda\b/i.test(text)) {
    const rest = colon[2] ?? '';
    if (rest.split(/\s+/).length >= 3 || !/^\(?[\w\s,./]*\)?$/.test(rest)) return null;
  }
  const bare = trimEndWhile(text, /[:\s]/);
  const kind = SECTION_PATTERNS.find(([pattern]) => pattern.test(bare))?.[1];
  // "Marcus to update the forecast by Friday" names a topic word, but says who will do what: a task, not a heading.
  if (kind === 'info' && /\b(?:to|will|'ll|’ll|please)\s+\p{L}/iu.test(bare)) return null;
  const owner = headingOwner(bare, scope);
  if (!kind && !owner) {
    // A short line with no sentence in it ("Pipeline", "Renewals") still starts a new section.
    return words <= 4 && !/\b(?:to|will|'ll|’ll)\b/i.test(bare) && /^[\p{Lu}\d]/u.test(bare)
      ? { kind: 'info', owner: null, due: null, heading: bare, titled: false }
      : null;
  }
  const resolvedKind = kind ?? 'action';
  const due = resolvedKind === 'agenda' ? (findDue(bare, scope.context)?.due ?? scope.context.nextMeetingDate) : null;
  return { kind: resolvedKind, owner, due, heading: bare, titled: kind !== undefined };
}

function headingOwner(heading: string, scope: Scope): ResolvedOwner | null {
  if (/^(?:my|mine|for me)\b/i.test(heading)) return scope.resolver.pronoun('me');
  if (/^(?:your|for you)\b/i.test(heading)) return scope.resolver.pronoun('you');
  // "Actions - me", "Next steps (you)", "To do: Dana": the words after the section's name say whose it is.
  const whose = /^[\p{L}\s/-]{2,30}?\s*(?:[-–—:(]|\bfor\b)\s*(?<who>[\p{L}][\p{L}'’ -]{0,40}?)\)?$/u.exec(heading)
    ?.groups?.who;
  if (whose && SECTION_PATTERNS.some(([pattern, kind]) => TASK_SECTIONS.has(kind) && pattern.test(heading))) {
    const owner = scope.resolver.pronoun(whose) ?? scope.resolver.fromPerson(scope.resolver.attendee(whose));
    if (owner) return owner;
  }
  const named = headingNames(heading);
  const person = named ? scope.resolver.attendee(named) : null;
  return person ? scope.resolver.fromPerson(person) : null;
}

const HEADING_WORDS = /^(?:for\s+)?([\p{Lu}][\p{L}'’-]+(?:\s+[\p{Lu}][\p{L}'’-]+){0,2})/u;

/**
 * "Ben", "for Ben Okafor", "Ben's items": the one to three capitalised words that make up a heading, or that come
 * before a possessive "'s" and whatever follows it. What /^(?:for\s+)?(WORDS)(?:['’]s\b.*)?$/u captures, without its
 * scan to the end of the line from every "'s" in the words: the last "'s" that can end a word wins.
 */
function headingNames(heading: string): string | null {
  const words = HEADING_WORDS.exec(heading);
  const names = words?.[1];
  if (!words || !names) return null;
  if (words[0].length === heading.length) return names;
  const offset = words[0].length - names.length;
  const wordStart: number[] = [];
  for (let k = 0, start = 0; k < names.length; k++) {
    if (isSpace(names[k - 1]) && !isSpace(names[k])) start = k;
    wordStart.push(start);
  }
  for (let q = names.length - 2; q >= 0; q--) {
    if ((names[q] !== "'" && names[q] !== '’') || names[q + 1] !== 's') continue;
    // The word before the "'s" keeps two letters or more, and the "s" ends a word.
    if ([...names.slice(wordStart[q] ?? 0, q)].length < 2 || /\w/.test(heading[offset + q + 2] ?? '')) continue;
    return nextLineTerminator(heading, offset + q + 2) === heading.length ? names.slice(0, q) : null;
  }
  return null;
}

/** The text without the characters at its end that `chars` (one character) matches: /[…]+$/ rescans runs. */
function trimEndWhile(text: string, chars: RegExp): string {
  let end = text.length;
  while (end > 0 && chars.test(text[end - 1] ?? '')) end--;
  return text.slice(0, end);
}

// ---------- Free text: one clause at a time ----------

// Sentence ends (not after "St." or "Inc."), semicolons, and an "and" that starts a new commitment: "You'll
// finish the price sheet by 4.12., and Jana from Legal will check the clauses by 9.12.".
const CLAUSE_BREAK = builtPattern(
  String.raw`(?<=[.!?])(?<!\b(?:St|Mr|Mrs|Ms|Dr|Inc|Ltd|Co|Corp|vs|approx|incl|e\.g|i\.e|No)\.)\s+(?=[A-Z])` +
    String.raw`|;\s+|,?\s+and\s+(?=(?:I|you|we)['’]ll\b|(?:I|you|we) will\b|[\p{Lu}][\p{L}'’-]+(?:\s+(?:from|in)\s+[\p{Lu}][\p{L}&-]*)?\s+(?:will|to)\s)`,
  'u',
);

/** Prose holds several commitments per line ("I'll send X by Wed, and I'll chase Y"): split at CLAUSE_BREAK. */
function clauses(line: LogicalLine): string[] {
  if (line.bullet) return [line.text];
  return line.text
    .split(CLAUSE_BREAK)
    .map((text) => text.trim())
    .filter(Boolean);
}

/** A person's name as notes write it: one to three capitalised words, or an @handle; not "Otter.ai" or "Keywords". */
const PERSON_NAME =
  /^@[\p{L}][\p{L}\p{N}._'’-]*$|^@?(?!(?:Keywords?|Notes?|Summary|Status|Updates?|Context|Decisions?|Risks?|Blockers?|Topics?|Agenda|Owners?|Due|Next|Actions?|Outcomes?|Results?|Details?|Feedback|Coaching|Questions?|Ideas?|FYI|Reminders?|Goals?|Wins?|Highlights?|Lowlights?|Asks?|Comments?|Observations?|Learnings?|Takeaways?|Praise|Concerns?|Issues?|Priorities|Priority|Focus|Plan|Progress|Pipeline|Forecast|Numbers|Metrics|Other|Misc|Personal|Admin|Ops|Deal|Deals|Account|Accounts|Customer|Customers|Project|Projects)$)[\p{Lu}][\p{Ll}'’]+(?:-\p{L}[\p{Ll}'’]+)*(?:\s+[\p{Lu}][\p{Ll}'’]+(?:-\p{L}[\p{Ll}'’]+)*){0,2}$/u;
// The patterns that end in `(?<task>.+)$` read with the s flag: a line terminator (a stray CR or U+2028) left in the
// text would otherwise fail `$` after every candidate owner, each time after reading to the end of the line.
const NAME = String.raw`@[\p{L}][\p{L}\p{N}._'’-]*(?:\s+[\p{Lu}][\p{L}'’-]*)?|[\p{Lu}][\p{L}'’.-]*(?:\s+[\p{Lu}][\p{L}'’-]*)?|[A-Z]{2,3}`;
const OWNER_PREFIX = builtPattern(
  String.raw`^(?<name>${NAME}|me|Me|I|[\p{Ll}][\p{Ll}'’-]{1,20})(?<joint>\s*(?:\+|&|and)\s*(?:${NAME}|me))?\s*(?:(?<role>\([^)]{1,40}\))\s*)?(?::|\s[-–—]\s|-\s|→|->|=>)\s*(?<task>.+)$`,
  'su',
);
// Chat and wiki style: "@mateusz finish the migration by 1.10." needs no colon.
const HANDLE_PREFIX = /^(?<name>@[\p{L}][\p{L}\p{N}._'’-]*)(?<role>)\s+(?<task>\S.*)$/u;
const HANDLE_FULL_NAME = /^(?<name>@[\p{Lu}][\p{L}'’-]*\s+[\p{Lu}][\p{L}'’-]*)(?<role>)\s+(?<task>\S.*)$/u;

/** "@Rhys Penhaligon chase…" is Rhys Penhaligon's when that is an attendee's full name; else "@rhys …". */
function handlePrefix(text: string, resolver: OwnerResolver): RegExpExecArray | null {
  const full = HANDLE_FULL_NAME.exec(text);
  const name = full?.groups?.name;
  if (name) {
    const person = resolver.attendee(name);
    if (person && fold(spokenName(person)) === fold(name.slice(1))) return full;
  }
  return HANDLE_PREFIX.exec(text);
}
// A role in brackets holds no bracket itself: with [^)] an unclosed "(" before a name would be read up to 40
// characters again from every name after it.
const OWNER_WILL = builtPattern(
  String.raw`(?:^|[-–—;:,.→]\s+|\(|\band\s+|\bso\s+)(?<name>${NAME})(?:\s*(?<role>\([^()]{1,40}\)))?(?<team>\s+(?:in|from|at)\s+[\p{Lu}][\p{L}&-]*(?:\s+[\p{Lu}][\p{L}&-]*){0,2})?\s+(?:still\s+|also\s+|then\s+)?(?:to|will|is going to|needs to|should|owes|shall)\s+(?<task>.+)$`,
  'su',
);
// "I'll" commits the author wherever it stands ("For Tollgate I'll move…", "we agreed I'll write…"); a joint "we"
// only at the start of a clause, since "we'll" mid-sentence is usually discussion.
const FIRST_PERSON =
  /(?:\b(?:I['’]ll|I will|I['’]m going to|I am going to|I need to|I['’]m to|I shall|I owe|ich werde|je vais)|(?:^|[-–—;:,.→]\s+|\band\s+|\bso\s+)(?:I can|I['’]d|we['’]ll|we will|we need to|we agreed to|we['’]re going to|we are going to|let me|me to))\s+(?<task>.+)$/is;
const SECOND_PERSON =
  /(?:^|[-–—;:,.→]\s+|\bso\s+|\band\s+)(?:please|pls|can you|could you|you['’]ll|you will|you['’]re going to|you are going to|you to|you need to|you should|you said you['’]d|you['’]d(?!\s+(?:like|love|prefer|rather)))\s+(?<task>.+)$/is;
const SUBJECTLESS_WILL = /[-–—;,]\s+(?:and\s+)?will\s+(?<task>\S.*)$/is;
const LEADING_NAME = builtPattern(String.raw`^(?<name>${NAME})\s+(?:is|has|was|wants|would|will|asked|said)\b`, 'u');
const TRAILING_OWNER = builtPattern(
  String.raw`^(?<task>\S.{2,}?)\s(?:[-–—]|→|->)\s(?<name>${NAME}|me|you)\s*(?:[,–—-]\s*(?<rest>\S.*))?$`,
  'su',
);
// "open house flyers for Larkspur Bend (Tobias) wed", "seller net sheet template, soon (me)".
const TRAILING_PAREN_OWNER = builtPattern(
  String.raw`^(?<task>\S(?:.{2}|.+?\S))\s*\((?<name>${NAME}|[\p{Ll}][\p{Ll}'’-]{1,20}|me|you)\)\s*(?<rest>\S.*)?$`,
  'su',
);
const POSSESSIVE_DUE = builtPattern(
  String.raw`^(?<name>${NAME})['’]s\s+(?<task>\S.*?\b(?:due|new date|deadline|still open)\b.*|\s(?:due|new date|deadline|still open)\b.*)$`,
  'su',
);
// "QBR deck template is still with me, will finish it by Mon": whoever has it will do it.
const HELD_BY = /\b(?:with|on)\s+(?<who>me|you)\b/i;

interface Commitment {
  owner: ResolvedOwner | null;
  /** The words that named the owner ("Dana:", "I'll", "please"), or the heading above the line. */
  ownerSource: string | null;
  task: string;
  /** Whether the words named the owner explicitly ("Name:", "I'll") rather than leaving it to the section. */
  explicit: boolean;
}

function commitment(text: string, section: Section, scope: Scope, openBox = false): Commitment | null {
  const { resolver } = scope;
  // "AI:", "TODO:", "Action:" say the line is a task wherever it stands.
  const tagged = TASK_PREFIX.test(text) || CARRIED_PREFIX.test(text);
  // An open checkbox ("[ ] Dwayne - chiller quote by Friday") is a to-do wherever it stands.
  const listed = tagged || openBox || TASK_SECTIONS.has(section.kind);
  // "TBD – book the survey", "Owner TBD: …": a task whose owner is still open.
  const unowned = UNOWNED.exec(text);
  if (unowned) return { owner: null, ownerSource: null, task: text.slice(unowned[0].length), explicit: true };
  const stripped = text
    .replace(CARRIED_PREFIX, '')
    .replace(TASK_PREFIX, (_m, owner: string | undefined) => (owner ? `${owner}: ` : ''))
    // Gemini's "[Leo Martins] Pricing sheet: Send the pricing sheet…" is "Leo Martins: Send the pricing sheet…".
    // Someone who did not attend counts when the bracket holds a name and the rest is a task.
    .replace(BRACKETED_OWNER, (whole, name: string) =>
      resolver.attendee(name) || (PERSON_NAME.test(name) && startsWithVerb(text.slice(whole.length)))
        ? `${name}: `
        : whole,
    );
  const prefix = OWNER_PREFIX.exec(stripped) ?? handlePrefix(stripped, resolver);
  if (prefix?.groups) {
    const name = prefix.groups.name ?? '';
    const task = prefix.groups.task ?? '';
    const owner = resolver.resolve(`${name}${prefix.groups.role ? ` ${prefix.groups.role}` : ''}`);
    const ownerSource = wordsBefore(prefix[0], task);
    // "tobias: price reduction convo by thurs", typed fast: a lower-case word is a name only when it is an
    // attendee's, or has a role after it ("dmitri (TC):").
    const lowerCase = /^[\p{Ll}]/u.test(name) && !/^(?:me|i)$/i.test(name);
    // "Hector + Luanne – recalibrate…" is a joint task; "Bramble & Finch ($120k): review passed" is a company.
    const joint = Boolean(prefix.groups.joint) && !listed && !startsWithVerb(task);
    const notAName = (lowerCase && !owner?.attendee && !prefix.groups.role) || joint;
    // "Marcus: Globex slipped to Q1" in a status section is news about Marcus; in an action list it is his task.
    if (!notAName && owner?.attendee && (listed || startsWithVerb(task))) {
      return { owner, ownerSource, task, explicit: true };
    }
    // Someone who did not attend: a name ("Priya:", "Zoë (SE):", "Odile Carver –") before something to do.
    const oneWord = !name.trim().includes(' ');
    if (
      !notAName &&
      owner &&
      !owner.attendee &&
      (PERSON_NAME.test(name) || lowerCase) &&
      (listed || (startsWithVerb(task) && !NOUN_TOO.has(firstWord(task))) || (oneWord && prefix.groups.role))
    ) {
      return { owner, ownerSource, task, explicit: true };
    }
  }
  // A commitment in the middle of a sentence ("Isla wants to mentor — Sam to ask Hemi if that works") keeps the
  // whole sentence as its text: the words before it say what "that" is.
  // …unless they are a clause of their own, joined by "so" or "and": then the task is what follows.
  const taskOf = (match: RegExpExecArray) =>
    match.index > 0 && !/^[\s,;]*(?:so|and|then)\s/i.test(stripped.slice(match.index))
      ? stripped
      : (match.groups?.task ?? '');
  const firstPerson = FIRST_PERSON.exec(stripped);
  const second = SECOND_PERSON.exec(stripped);
  // "Also, please send me your PTO dates by Friday so I can plan": the request, not the purpose after it.
  if (firstPerson && !(second && second.index < firstPerson.index)) {
    const ownerSource = wordsBefore(firstPerson[0], firstPerson.groups?.task ?? '');
    return { owner: resolver.pronoun('me'), ownerSource, task: taskOf(firstPerson), explicit: true };
  }
  // "Resourcing will be tight, so Freya will update the forecast": the first "X will" may not be a person's.
  for (const will of matchesOf(OWNER_WILL, stripped)) {
    if (!will.groups) continue;
    const name = will.groups.name ?? '';
    const person = resolver.resolve(`${name}${will.groups.role ? ` ${will.groups.role}` : ''}`);
    const plausible = person?.attendee || (PERSON_NAME.test(name) && startsWithVerb(will.groups.task ?? ''));
    if (person && plausible && !/^(?:we|they|it|this|that|he|she|there)$/i.test(name)) {
      return {
        owner: person,
        ownerSource: wordsBefore(will[0], will.groups.task ?? ''),
        task: taskOf(will),
        explicit: true,
      };
    }
  }
  if (second) {
    const ownerSource = wordsBefore(second[0], second.groups?.task ?? '');
    return { owner: resolver.pronoun('you'), ownerSource, task: taskOf(second), explicit: true };
  }
  // "Isla is reading Gap Selling — will share the takeaways": the sentence's subject owns the "will".
  const subjectless = SUBJECTLESS_WILL.exec(stripped);
  const subject = subjectless ? LEADING_NAME.exec(stripped)?.groups?.name : undefined;
  const subjectPerson = subject ? resolver.attendee(subject) : null;
  if (subjectless && subjectPerson)
    return { owner: resolver.fromPerson(subjectPerson), ownerSource: subject ?? null, task: stripped, explicit: true };
  const holder = subjectless ? HELD_BY.exec(stripped.slice(0, subjectless.index)) : null;
  if (holder?.groups?.who) {
    const owner = resolver.pronoun(holder.groups.who);
    if (owner) return { owner, ownerSource: holder[0], task: stripped, explicit: true };
  }
  // "Wellness add-on proposal for Nilgiri – me, next quarter": the owner after the task, in a list of tasks.
  const trailing = listed ? (TRAILING_OWNER.exec(stripped) ?? TRAILING_PAREN_OWNER.exec(stripped)) : null;
  if (trailing?.groups) {
    const written = trailing.groups.name ?? '';
    const owner = resolver.pronoun(written) ?? resolver.fromPerson(resolver.attendee(written));
    const rest = trailing.groups.rest ? `, ${trailing.groups.rest}` : '';
    if (owner) return { owner, ownerSource: written, task: `${trailing.groups.task ?? ''}${rest}`, explicit: true };
  }
  const possessive = POSSESSIVE_DUE.exec(stripped);
  if (possessive?.groups) {
    const person = resolver.attendee(possessive.groups.name ?? '');
    if (person) {
      const ownerSource = wordsBefore(possessive[0], possessive.groups.task ?? '');
      return { owner: resolver.fromPerson(person), ownerSource, task: possessive.groups.task ?? '', explicit: true };
    }
  }
  if (section.kind === 'action') {
    return {
      owner: section.owner,
      ownerSource: section.owner ? section.heading : null,
      task: stripped,
      explicit: false,
    };
  }
  return null;
}

/** Every match of a pattern that runs to the end of the text, each starting after the previous one's start. */
function* matchesOf(pattern: RegExp, text: string): Generator<RegExpExecArray> {
  let offset = 0;
  for (let tries = 0; tries < 20 && offset < text.length; tries++) {
    const match = pattern.exec(text.slice(offset));
    if (match === null) return;
    match.index += offset;
    yield match;
    offset = match.index + Math.max(1, match[0].length - (match.groups?.task?.length ?? 0));
  }
}

/** What a match says before the task ("Dana:", "I'll", "please"): the words that named the owner. */
function wordsBefore(match: string, task: string): string | null {
  const end = task === '' ? match.length : match.lastIndexOf(task);
  const words = match
    .slice(0, end < 0 ? match.length : end)
    .replace(/^[\s\-–—;:,.→(]+/u, '')
    .replace(/^and\s+/i, '')
    .trim();
  return words === '' ? null : words;
}

/** The first two words, folded to plain lower-case letters, digits and hyphens. */
function leadingWords(text: string): [string, string] {
  const [first = '', second = ''] = text
    .trim()
    .split(/\s+/, 2)
    .map((word) => fold(word).replace(/[^a-z0-9-]/g, ''));
  return [first, second];
}

function firstWord(text: string): string {
  return leadingWords(text)[0];
}

function startsWithVerb(task: string): boolean {
  const [first, second] = leadingWords(task);
  if (!ACTION_VERBS.has(first.replace(/[^a-z-]/g, ''))) return false;
  // "Quote accepted in principle", "Demo went ok", "Invoice 60+ days overdue": a noun that reports, not a verb.
  return !(NOUN_TOO.has(first) && FINITE_AFTER_NOUN.test(second));
}

/** Task verbs that start status lines as nouns just as often ("Demo went ok" beside "Demo the new UI"). */
const NOUN_TOO = new Set(
  `brief budget call check demo design draft forecast intro invoice list map model offer order pilot pitch plan price quote
  record release report review schedule sync test update`.split(/\s+/),
);

const FINITE_AFTER_NOUN =
  /^(?:is|are|was|were|has|had|have|went|goes|looks|seems|came|got|sent|done|made|took|won|lost|still|now|already|pending|overdue|due|recu|recue|erhalten|\d.*|[a-z]+ed)$/;

function clauseItems(text: string, line: LogicalLine, section: Section, scope: Scope): ExtractedItem[] {
  if (DONE.test(text) || /\?\s*$/.test(text) || /^(?:Q|Question)\s*:/i.test(text) || isBoilerplate(text)) return [];
  const found = commitment(text, section, scope, line.checkbox === 'open');
  if (!found) return [];
  // "Next 1:1 is Tue 24 Nov." names a date, not a task; "Next 1:1 Tue 1/12 - Maya to bring the plan" holds one.
  if (NEXT_MEETING_LINE.test(text) && !found.explicit) return [];
  if (VAGUE.test(found.task)) return [];
  // Without a named owner, a line counts only as an entry of an action list or a sentence that starts with a
  // verb: not the greeting, the sign-off or a fact in between.
  if (!found.explicit && !line.bullet && !line.checkbox && !startsWithVerb(found.task)) return [];
  const tasks = splitJoinedTasks(found.task, scope);
  return tasks.flatMap((task) => {
    const due = findDue(task, scope.context) ?? (tasks.length === 1 ? findDue(text, scope.context) : null);
    const sectionDue = due === null && section.kind === 'agenda' && section.due !== null;
    const made = item({
      task,
      owner: found.owner ?? section.owner,
      ownerSource: found.owner ? found.ownerSource : section.owner ? section.heading : null,
      due: due?.due ?? (section.kind === 'agenda' ? section.due : null),
      dueSource: due?.phrase ?? (sectionDue ? section.heading : null),
      ambiguous: Boolean(due?.alternatives?.length),
      source: line.source,
      section: section.kind === 'growth' ? 'growth' : section.kind === 'agenda' ? 'agenda' : 'action',
      duePhrase: due?.phrase ?? null,
    });
    return made ? [made] : [];
  });
}

/**
 * "move the close date today and put together a re-engagement plan by 4/12" is two commitments: split at an
 * "and" before a task verb, but only when each half has a date of its own (else the date covers both).
 */
function splitJoinedTasks(task: string, scope: Scope): string[] {
  for (const match of task.matchAll(/(?<!\s)\s+and\s+(?=(\p{L}+)\b)/gu)) {
    if (!ACTION_VERBS.has((match[1] ?? '').toLowerCase())) continue;
    const first = task.slice(0, match.index);
    const second = task.slice(match.index + match[0].length);
    const firstDue = findDue(first, scope.context)?.due;
    const secondDue = findDue(second, scope.context)?.due;
    if (firstDue && secondDue && firstDue !== secondDue) return [first, second];
  }
  return [task];
}

// ---------- Tables: "task | owner | due | status" rows ----------

function isTableRow(text: string): boolean {
  return (text.match(/\s\|\s/g)?.length ?? 0) >= 2;
}

function isTableHeader(text: string): boolean {
  return (
    /(?:^|\|)\s*(?:task|action(?: item)?|item|what|to-?do)\s*(?:\||$)/i.test(text) &&
    /\b(?:owner|who|due|when|deadline)\b/i.test(text)
  );
}

/** A row is a task in a table of tasks, or when a cell reads as one: "Imogen Ashdown | Head of Delivery | …" is not. */
function tableItem(line: LogicalLine, scope: Scope, inTaskTable: boolean): ExtractedItem | null {
  const cells = withoutOuterBars(line.text)
    .split('|')
    .map((c) => c.trim());
  if (cells.some((c) => DONE_CELL.test(c))) return null;
  if (cells.every((c) => /^(?:#|no\.?|task|action|item|what|owner|who|due|when|status|date|deadline|notes?)$/i.test(c)))
    return null;
  let owner: ResolvedOwner | null = null;
  let ownerSource: string | null = null;
  let due: ReturnType<typeof findDue> = null;
  const rest: string[] = [];
  for (const cell of cells) {
    const bare = cell.replace(/^\d{1,2}[.)]\s*/, '');
    if (!bare || STATUS_CELL.test(bare) || /^[—–-]+$/.test(bare)) continue;
    const person: ResolvedOwner | null = owner ? null : ownerCell(bare, scope);
    if (person) {
      owner = person;
      ownerSource = bare;
      continue;
    }
    const date: DueMatch | null = due ? null : findDue(bare, scope.context);
    if (date && date.phrase.length >= bare.length - 4) {
      due = date;
      continue;
    }
    rest.push(bare);
  }
  const task = rest.sort((a, b) => b.length - a.length)[0];
  if (!task) return null;
  if (!inTaskTable && !startsWithVerb(task) && !(owner && due)) return null;
  return item({
    task,
    owner,
    ownerSource,
    due: due?.due ?? null,
    dueSource: due?.phrase ?? null,
    ambiguous: Boolean(due?.alternatives?.length),
    source: line.source,
    section: 'action',
    duePhrase: null,
  });
}

/** "| a | b |" as "a | b": what /^\|\s*|\s*\|$/g leaves, without rescanning the spaces before the last bar. */
function withoutOuterBars(text: string): string {
  const inner = text.startsWith('|') ? text.slice(1).trimStart() : text;
  return inner.endsWith('|') ? inner.slice(0, -1).trimEnd() : inner;
}

function ownerCell(cell: string, scope: Scope): ResolvedOwner | null {
  if (cell.split(/\s+/).length > 3) return null;
  const pronoun = scope.resolver.pronoun(cell);
  if (pronoun) return pronoun;
  const person = scope.resolver.attendee(cell);
  if (person) return scope.resolver.fromPerson(person);
  // A non-attendee owner cell is a first name, maybe with a role: "Kiri", "Kiri (SE)".
  return /^(?:[\p{Lu}][\p{Ll}'’-]+(?:\s*\([^)]*\))?|@[\p{L}][\p{L}\p{N}._'’-]*)$/u.test(cell)
    ? scope.resolver.resolve(cell)
    : null;
}

// ---------- The item itself ----------

function item(found: {
  task: string;
  owner: ResolvedOwner | null;
  ownerSource: string | null;
  due: string | null;
  dueSource: string | null;
  ambiguous: boolean;
  source: string;
  section: ItemSection;
  duePhrase: string | null;
}): ExtractedItem | null {
  const text = cleanTask(found.task, found.duePhrase);
  if (!text) return null;
  const flags = flagsOf(found.owner, found.due, found.ambiguous);
  return {
    text,
    owner: found.owner?.owner ?? null,
    ownerName: found.owner?.ownerName ?? null,
    due: found.due,
    source: found.source,
    ownerSource: found.owner ? found.ownerSource : null,
    dueSource: found.dueSource,
    flags,
    section: found.section,
  };
}

/** What an item needs before anyone relies on it: the same for every extractor. */
export function flagsOf(
  owner: Pick<ResolvedOwner, 'attendee'> | null,
  due: string | null,
  ambiguous: boolean,
): ItemFlag[] {
  const flags: ItemFlag[] = [];
  if (!owner) flags.push('no-owner');
  else if (!owner.attendee) flags.push('owner-not-attendee');
  if (!due) flags.push('no-date');
  if (ambiguous) flags.push('ambiguous-date');
  return flags;
}

/** The task as people would say it: no trailing deadline words or punctuation, first letter capitalised. */
function cleanTask(task: string, duePhrase: string | null): string {
  // Note-takers (Fireflies, Otter) end each line with where it was said in the recording: "(00:12:31)".
  let text = task.replace(/\(\d{1,2}:\d{2}(?::\d{2})?\)\s*$/, '').trim();
  if (duePhrase) {
    const at = text.lastIndexOf(duePhrase);
    if (at > 0 && at + duePhrase.length >= text.length - 3) text = text.slice(0, at);
  }
  // Each pattern starts at its word, not at the spaces before it (which would be rescanned from every one of them):
  // the spaces go with trimEnd.
  text = text
    .replace(/(?:[-–—,;:(]|\b(?:by|before|due|until|bis|on|at))\s*$/i, '')
    .trimEnd()
    .replace(/(?:[-–—,;:(]|\b(?:by|before|due|until|bis))\s*$/i, '');
  text = trimEndWhile(text, /[\s.;,:–—-]/).trim();
  // A task is words: a line of symbols, control or invisible characters is not one.
  if (!/[\p{L}\p{N}]/u.test(text)) return '';
  return text.charAt(0).toUpperCase() + text.slice(1);
}
