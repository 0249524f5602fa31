import type {
  ItemChange,
  ItemState,
  ItemStatus,
  Meeting,
  OptOutKind,
  OutboxRecord,
  PersonRecord,
  SentMailRecord,
  Series,
  StoredItem,
  SuppressionRecord,
  WeeklySlot,
} from '../domain/model';

export type ClaimResult =
  /** No meeting with this id existed: it is now stored as pending. */
  | { outcome: 'claimed' }
  /** A previous ingest stopped part-way: the pending meeting is there, the caller finishes the job. */
  | { outcome: 'resumed'; meeting: Meeting }
  /** Already ingested in full: nothing to do. */
  | { outcome: 'duplicate'; meeting: Meeting };

/** An outbox record as claimed: pending, not yet sent. */
export type OutboxClaim = Omit<OutboxRecord, 'state' | 'sentAt'>;

export type OutboxClaimResult =
  /** No record had this key: the claim is stored, pending. */
  | { outcome: 'claimed'; record: OutboxRecord }
  /** An earlier attempt claimed it: pending (it may or may not have reached the mailer) or sent. */
  | { outcome: 'exists'; record: OutboxRecord };

/** A Standard Webhooks delivery as received: its webhook-id claimed before ingest, marked complete after it. */
export interface WebhookDelivery {
  webhookId: string;
  /** pending: claimed, the ingest may not have finished (a crash, or a concurrent delivery still running). */
  state: 'pending' | 'complete';
  /** When it was first claimed (ISO). */
  receivedAt: string;
  /** Epoch seconds: the table's TTL attribute. Past it the record counts as gone, whether or not TTL deleted it. */
  expiresAt: number;
  /** The meeting the delivery stored, once complete. */
  meetingId: string | null;
  completedAt: string | null;
}

export type WebhookDeliveryClaim =
  /** Never seen (or its record expired): claimed now, pending. */
  | { outcome: 'claimed'; delivery: WebhookDelivery }
  /** Seen before: pending (ingest again, it is idempotent) or complete (a replay: ingest nothing). */
  | { outcome: 'seen'; delivery: WebhookDelivery };

/** A mail handed to the mailer, to be marked sent: its outbox record as claimed, and what the mailer answered. */
export interface OutboxSent {
  record: OutboxRecord;
  messageId: string;
  sentAt: string;
}

