import fc from 'fast-check';
import MimeNode from 'nodemailer/lib/mime-node';
import { describe, expect, it } from 'vitest';
import { encodingOf } from '../../../functions/adapters/mime';

/** nodemailer's own choice, as its MimeNode makes it for a part or a header it encodes. */
const nodemailerChoice = (value: string): string =>
  (new MimeNode() as unknown as { _getTextEncoding(value: string): string })._getTextEncoding(value);

/** Text mixing ASCII letters, punctuation, controls, Latin-1, CJK and astral characters in any proportion. */
const mixedText = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        'a',
        'Z',
        ' ',
        '<p>',
        '\n',
        '\t',
        '.',
        '1',
        '·',
        '—',
        'é',
        'ß',
        '週',
        '次',
        '\u0001',
        '\u007f',
        '😀',
      ),
      fc.string({ unit: 'grapheme', maxLength: 5 }),
      fc.string({ unit: 'binary', maxLength: 5 }),
    ),
    { maxLength: 400 },
  )
  .map((parts) => parts.join(''));

describe('the text encoding composeMime tells nodemailer', () => {
  it('is the one nodemailer would choose itself, for any text', () => {
    fc.assert(
      fc.property(mixedText, (text) => {
        expect(encodingOf(text)).toBe(nodemailerChoice(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('is the one nodemailer would choose for long mostly-Latin text with a few other characters', () => {
    const digest = `${'<td style="padding:0">Send the Q3 account review</td>'.repeat(700)} · — é 週`;

    expect(encodingOf(digest)).toBe(nodemailerChoice(digest));
    expect(encodingOf('週次のまとめ'.repeat(500))).toBe(nodemailerChoice('週次のまとめ'.repeat(500)));
  });
});
