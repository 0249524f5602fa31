import { describe, expect, it } from 'vitest';
import { parseEmail } from '../../../../functions/domain/email/parse-email';
import { readNotes, readNotesOf, stripQuotedHistory } from '../../../../functions/domain/email/read-notes';
import { InvalidInputError } from '../../../../functions/domain/errors';
import { fixtureBytes } from '../../../support/fixtures';

const read = async (name: string) => readNotes(await parseEmail(fixtureBytes(name)));

describe('readNotes', () => {
  it('takes the date and people of a Gmail forward from the original message', async () => {
    const notes = await read('fwd-gmail.eml');

    expect(notes.forwardDepth).toBe(1);
    expect(notes.original.date?.date).toBe('2026-11-12');
    expect(notes.original.from?.address).toBe('omar.haddad@fjordline.example');
    expect(notes.original.to.map((p) => p.address)).toEqual(['beth.nilsen@fjordline.example']);
    expect(notes.original.cc.map((p) => p.address)).toEqual(['chris.vale@fjordline.example']);
  });

  it('leaves the forwarder’s own comment out of the notes', async () => {
    const notes = await read('fwd-gmail.eml');

    expect(notes.body).not.toContain('Sending these on');
    expect(notes.body).toContain('Beth: send the Skagen renewal quote tomorrow');
  });

  it('reads an Outlook forward with a "Sent:" line and "Last, First" names', async () => {
    const notes = await read('fwd-outlook.eml');

    expect(notes.original.date?.date).toBe('2026-11-06');
    expect(notes.original.from).toEqual({ address: 'ollie.grant@tidewater.example', name: 'Ollie Grant' });
    expect(notes.original.subject).toBe('follow-ups');
    expect(notes.contentLanguage).toBe('en-GB');
  });

  it('drops the quoted history of a reply', async () => {
    const notes = await read('reply-quoted.eml');

    expect(notes.body).toContain('Harbor Tech');
    expect(notes.body).not.toContain('old task');
    expect(notes.body).not.toContain('wrote:');
  });

  it('turns an HTML table into one "a | b | c" line per row', async () => {
    const notes = await read('html-table.eml');

    expect(notes.body).toContain('Send Marlin Foods the revised SOW | Finn | 27/11 | Open');
    expect(notes.body).toContain('Task | Owner | Due | Status');
    expect(notes.body).toMatch(/- Ana will book the Perth offsite by 4\/12/);
  });

  it('decodes windows-1252 smart quotes, dashes, bullets and € that Node’s decoder turns into control characters', async () => {
    const email = await parseEmail(fixtureBytes('cp1252.eml'));
    const notes = await readNotes(email);

    expect(email.subject).toBe('1:1 – Renée / Hugo');
    expect(email.from?.name).toBe('Renée Blanc');
    expect(notes.body).toContain('Hugo – here’s the list.');
    expect(notes.body).toContain('• Hugo: send the € pricing to “Lumen” by Friday');
    expect(notes.body).not.toMatch(/[\u0080-\u009f]/);
  });

  it('rejects a file that is not an email, naming the headers', async () => {
    const error = await parseEmail(fixtureBytes('not-an-email.txt')).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).field).toBe('headers');
  });

  it('rejects an email whose body is empty, naming the body', async () => {
    const email = await parseEmail(fixtureBytes('empty-body.eml'));

    await expect(readNotes(email)).rejects.toThrow(expect.objectContaining({ field: 'body' }));
  });
});

