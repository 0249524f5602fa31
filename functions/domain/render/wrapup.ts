import { fillWrapup } from '../../../templates/compiled/wrapup';
import { addDays } from '../email/message-date';
import type { Person, StoredItem } from '../model';
import type { TemplateFill } from './fill';
import {
  type CalendarDate,
  collapseWhitespace,
  countOf,
  displayName,
  firstName,
  formatIsoDate,
  months,
  parseCalendarDate,
} from './format';
import type { RenderedMail, WrapupInput } from './inputs';
import {
  actionLinks,
  type Callout,
  commands,
  dateDetail,
  detail,
  type FooterView,
  type GroupView,
  group,
  type IntroView,
  type ItemView,
  itemView,
  type OwnerLabel,
  ownerLabels,
  renderItemMail,
  warnBadge,
} from './items';

/** What an item needs before anyone can rely on it, as the wrap-up shows it. */
type WrapupFlag = 'needs-owner' | 'needs-date' | 'check-owner' | 'check-date';

const flagLabels: Record<WrapupFlag, string> = {
  'needs-owner': 'needs an owner',
  'needs-date': 'needs a date',
  'check-owner': 'owner not at the 1:1',
  'check-date': 'check the date',
};

// One source for every sentence that appears in both parts, so the HTML and the text cannot drift apart.
const copy = {
  noItems: 'No action items were found in these notes. The original notes were kept as they were sent.',
  reason: 'You are getting this because you attended the 1:1 whose notes were forwarded to followthrough.',
  flaggedHeading: 'Needs an owner or a date',
  flaggedHint:
    'The notes did not say who owns these or by when, or said it in a way that can be read two ways. Settle each with a one-line reply (shown under each item) or at your next 1:1, so that nothing falls through.',
} as const;

/**
 * The wrap-up both attendees get after a 1:1: every item with its owner, due date and a Done link.
 *
 * `fill` fills the template in: its precompiled function; the equivalence test and the bench pass Mustache.render.
 */
export function renderWrapupMail(input: WrapupInput, fill: TemplateFill = fillWrapup): RenderedMail {
  const { meeting } = input;
  const attendees = authorFirst(meeting.attendees, meeting.author);
  const meetingYear = parseCalendarDate(meeting.date)?.year;
  const firstNames = attendees.map(firstName);
  const meetingName = `1:1 ${firstNames.join(' / ')}`;
  const meetingDate = formatIsoDate(meeting.date, meetingYear);
  const mail: WrapupContext = { links: input.links, owners: ownerLabels(attendees), firstNames, meetingYear };
  const items = [...input.items].sort((a, b) => a.seq - b.seq).map((item) => wrapupItem(item, mail));
  const clear = items.filter((item) => !item.warn);
  const flagged = items.filter((item) => item.warn);
  const flaggedCount = flagged.length;

  const subject = `Wrap-up: ${meetingName} — ${meetingDate}`;
  const intro: IntroView = {
    heading: `Wrap-up: ${meetingName}`,
    date: meetingDate,
    lines: [attendeesLine(attendees.map(displayName)), notesLine(collapseWhitespace(meeting.subject))].filter(
      (line) => line !== '',
    ),
  };
  // Settled items first, then the ones someone still has to settle, each with the reply that settles it.
  const groups: GroupView[] = [
    ...(clear.length > 0
      ? [group(countOf(clear.length, flaggedCount > 0 ? 'agreed item' : 'action item'), clear)]
      : []),
    ...(flaggedCount > 0
      ? [group(`${copy.flaggedHeading} (${flaggedCount})`, flagged, { note: copy.flaggedHint })]
      : []),
  ];
  const notices = items.length === 0 ? [copy.noItems] : [];
  const footer: FooterView = { commands: items.length === 0 ? null : commands, reason: copy.reason };
  return renderItemMail(fill, {
    subject,
    preview: preview(items.length, flaggedCount),
    intro,
    groups,
    notices,
    footer,
  });
}

/** What every item of one wrap-up is written with, worked out once for the mail. */
interface WrapupContext {
  links: WrapupInput['links'];
  owners: OwnerLabel;
  /** The attendees' first names, author first: the names a reply that settles an owner can give. */
  firstNames: string[];
  meetingYear: number | undefined;
}

