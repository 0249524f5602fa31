import { describe, expect, it } from 'vitest';
import { PacedMailer } from '../../../functions/adapters/paced-mailer';
import type { Mailer, OutgoingMail } from '../../../functions/ports/mailer';

const mail = (n: number): OutgoingMail => ({
  kind: 'weekly',
  from: { address: 'notes@followthrough.example', name: 'followthrough' },
  to: [{ address: `person${n}@acme-sales.example`, name: null }],
  subject: `Your open items ${n}`,
  html: '<p>items</p>',
  text: 'items',
  messageId: `<${n}@followthrough.example>`,
});

/** A clock that moves only when the mailer sleeps, and a mailer that keeps what it was handed and when. */
function paced(perSecond: number) {
  let now = 1_000;
  const sent: Array<{ messageId: string; at: number }> = [];
  const inner: Mailer = {
    send: async (m) => {
      sent.push({ messageId: m.messageId, at: now });
      return { messageId: m.messageId, location: m.messageId };
    },
  };
  const mailer = new PacedMailer({
    mailer: inner,
    perSecond,
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
  });
  return { mailer, sent, wait: (ms: number) => (now += ms) };
}

describe('PacedMailer', () => {
  it('starts sends no closer together than its share of the send rate', async () => {
    const { mailer, sent } = paced(7);

    for (let n = 0; n < 4; n += 1) await mailer.send(mail(n));

    expect(sent.map((s) => Math.round(s.at - 1_000))).toEqual([0, 143, 286, 429]);
  });

  it('spaces sends started at once as it spaces sends one after the other', async () => {
    // The clock stands still: each send asks to sleep until its own slot.
    const sleeps: number[] = [];
    const inner: Mailer = { send: async (m) => ({ messageId: m.messageId, location: '' }) };
    const mailer = new PacedMailer({
      mailer: inner,
      perSecond: 5,
      now: () => 1_000,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });

    await Promise.all([0, 1, 2].map((n) => mailer.send(mail(n))));

    expect(sleeps).toEqual([200, 400]);
  });

  it('saves up no unused slots: after a pause the next send goes at once and the one after waits its turn', async () => {
    const { mailer, sent, wait } = paced(2);
    await mailer.send(mail(0));
    wait(10_000);

    await mailer.send(mail(1));
    await mailer.send(mail(2));

    expect(sent.map((s) => s.at - 1_000)).toEqual([0, 10_000, 10_500]);
  });

  it('hands the mail on as it is, and returns what the mailer answered', async () => {
    const { mailer } = paced(14);

    expect(await mailer.send(mail(9))).toEqual({
      messageId: '<9@followthrough.example>',
      location: '<9@followthrough.example>',
    });
  });

  it('refuses a rate that is not above 0', () => {
    const inner: Mailer = { send: async () => ({ messageId: '', location: '' }) };

    expect(() => new PacedMailer({ mailer: inner, perSecond: 0 })).toThrow(/above 0/);
  });
});
