import { FollowthroughError, NotFoundError } from '../domain/errors';
import { assess, byUrgency, counterpartOf, isListed, numbered } from '../domain/items/listing';
import type { OutboxRecord, PersonRecord, Series, StoredItem, WeeklySlot } from '../domain/model';
import type { RollupReport } from '../domain/render/inputs';
import { renderRollupMail } from '../domain/render/rollup';
import { renderWeeklyMail } from '../domain/render/weekly';
import { localDate } from '../domain/time';
import { MAX_PAGES_PER_SEND, PAGE_LEASE_SECONDS, type WeeklyPage, type WeeklyPageQueue } from '../ports/page-queue';
import type { OutboxClaim, OutboxSent, Store } from '../ports/store';
import { hasOptedOut, unsubscribeLink } from './apply-unsubscribe';
import { linksFor, mailRef, newClaim, type OutgoingDeps, outgoingMail, type Sending } from './outgoing';

/** A person who wrote the notes of at least this many series manages others, and gets the roll-up. */
export const MANAGER_SERIES = 2;

const SERIES_PAGE = 25;

/**
 * People per page of a weekly slot: one Query of the slot index, and one BatchGetItem each for the people, their
 * series, suppressions and outbox records (100 keys is BatchGetItem's limit). The only reads that grow with the
 * page are one owner-index Query per person, and the author index for those who wrote notes.
 */
export const PAGE_SIZE = 100;

/** Owner-index Queries of one page in flight at once: enough to hide DynamoDB's latency, few enough to be gentle. */
const READS_AT_ONCE = 8;

/** Mails of one page handed to the mailer at once (SES's rate is held by the mailer itself, see paced-mailer). */
const SENDS_AT_ONCE = 4;

/**
 * Sent mails are marked a BatchWriteItem's worth at a time (25 outbox records, after their 50 sent-mail records and
 * pointers), not at the end of the page: a crash resends at most these, with the same ref and Message-ID.
 */
const MARK_EVERY = 25;

/** 'opted-out': the person unsubscribed from that mail (RFC 8058 link in every one); nothing went or is recorded. */
export interface SendWeeklyResult {
  weekly: 'sent' | 'already-sent' | 'suppressed' | 'opted-out' | 'nothing-open';
  rollup: 'sent' | 'already-sent' | 'suppressed' | 'opted-out' | 'nothing-open' | 'not-a-manager';
}

export type WeeklyPageResult =
  /** Sent before, in full: nothing was read or sent. */
  | { outcome: 'done' }
  /** What became of each person of the page that has a record, by address. */
  | { outcome: 'sent'; people: Map<string, SendWeeklyResult> };

/** Another worker holds the page's lease: try again later (SQS redelivers it after its visibility timeout). */
export class WeeklyPageBusyError extends FollowthroughError {}

/**
 * A weekly slot's schedule fired: the people of the slot, a page of PAGE_SIZE at a time, go to the page queue, and
 * the page workers send their mail (sendWeeklyPage). The date is the occurrence's local date in the slot's zone, the
 * same for every page, so that a firing retried later (Scheduler keeps its scheduled time) names the same mails.
 */
export async function dispatchWeekly(
  deps: { store: Store; weeklyPages: WeeklyPageQueue },
  slot: WeeklySlot,
  occurrence: Date,
): Promise<{ pages: number; people: number }> {
  const date = localDate(occurrence, slot.timeZone);
  let pending: WeeklyPage[] = [];
  let pages = 0;
  let people = 0;
  let cursor: string | undefined;
  do {
    const page = await deps.store.listPeopleInSlot(
      slot,
      cursor === undefined ? { limit: PAGE_SIZE } : { limit: PAGE_SIZE, cursor },
    );
    if (page.items.length > 0) {
      pending.push({ date, addresses: page.items.map((person) => person.address) });
      pages += 1;
      people += page.items.length;
    }
    if (pending.length === MAX_PAGES_PER_SEND) {
      await deps.weeklyPages.send(pending);
      pending = [];
    }
    cursor = page.cursor;
  } while (cursor !== undefined);
  if (pending.length > 0) await deps.weeklyPages.send(pending);
  return { pages, people };
}

/**
 * One page of a weekly slot, by its worker (the weekly-pages Lambda, or the local queue).
 *
 * 1. Take the page's lease: done before → nothing to do; another worker on it → WeeklyPageBusyError.
 * 2. Read the people, then for each the open items they own (one owner-index Query each), and for those who wrote
 *    notes the series they wrote (the roll-up); then the series of all those items, in one batch.
 * 3. Read the page's suppressions and outbox records in one batch each: a mail marked sent is not sent again, a
 *    pending one (a crashed worker's) is sent again as claimed, and the rest are claimed in one batch write — safe
 *    without a condition, since the lease makes this worker the only one on these mails.
 * 4. Send, marking the sent a batch at a time; then complete the lease. A failure lets go of the lease and throws:
 *    the page comes back, and what was marked sent is not sent again.
 */
