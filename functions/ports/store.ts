import type {
  ItemChange,
  ItemState,
  ItemStatus,
  Meeting,
  PersonRecord,
  SentMailRecord,
  Series,
  StoredItem,
  SuppressionRecord,
} from '../domain/model';

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

  getItem(meetingId: string, seq: number): Promise<StoredItem | null>;
  /**
   * Writes the item's new state and the change that led to it (null when undoing), keeping the owner and series
   * indexes in step. Throws NotFoundError for an unknown item.
   */
  updateItem(
    meetingId: string,
    seq: number,
    state: ItemState,
    lastChange: ItemChange | null,
    at: string,
  ): Promise<StoredItem>;
  /** Items of every meeting of a series, by meeting date then seq; open ones only when asked. */
  listSeriesItems(seriesId: string, options?: { openOnly?: boolean }): Promise<StoredItem[]>;

  getSeries(seriesId: string): Promise<Series | null>;
  /**
   * Stores the series if `expectedVersion` matches the stored one (0 = must not exist yet) and returns true;
   * returns false when someone else wrote it first, so that the caller reads it again and retries.
   */
  putSeries(series: Series, expectedVersion: number): Promise<boolean>;
  /** Series whose latest notes this person wrote (a manager's 1:1s with reports), a page at a time. */
  listSeriesByAuthor(address: string, options?: { limit?: number; cursor?: string }): Promise<Page<Series>>;

  getPerson(address: string): Promise<PersonRecord | null>;
  /** Stores the person unless one with that address exists; returns the record that is stored now. */
  putPersonIfAbsent(person: PersonRecord): Promise<PersonRecord>;

  /** Records a mail we sent under its ref, and its Message-ID, so that replies find it. Idempotent on ref. */
  recordSentMail(mail: SentMailRecord): Promise<void>;
  getSentMail(ref: string): Promise<SentMailRecord | null>;
  findSentMailByMessageId(messageId: string): Promise<SentMailRecord | null>;

  /**
   * Stops all mail to an address. The first record wins: a second event for the same address (SNS delivers at
   * least once, and mail already in flight can bounce after the first) changes nothing, so the record keeps the
   * reason we first stopped. The address is matched whatever its case.
   */
  suppressAddress(record: SuppressionRecord): Promise<void>;
  /** The suppression of this address (any case), or null when mail to it may go. */
  getSuppression(address: string): Promise<SuppressionRecord | null>;
}
