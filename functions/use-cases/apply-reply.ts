import { guessDateOrder } from '../domain/due-date';
import { htmlToText } from '../domain/email/html-text';
import { localDateOf } from '../domain/email/message-date';
import type { ParsedEmail } from '../domain/email/parse-email';
import { fold } from '../domain/extraction/owners';
import {
  describeChange,
  describeUnchanged,
  type ItemRequest,
  nextState,
  snoozeFromToday,
  stateOf,
} from '../domain/items/changes';
import type { Meeting, Person, SentMailRecord, StoredItem } from '../domain/model';
import { renderConfirmationMail } from '../domain/render/confirmation';
import { displayName, firstName } from '../domain/render/format';
import type { AppliedChange } from '../domain/render/inputs';
import { parseReplyCommands, type ReplyCommand, visibleReplyText } from '../domain/replies/commands';
import { localDate } from '../domain/time';
import { mailRef, type OutgoingDeps, type SendOutcome, sendOnce, subjectWithoutRef } from './outgoing';

export type ReplyResult =
  | {
      outcome: 'reply';
      /** The mail of ours it answered. */
      repliedRef: string;
      applied: AppliedChange[];
      refused: { line: string; reason: string }[];
      notUnderstood: string[];
      /** 'suppressed': the sender's address bounced or complained, so no confirmation went. */
      confirmation: SendOutcome;
    }
  /** The sender was at none of the meetings the mail is about: nothing changed and nothing is sent back. */
  | { outcome: 'reply-refused'; repliedRef: string; reason: string };

/**
 * Apply the commands in a reply to one of our mails (`done 2`, `drop 4`, `2 due friday`, `snooze 3 to 12/1`,
 * `2 owner jordan`), then tell the sender what changed and what was not understood.
 *
 * 1. Only an attendee of an item's meeting may change it; a sender who attended none of them gets nothing back,
 *    so that a stranger learns nothing about the items.
 * 2. The numbers are the ones the replied mail showed: its record maps each to its item.
 * 3. The confirmation's ref derives from the reply's Message-ID: a second delivery of the same reply stops here.
 */
export async function applyReply(
  deps: OutgoingDeps,
  email: ParsedEmail,
  replied: SentMailRecord,
): Promise<ReplyResult> {
  const sender = email.from;
  const meetings = await meetingsOf(deps, replied);
  const attended = (meeting: Meeting | undefined) =>
    sender !== null && meeting?.attendees.some((p) => p.address === sender.address.toLowerCase()) === true;
  if (sender === null || ![...meetings.values()].some(attended)) {
    return { outcome: 'reply-refused', repliedRef: replied.ref, reason: 'the sender attended none of its meetings' };
  }
  const confirmationKey = mailRef('confirmation', email.messageId ?? `${replied.ref}:${email.dateHeader ?? ''}`);
  if ((await deps.store.getOutbox(confirmationKey))?.state === 'sent') {
    return {
      outcome: 'reply',
      repliedRef: replied.ref,
      applied: [],
      refused: [],
      notUnderstood: [],
      confirmation: 'already-sent',
    };
  }

  const written = localDateOf(email.dateHeader);
  const today = written?.date ?? localDate(deps.clock.now(), 'UTC');
  const text = visibleReplyText(email.text ?? (email.html === null ? '' : await htmlToText(email.html)));
  const parsed = parseReplyCommands(text, {
    today,
    dateOrder: guessDateOrder({
      utcOffsetMinutes: written?.offsetMinutes ?? null,
      contentLanguage: null,
      text,
      addresses: [sender.address],
    }),
  });

  const applied: AppliedChange[] = [];
  const refused: { line: string; reason: string }[] = [];
  for (const command of parsed.commands) {
    for (const number of command.numbers) {
      const ref = replied.items.find((r) => r.number === number);
      const item = ref === undefined ? null : await deps.store.getItem(ref.meetingId, ref.seq);
      if (item === null) {
        refused.push({ line: command.line, reason: `there is no item ${number} in that email` });
        continue;
      }
      const meeting = meetings.get(item.meetingId);
      if (!attended(meeting)) {
        refused.push({ line: command.line, reason: `item ${number} is from a 1:1 you did not attend` });
        continue;
      }
      const outcome = await applyOne(
        deps,
        item,
        requestOf(command, today, meeting?.attendees ?? []),
        sender.address,
        today,
        confirmationKey,
      );
      if ('reason' in outcome)
        refused.push({ line: command.line, reason: outcome.reason.replace('{n}', String(number)) });
      else applied.push({ number, text: item.text, change: outcome.change });
    }
  }

  // What the replied mail was, in its own words: "Wrap-up: 1:1 Dana / Marcus — Thu 12 Nov". A reply to a
  // confirmation is about the mail that one answered, not "Updated: Updated: …".
  const repliedSubject = subjectWithoutRef(replied.subject);
  const about =
    replied.kind === 'confirmation' ? repliedSubject.replace(/^(?:Updated|Nothing changed): /, '') : repliedSubject;
  const mail = renderConfirmationMail({
    to: sender,
    about,
    applied,
    refused,
    notUnderstood: parsed.notUnderstood,
  });
  const confirmation = await sendOnce(deps, {
    key: confirmationKey,
    kind: 'confirmation',
    to: sender,
    mail,
    meetingId: replied.meetingId,
    seriesId: replied.seriesId,
    // The confirmation is answerable too, with the same numbers.
    items: replied.items,
    headers: email.messageId === null ? {} : { 'In-Reply-To': email.messageId, References: email.messageId },
  });
  return {
    outcome: 'reply',
    repliedRef: replied.ref,
    applied,
    refused,
    notUnderstood: parsed.notUnderstood,
    confirmation,
  };
}