export async function sendWeeklyPage(deps: OutgoingDeps, page: WeeklyPage): Promise<WeeklyPageResult> {
  const key = pageLeaseKey(page);
  const until = new Date(deps.clock.now().getTime() + PAGE_LEASE_SECONDS * 1000).toISOString();
  const lease = await deps.store.claimWeeklyPage(key, until);
  if (lease === 'done') return { outcome: 'done' };
  if (lease === 'busy') throw new WeeklyPageBusyError(`Weekly page ${key} is being sent by another worker`);
  try {
    const people = await deps.store.getPeople(page.addresses);
    const results = await sendToPeople(deps, page.date, people, inBatches(deps.store));
    await deps.store.completeWeeklyPage(key);
    return { outcome: 'sent', people: results };
  } catch (error) {
    // Best effort: a lease not let go of runs out by itself, before the queue hands the page out again.
    await deps.store.releaseWeeklyPage(key, until).catch(() => undefined);
    throw error;
  }
}

/**
 * One person's weekly mail as a page of one: what a schedule made before slots (`{kind: 'weekly', person}`) still
 * fires. It claims each mail conditionally (claimOutbox) rather than under a lease, so that a run of it beside
 * another run for the same person sends once; the outbox key (the person and their local date) is the same one a
 * slot's page uses.
 *
 * 1. Every open item they own across all their series — one Query on the owner index — overdue first; an item of
 *    a series they are not a member of (handed to them by address) is left out. Nothing open, no mail.
 * 2. A manager (the author of the notes of two or more series) also gets the roll-up: per report, the open,
 *    overdue and stalled counts and the oldest open item — the series read a page at a time, one Query each.
 * Each of the two is skipped, before anything is read for it, when the person unsubscribed from it.
 */
export async function sendWeekly(deps: OutgoingDeps, address: string): Promise<SendWeeklyResult> {
  const person = await deps.store.getPerson(address);
  if (person === null) throw new NotFoundError(`No person ${address}.`);
  const today = localDate(deps.clock.now(), person.timeZone);
  const results = await sendToPeople(deps, today, [person], oneByOne(deps.store));
  const result = results.get(person.address);
  if (result === undefined) throw new FollowthroughError('The weekly mail of one person came back without a result');
  return result;
}

/** The lease's key: the page's date and people, whatever order or case the addresses came in. */
export const pageLeaseKey = (page: WeeklyPage): string =>
  mailRef('weekly-page', page.date, ...page.addresses.map((a) => a.toLowerCase()).sort());

/** How the mails of a run are claimed and marked sent: in batches under a page's lease, or one by one. */
interface Claiming {
  claim(claims: OutboxClaim[]): Promise<OutboxRecord[]>;
  mark(sent: OutboxSent[]): Promise<void>;
}

const inBatches = (store: Store): Claiming => ({
  async claim(claims) {
    if (claims.length > 0) await store.putOutboxClaims(claims);
    return claims.map((claim) => ({ ...claim, state: 'pending', sentAt: null }));
  },
  mark: (sent) => store.markOutboxSentMany(sent),
});

const oneByOne = (store: Store): Claiming => ({
  claim: (claims) => Promise.all(claims.map(async (claim) => (await store.claimOutbox(claim)).record)),
  async mark(sent) {
    for (const { record, messageId, sentAt } of sent) await store.markOutboxSent(record.key, { messageId, sentAt });
  },
});

/** What one person's mails are made of, read before anything is sent. */
interface Reading {
  person: PersonRecord;
  /** The open items they own and that are listed today. */
  weekly: StoredItem[] | 'opted-out';
  /** Each series they wrote the notes of, with the open items of that series. */
  rollup: Array<{ series: Series; open: StoredItem[] }> | 'opted-out' | 'not-a-manager';
}

interface Draft {
  address: string;
  mail: 'weekly' | 'rollup';
  /** The outbox key, known before the mail is rendered. */
  key: string;
  /** Renders the mail, when its turn to be claimed and sent comes (see sendToPeople). */
  render: () => Sending;
}

/** A mail of the page on its way: the outbox record it has when a crashed worker claimed it before this one. */
interface Turn {
  draft: Draft;
  record?: OutboxRecord;
}

