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
});