async function meetingsOf(deps: OutgoingDeps, mail: SentMailRecord): Promise<Map<string, Meeting>> {
  const ids = new Set([...(mail.meetingId === null ? [] : [mail.meetingId]), ...mail.items.map((r) => r.meetingId)]);
  const meetings = new Map<string, Meeting>();
  for (const id of ids) {
    const meeting = await deps.store.getMeeting(id);
    if (meeting !== null) meetings.set(id, meeting);
  }
  return meetings;
}

function requestOf(command: ReplyCommand, today: string, attendees: Person[]): ItemRequest {
  switch (command.action) {
    case 'done':
    case 'drop':
      return { action: command.action };
    case 'snooze':
      return { action: 'snooze', until: command.until ?? snoozeFromToday(today) };
    case 'due':
      return { action: 'due', due: command.due };
    case 'owner': {
      const attendee = matchAttendee(command.owner, attendees);
      return attendee === null
        ? { action: 'owner', owner: command.owner.trim(), ownerName: command.owner.trim(), attendee: false }
        : { action: 'owner', owner: attendee.address, ownerName: displayName(attendee), attendee: true };
    }
  }
}

/** "jordan", "Jordan Lee", "jordan@…": the attendee meant, when exactly one fits. */
function matchAttendee(written: string, attendees: Person[]): Person | null {
  const wanted = fold(written.trim());
  const fits = attendees.filter(
    (p) =>
      fold(p.address) === wanted ||
      fold(p.address.split('@')[0] ?? '') === wanted ||
      (p.name !== null && fold(p.name) === wanted) ||
      fold(firstName(p)) === wanted,
  );
  return fits.length === 1 ? (fits[0] ?? null) : null;
}

type ApplyOutcome = { change: string } | { reason: string };

export async function applyOne(
  deps: OutgoingDeps,
  item: StoredItem,
  request: ItemRequest,
  by: string,
  today: string,
  /** The reply applying it (see ItemChange.via); absent for links. */
  via?: string,
): Promise<ApplyOutcome> {
  // This very reply changed the item before a crash cut its run short: the change is the reply's, say so again.
  if (via !== undefined && item.lastChange?.via === via && item.lastChange.action === request.action) {
    return { change: describeChange(request.action, stateOf(item)) };
  }
  if (request.action === 'snooze' && request.until <= today) {
    return { reason: 'a snooze needs a date after today' };
  }
  const next = nextState(item, request);
  if (next === 'closed') return { reason: `item {n} is already ${item.status}, so it was left as it is` };
  if (next === null) return { change: describeUnchanged(request.action, stateOf(item)) };
  const at = deps.clock.now().toISOString();
  await deps.store.updateItem(
    item.meetingId,
    item.seq,
    next,
    { action: request.action, by, at, previous: stateOf(item), ...(via === undefined ? {} : { via }) },
    at,
  );
  return { change: describeChange(request.action, next) };
}
