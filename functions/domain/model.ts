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
  subject: string;
  attendees: Person[];
  /** Who wrote the notes (the original message's From); "I" and "me" in the notes are this person. */
  author: Person | null;
  /** The next 1:1's date when the notes name it. */
  nextMeetingDate: string | null;
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
  /** pending while an ingest is writing; complete once items and the wrap-up schedule exist. */
  state: 'pending' | 'complete';
  itemCount: number;
  wrapupSentAt: string | null;
}

export interface StoredItem extends ExtractedItem {
  meetingId: string;
  /** 1-based position in the meeting's wrap-up: what people type in a reply ("done 2"). */
  seq: number;
  status: ItemStatus;
  createdAt: string;
  updatedAt: string;
}