describe('stripQuotedHistory', () => {
  it('cuts at an Outlook "From:/Sent:" history block', () => {
    const body =
      'New notes\n- Raj: do X\n\n________________________________\nFrom: Kim <k@x.example>\nSent: Monday\n\n- old item';

    expect(stripQuotedHistory(body).trim()).toBe('New notes\n- Raj: do X');
  });

  it('cuts at a Gmail attribution line that wraps onto a second line', () => {
    const body =
      'Notes\n- a task\n\nOn Mon, 9 Nov 2026 at 15:02, Helen Carter <helen.carter@ashgrove.example>\nwrote:\n> old';

    expect(stripQuotedHistory(body).trim()).toBe('Notes\n- a task');
  });

  it('drops lines quoted with ">" wherever they stand', () => {
    expect(stripQuotedHistory('keep\n> drop\n>> drop too\nkeep too')).toBe('keep\nkeep too');
  });
});

/** Lines joined as RFC 5322 wants them, with CRLF. */
const crlf = (lines: string[]): Uint8Array => new TextEncoder().encode(lines.join('\r\n'));

/** Dana's notes of Thursday's 1:1, as her mail app sent them to Marcus. */
const ORIGINAL_NOTES = [
  'From: Dana Whitfield <dana.whitfield@halvorsen.example>',
  'To: Marcus Oyelaran <marcus.oyelaran@halvorsen.example>',
  'Subject: 1:1 Dana / Marcus',
  'Date: Thu, 12 Nov 2026 15:08:44 -0500',
  'Message-ID: <original@halvorsen.example>',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'Action items',
  '- Marcus: send the renewal quote by Friday',
  '- Dana: approve the discount',
  '',
];

interface Attachment {
  contentType: string;
  disposition: string;
  lines: string[];
}

/** "Forward as attachment" on Monday: the forwarder's comment as the body, one attached part. */
function forwardedAsAttachment(comment: string, attachment: Attachment): Uint8Array {
  return crlf([
    'From: Dana Whitfield <dana.whitfield@halvorsen.example>',
    'To: notes@followthrough.example',
    'Subject: Fwd: 1:1 Dana / Marcus',
    'Date: Mon, 16 Nov 2026 09:30:00 -0500',
    'Message-ID: <outer@halvorsen.example>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="outer-boundary"',
    '',
    '--outer-boundary',
    'Content-Type: text/plain; charset=utf-8',
    '',
    comment,
    '',
    '--outer-boundary',
    `Content-Type: ${attachment.contentType}`,
    `Content-Disposition: ${attachment.disposition}`,
    '',
    ...attachment.lines,
    '--outer-boundary--',
    '',
  ]);
}

const attachedMessage = (lines: string[]): Attachment => ({
  contentType: 'message/rfc822',
  disposition: 'attachment; filename="1-1 Dana Marcus.eml"',
  lines,
});

/** A plain one-part message from Dana to Marcus. */
const plainEmail = (subject: string, body: string): Uint8Array =>
  crlf([
    'From: Dana Whitfield <dana.whitfield@halvorsen.example>',
    'To: Marcus Oyelaran <marcus.oyelaran@halvorsen.example>',
    `Subject: ${subject}`,
    'Date: Thu, 12 Nov 2026 15:08:44 -0500',
    'Message-ID: <plain@halvorsen.example>',
    'Content-Type: text/plain; charset=utf-8',
    '',
    body.replace(/\n/g, '\r\n'),
    '',
  ]);

