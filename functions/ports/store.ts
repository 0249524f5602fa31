import type { ItemStatus, Meeting, StoredItem } from '../domain/model';

export type ClaimResult =
  /** No meeting with this id existed: it is now stored as pending. */
  | { outcome: 'claimed' }
  /** A previous ingest stopped part-way: the pending meeting is there, the caller finishes the job. */
  | { outcome: 'resumed'; meeting: Meeting }
  /** Already ingested in full: nothing to do. */
  | { outcome: 'duplicate'; meeting: Meeting };

export interface ItemQuery {
  owner: string;
  /** Only items whose status is open. */
  openOnly?: boolean;
}

export interface Page<T> {
  items: T[];
  /** Opaque; pass back to get the next page. Absent on the last page. */
  cursor?: string;
}

/**
 * The one table. Every read is a GetItem or a Query on a key or an index: there is no Scan behind any method.
 * There is no transaction either (dynalite has none), so ingest writes in an order that is safe to resume:
 * claim the meeting as pending → put its items → schedule the wrap-up → mark the meeting complete.
 */
export interface Store {
  /** Conditional put: stores the meeting as pending unless a meeting with that id exists. */
  claimMeeting(meeting: Meeting): Promise<ClaimResult>;
  /** Puts items that do not exist yet; an existing item (same meeting and seq) is left as it is. */
  putItems(items: StoredItem[]): Promise<void>;
  completeMeeting(meetingId: string): Promise<void>;
  getMeeting(meetingId: string): Promise<Meeting | null>;
  markWrapupSent(meetingId: string, at: string): Promise<void>;
  /** Items of one meeting in seq order. */
  listMeetingItems(meetingId: string): Promise<StoredItem[]>;
  /** Items one person owns (owner is an address or, for non-attendees, the name as written), due date first. */
  listItemsByOwner(query: ItemQuery): Promise<StoredItem[]>;
  /** Meetings, newest first, a page at a time. */
  listMeetings(options?: { limit?: number; cursor?: string }): Promise<Page<Meeting>>;
  setItemStatus(meetingId: string, seq: number, status: ItemStatus, at: string): Promise<StoredItem>;
}