export type WeeklyPageLease =
  /** No one had the page, or the one who had it let it go or outlived its lease: it is the caller's now. */
  | 'claimed'
  /** Sent in full before: nothing to do. */
  | 'done'
  /** Another worker holds it, until its lease runs out. */
  | 'busy';

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
  /**
   * Conditional put: stores the meeting as pending (or unverified, when handed one: that state is final) unless a
   * meeting with that id exists. An existing unverified or complete meeting is a duplicate; a pending one resumes.
   */
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
  /**
   * Stores the person unless one with that address exists; returns the record that is stored now. The record is
   * indexed under its weekly slot (listPeopleInSlot); one stored before that index existed is added to it here, once.
   */
  putPersonIfAbsent(person: PersonRecord): Promise<PersonRecord>;
  /**
   * Records whether the person wrote the notes of a series (PersonRecord.authored): true always wins, false is only
   * written where nothing is known yet, so that it cannot undo a true written meanwhile. An unknown address is
   * ignored.
   */
  markAuthored(address: string, authored: boolean): Promise<void>;
  /**
   * Adds (optedOut true) or removes one kind of digest from the person's opt-outs and returns the record as it now
   * is. Idempotent: a repeat (a mail provider retrying a one-click POST) changes nothing, not even updatedAt. An
   * unknown address throws NotFoundError.
   */
  setOptOut(address: string, kind: OptOutKind, optedOut: boolean, at: string): Promise<PersonRecord>;

  /** Records a mail we sent under its ref, and its Message-ID, so that replies find it. Idempotent on ref. */
  recordSentMail(mail: SentMailRecord): Promise<void>;
  getSentMail(ref: string): Promise<SentMailRecord | null>;
  findSentMailByMessageId(messageId: string): Promise<SentMailRecord | null>;

  /**
   * Conditional put of a mail's outbox record, as pending, before the mail is handed to the mailer. When a record
   * with that key exists it is left as it is and returned: the caller sends that one (pending) or stops (sent).
   */
  claimOutbox(claim: OutboxClaim): Promise<OutboxClaimResult>;
  getOutbox(key: string): Promise<OutboxRecord | null>;
  /**
   * After the mailer took the mail: records it as sent (recordSentMail, with the Message-ID as delivered), then
   * marks the outbox record sent, in that order, so that a sent outbox record always has its SentMailRecord.
   * Marking again keeps the first SentMailRecord and sentAt, and only adds the Message-ID as another way to find
   * the mail (SES gives each attempt its own); an unknown key throws NotFoundError.
   */
  markOutboxSent(key: string, sent: { messageId: string; sentAt: string }): Promise<void>;

  /**
   * Stops all mail to an address. The first record wins: a second event for the same address (SNS delivers at
   * least once, and mail already in flight can bounce after the first) changes nothing, so the record keeps the
   * reason we first stopped. The address is matched whatever its case.
   */
  suppressAddress(record: SuppressionRecord): Promise<void>;
  /** The suppression of this address (any case), or null when mail to it may go. */
  getSuppression(address: string): Promise<SuppressionRecord | null>;

  /**
   * Conditional put of WEBHOOK#<webhookId>, pending, expiring some days after `at` (DynamoDB TTL): longer than any
   * sender's retry schedule. A record that exists and has not expired is left as it is and returned.
   */
  claimWebhookDelivery(webhookId: string, at: string): Promise<WebhookDeliveryClaim>;
  /** Marks a claimed delivery complete with the meeting it stored; an unknown id throws NotFoundError. */
  completeWebhookDelivery(webhookId: string, meetingId: string, at: string): Promise<void>;
  /** The record as stored, expired or not (TTL deletion lags by up to days). */
  getWebhookDelivery(webhookId: string): Promise<WebhookDelivery | null>;

  // The weekly job reads and writes a page of people (≤ 100) at a time: BatchGetItem takes 100 keys a request and
  // BatchWriteItem 25 records, each retrying what DynamoDB left unprocessed. A batch has no condition, so the writes
  // below are for a caller that alone sends those mails: a weekly page under its lease (claimWeeklyPage).

  /** The people of one weekly slot (their day, time and zone), by address, a page at a time. */
  listPeopleInSlot(slot: WeeklySlot, options?: { limit?: number; cursor?: string }): Promise<Page<PersonRecord>>;
  /** The people of these addresses (any case) that have a record, in no particular order. */
  getPeople(addresses: readonly string[]): Promise<PersonRecord[]>;
  /** The series of these ids that exist and have not expired, in no particular order. */
  getSeriesMany(seriesIds: readonly string[]): Promise<Series[]>;
  /** The suppressions of these addresses (any case), in no particular order. */
  getSuppressions(addresses: readonly string[]): Promise<SuppressionRecord[]>;
  /** The outbox records of these keys that exist and have not expired, in no particular order. */
  getOutboxMany(keys: readonly string[]): Promise<OutboxRecord[]>;
  /** Stores the claims as pending outbox records, replacing any record under the same key (no condition). */
  putOutboxClaims(claims: readonly OutboxClaim[]): Promise<void>;
  /**
   * markOutboxSent for many: the SentMailRecords and their Message-ID pointers first, then the outbox records as
   * sent, so that a sent outbox record always has its SentMailRecord. Unconditional: a mail marked again is recorded
   * again, with the later Message-ID and time (its first Message-ID's pointer still finds it).
   */
  markOutboxSentMany(sent: readonly OutboxSent[]): Promise<void>;
  /**
   * Takes the lease of one weekly page until `until` (ISO), unless it is done or someone else's lease on it has not
   * run out: a conditional put.
   */
  claimWeeklyPage(pageKey: string, until: string): Promise<WeeklyPageLease>;
  /** The page is sent in full: a later claim is told 'done'. */
  completeWeeklyPage(pageKey: string): Promise<void>;
  /**
   * Lets go of the lease the caller took until `until` without completing the page (it failed), so that the next
   * claim takes it at once; a lease someone else took since is left alone.
   */
  releaseWeeklyPage(pageKey: string, until: string): Promise<void>;
}
