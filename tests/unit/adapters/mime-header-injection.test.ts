import PostalMime, { type Email } from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { composeMime } from '../../../functions/adapters/mime';
import type { Person } from '../../../functions/domain/model';
import { renderConfirmationMail } from '../../../functions/domain/render/confirmation';
import { headerText, MAX_HEADER_TEXT } from '../../../functions/domain/render/format';
import { renderWrapupMail } from '../../../functions/domain/render/wrapup';
import type { OutgoingMail } from '../../../functions/ports/mailer';
import { linkFor, marcusConfirmation } from '../../support/mail-fixtures';
import { storedItems, weeklyOneOnOne } from '../../support/wrapup-fixtures';

/*
 * [R14] Subjects and display names are built from words a stranger chose (a forwarded mail's names, the notes'
 * subject, a webhook's attendees), and In-Reply-To / References from the Message-ID of a mail they sent. None of it
 * may end a header line, start one, or decode (RFC 2047) into one with a line break in it.
 */

const sentAt = new Date('2026-11-13T09:00:00.000Z');
const messageId = '<0b7e6a9c-1d2f-4e3a-8b5c-6d7e8f9a0b1c@followthrough.example>';

/** Each string a header may be built from, and what it must read as once its controls are gone. */
const hostile: { label: string; text: string; clean: string }[] = [
  { label: 'CRLF and a Bcc', text: 'Hi\r\nBcc: victim@elsewhere.example', clean: 'Hi Bcc: victim@elsewhere.example' },
  { label: 'a bare LF', text: 'Hi\nX-Evil: 1', clean: 'Hi X-Evil: 1' },
  { label: 'a bare CR', text: 'Hi\rX-Evil: 1', clean: 'Hi X-Evil: 1' },
  { label: 'CRLF CRLF (a body of its own)', text: 'Hi\r\n\r\n<html>owned</html>', clean: 'Hi <html>owned</html>' },
  { label: 'NUL', text: 'Dana\u0000Whitfield', clean: 'Dana Whitfield' },
  {
    label: 'NEL (U+0085)',
    text: 'Dana\u0085Bcc: victim@elsewhere.example',
    clean: 'Dana Bcc: victim@elsewhere.example',
  },
  { label: 'LINE SEPARATOR (U+2028)', text: 'Dana\u2028Bcc: x@y.example', clean: 'Dana Bcc: x@y.example' },
  { label: 'PARAGRAPH SEPARATOR (U+2029)', text: 'Dana\u2029Bcc: x@y.example', clean: 'Dana Bcc: x@y.example' },
  { label: 'tabs and runs of spaces', text: '\tDana \t\t  Whitfield\t', clean: 'Dana Whitfield' },
  { label: 'ESC and DEL', text: 'Dana\u001b[31m\u007fWhitfield', clean: 'Dana [31m Whitfield' },
  { label: 'a right-to-left override', text: 'Invoice \u202egnp.exe', clean: 'Invoice gnp.exe' },
  {
    // Decodes to "Hi", CRLF, "Bcc: victim@x" in any client that decodes encoded words.
    label: 'a B encoded word hiding CRLF',
    text: '=?utf-8?B?SGkNCkJjYzogdmljdGltQHg=?=',
    clean: '=?utf-8?B?SGkNCkJjYzogdmljdGltQHg=?=',
  },
  {
    label: 'a Q encoded word hiding CRLF',
    text: 'Re: =?utf-8?Q?Hi=0D=0ABcc:_victim@x?= notes',
    clean: 'Re: =?utf-8?Q?Hi=0D=0ABcc:_victim@x?= notes',
  },
];

function mailWith(overrides: Partial<OutgoingMail> = {}): OutgoingMail {
  return {
    kind: 'wrapup',
    from: { address: 'notes@followthrough.example', name: 'followthrough' },
    to: [{ address: 'marcus.reid@acme.example', name: 'Marcus Reid' }],
    subject: 'Wrap-up: 1:1 Dana / Marcus — Thu 12 Nov',
    text: 'The items.\n',
    html: '<p>The items.</p>',
    messageId,
    headers: { 'X-Followthrough-Meeting': 'mtg_01JCDANAMARCUS1112' },
    ...overrides,
  };
}

/** The header block as it goes over the wire: one entry per raw line, and the unfolded fields' names. */
function headerLines(raw: Buffer): { lines: string[]; names: string[] } {
  const text = raw.toString('latin1');
  const block = text.slice(0, text.indexOf('\r\n\r\n'));
  const lines = block.split('\r\n');
  const names = lines
    .filter((line) => !/^[ \t]/.test(line))
    .map((line) => line.slice(0, line.indexOf(':')).toLowerCase());
  return { lines, names };
}

const printableAscii = /^[\x20-\x7e]+$/;

async function compose(mail: OutgoingMail): Promise<{ raw: Buffer; email: Email }> {
  const raw = await composeMime(mail, { date: sentAt, messageId });
  return { raw, email: await PostalMime.parse(raw) };
}