async function sendToPeople(
  deps: OutgoingDeps,
  today: string,
  people: PersonRecord[],
  claiming: Claiming,
): Promise<Map<string, SendWeeklyResult>> {
  const readings = await mapAtOnce(people, READS_AT_ONCE, (person) => read(deps.store, person, today));
  const seriesIds = new Set(readings.flatMap((r) => (r.weekly === 'opted-out' ? [] : r.weekly.map((i) => i.seriesId))));
  const series = new Map(
    (seriesIds.size === 0 ? [] : await deps.store.getSeriesMany([...seriesIds])).map((s) => [s.id, s]),
  );

  const results = new Map<string, SendWeeklyResult>();
  const drafts: Draft[] = [];
  for (const reading of readings) {
    const { person } = reading;
    const result: SendWeeklyResult = { weekly: 'nothing-open', rollup: 'nothing-open' };
    results.set(person.address, result);
    if (reading.weekly === 'opted-out') result.weekly = 'opted-out';
    else {
      const draft = weeklyDraft(deps, person, today, reading.weekly, series);
      if (draft !== null) drafts.push(draft);
    }
    if (reading.rollup === 'opted-out' || reading.rollup === 'not-a-manager') result.rollup = reading.rollup;
    else {
      const draft = rollupDraft(deps, person, today, reading.rollup);
      if (draft !== null) drafts.push(draft);
    }
  }
  if (drafts.length === 0) return results;

  const [suppressions, earlier] = await Promise.all([
    deps.store.getSuppressions([...new Set(drafts.map((d) => d.address))]),
    deps.store.getOutboxMany(drafts.map((d) => d.key)),
  ]);
  const suppressed = new Set(suppressions.map((s) => s.address.toLowerCase()));
  const earlierByKey = new Map(earlier.map((record) => [record.key, record]));
  const outcome = (draft: Draft, value: 'sent' | 'already-sent' | 'suppressed') => {
    const result = results.get(draft.address);
    if (result !== undefined) result[draft.mail] = value;
  };
  const claimedBefore: Turn[] = [];
  const unclaimed: Turn[] = [];
  for (const draft of drafts) {
    const record = earlierByKey.get(draft.key);
    if (record?.state === 'sent') outcome(draft, 'already-sent');
    else if (suppressed.has(draft.address.toLowerCase())) outcome(draft, 'suppressed');
    else if (record !== undefined) claimedBefore.push({ draft, record });
    else unclaimed.push({ draft });
  }
  // MARK_EVERY mails at a time are rendered, claimed (the unclaimed of them in one batch), sent and marked: a page
  // holds that many rendered mails (≈ 90 KB of strings each) rather than all of its own, which every young-generation
  // GC would copy until they are sent. Each claim is still stored before its mail goes. The mails a crashed worker
  // claimed go first, then the rest, so that a page without any claims one batch a turn, as many as before.
  const turns = [...claimedBefore, ...unclaimed];
  for (let start = 0; start < turns.length; start += MARK_EVERY) {
    const rendered = turns.slice(start, start + MARK_EVERY).map((turn) => ({ ...turn, sending: turn.draft.render() }));
    const toClaim = rendered.filter((turn) => turn.record === undefined);
    const claimed = await claiming.claim(toClaim.map((turn) => newClaim(deps, turn.sending)));
    toClaim.forEach((turn, index) => {
      const record = claimed[index];
      if (record !== undefined) turn.record = record;
    });
    const sends: Send[] = [];
    for (const { draft, record, sending } of rendered) {
      if (record === undefined) continue;
      if (record.state === 'sent') outcome(draft, 'already-sent');
      else sends.push({ draft, record, sending });
    }
    await sendAll(deps, sends, claiming, (draft) => outcome(draft, 'sent'));
  }
  return results;
}

interface Send {
  draft: Draft;
  record: OutboxRecord;
  sending: Sending;
}

async function read(store: Store, person: PersonRecord, today: string): Promise<Reading> {
  const [weekly, rollup] = await Promise.all([ownItems(store, person, today), managedSeries(store, person)]);
  return { person, weekly, rollup };
}

async function ownItems(store: Store, person: PersonRecord, today: string): Promise<Reading['weekly']> {
  if (hasOptedOut(person, 'weekly')) return 'opted-out';
  const open = await store.listItemsByOwner({ owner: person.address, openOnly: true });
  return open.filter((item) => isListed(item, today));
}

async function managedSeries(store: Store, person: PersonRecord): Promise<Reading['rollup']> {
  if (hasOptedOut(person, 'rollup')) return 'opted-out';
  // Known never to have written notes: the author index has nothing for them, and is not asked.
  if (person.authored === false) return 'not-a-manager';
  const managed: Series[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listSeriesByAuthor(
      person.address,
      cursor ? { limit: SERIES_PAGE, cursor } : { limit: SERIES_PAGE },
    );
    managed.push(...page.items);
    cursor = page.cursor;
  } while (cursor !== undefined);
  if (managed.length < MANAGER_SERIES) return 'not-a-manager';
  return Promise.all(
    managed.map(async (series) => ({ series, open: await store.listSeriesItems(series.id, { openOnly: true }) })),
  );
}

