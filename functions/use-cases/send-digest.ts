import { NotFoundError } from '../domain/errors';
import { assess, byAge, counterpartOf, isListed, numbered } from '../domain/items/listing';
import type { StoredItem } from '../domain/model';
import { renderDigestMail } from '../domain/render/digest';
import type { ListedItem } from '../domain/render/inputs';
import { localDate } from '../domain/time';
import { hasOptedOut, unsubscribeLink } from './apply-unsubscribe';
import { linksFor, mailRef, type OutgoingDeps, sendOnce } from './outgoing';

export interface DigestJob {
  seriesId: string;
  recipient: string;
  meetingDate: string;
}

export type SendDigestResult =
  | { outcome: 'sent'; open: number; stalled: number }
  | { outcome: 'already-sent' }
  /** The recipient's address bounced for good or complained: nothing went. */
  | { outcome: 'suppressed' }
  /** The recipient unsubscribed from pre-meeting digests: nothing went, nothing is recorded as sent. */
  | { outcome: 'opted-out' }
  /**
   * The series now meets on another day (new notes moved it), the recipient left it, or the meeting day is over
   * (a schedule that fires late, after downtime): nothing to send.
   */
  | { outcome: 'stale' };

/**
 * The pre-meeting digest for one attendee, the morning of the next meeting of a series.
 *
 * 1. Check the job still stands: the series' next meeting is still that day (new notes reschedule the digest,
 *    but a job already in flight may carry the old date), and that day is not over; and the recipient has not
 *    unsubscribed from these digests (RFC 8058 link in every one).
 * 2. One Query for the series' open items; leave out snoozed ones and anything agreed on or after that day.
 * 3. First what is still open from earlier meetings — overdue first, stalled ones called out — then the agenda
 *    the latest notes set, then growth items with their follow-up dates. An empty digest says so in one line.
 */
export async function sendDigest(deps: OutgoingDeps, job: DigestJob): Promise<SendDigestResult> {
  const series = await deps.store.getSeries(job.seriesId);
  if (series === null) throw new NotFoundError(`No series ${job.seriesId}.`);
  const recipient = series.members.find((p) => p.address === job.recipient.toLowerCase());
  if (series.nextMeeting?.date !== job.meetingDate || recipient === undefined) return { outcome: 'stale' };
  if (localDate(deps.clock.now(), series.timeZone) > job.meetingDate) return { outcome: 'stale' };
  if (hasOptedOut(await deps.store.getPerson(recipient.address), 'digest')) return { outcome: 'opted-out' };

  const day = job.meetingDate;
  const items = (await deps.store.listSeriesItems(series.id, { openOnly: true })).filter(
    (item) => isListed(item, day) && item.meetingDate < day,
  );
  const latest = series.meetings.filter((m) => m.date < day).at(-1);
  const listed = (item: StoredItem): Omit<ListedItem, 'number'> => ({
    item,
    ...assess(item, day, series, day),
    counterpart: counterpartOf(series, recipient.address),
  });
  const open = numbered(
    items
      .filter((i) => i.section === 'action')
      .map(listed)
      .sort(byAge),
  );
  const agenda = numbered(
    items.filter((i) => i.section === 'agenda' && i.meetingId === latest?.id).map(listed),
    open.length + 1,
  );
  const growth = numbered(items.filter((i) => i.section === 'growth').map(listed), open.length + agenda.length + 1);

  const unsubscribe = unsubscribeLink(deps, recipient.address, 'digest');
  const mail = renderDigestMail({
    series,
    recipient,
    meetingDate: day,
    open,
    agenda,
    topics: latest === undefined ? [] : ((await deps.store.getMeeting(latest.id))?.agenda ?? []),
    growth,
    links: linksFor(deps, recipient.address),
    unsubscribeUrl: unsubscribe.url,
  });
  const shown = [...open, ...agenda, ...growth];
  const sent = await sendOnce(deps, {
    key: mailRef('digest', series.id, recipient.address, day),
    kind: 'digest',
    to: recipient,
    mail,
    seriesId: series.id,
    items: shown.map(({ number, item }) => ({ number, meetingId: item.meetingId, seq: item.seq })),
    headers: unsubscribe.headers,
  });
  if (sent !== 'sent') return { outcome: sent };
  return { outcome: 'sent', open: open.length, stalled: open.filter((i) => i.stalled).length };
}