function wrapupItem(item: StoredItem, mail: WrapupContext): ItemView {
  const { meetingYear } = mail;
  const flags = new Set<WrapupFlag>();
  const owner = mail.owners(item);
  const due = item.due === null ? null : parseCalendarDate(item.due);
  if (owner === null || item.flags.includes('no-owner')) flags.add('needs-owner');
  else if (item.flags.includes('owner-not-attendee')) flags.add('check-owner');
  if (item.due === null || item.flags.includes('no-date')) flags.add('needs-date');
  // A date we cannot read is shown as stored rather than hidden, and flagged for a human.
  if (item.due !== null && (due === null || item.flags.includes('ambiguous-date'))) {
    flags.add('check-date');
  }
  const text = collapseWhitespace(item.text);
  return itemView({
    number: item.seq,
    text,
    details: [
      owner === null ? detail('Owner', 'no owner', 'missing') : detail('Owner', owner, 'strong'),
      dateDetail('Due', item.due, meetingYear, 'no date'),
    ],
    badges: [...flags].map((flag) => warnBadge(flagLabels[flag])),
    callout: flags.size > 0 ? settleCallout(item, flags, mail.firstNames, meetingYear) : null,
    links: actionLinks(item, ['done'], mail.links, text),
    tone: flags.size > 0 ? 'warn' : 'plain',
  });
}

/**
 * The reply that settles a flagged item, with its own number and the attendees' own names: "Reply “3 owner Dana”
 * or “3 owner Marcus”". What the notes said is quoted where it was read ("“before Friday's call” read as Thu 3 Dec").
 */
function settleCallout(
  item: StoredItem,
  flags: Set<WrapupFlag>,
  firstNames: string[],
  meetingYear: number | undefined,
): Callout {
  const n = item.seq;
  const sentences: string[] = [];
  if (flags.has('needs-owner'))
    sentences.push(`Who owns it? Reply ${ownerReplies(n, firstNames) || `“${n} owner NAME”`}.`);
  if (flags.has('check-owner')) {
    const who = collapseWhitespace(item.ownerName ?? item.owner ?? '');
    sentences.push(`${who} was not at the 1:1: if one of you will chase it, reply ${ownerReplies(n, firstNames)}.`);
  }
  if (flags.has('needs-date')) {
    sentences.push(
      `${item.dueSource ? `${quoted(item.dueSource)}is not a date. ` : ''}By when? Reply “${n} due friday” or “${n} due ${exampleDate(item)}”.`,
    );
  }
  if (flags.has('check-date') && item.due !== null) {
    sentences.push(
      `${quoted(item.dueSource)}read as ${formatIsoDate(item.due, meetingYear)}. If another day was meant, reply “${n} due ${exampleDate(item)}”.`,
    );
  }
  return { title: 'TO SETTLE', body: sentences.join(' ') };
}

/** “3 owner Dana” or “3 owner Marcus”: the replies that give item n an owner. */
function ownerReplies(n: number, firstNames: string[]): string {
  return firstNames.map((name) => `“${n} owner ${name}”`).join(' or ');
}

/** What the notes said, quoted where it was read; nothing when they said nothing. */
function quoted(words: string | null): string {
  return words === null ? '' : `“${collapseWhitespace(words)}” `;
}

/** A date to show in a reply example: the item's own one, else two weeks after the meeting, as "Dec 4". */
function exampleDate(item: StoredItem): string {
  const date = item.due === null ? twoWeeksAfter(item.meetingDate) : parseCalendarDate(item.due);
  const month = date === null ? undefined : months[date.month - 1];
  return date === null || month === undefined ? 'dec 4' : `${month.toLowerCase()} ${date.day}`;
}

/**
 * addDays(meetingDate, 14) read back as a calendar date, by Date.UTC's month arithmetic rather than a parse and an
 * ISO string; a meeting date that is not a plain YYYY-MM-DD takes addDays' way, for whatever it made of it.
 */
function twoWeeksAfter(meetingDate: string): CalendarDate | null {
  const meeting = parseCalendarDate(meetingDate);
  if (meeting === null) return parseCalendarDate(addDays(meetingDate, 14));
  const probe = new Date(Date.UTC(meeting.year, meeting.month - 1, meeting.day + 14));
  const year = probe.getUTCFullYear();
  // addDays writes a year past 9999 as "+010000", which no longer reads as a date.
  return year > 9999 ? null : { year, month: probe.getUTCMonth() + 1, day: probe.getUTCDate() };
}

function authorFirst(attendees: Person[], author: Person | null): Person[] {
  const isAuthor = (person: Person) => author !== null && person.address.toLowerCase() === author.address.toLowerCase();
  return [...attendees.filter(isAuthor), ...attendees.filter((person) => !isAuthor(person))];
}

function attendeesLine(names: string[]): string {
  if (names.length === 0) return '';
  const last = names[names.length - 1];
  const list = names.length === 1 ? last : `${names.slice(0, -1).join(', ')} and ${last}`;
  return `Attended: ${list}`;
}

function notesLine(subject: string): string {
  return subject === '' ? '' : `From the notes “${subject}”`;
}

function preview(itemCount: number, flaggedCount: number): string {
  if (itemCount === 0) return copy.noItems;
  const items = countOf(itemCount, 'action item');
  return flaggedCount === 0 ? items : `${items}, ${flaggedCount} to clarify`;
}