function weeklyDraft(
  deps: OutgoingDeps,
  person: PersonRecord,
  today: string,
  listed: StoredItem[],
  series: Map<string, Series>,
): Draft | null {
  // A reply can hand an item to anyone by address ("2 owner pat@…"), and the owner index then lists it as theirs;
  // but what a 1:1 agreed is mailed only to the people who were in it.
  const owned = listed.filter((item) =>
    series.get(item.seriesId)?.members.some((member) => member.address.toLowerCase() === person.address.toLowerCase()),
  );
  if (owned.length === 0) return null;
  const items = numbered(
    owned
      .map((item) => ({
        item,
        ...assess(item, today, series.get(item.seriesId), null),
        counterpart: counterpartOf(series.get(item.seriesId), person.address),
      }))
      .sort(byUrgency),
  );
  const who = { address: person.address, name: person.name };
  const key = mailRef('weekly', person.address, today);
  return {
    address: person.address,
    mail: 'weekly',
    key,
    render: () => {
      const unsubscribe = unsubscribeLink(deps, person.address, 'weekly');
      return {
        key,
        kind: 'weekly',
        to: who,
        mail: renderWeeklyMail({
          person: who,
          today,
          items,
          links: linksFor(deps, person.address),
          unsubscribeUrl: unsubscribe.url,
        }),
        items: items.map(({ number, item }) => ({ number, meetingId: item.meetingId, seq: item.seq })),
        headers: unsubscribe.headers,
      };
    },
  };
}

function rollupDraft(
  deps: OutgoingDeps,
  person: PersonRecord,
  today: string,
  managed: Array<{ series: Series; open: StoredItem[] }>,
): Draft | null {
  const reports: RollupReport[] = [];
  for (const { series, open: seriesOpen } of managed) {
    const report = counterpartOf(series, person.address);
    if (report === null) continue;
    const open = seriesOpen.filter((item) => item.owner?.toLowerCase() === report.address && isListed(item, today));
    const assessed = open.map((item) => ({ item, ...assess(item, today, series, null) }));
    const oldest = [...open].sort(byAgreement)[0];
    reports.push({
      report,
      seriesId: series.id,
      open: open.length,
      overdue: assessed.filter((a) => a.overdue).length,
      stalled: assessed.filter((a) => a.stalled).length,
      oldest: oldest === undefined ? null : { text: oldest.text, due: oldest.due, meetingDate: oldest.meetingDate },
    });
  }
  if (reports.every((r) => r.open === 0)) return null;
  reports.sort((a, b) => b.overdue - a.overdue || b.stalled - a.stalled || b.open - a.open);
  const manager = { address: person.address, name: person.name };
  const key = mailRef('rollup', person.address, today);
  return {
    address: person.address,
    mail: 'rollup',
    key,
    render: () => {
      const unsubscribe = unsubscribeLink(deps, person.address, 'rollup');
      return {
        key,
        kind: 'rollup',
        to: manager,
        mail: renderRollupMail({ manager, today, reports, unsubscribeUrl: unsubscribe.url }),
        headers: unsubscribe.headers,
      };
    },
  };
}

/**
 * Hands the mails to the mailer, a few at once, and marks the sent MARK_EVERY at a time. After a failure no further
 * mail is started; what went is marked, then the failure is thrown.
 */
async function sendAll(
  deps: OutgoingDeps,
  sends: Send[],
  claiming: Claiming,
  onSent: (draft: Draft) => void,
): Promise<void> {
  let next = 0;
  let failed = false;
  let failure: unknown;
  let unmarked: OutboxSent[] = [];
  const mark = async () => {
    const batch = unmarked;
    unmarked = [];
    if (batch.length > 0) await claiming.mark(batch);
  };
  const sender = async () => {
    for (let send = sends[next]; !failed && send !== undefined; send = sends[next]) {
      next += 1;
      try {
        const delivered = await deps.mailer.send(outgoingMail(deps, send.record, send.sending));
        unmarked.push({ record: send.record, messageId: delivered.messageId, sentAt: deps.clock.now().toISOString() });
        onSent(send.draft);
        if (unmarked.length >= MARK_EVERY) await mark();
      } catch (error) {
        if (!failed) failure = error;
        failed = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(SENDS_AT_ONCE, sends.length) }, sender));
  await mark();
  if (failed) throw failure;
}

/** fn over the items, at most `limit` at once, results in the items' order. */
async function mapAtOnce<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

const byAgreement = (a: StoredItem, b: StoredItem): number =>
  a.meetingDate.localeCompare(b.meetingDate) || a.seq - b.seq;
