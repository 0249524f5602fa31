import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { composeMime } from '../../../functions/adapters/mime';
import { messageIdFor } from '../../../functions/domain/email/message-id';
import type { OutgoingMail } from '../../../functions/ports/mailer';

const sentAt = new Date('2026-11-13T09:00:00.000Z');
const messageId = '<5f0c2a1e-7d1b-4c8e-9a53-0c1d2e3f4a5b@acme.example>';

function confirmationMail(overrides: Partial<OutgoingMail> = {}): OutgoingMail {
  return {
    kind: 'confirmation',
    from: { address: 'notes@acme.example', name: 'followthrough' },
    to: [{ address: 'zoe.ostergaard@acme.example', name: 'Zoë Østergaard' }],
    subject: 'Re: Wrap-up: 1:1 Zoë / Marcus — Thu 12 Nov',
    text: 'Done: 1. Send the revised MAP to the Globex champion\n',
    html: '<p>Done: 1. Send the revised MAP to the Globex champion</p>',
    messageId,
    headers: {
      'In-Reply-To': '<0102018f2a6c1b2e-reply@eu-west-1.amazonses.com>',
      References: '<0102018f2a6c0a1d-wrapup@eu-west-1.amazonses.com> <0102018f2a6c1b2e-reply@eu-west-1.amazonses.com>',
      'List-Unsubscribe': '<https://ft.acme.example/unsubscribe?t=tok_9f2c>, <mailto:unsubscribe@acme.example>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      'X-Followthrough-Meeting': 'mtg_01JCZOEMARCUS1112',
    },
    ...overrides,
  };
}

const headerOf = (email: Awaited<ReturnType<typeof PostalMime.parse>>, key: string) =>
  email.headers.find((header) => header.key === key)?.value;

describe('composeMime', () => {
  it('keeps In-Reply-To and References given as headers, so that the reply threads', async () => {
    // Prepare
    const mail = confirmationMail();

    // Act
    const email = await PostalMime.parse(await composeMime(mail, { date: sentAt, messageId }));

    // Assess
    expect(email.inReplyTo).toBe('<0102018f2a6c1b2e-reply@eu-west-1.amazonses.com>');
    expect(email.references).toBe(
      '<0102018f2a6c0a1d-wrapup@eu-west-1.amazonses.com> <0102018f2a6c1b2e-reply@eu-west-1.amazonses.com>',
    );
  });

  it('sends List-Unsubscribe and List-Unsubscribe-Post as given', async () => {
    // Prepare
    const mail = confirmationMail();

    // Act
    const email = await PostalMime.parse(await composeMime(mail, { date: sentAt, messageId }));

    // Assess
    // A long List-Unsubscribe is folded onto a continuation line; unfolded, it is the value given.
    expect(headerOf(email, 'list-unsubscribe')?.replace(/\r?\n\s+/g, ' ')).toBe(
      '<https://ft.acme.example/unsubscribe?t=tok_9f2c>, <mailto:unsubscribe@acme.example>',
    );
    expect(headerOf(email, 'list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
  });

  it('stamps the given Date and Message-ID and the kind of mail next to our other X-Followthrough headers', async () => {
    // Prepare
    const mail = confirmationMail();

    // Act
    const email = await PostalMime.parse(await composeMime(mail, { date: sentAt, messageId }));

    // Assess
    expect(email.date).toBe('2026-11-13T09:00:00.000Z');
    expect(email.messageId).toBe(messageId);
    expect(headerOf(email, 'x-followthrough-kind')).toBe('confirmation');
    expect(headerOf(email, 'x-followthrough-meeting')).toBe('mtg_01JCZOEMARCUS1112');
  });

  it('writes every line of the message with CRLF', async () => {
    // Prepare
    const mail = confirmationMail();

    // Act
    const raw = (await composeMime(mail, { date: sentAt, messageId })).toString('latin1');

    // Assess
    expect(raw).toContain('\r\n');
    expect(raw.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });

  it('refuses a header value with a line break', async () => {
    // Prepare
    const mail = confirmationMail({ headers: { 'X-Followthrough-Meeting': 'mtg_1\r\nBcc: leak@elsewhere.example' } });

    // Act
    const composing = composeMime(mail, { date: sentAt, messageId });

    // Assess
    await expect(composing).rejects.toThrow(/refusing header "X-Followthrough-Meeting"/);
  });

  it('refuses a header name that is not letters, digits and dashes', async () => {
    // Prepare
    const mail = confirmationMail({ headers: { 'Bcc: leak@elsewhere.example\r\nX': 'y' } });

    // Act
    const composing = composeMime(mail, { date: sentAt, messageId });

    // Assess
    await expect(composing).rejects.toThrow(/refusing header/);
  });
});

describe('messageIdFor', () => {
  it("puts the id in the sender's domain, lower-cased", () => {
    // Act
    const id = messageIdFor('Notes@ACME.example', 'abc-123');

    // Assess
    expect(id).toBe('<abc-123@acme.example>');
  });

  it('falls back to a reserved domain when the address has none', () => {
    // Act
    const id = messageIdFor('notes', 'abc-123');

    // Assess
    expect(id).toBe('<abc-123@followthrough.invalid>');
  });
});
