import type { Meeting, Person, Series, StoredItem } from '../model';

/** What the links under an item do; the confirm page names the action in words. */
export type LinkAction = 'done' | 'drop' | 'snooze';

/** Builds the signed action URL for one item, for the recipient of the mail being rendered. */
export type LinkFor = (item: StoredItem, action: LinkAction) => string;

export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
}

/** An item as a digest lists it: the number people type in a reply, and what the reminder should say about it. */
export interface ListedItem {
  /** 1-based, in the order the mail shows the items: "done 2" in a reply means this one. */
  number: number;
  item: StoredItem;
  /** Due before the day the mail is about (the meeting day, or today for the weekly digest). */
  overdue: boolean;
  daysOverdue: number;
  /** Open across two or more later meetings of its series, or overdue by a week: worth reassessing. */
  stalled: boolean;
  /** How many meetings of the series have taken place (or are about to) since the item was agreed. */
  meetingsOpen: number;
  /** The other attendee of the item's series, to say which 1:1 it came from ("1:1 with Marcus"). */
  counterpart: Person | null;
}

/** The wrap-up: every item with a Done link (its seq is its number). */
export interface WrapupInput {
  meeting: Meeting;
  items: StoredItem[];
  /** Signed for the recipient; a wrap-up goes to both attendees in one message, so the links name the owner. */
  links: LinkFor;
}

/** The pre-meeting digest for one recipient, the morning of the next meeting of a series. */
export interface DigestInput {
  series: Series;
  recipient: Person;
  /** The meeting the digest prepares for (YYYY-MM-DD, local). */
  meetingDate: string;
  /** Open items from earlier meetings of the series (snoozed ones left out): overdue first, then oldest first. */
  open: ListedItem[];
  /** Items the latest notes listed under their "next time" / agenda heading, still open. */
  agenda: ListedItem[];
  /** The topics listed there that are not items (no owner, no date): "Walk through the Q1 territory split". */
  topics: string[];
  /** Growth and development items, still open, with their follow-up dates. */
  growth: ListedItem[];
  links: LinkFor;
  /** The recipient's signed unsubscribe URL for pre-meeting digests (also in the List-Unsubscribe header). */
  unsubscribeUrl: string;
}

/** One person's weekly digest: every open item they own across all their series. */
export interface WeeklyInput {
  person: Person;
  /** The recipient's local date when the digest goes out. */
  today: string;
  /** Overdue first (most overdue first), then by due date, undated last. */
  items: ListedItem[];
  links: LinkFor;
  /** The recipient's signed unsubscribe URL for the weekly digest. */
  unsubscribeUrl: string;
}

export interface RollupReport {
  report: Person;
  seriesId: string;
  open: number;
  overdue: number;
  stalled: number;
  /** The report's oldest open item in this series, or null when nothing is open. */
  oldest: { text: string; due: string | null; meetingDate: string } | null;
}

/** A manager's weekly roll-up: per report, the counts and the oldest open item. */
export interface RollupInput {
  manager: Person;
  today: string;
  /** Most overdue first. */
  reports: RollupReport[];
  /** The manager's signed unsubscribe URL for the roll-up. */
  unsubscribeUrl: string;
}

/** What a reply command did, in plain words, for the confirmation email. */
export interface AppliedChange {
  number: number;
  text: string;
  /** "marked done", "dropped", "snoozed until Tue 1 Dec", "due date moved to Fri 4 Dec", "owner now Jordan" */
  change: string;
}

export interface ConfirmationInput {
  to: Person;
  /** "1:1 Dana / Marcus — Thu 12 Nov": what the reply was about. */
  about: string;
  applied: AppliedChange[];
  /** Changes that were understood but not made, with why ("there is no item 9 in that email"). */
  refused: { line: string; reason: string }[];
  /** Lines of the reply that held no command we know, as written. */
  notUnderstood: string[];
}
