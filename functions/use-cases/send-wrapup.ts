import { NotFoundError } from '../domain/errors';
import { renderWrapupMail } from '../domain/render/wrapup';
import { linksFor, mailRef, type OutgoingDeps, sendOnce } from './outgoing';

export type SendWrapupResult = { outcome: 'sent'; to: string[]; subject: string } | { outcome: 'already-sent' };

/**
 * Send the wrap-up of one meeting to each attendee — fired by the meeting's one-time schedule.
 *
 * 1. Load the meeting; a wrap-up already sent is not sent again (schedules fire at least once).
 * 2. Load its items in wrap-up order.
 * 3. One message per attendee, because each one's Done links are signed for that person; a message that went
 *    before a crash is found by its ref and not sent twice. Then record that the wrap-up went.
 */
export async function sendWrapup(deps: OutgoingDeps, meetingId: string): Promise<SendWrapupResult> {
  const meeting = await deps.store.getMeeting(meetingId);
  if (!meeting) throw new NotFoundError(`No meeting ${meetingId}.`);
  if (meeting.wrapupSentAt) return { outcome: 'already-sent' };
  const items = await deps.store.listMeetingItems(meetingId);
  const to: string[] = [];
  let subject = '';
  for (const attendee of meeting.attendees) {
    const mail = renderWrapupMail({ meeting, items, links: linksFor(deps, attendee.address) });
    subject = mail.subject;
    const outcome = await sendOnce(deps, {
      key: mailRef('wrapup', meeting.id, attendee.address),
      kind: 'wrapup',
      to: attendee,
      mail,
      meetingId: meeting.id,
      seriesId: meeting.seriesId,
      items: items.map((item) => ({ number: item.seq, meetingId: item.meetingId, seq: item.seq })),
      headers: { 'X-Followthrough-Meeting': meeting.id },
    });
    // A suppressed attendee gets nothing; the others still get theirs, and the wrap-up counts as sent.
    if (outcome !== 'suppressed') to.push(attendee.address);
  }
  await deps.store.markWrapupSent(meetingId, deps.clock.now().toISOString());
  return { outcome: 'sent', to, subject };
}
