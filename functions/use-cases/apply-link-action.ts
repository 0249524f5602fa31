import {
  describeChange,
  describeUnchanged,
  type ItemRequest,
  nextState,
  readable,
  snoozeFromToday,
  stateOf,
} from '../domain/items/changes';
import { type LinkClaims, type SigningKey, verifyLink } from '../domain/links/token';
import type { Meeting, StoredItem } from '../domain/model';
import { displayName, formatIsoDate } from '../domain/render/format';
import type { LinkAction } from '../domain/render/inputs';
import { localDate, timeZoneForOffset } from '../domain/time';
import type { Clock } from '../ports/clock';
import type { Store } from '../ports/store';

export interface LinkActionDeps {
  store: Store;
  clock: Clock;
  signingKeys: SigningKey[];
}

/** The item as the confirm and result pages show it. */
export interface ActionItemView {
  text: string;
  owner: string | null;
  due: string | null;
  meetingName: string;
  /** "Wed 2 Dec" while the item is snoozed, else null. */
  snoozedUntil: string | null;
}

export type LinkActionOutcome =
  | {
      ok: true;
      state: 'confirm' | 'applied' | 'already' | 'undone';
      action: LinkAction;
      item: ActionItemView;
      token: string;
      /** Whether the result page offers Undo. */
      undoable: boolean;
      /** In plain words: "marked done", "already done — nothing changed". */
      message: string;
    }
  | { ok: false; status: 400 | 403 | 404 | 410; title: string; message: string };

type Checked =
  | { ok: true; claims: LinkClaims; item: StoredItem; meeting: Meeting }
  | Extract<LinkActionOutcome, { ok: false }>;

/**
 * `GET` of an action link: check it and say what it would do — change nothing (mail scanners open links).
 */
export async function previewLinkAction(deps: LinkActionDeps, token: string): Promise<LinkActionOutcome> {
  const checked = await check(deps, token);
  if (!checked.ok) return checked;
  const { claims, item, meeting } = checked;
  const next = nextState(item, requestOf(claims, meeting, deps));
  const already = next === null || next === 'closed';
  return {
    ok: true,
    state: already ? 'already' : 'confirm',
    action: claims.action,
    item: view(item, meeting),
    token,
    undoable: false,
    message: already ? unchangedMessage(item, claims.action) : question(claims.action),
  };
}

/**
 * `POST` from the confirm page: apply the action. Applying twice is harmless (the second says nothing changed);
 * the change is recorded whole on the item so that Undo can put it back.
 */
export async function applyLinkAction(deps: LinkActionDeps, token: string): Promise<LinkActionOutcome> {
  const checked = await check(deps, token);
  if (!checked.ok) return checked;
  const { claims, item, meeting } = checked;
  const next = nextState(item, requestOf(claims, meeting, deps));
  if (next === null || next === 'closed') {
    return {
      ok: true,
      state: 'already',
      action: claims.action,
      item: view(item, meeting),
      token,
      // The same person's own change can still be undone from a second visit.
      undoable: item.lastChange?.action === claims.action && item.lastChange?.by === claims.recipient,
      message: unchangedMessage(item, claims.action),
    };
  }
  const at = deps.clock.now().toISOString();
  const updated = await deps.store.updateItem(
    item.meetingId,
    item.seq,
    next,
    { action: claims.action, by: claims.recipient, at, previous: stateOf(item) },
    at,
  );
  return {
    ok: true,
    state: 'applied',
    action: claims.action,
    item: view(updated, meeting),
    token,
    undoable: true,
    message: capitalise(describeChange(claims.action, next)),
  };
}

/** `POST` from the result page: put back what this link's action changed, if it is still the last change. */
export async function undoLinkAction(deps: LinkActionDeps, token: string): Promise<LinkActionOutcome> {
  const checked = await check(deps, token);
  if (!checked.ok) return checked;
  const { claims, item, meeting } = checked;
  const change = item.lastChange;
  if (change === null || change.action !== claims.action || change.by !== claims.recipient) {
    return {
      ok: true,
      state: 'already',
      action: claims.action,
      item: view(item, meeting),
      token,
      undoable: false,
      message: 'Nothing to undo: this change was already undone, or the item has changed since.',
    };
  }
  const at = deps.clock.now().toISOString();
  const restored = await deps.store.updateItem(item.meetingId, item.seq, change.previous, null, at);
  return {
    ok: true,
    state: 'undone',
    action: claims.action,
    item: view(restored, meeting),
    token,
    undoable: false,
    message: 'Undone: the item is back as it was.',
  };
}

async function check(deps: LinkActionDeps, token: string): Promise<Checked> {
  const verified = verifyLink(token, deps.signingKeys, deps.clock.now());
  if (!verified.ok) {
    return verified.reason === 'expired'
      ? {
          ok: false,
          status: 410,
          title: 'This link has expired',
          message: 'Links in our emails work for 30 days. The next digest carries fresh ones.',
        }
      : {
          ok: false,
          status: 400,
          title: 'This link does not work',
          message:
            'It is not a link we sent, or part of it was lost on the way (some mail apps cut long links). Open it from the email again.',
        };
  }
  const { claims } = verified;
  const [item, meeting] = await Promise.all([
    deps.store.getItem(claims.meetingId, claims.seq),
    deps.store.getMeeting(claims.meetingId),
  ]);
  if (item === null || meeting === null) {
    return { ok: false, status: 404, title: 'No such item', message: 'The item this link points to does not exist.' };
  }
  if (!meeting.attendees.some((p) => p.address.toLowerCase() === claims.recipient)) {
    return {
      ok: false,
      status: 403,
      title: 'This link is not yours to use',
      message: 'Only the people at the 1:1 can change its items, from the links in their own emails.',
    };
  }
  return { ok: true, claims, item, meeting };
}

function requestOf(claims: LinkClaims, meeting: Meeting, deps: LinkActionDeps): ItemRequest {
  if (claims.action !== 'snooze') return { action: claims.action };
  // A week from today as the meeting's people count days.
  const today = localDate(deps.clock.now(), meeting.timeZone ?? timeZoneForOffset(meeting.utcOffsetMinutes));
  return { action: 'snooze', until: snoozeFromToday(today) };
}

function view(item: StoredItem, meeting: Meeting): ActionItemView {
  const owner = meeting.attendees.find((p) => p.address.toLowerCase() === item.owner?.toLowerCase());
  return {
    text: item.text,
    owner: owner === undefined ? (item.ownerName ?? item.owner) : displayName(owner),
    due: item.due === null ? null : formatIsoDate(item.due),
    meetingName: `1:1 ${meeting.attendees.map(displayName).join(' / ')} — ${formatIsoDate(meeting.date)}`,
    snoozedUntil: item.snoozedUntil === null ? null : readable(item.snoozedUntil),
  };
}

function question(action: LinkAction): string {
  return {
    done: 'Mark this item done?',
    drop: 'Drop this item? It will no longer be listed.',
    snooze: 'Snooze this item for a week? It will not be listed until then.',
  }[action];
}

function unchangedMessage(item: StoredItem, action: LinkAction): string {
  if (item.status !== 'open' && action === 'snooze') return `This item is already ${item.status}: nothing to snooze.`;
  return capitalise(describeUnchanged(action, stateOf(item)));
}

const capitalise = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);