describe('readNotesOf: notes forwarded as an attached message', () => {
  it('reads the date, people and body of the attached message, one forward deep, under the outer Message-ID', async () => {
    // Prepare
    const email = await parseEmail(forwardedAsAttachment('See the attached notes.', attachedMessage(ORIGINAL_NOTES)));

    // Act
    const notes = await readNotesOf(email);

    // Assess
    expect(notes.messageId).toBe('<outer@halvorsen.example>');
    expect(notes.forwardDepth).toBe(1);
    expect(notes.original.date).toEqual({
      date: '2026-11-12',
      offsetMinutes: -300,
      instant: '2026-11-12T20:08:44.000Z',
    });
    expect(notes.original.from).toEqual({ address: 'dana.whitfield@halvorsen.example', name: 'Dana Whitfield' });
    expect(notes.original.to).toEqual([{ address: 'marcus.oyelaran@halvorsen.example', name: 'Marcus Oyelaran' }]);
    expect(notes.original.subject).toBe('1:1 Dana / Marcus');
    expect(notes.outerDate?.date).toBe('2026-11-16');
    expect(notes.body).toBe('Action items\n- Marcus: send the renewal quote by Friday\n- Dana: approve the discount');
  });

  it('keeps the outer body as the notes when it says more than the attached message', async () => {
    // Prepare
    const ownNotes = [
      'My notes from the 1:1 today; the attached mail is only for context.',
      '',
      'Action items',
      '- Marcus: send the deck by Friday',
      '- Dana: book the QBR venue by Thursday',
      '- Marcus: chase legal on the DPA',
    ].join('\r\n');
    const email = await parseEmail(forwardedAsAttachment(ownNotes, attachedMessage(ORIGINAL_NOTES)));

    // Act
    const notes = await readNotesOf(email);

    // Assess
    expect(notes.forwardDepth).toBe(0);
    expect(notes.original.date?.date).toBe('2026-11-16');
    expect(notes.original.to.map((p) => p.address)).toEqual(['notes@followthrough.example']);
    expect(notes.body).toBe(ownNotes.replace(/\r\n/g, '\n'));
  });

  it('keeps the body as the notes when the attachment is not a message', async () => {
    // Prepare
    const textFile: Attachment = {
      contentType: 'text/plain; charset=utf-8',
      disposition: 'attachment; filename="notes.txt"',
      lines: ['Action items', '- Marcus: send the renewal quote by Friday', ''],
    };
    const email = await parseEmail(forwardedAsAttachment('See the attached notes.', textFile));

    // Act
    const notes = await readNotesOf(email);

    // Assess
    expect(notes.forwardDepth).toBe(0);
    expect(notes.original.date?.date).toBe('2026-11-16');
    expect(notes.body).toBe('See the attached notes.');
  });

  it('keeps the body as the notes when the attached "message" has no headers', async () => {
    // Prepare
    const notAMessage = attachedMessage(['just some words, no headers', 'and a second line', '']);
    const email = await parseEmail(forwardedAsAttachment('See the attached notes.', notAMessage));

    // Act
    const notes = await readNotesOf(email);

    // Assess
    expect(notes.forwardDepth).toBe(0);
    expect(notes.body).toBe('See the attached notes.');
  });
});

describe('readNotes: the body as typed', () => {
  it('keeps the body of a "Fwd:" message that holds no forwarded message', async () => {
    // Prepare
    const email = await parseEmail(
      plainEmail('Fwd: 1:1 Dana / Marcus', 'Action items\n- Marcus: send the deck by Friday'),
    );

    // Act
    const notes = await readNotes(email);

    // Assess
    expect(notes.forwardDepth).toBe(0);
    expect(notes.original.subject).toBe('Fwd: 1:1 Dana / Marcus');
    expect(notes.original.date?.date).toBe('2026-11-12');
    expect(notes.body).toBe('Action items\n- Marcus: send the deck by Friday');
  });

  it('collapses a run of blank lines to two and a run of spaces inside a line to one', async () => {
    // Prepare
    const email = await parseEmail(
      plainEmail('1:1', 'Action items\n\n\n\n\n\n- Marcus:    send the deck by Friday\n  - indented stays'),
    );

    // Act
    const notes = await readNotes(email);

    // Assess
    expect(notes.body).toBe('Action items\n\n\n- Marcus: send the deck by Friday\n  - indented stays');
  });

  it('removes control characters and direction marks', async () => {
    // Prepare
    const email = await parseEmail(
      plainEmail('1:1', 'Action\u0007 items\n- Marcus: send the \u200edeck\u202e by Friday\u0001'),
    );

    // Act
    const notes = await readNotes(email);

    // Assess
    expect(notes.body).toBe('Action items\n- Marcus: send the deck by Friday');
  });
});
