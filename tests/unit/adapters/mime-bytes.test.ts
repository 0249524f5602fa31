import fc from 'fast-check';
import MimeNode from 'nodemailer/lib/mime-node';
import { wrap } from 'nodemailer/lib/qp';
import { describe, expect, it } from 'vitest';
import { compiledMime, composeMime, encodingOf } from '../../../functions/adapters/mime';
import { binaryOrEightBit, escapesIn, mimeBytes, wrapQuotedPrintable } from '../../../functions/adapters/mime-bytes';
import { renderConfirmationMail } from '../../../functions/domain/render/confirmation';
import { renderDigestMail } from '../../../functions/domain/render/digest';
import { renderRollupMail } from '../../../functions/domain/render/rollup';
import { renderWeeklyMail } from '../../../functions/domain/render/weekly';
import type { MailKind, OutgoingMail } from '../../../functions/ports/mailer';
import { danaDigest, danaRollup, danaWeekly, hostile, marcusConfirmation } from '../../support/mail-fixtures';

/*
 * mimeBytes writes a message without nodemailer's stream pipeline. Every byte must be the one build() writes for the
 * same tree (the same Date, Message-ID and boundary): these tests hold the two side by side.
 */

/** Text of every kind the encoders treat apart: "=", blanks before line breaks, CR, controls, Latin-1, CJK, astral. */
const pieces = fc.oneof(
  fc.constantFrom(
    'a',
    'Send the Q3 account review',
    ' ',
    '  ',
    '\t',
    '\n',
    ' \n',
    '\t\n',
    '\r\n',
    '\r',
    ' \r\n',
    '=',
    '=3D',
    '<td style="padding:0">',
    '.',
    ',',
    '!',
    '?',
    '—',
    '·',
    'é',
    'Zoë Østergaard',
    '週次',
    '😀',
    '\ud83d',
    '\u0000',
    '\u0007',
    '\u007f',
    '\u0085',
    'x'.repeat(80),
    `${'w'.repeat(70)}=`,
    `${'w'.repeat(73)}é`,
  ),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.string({ unit: 'binary', maxLength: 4 }),
);

const text = fc.array(pieces, { maxLength: 120 }).map((parts) => parts.join(''));

/** Mostly ASCII HTML-like text, as a digest is: the encoding nodemailer chooses for it is quoted-printable. */
const latinText = fc
  .array(fc.oneof({ weight: 8, arbitrary: fc.constantFrom('Send the review ', '<td class="x">', '\n') }, pieces), {
    maxLength: 150,
  })
  .map((parts) => parts.join(''));

const date = new Date('2026-11-23T08:00:00.000Z');
const messageId = '<5f0c2a1e-7d1b-4c8e-9a53-0c1d2e3f4a5b@followthrough.example>';
const baseBoundary = 'fixedboundary0123';

/** Two trees of one text part, built alike: mimeBytes writes one, nodemailer's build() the other. */
function textPart(content: string, type: string, transferEncoding?: string): MimeNode {
  const node = new MimeNode(type, { newline: 'windows', baseBoundary });
  node.setHeader('Date', date.toUTCString());
  node.setHeader('Message-ID', messageId);
  if (transferEncoding !== undefined) node.setHeader('Content-Transfer-Encoding', transferEncoding);
  return node.setContent(content);
}

async function bothWays(content: string, type: string, transferEncoding?: string) {
  const written = mimeBytes(textPart(content, type, transferEncoding), [escapesIn(content)]);
  const unscanned = mimeBytes(textPart(content, type, transferEncoding));
  const built = await textPart(content, type, transferEncoding).build();
  return { written, unscanned, built };
}

function mail(overrides: Partial<OutgoingMail> & { kind?: MailKind } = {}): OutgoingMail {
  return {
    kind: 'weekly',
    from: { address: 'notes@followthrough.example', name: 'followthrough' },
    to: [{ address: 'dana.whitfield@acme.example', name: 'Dana Whitfield' }],
    subject: 'Your open items — week of Mon 23 Nov',
    text: 'Your open items\n',
    html: '<p>Your open items</p>',
    messageId,
    headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click', 'X-Followthrough-Ref': 'o5jaljokdauke2h7' },
    ...overrides,
  };
}

/** composeMime's bytes, and those of nodemailer's build() of the same tree. */
async function composedBothWays(outgoing: OutgoingMail) {
  const options = { date, messageId: outgoing.messageId, baseBoundary };
  const composed = await composeMime(outgoing, options);
  const built = await compiledMime(outgoing, options).root.build();
  return { composed, built };
}

