import { addDays } from '../email/message-date';
import type { ItemAction, ItemFlag, ItemState, StoredItem } from '../model';
import { formatIsoDate } from '../render/format';

/** What someone asked for, with what the action needs: a date for snooze and due, a person for owner. */
export type ItemRequest =
  | { action: 'done' | 'drop' }
  | { action: 'snooze'; until: string }
  | { action: 'due'; due: string }
  /** attendee: whether the new owner was at the meeting (else they keep the owner-not-attendee flag). */
  | { action: 'owner'; owner: string; ownerName: string | null; attendee: boolean };

/** A snooze from a link, or from `snooze 3` with no date: one week from the day it is asked. */
export const SNOOZE_DAYS = 7;

export const snoozeFromToday = (today: string): string => addDays(today, SNOOZE_DAYS);

export function stateOf(item: StoredItem): ItemState {
  const { status, due, owner, ownerName, snoozedUntil, flags } = item;
  return { status, due, owner, ownerName, snoozedUntil, flags };
}

/**
 * The item's state once the request is applied, or null when it already is that way (applying twice is harmless).
 * Snooze, due and owner make sense for open items only: for a done or dropped one the answer is `closed`.
 */
export function nextState(item: StoredItem, request: ItemRequest): ItemState | null | 'closed' {
  const current = stateOf(item);
  switch (request.action) {
    case 'done':
      return current.status === 'done' ? null : { ...current, status: 'done' };
    case 'drop':
      return current.status === 'dropped' ? null : { ...current, status: 'dropped' };
    case 'snooze':
      if (current.status !== 'open') return 'closed';
      return current.snoozedUntil === request.until ? null : { ...current, snoozedUntil: request.until };
    case 'due': {
      if (current.status !== 'open') return 'closed';
      // A date someone gave settles the doubt about it: "3 due friday" on an ambiguous date confirms it.
      const flags = without(current.flags, ['no-date', 'ambiguous-date']);
      if (current.due === request.due && flags.length === current.flags.length) return null;
      // A new date also ends a snooze that would hide the item past it.
      return {
        ...current,
        due: request.due,
        snoozedUntil: current.snoozedUntil !== null && current.snoozedUntil > request.due ? null : current.snoozedUntil,
        flags,
      };
    }
    case 'owner': {
      if (current.status !== 'open') return 'closed';
      const flags = without(current.flags, ['no-owner', 'owner-not-attendee']);
      if (!request.attendee) flags.push('owner-not-attendee');
      const sameFlags = flags.length === current.flags.length && flags.every((f) => current.flags.includes(f));
      return current.owner?.toLowerCase() === request.owner.toLowerCase() && sameFlags
        ? null
        : { ...current, owner: request.owner, ownerName: request.ownerName, flags };
    }
  }
}

function without(flags: ItemFlag[], settled: ItemFlag[]): ItemFlag[] {
  return flags.filter((flag) => !settled.includes(flag));
}

/** The change in plain words, as the confirmation email and the result page say it. */
export function describeChange(action: ItemAction, state: ItemState, ownerLabel: string | null = null): string {
  switch (action) {
    case 'done':
      return 'marked done';
    case 'drop':
      return 'dropped';
    case 'snooze':
      return `snoozed until ${readable(state.snoozedUntil)}`;
    case 'due':
      return `due date moved to ${readable(state.due)}`;
    case 'owner':
      return `owner now ${ownerLabel ?? state.ownerName ?? state.owner ?? 'nobody'}`;
  }
}

/** "already done": what is said when nothing had to change. */
export function describeUnchanged(action: ItemAction, state: ItemState): string {
  switch (action) {
    case 'done':
      return 'already done — nothing changed';
    case 'drop':
      return 'already dropped — nothing changed';
    case 'snooze':
      return `already snoozed until ${readable(state.snoozedUntil)} — nothing changed`;
    case 'due':
      return `already due ${readable(state.due)} — nothing changed`;
    case 'owner':
      return `already owned by ${state.ownerName ?? state.owner} — nothing changed`;
  }
}

export function readable(date: string | null): string {
  return date === null ? 'no date' : formatIsoDate(date);
}
