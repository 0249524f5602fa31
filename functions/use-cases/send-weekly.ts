import { NotFoundError } from '../domain/errors';
import { assess, byUrgency, counterpartOf, isListed, numbered } from '../domain/items/listing';
import type { PersonRecord, Series, StoredItem } from '../domain/model';
import type { RollupReport } from '../domain/render/inputs';
import { renderRollupMail } from '../domain/render/rollup';
import { renderWeeklyMail } from '../domain/render/weekly';
import { localDate } from '../domain/time';
import { hasOptedOut, unsubscribeLink } from './apply-unsubscribe';
import { linksFor, mailRef, type OutgoingDeps, sendOnce } from './outgoing';

/** A person who wrote the notes of at least this many series manages others, and gets the roll-up. */
export const MANAGER_SERIES = 2;

const SERIES_PAGE = 25;

/** 'opted-out': the person unsubscribed from that mail (RFC 8058 link in every one); nothing went or is recorded. */
export interface SendWeeklyResult {
  weekly: 'sent' | 'already-sent' | 'suppressed' | 'opted-out' | 'nothing-open';
  rollup: 'sent' | 'already-sent' | 'suppressed' | 'opted-out' | 'nothing-open' | 'not-a-manager';
}

/**
 * One person's weekly mail, fired by their weekly schedule (their day and time, their time zone).
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
  return { weekly: await sendOwnItems(deps, person, today), rollup: await sendRollup(deps, person, today) };
}

async function sendOwnItems(
  deps: OutgoingDeps,
  person: PersonRecord,
  today: string,
): Promise<SendWeeklyResult['weekly']> {
  if (hasOptedOut(person, 'weekly')) return 'opted-out';
  const listed = (await deps.store.listItemsByOwner({ owner: person.address, openOnly: true })).filter((item) =>
    isListed(item, today),
  );
  if (listed.length === 0) return 'nothing-open';
  const series = new Map<string, Series>();
  for (const id of new Set(listed.map((item) => item.seriesId))) {
    const found = await deps.store.getSeries(id);
    if (found !== null) series.set(id, found);
  }
  // A reply can hand an item to anyone by address ("2 owner pat@…"), and the owner index then lists it as theirs;
  // but what a 1:1 agreed is mailed only to the people who were in it.
  const owned = listed.filter((item) =>
    series.get(item.seriesId)?.members.some((member) => member.address.toLowerCase() === person.address.toLowerCase()),
  );
  if (owned.length === 0) return 'nothing-open';
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
  const unsubscribe = unsubscribeLink(deps, person.address, 'weekly');
  const mail = renderWeeklyMail({
    person: who,
    today,
    items,
    links: linksFor(deps, person.address),
    unsubscribeUrl: unsubscribe.url,
  });
  return sendOnce(deps, {
    key: mailRef('weekly', person.address, today),
    kind: 'weekly',
    to: who,
    mail,
    items: items.map(({ number, item }) => ({ number, meetingId: item.meetingId, seq: item.seq })),
    headers: unsubscribe.headers,
  });
}

async function sendRollup(
  deps: OutgoingDeps,
  person: PersonRecord,
  today: string,
): Promise<SendWeeklyResult['rollup']> {
  if (hasOptedOut(person, 'rollup')) return 'opted-out';
  const managed: Series[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.store.listSeriesByAuthor(
      person.address,
      cursor ? { limit: SERIES_PAGE, cursor } : { limit: SERIES_PAGE },
    );
    managed.push(...page.items);
    cursor = page.cursor;
  } while (cursor !== undefined);
  if (managed.length < MANAGER_SERIES) return 'not-a-manager';

  const reports: RollupReport[] = [];
  for (const series of managed) {
    const report = counterpartOf(series, person.address);
    if (report === null) continue;
    const open = (await deps.store.listSeriesItems(series.id, { openOnly: true })).filter(
      (item) => item.owner?.toLowerCase() === report.address && isListed(item, today),
    );
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
  if (reports.every((r) => r.open === 0)) return 'nothing-open';
  reports.sort((a, b) => b.overdue - a.overdue || b.stalled - a.stalled || b.open - a.open);
  const manager = { address: person.address, name: person.name };
  const unsubscribe = unsubscribeLink(deps, person.address, 'rollup');
  return sendOnce(deps, {
    key: mailRef('rollup', person.address, today),
    kind: 'rollup',
    to: manager,
    mail: renderRollupMail({ manager, today, reports, unsubscribeUrl: unsubscribe.url }),
    headers: unsubscribe.headers,
  });
}

const byAgreement = (a: StoredItem, b: StoredItem): number =>
  a.meetingDate.localeCompare(b.meetingDate) || a.seq - b.seq;
