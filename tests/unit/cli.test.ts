import { describe, expect, it } from 'vitest';
import { describeIngest } from '../../functions/cli';
import type { ReplyResult } from '../../functions/use-cases/apply-reply';

const reply = (confirmation: Extract<ReplyResult, { outcome: 'reply' }>['confirmation']): ReplyResult => ({
  outcome: 'reply',
  repliedRef: 'm4rfyults7',
  applied: [],
  refused: [],
  notUnderstood: ['thanks!'],
  confirmation,
});

describe('describeIngest', () => {
  it('says a confirmation went to the sender of a reply', () => {
    expect(describeIngest(reply('sent')).at(-1)).toBe('A confirmation was sent to the sender.');
  });

  it('says no confirmation went when the sender’s address is suppressed', () => {
    expect(describeIngest(reply('suppressed')).at(-1)).toMatch(/^No confirmation was sent: .*bounced or complained/);
  });

  it('says a reply delivered twice changed nothing the second time', () => {
    expect(describeIngest(reply('already-sent'))).toEqual(['This reply was already applied: nothing changed again.']);
  });

  it('[R5] says a dropped mail was kept and answered with nothing, naming no address', () => {
    expect(
      describeIngest({
        outcome: 'dropped',
        reason: 'the sender’s domain is not an allowed sender domain',
        rawKey: 'k',
      }),
    ).toEqual(['Kept but dropped: the sender’s domain is not an allowed sender domain. Nothing stored, nothing sent.']);
  });

  it('[R6] says an ignored mail was kept and acted on not at all', () => {
    expect(
      describeIngest({ outcome: 'ignored', reason: 'it was sent automatically (Auto-Submitted)', rawKey: 'k' }),
    ).toEqual(['Kept but not acted on: it was sent automatically (Auto-Submitted). Nothing stored, nothing sent.']);
  });

  it('[R4] says unverified notes were kept as a meeting with no items, schedules or mail, naming no address', () => {
    const meeting = {
      id: 'm0123456789abcdef0123',
      messageId: '<n@acme.example>',
      rawKey: 'raw/2026-11-17/x.eml',
      receivedAt: '2026-11-17T21:43:00.000Z',
      state: 'unverified' as const,
      itemCount: 0,
      wrapupSentAt: null,
      seriesId: 's1',
      date: '2026-11-17',
      sentAt: null,
      utcOffsetMinutes: null,
      timeZone: null,
      subject: '1:1',
      attendees: [{ address: 'dana@acme.example', name: 'Dana' }],
      author: null,
      nextMeetingDate: null,
      agenda: [],
    };

    const lines = describeIngest({ outcome: 'unverified', meeting, reason: 'the sender could not be verified' });

    expect(lines).toEqual([
      'Kept as unverified meeting m0123456789abcdef0123: the sender could not be verified, so no items were stored, nothing was scheduled and nothing sent.',
    ]);
  });
});
