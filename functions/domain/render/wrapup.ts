import Mustache from 'mustache';
import { wrapupHtml } from '../../../templates/compiled/wrapup';
import type { Meeting, Person, StoredItem } from '../model';
import { collapseWhitespace, displayName, firstName, formatShortDate, parseCalendarDate } from './format';

/** What an item needs before anyone can rely on it, as the wrap-up shows it. */
export type WrapupFlag = 'needs-owner' | 'needs-date' | 'check-owner' | 'check-date';

export interface WrapupItemView {
  /** The item's seq: the number people type in a reply ("done 2"). */
  number: number;
  text: string;
  /** The attendee's display name, or the owner as the notes wrote it; null when nobody owns it. */
  owner: string | null;
  /** "Fri 13 Nov"; null when the notes gave no date. */
  due: string | null;
  flags: WrapupFlag[];
}

/** Everything the wrap-up shows, already in words people read: no addresses-as-keys, no ISO dates. */
export interface WrapupView {
  /** "1:1 Dana / Marcus" */
  meetingName: string;
  /** "Thu 12 Nov" */
  meetingDate: string;
  /** Display names, the notes' author first. */
  attendees: string[];
  /** The subject of the notes as they were sent; empty when they had none. */
  notesSubject: string;
  /** In seq order. */
  items: WrapupItemView[];
}

export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
}

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
  // Replies are not read yet (reply commands come with the loop issue), so nothing here invites one.
  flaggedHint:
    'Settle the flagged items at your next 1:1 — who owns each one, and by when — so that nothing falls through.',
} as const;

// Parsed once per cold start; Mustache caches the tokens, so each render is a fill-in only.
Mustache.parse(wrapupHtml);

export function buildWrapupView(meeting: Meeting, items: StoredItem[]): WrapupView {
  const attendees = authorFirst(meeting.attendees, meeting.author);
  const meetingDay = parseCalendarDate(meeting.date);
  return {
    meetingName: `1:1 ${attendees.map(firstName).join(' / ')}`,
    meetingDate: meetingDay === null ? meeting.date : formatShortDate(meetingDay),
    attendees: attendees.map(displayName),
    notesSubject: collapseWhitespace(meeting.subject),
    items: [...items].sort((a, b) => a.seq - b.seq).map((item) => itemView(item, meeting.attendees, meetingDay?.year)),
  };
}

export function renderWrapup(view: WrapupView): RenderedMail {
  const subject = `Wrap-up: ${view.meetingName} — ${view.meetingDate}`;
  const flagged = view.items.filter((item) => item.flags.length > 0);
  const model = {
    title: subject,
    meetingName: view.meetingName,
    meetingDate: view.meetingDate,
    preview: preview(view.items.length, flagged.length),
    attendeesLine: attendeesLine(view.attendees),
    notesLine: notesLine(view.notesSubject),
    hasItems: view.items.length > 0,
    itemCountLine: countOf(view.items.length, 'action item'),
    items: view.items.map((item) => ({
      ...item,
      flagged: item.flags.length > 0,
      flagLabels: item.flags.map((flag) => flagLabels[flag]),
    })),
    hasFlagged: flagged.length > 0,
    copy,
  };
  return { subject, html: Mustache.render(wrapupHtml, model), text: renderText(view, subject, flagged) };
}

function itemView(item: StoredItem, attendees: Person[], meetingYear: number | undefined): WrapupItemView {
  const flags = new Set<WrapupFlag>();
  const owner = item.owner === null ? null : ownerLabel(item.owner, attendees);
  if (owner === null || item.flags.includes('no-owner')) flags.add('needs-owner');
  else if (item.flags.includes('owner-not-attendee')) flags.add('check-owner');
  let due: string | null = null;
  if (item.due === null || item.flags.includes('no-date')) flags.add('needs-date');
  if (item.due !== null) {
    const day = parseCalendarDate(item.due);
    // A date we cannot read is shown as stored rather than hidden, and flagged for a human.
    due = day === null ? item.due : formatShortDate(day, meetingYear);
    if (day === null || item.flags.includes('ambiguous-date')) flags.add('check-date');
  }
  return { number: item.seq, text: collapseWhitespace(item.text), owner, due, flags: [...flags] };
}

function ownerLabel(owner: string, attendees: Person[]): string | null {
  const attendee = attendees.find((person) => person.address.toLowerCase() === owner.toLowerCase());
  const label = attendee === undefined ? collapseWhitespace(owner) : displayName(attendee);
  return label === '' ? null : label;
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

function countOf(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function renderText(view: WrapupView, subject: string, flagged: WrapupItemView[]): string {
  const lines = [subject, '='.repeat([...subject].length)];
  const attendees = attendeesLine(view.attendees);
  if (attendees !== '') lines.push(attendees);
  const notes = notesLine(view.notesSubject);
  if (notes !== '') lines.push(notes);
  lines.push('');
  if (view.items.length === 0) {
    lines.push(copy.noItems, '');
  } else {
    lines.push(`${countOf(view.items.length, 'action item')}:`, '');
    for (const item of view.items) {
      // Continuation lines line up under the item's text, whatever the width of its number.
      const indent = ' '.repeat(`${item.number}. `.length);
      lines.push(`${item.number}. ${item.text}`);
      lines.push(`${indent}Owner: ${item.owner ?? 'no owner'} · Due: ${item.due ?? 'no date'}`);
      if (item.flags.length > 0) lines.push(`${indent}[${item.flags.map((flag) => flagLabels[flag]).join(', ')}]`);
      lines.push('');
    }
    if (flagged.length > 0) lines.push(copy.flaggedHint, '');
  }
  // "-- " is the signature delimiter, so mail clients leave the footer out of quoted replies.
  lines.push('-- ', copy.reason, '');
  return lines.join('\n');
}
