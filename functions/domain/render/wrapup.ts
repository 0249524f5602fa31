import Mustache from 'mustache';
import { wrapupHtml } from '../../../templates/compiled/wrapup';
import { addDays } from '../email/message-date';
import type { Person, StoredItem } from '../model';
import {
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
  ownerLabel,
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

// Parsed once per cold start; Mustache caches the tokens, so each render is a fill-in only.
Mustache.parse(wrapupHtml);

/** The wrap-up both attendees get after a 1:1: every item with its owner, due date and a Done link. */
export function renderWrapupMail(input: WrapupInput): RenderedMail {
  const { meeting } = input;
  const attendees = authorFirst(meeting.attendees, meeting.author);
  const meetingYear = parseCalendarDate(meeting.date)?.year;
  const meetingName = `1:1 ${attendees.map(firstName).join(' / ')}`;
  const meetingDate = formatIsoDate(meeting.date, meetingYear);
  const items = [...input.items]
    .sort((a, b) => a.seq - b.seq)
    .map((item) => wrapupItem(item, input, attendees, meetingYear));
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
  return renderItemMail(wrapupHtml, {
    subject,
    preview: preview(items.length, flaggedCount),
    intro,
    groups,
    notices,
    footer,
  });
}

function wrapupItem(
  item: StoredItem,
  input: WrapupInput,
  attendees: Person[],
  meetingYear: number | undefined,
): ItemView {
  const flags = new Set<WrapupFlag>();
  const owner = ownerLabel(item, attendees);
  const due = item.due === null ? null : parseCalendarDate(item.due);
  if (owner === null || item.flags.includes('no-owner')) flags.add('needs-owner');
  else if (item.flags.includes('owner-not-attendee')) flags.add('check-owner');
  if (item.due === null || item.flags.includes('no-date')) flags.add('needs-date');
  // A date we cannot read is shown as stored rather than hidden, and flagged for a human.
  if (item.due !== null && (due === null || item.flags.includes('ambiguous-date'))) {
    flags.add('check-date');
  }
  return itemView({
    number: item.seq,
    text: item.text,
    details: [
      owner === null ? detail('Owner', 'no owner', 'missing') : detail('Owner', owner, 'strong'),
      dateDetail('Due', item.due, meetingYear, 'no date'),
    ],
    badges: [...flags].map((flag) => warnBadge(flagLabels[flag])),
    callout: flags.size > 0 ? settleCallout(item, flags, attendees, meetingYear) : null,
    links: actionLinks(item, ['done'], input.links),
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
  attendees: Person[],
  meetingYear: number | undefined,
): Callout {
  const n = item.seq;
  const said = (words: string | null) => (words === null ? '' : `“${collapseWhitespace(words)}” `);
  const sentences: string[] = [];
  const ownerReplies = attendees.map((person) => `“${n} owner ${firstName(person)}”`).join(' or ');
  if (flags.has('needs-owner')) sentences.push(`Who owns it? Reply ${ownerReplies || `“${n} owner NAME”`}.`);
  if (flags.has('check-owner')) {
    const who = collapseWhitespace(item.ownerName ?? item.owner ?? '');
    sentences.push(`${who} was not at the 1:1: if one of you will chase it, reply ${ownerReplies}.`);
  }
  if (flags.has('needs-date')) {
    sentences.push(
      `${item.dueSource ? `${said(item.dueSource)}is not a date. ` : ''}By when? Reply “${n} due friday” or “${n} due ${exampleDate(item)}”.`,
    );
  }
  if (flags.has('check-date') && item.due !== null) {
    sentences.push(
      `${said(item.dueSource)}read as ${formatIsoDate(item.due, meetingYear)}. If another day was meant, reply “${n} due ${exampleDate(item)}”.`,
    );
  }
  return { title: 'TO SETTLE', body: sentences.join(' ') };
}

/** A date to show in a reply example: the item's own one, else two weeks after the meeting, as "Dec 4". */
function exampleDate(item: StoredItem): string {
  const base = item.due ?? addDays(item.meetingDate, 14);
  const date = parseCalendarDate(base);
  const month = date === null ? undefined : months[date.month - 1];
  return date === null || month === undefined ? 'dec 4' : `${month.toLowerCase()} ${date.day}`;
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