describe('[R14] headers built from hostile subjects and names', () => {
  it.each(hostile)(
    '[R14] a subject with $label yields one Subject line and no header of its own',
    async ({ text, clean }) => {
      const { raw, email } = await compose(mailWith({ subject: `Wrap-up: ${text}` }));

      const { lines, names } = headerLines(raw);
      expect(names.sort()).toEqual(
        [
          'content-type',
          'date',
          'from',
          'message-id',
          'mime-version',
          'subject',
          'to',
          'x-followthrough-kind',
          'x-followthrough-meeting',
        ].sort(),
      );
      expect(lines.filter((line) => !printableAscii.test(line))).toEqual([]);
      expect(email.subject).toBe(`Wrap-up: ${clean}`);
    },
  );

  it.each(hostile)('[R14] a display name with $label reads back as one clean name', async ({ text, clean }) => {
    const to: Person = { address: 'marcus.reid@acme.example', name: text };
    const { raw, email } = await compose(mailWith({ to: [to] }));

    const { lines, names } = headerLines(raw);
    expect(names.filter((name) => name === 'to' || name === 'cc' || name === 'bcc')).toEqual(['to']);
    expect(lines.filter((line) => !printableAscii.test(line))).toEqual([]);
    expect(email.to).toEqual([{ address: 'marcus.reid@acme.example', name: clean }]);
  });

  it('[R14] leaves out the name when nothing printable is left of it', async () => {
    const { email } = await compose(
      mailWith({ to: [{ address: 'marcus.reid@acme.example', name: '\r\n\u0000\u2028' }] }),
    );

    expect(email.to).toEqual([{ address: 'marcus.reid@acme.example', name: '' }]);
  });

  it('[R14] cuts a subject longer than the cap, at a whole character', async () => {
    const { email } = await compose(mailWith({ subject: `Wrap-up: ${'😀'.repeat(400)}` }));

    expect([...(email.subject ?? '')]).toHaveLength(MAX_HEADER_TEXT);
    expect(email.subject).toMatch(/^Wrap-up: (😀)+…$/u);
  });

  it('[R14] keeps non-ASCII words as words, encoded on the wire', async () => {
    const { raw, email } = await compose(
      mailWith({
        subject: 'Wrap-up: 1:1 Zoë / Łukasz — Thu 12 Nov',
        to: [{ address: 'z@acme.example', name: 'Zoë Østergaard' }],
      }),
    );

    expect(headerLines(raw).lines.filter((line) => !printableAscii.test(line))).toEqual([]);
    expect(email.subject).toBe('Wrap-up: 1:1 Zoë / Łukasz — Thu 12 Nov');
    expect(email.to).toEqual([{ address: 'z@acme.example', name: 'Zoë Østergaard' }]);
  });
});

describe('[R14] In-Reply-To and References from a received Message-ID', () => {
  const received = [
    { label: 'a CRLF and a Bcc after it', id: '<reply-1@mail.acme.example>\r\nBcc: victim@elsewhere.example' },
    { label: 'a NUL inside it', id: '<reply-1@mail.acme.example>\u0000<x>' },
    { label: 'text around it', id: 'see <reply-1@mail.acme.example> Bcc: victim@elsewhere.example' },
  ];

  it.each(received)('[R14] a Message-ID with $label threads on the msg-id alone', async ({ id }) => {
    const { raw, email } = await compose(
      mailWith({ kind: 'confirmation', headers: { 'In-Reply-To': id, References: id } }),
    );

    const { lines, names } = headerLines(raw);
    expect(names).not.toContain('bcc');
    expect(lines.filter((line) => !printableAscii.test(line))).toEqual([]);
    expect(email.inReplyTo).toBe('<reply-1@mail.acme.example>');
    expect(email.references).toBe(
      id.includes('<x>') ? '<reply-1@mail.acme.example> <x>' : '<reply-1@mail.acme.example>',
    );
  });

  it('[R14] a Message-ID with no msg-id in it gives no In-Reply-To at all', async () => {
    const { raw } = await compose(
      mailWith({ kind: 'confirmation', headers: { 'In-Reply-To': 'nothing\r\nBcc: victim@x', References: 'nothing' } }),
    );

    const { names } = headerLines(raw);
    expect(names).not.toContain('in-reply-to');
    expect(names).not.toContain('references');
    expect(names).not.toContain('bcc');
  });
});

describe('[R14] subjects where the renderers build them', () => {
  it('[R14] headerText leaves one line of printable text', () => {
    for (const { text, clean } of hostile) expect(headerText(text)).toBe(clean);
  });

  it("[R14] the wrap-up's subject holds no control character from an attendee's name", () => {
    const dana: Person = { address: 'dana.whitfield@acme.example', name: 'Dana\u0085Bcc:\u2028victim@x Whitfield' };
    const marcus: Person = { address: 'marcus.reid@acme.example', name: '\u0000Marcus\r\nBcc: victim@x' };

    const mail = renderWrapupMail({
      meeting: weeklyOneOnOne({ attendees: [marcus, dana], author: dana }),
      items: storedItems([{ text: 'Send the quote', owner: marcus.address, due: '2026-11-13' }]),
      links: linkFor,
    });

    expect(mail.subject).toBe('Wrap-up: 1:1 Dana / Marcus — Thu 12 Nov');
  });

  it("[R14] the confirmation's subject holds no control character from the subject it answers", () => {
    const mail = renderConfirmationMail(marcusConfirmation({ about: '1:1 Dana\r\nBcc: victim@x /\u2029Marcus' }));

    expect(mail.subject).toBe('Updated: 1:1 Dana Bcc: victim@x / Marcus');
  });
});