describe('mimeBytes', () => {
  it('writes a text part as build() does, in the encoding nodemailer chooses for it', async () => {
    await fc.assert(
      fc.asyncProperty(text, fc.constantFrom('text/plain', 'text/html'), async (content, type) => {
        const { written, unscanned, built } = await bothWays(content, type);

        expect(written).toEqual(built);
        expect(unscanned).toEqual(built);
      }),
      { numRuns: 1500 },
    );
  });

  it('writes a quoted-printable part as build() does, whatever its text', async () => {
    await fc.assert(
      fc.asyncProperty(text, async (content) => {
        const { written, unscanned, built } = await bothWays(content, 'text/html', 'quoted-printable');

        expect(written).toEqual(built);
        expect(unscanned).toEqual(built);
      }),
      { numRuns: 1500 },
    );
  });

  it('writes a base64 part as build() does', async () => {
    await fc.assert(
      fc.asyncProperty(text, async (content) => {
        const { written, built } = await bothWays(content, 'text/plain', 'base64');

        expect(written).toEqual(built);
      }),
      { numRuns: 300 },
    );
  });

  it('writes a part over 64 KB as build() does, blanks at the edge of a slice and at its end included', async () => {
    await fc.assert(
      fc.asyncProperty(
        latinText,
        fc.integer({ min: 65_530, max: 65_545 }),
        fc.constantFrom('', ' ', '  \t', ' \n', 'é', '\r\n'),
        async (sample, length, ending) => {
          const filler = sample === '' ? 'x' : sample;
          const body = filler.repeat(Math.ceil(length / filler.length)).slice(0, length);
          const content = `${body.slice(0, 65_534)}  ${body.slice(65_536)}${ending}`;
          const { written, unscanned, built } = await bothWays(content, 'text/html', 'quoted-printable');

          expect(written).toEqual(built);
          expect(unscanned).toEqual(built);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('leaves to build() a part that is not text', () => {
    const node = new MimeNode('application/octet-stream', { newline: 'windows' }).setContent(Buffer.from('bytes'));

    expect(mimeBytes(node)).toBeNull();
  });
});

describe('wrapQuotedPrintable', () => {
  it('breaks lines where qp.wrap does, for any line length', () => {
    const encoded = fc
      .array(
        fc.constantFrom(
          'a',
          'Z',
          '0',
          '=',
          '=3D',
          '=C3=A9',
          '=E2=80=94',
          ' ',
          '\t',
          '.',
          ',',
          '!',
          '?',
          '\n',
          '\r\n',
          '\r',
          'f',
          'F',
        ),
        {
          maxLength: 400,
        },
      )
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(encoded, fc.integer({ min: 4, max: 100 }), (value, lineLength) => {
        expect(wrapQuotedPrintable(value, lineLength)).toBe(wrap(value, lineLength));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('composeMime', () => {
  it('writes each kind of mail byte for byte as nodemailer builds it', async () => {
    const rendered = [
      renderWeeklyMail(danaWeekly()),
      renderRollupMail(danaRollup()),
      renderDigestMail(danaDigest()),
      renderConfirmationMail(marcusConfirmation()),
    ];

    for (const { subject, text: body, html } of rendered) {
      const { composed, built } = await composedBothWays(mail({ subject, text: body, html }));

      expect(composed).toEqual(built);
    }
  });

  it('writes a mail byte for byte as nodemailer builds it, whatever its subject, names and parts', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({ subject: text, name: text, text: fc.oneof(text, latinText), html: fc.oneof(text, latinText) }),
        async ({ subject, name, text: body, html }) => {
          const outgoing = mail({
            subject: `${subject}${hostile}`,
            to: [{ address: 'zoe.ostergaard@acme.example', name }],
            text: body,
            html,
          });
          const { composed, built } = await composedBothWays(outgoing);

          expect(composed).toEqual(built);
        },
      ),
      { numRuns: 600 },
    );
  });

  it('chooses from the scanned runs the encoding nodemailer would choose', () => {
    fc.assert(
      fc.property(fc.oneof(text, latinText), (value) => {
        expect(encodingOf(value, binaryOrEightBit(escapesIn(value)))).toBe(encodingOf(value));
      }),
      { numRuns: 2000 },
    );
  });
});
