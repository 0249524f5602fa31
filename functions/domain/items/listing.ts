import type { Person, Series, StoredItem } from '../model';
import type { ListedItem } from '../render/inputs';

/** Overdue by this many days, an item is stalled even if no meeting has passed since. */
export const STALLED_OVERDUE_DAYS = 7;
/** Still open after this many later meetings of its series, an item is stalled. */
export const STALLED_MEETINGS = 2;

/** Whether an open item belongs in a reminder on `day`: not closed, not snoozed past it. */
export function isListed(item: StoredItem, day: string): boolean {
  return item.status === 'open' && (item.snoozedUntil === null || item.snoozedUntil <= day);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/**
 * How an open item stands on `day`: overdue (due before it), and stalled — open across two or more later meetings
 * of its series (counting `upcoming`, the meeting a digest prepares for), or overdue by a week. A growth goal runs
 * for months by design: only its follow-up date, a week past, makes it stalled.
 */
export function assess(
  item: StoredItem,
  day: string,
  series: Series | undefined,
  upcoming: string | null,
): Pick<ListedItem, 'overdue' | 'daysOverdue' | 'meetingsOpen' | 'stalled'> {
  const daysOverdue = item.due !== null && item.due < day ? daysBetween(item.due, day) : 0;
  const held = (series?.meetings ?? []).filter(
    (m) => m.date > item.meetingDate && (upcoming === null || m.date < upcoming),
  );
  const meetingsOpen = held.length + (upcoming !== null && upcoming > item.meetingDate ? 1 : 0);
  return {
    overdue: daysOverdue > 0,
    daysOverdue,
    meetingsOpen,
    stalled: (item.section !== 'growth' && meetingsOpen >= STALLED_MEETINGS) || daysOverdue >= STALLED_OVERDUE_DAYS,
  };
}

/** The other person of a series, seen from `me`. */
export function counterpartOf(series: Series | undefined, me: string): Person | null {
  return series?.members.find((p) => p.address.toLowerCase() !== me.toLowerCase()) ?? null;
}

/** Overdue first (most overdue first), then by due date, undated last; ties by meeting then seq. */
type Ranked = Pick<ListedItem, 'item' | 'daysOverdue'>;

export function byUrgency(a: Ranked, b: Ranked): number {
  return (
    b.daysOverdue - a.daysOverdue ||
    (a.item.due ?? '9999-12-31').localeCompare(b.item.due ?? '9999-12-31') ||
    a.item.meetingDate.localeCompare(b.item.meetingDate) ||
    a.item.seq - b.item.seq
  );
}

/** Overdue first (most overdue first), then the oldest agreement first: what a pre-meeting digest walks through. */
export function byAge(a: Ranked, b: Ranked): number {
  return (
    b.daysOverdue - a.daysOverdue ||
    a.item.meetingDate.localeCompare(b.item.meetingDate) ||
    a.item.meetingId.localeCompare(b.item.meetingId) ||
    a.item.seq - b.item.seq
  );
}

/** Numbers 1..n in the order given: the numbers a reply's commands use. */
export function numbered(items: Omit<ListedItem, 'number'>[], start = 1): ListedItem[] {
  return items.map((item, index) => ({ ...item, number: start + index }));
}
