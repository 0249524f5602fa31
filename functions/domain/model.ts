/** A person as an email names them: the address is the identity, the name is only for display. */
export interface Person {
  address: string;
  name: string | null;
}

/** Why an item needs a human look before anyone relies on it. */
export type ItemFlag = 'no-owner' | 'no-date' | 'owner-not-attendee' | 'ambiguous-date';

export type ItemStatus = 'open' | 'done' | 'dropped';

/** The section of the notes an item came from; growth items get a follow-up date rather than a deadline. */
export type ItemSection = 'action' | 'growth' | 'agenda';

/** One action item as the extractor finds it, before it is stored. */
export interface ExtractedItem {
  text: string;
  /** The attendee's address when the owner is an attendee, else the name as written, else null. */
  owner: string | null;
  ownerName: string | null;
  /** ISO date (YYYY-MM-DD) in the meeting's local calendar, or null. */
  due: string | null;
  /** The line of the notes the item came from, as written. */
  source: string;
  /**
   * The words that decided the owner, as written: "Dana:", "I'll", "please", an Owner cell, the heading above the
   * list. Null when nothing named one.
   */
  ownerSource: string | null;
  /** The words that decided the due date ("by Friday", "EOW", "ASAP" for a vague one); null when none were found. */
  dueSource: string | null;
  flags: ItemFlag[];
  section: ItemSection;
}

/** What the notes say about the meeting itself. */
export interface MeetingFacts {
  /** Local calendar date of the meeting (YYYY-MM-DD). */
  date: string;
  /** The original notes message's Date as an instant (ISO, UTC), when it had one. */
  sentAt: string | null;
  /** Minutes east of UTC of the original message's Date header; null when it named none. */
  utcOffsetMinutes: number | null;
  /** The meeting's IANA time zone when the input names one (the webhook); email gives only an offset. */
  timeZone: string | null;
  subject: string;
  attendees: Person[];
  /** Who wrote the notes (the original message's From); "I" and "me" in the notes are this person. */
  author: Person | null;
  /** The next 1:1's date when the notes name it. */
  nextMeetingDate: string | null;
  /** Topics listed under the notes' agenda / "next time" heading that are not action items themselves. */
  agenda: string[];
}

export interface Extraction {
  meeting: MeetingFacts;
  items: ExtractedItem[];
}

export interface Meeting extends MeetingFacts {
  id: string;
  /** The Message-ID of the email that carried the notes (the outer one for a forward): the idempotency key. */
  messageId: string;
  /** Where the raw bytes were archived before anything else happened. */
  rawKey: string;
  receivedAt: string;
  /**
   * pending while an ingest is writing; complete once items and the wrap-up schedule exist. unverified: notes whose
   * sender could not be verified (issue 7, R4), kept with no items, no schedules and no mail, and never completed.
   */
  state: 'pending' | 'complete' | 'unverified';
  itemCount: number;
  wrapupSentAt: string | null;
  /** The 1:1 series this meeting belongs to: the same two people, in either order. */
  seriesId: string;
}

export interface StoredItem extends ExtractedItem {
  meetingId: string;
  /** 1-based position in the meeting's wrap-up: what people type in a reply ("done 2"). */
  seq: number;
  status: ItemStatus;
  createdAt: string;
  updatedAt: string;
  seriesId: string;
  /** The local date of the meeting the item came from (YYYY-MM-DD): how long it has been open is counted from it. */
  meetingDate: string;
  /** An open item snoozed until this local date (YYYY-MM-DD) is left out of reminders before it; null otherwise. */
  snoozedUntil: string | null;
  /** The last change someone made from an email, kept whole so that it can be undone; null when none. */
  lastChange: ItemChange | null;
}

/** The part of an item that people change from an email: what undo puts back. */
export interface ItemState {
  status: ItemStatus;
  due: string | null;
  owner: string | null;
  ownerName: string | null;
  snoozedUntil: string | null;
  /** What still needs a human look: a reply that gives a date or an owner settles the matching flags. */
  flags: ItemFlag[];
}

/** What people can do to an item: from a link (done, drop, snooze) or a reply command (all of them). */
export type ItemAction = 'done' | 'drop' | 'snooze' | 'due' | 'owner';

export interface ItemChange {
  action: ItemAction;
  /** The address of whoever made it. */
  by: string;
  at: string;
  /** The item as it was before the change. */
  previous: ItemState;
  /**
   * The reply that made it (its confirmation's outbox key): the same reply applied again after a crash finds its own
   * change and reports it as made, not as "already done". Absent for changes from links.
   */
  via?: string;
}

/** Where the date of the next meeting came from, strongest first. */
export type NextMeetingSource = 'notes' | 'calendar' | 'cadence';

export interface SeriesMeeting {
  id: string;
  /** Local date, YYYY-MM-DD. */
  date: string;
}

