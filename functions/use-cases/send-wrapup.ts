import { NotFoundError } from '../domain/errors';
import { buildWrapupView, renderWrapup } from '../domain/render/wrapup';
import type { Clock } from '../ports/clock';
import type { Mailer } from '../ports/mailer';
import type { Store } from '../ports/store';

export interface SendWrapupDeps {
  store: Store;
  mailer: Mailer;
  clock: Clock;
  config: { fromAddress: string };
}

export type SendWrapupResult = { outcome: 'sent'; to: string[]; subject: string } | { outcome: 'already-sent' };

/**
 * Send the wrap-up of one meeting to every attendee — fired by the meeting's one-time schedule.
 *
 * 1. Load the meeting; a wrap-up already sent is not sent again (schedules fire at least once).
 * 2. Load its items in wrap-up order and render the precompiled template with them.
 * 3. Send one message to all attendees, so that each sees who else got it, then record that it went.
 */
export async function sendWrapup(deps: SendWrapupDeps, meetingId: string): Promise<SendWrapupResult> {
  const meeting = await deps.store.getMeeting(meetingId);
  if (!meeting) throw new NotFoundError(`No meeting ${meetingId}.`);
  if (meeting.wrapupSentAt) return { outcome: 'already-sent' };
  const items = await deps.store.listMeetingItems(meetingId);
  const mail = renderWrapup(buildWrapupView(meeting, items));
  await deps.mailer.send({
    kind: 'wrapup',
    from: { address: deps.config.fromAddress, name: 'followthrough' },
    to: meeting.attendees,
    subject: mail.subject,
    html: mail.html,
    text: mail.text,
    headers: { 'X-Followthrough-Meeting': meeting.id },
  });
  await deps.store.markWrapupSent(meetingId, deps.clock.now().toISOString());
  return { outcome: 'sent', to: meeting.attendees.map((p) => p.address), subject: mail.subject };
}