/** The meetings between the same two people (order does not matter): a manager's 1:1 with one report. */
export interface Series {
  id: string;
  /** The attendees, sorted by address. */
  members: Person[];
  /** Who wrote the latest notes: in a manager's 1:1s, the manager. */
  author: Person | null;
  /** Oldest first, the latest ones only (see MAX_SERIES_MEETINGS). */
  meetings: SeriesMeeting[];
  nextMeeting: { date: string; source: NextMeetingSource } | null;
  /** IANA time zone of the latest notes' sender: the series' local calendar. */
  timeZone: string;
  /** Bumped on every write; a write that expects an older version fails (two notes arriving at once). */
  version: number;
  updatedAt: string;
}

export const MAX_SERIES_MEETINGS = 26;

export type Weekday = 'MON' | 'TUE' | 'WED' | 'THU' | 'FRI' | 'SAT' | 'SUN';

/** Someone who receives mail from followthrough, with when they want it. */
export interface PersonRecord {
  address: string;
  name: string | null;
  /** IANA name; for someone we know only from a Date header's offset, the matching Etc/GMT or city zone. */
  timeZone: string;
  /** When the weekly digest goes out, in their time zone: default Monday 08:00. */
  weekly: { day: Weekday; time: string };
  createdAt: string;
  updatedAt: string;
  /**
   * The kinds of digest this person unsubscribed from (RFC 8058 one-click, or the footer link), in a fixed order;
   * absent when none. Transactional mail (wrap-ups, confirmations) has no unsubscribe: it answers what they did.
   */
  optOut?: OptOutKind[];
  /**
   * Wrote the notes of a series at least once: only such a person can manage others (the roll-up), so only they cost
   * the weekly job a Query of the author index. False when known not to; absent on a record older than this fact
   * (unknown: the weekly job asks the author index, as it did for everyone before).
   */
  authored?: boolean;
}

/**
 * When a group of people get their weekly digest: one schedule fires for all of them (not one per person, which
 * put 10,000 Lambdas and SES calls at Monday 08:00 at once), and the store indexes people by it.
 */
export interface WeeklySlot {
  day: Weekday;
  /** HH:MM, 24-hour, in `timeZone`. */
  time: string;
  /** IANA name. */
  timeZone: string;
}

export const slotOf = (person: Pick<PersonRecord, 'weekly' | 'timeZone'>): WeeklySlot => ({
  day: person.weekly.day,
  time: person.weekly.time,
  timeZone: person.timeZone,
});

/** The mails that carry List-Unsubscribe: the recurring ones, which a person can do without. */
export type OptOutKind = 'digest' | 'weekly' | 'rollup';

export const OPT_OUT_KINDS: readonly OptOutKind[] = ['digest', 'weekly', 'rollup'];

/** A number shown in an email and the item it stands for: how "done 2" in a reply finds the item. */
export interface ItemRef {
  number: number;
  meetingId: string;
  seq: number;
}

/** A mail we sent, kept so that a reply to it can be recognised (by its ref or by its Message-ID). */
export interface SentMailRecord {
  /** Random (see OutboxRecord.ref): it travels in the subject, so knowing a meeting does not let anyone guess it. */
  ref: string;
  kind: 'wrapup' | 'digest' | 'weekly' | 'rollup' | 'confirmation' | 'notice';
  messageId: string;
  to: string[];
  subject: string;
  sentAt: string;
  meetingId: string | null;
  seriesId: string | null;
  items: ItemRef[];
}

/**
 * The outbox record of one mail, written (conditional put) before the mail is handed to the mailer: a retry after
 * a crash finds it and sends the same mail, with the same ref and Message-ID, rather than a second one.
 */
export interface OutboxRecord {
  /** Derived from what the mail is for (mailRef: kind, meeting or series, recipient, day). Never leaves the store. */
  key: string;
  /** Random (≥ 80 bits), drawn at claim: the mail's public name, in its subject ("[ft-…]") and its SentMailRecord. */
  ref: string;
  /** The Message-ID written into the mail, drawn at claim so that every attempt carries the same one. */
  messageId: string;
  kind: SentMailRecord['kind'];
  to: string[];
  /** As sent, with the ref. */
  subject: string;
  meetingId: string | null;
  seriesId: string | null;
  items: ItemRef[];
  /** pending: claimed, maybe handed to the mailer; sent: the mailer took it and the SentMailRecord exists. */
  state: 'pending' | 'sent';
  claimedAt: string;
  sentAt: string | null;
}

/**
 * An address that bounced for good or complained, as SES reported it: nothing is sent to it again. Sending to an
 * address that bounces or complains hurts the SES account's reputation, which every other recipient depends on.
 */
export interface SuppressionRecord {
  /** Lower-case, with no display name. */
  address: string;
  reason: 'bounce' | 'complaint';
  /** "Permanent/General" for a bounce; the complaint's feedback type ("abuse") or "unspecified". */
  detail: string;
  /** SES's feedbackId for the bounce or complaint: where to look it up in SES. */
  feedbackId: string;
  /** When it was recorded (ISO, UTC). */
  at: string;
}
