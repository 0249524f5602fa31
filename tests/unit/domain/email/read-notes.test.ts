import { describe, expect, it } from 'vitest';
import { parseEmail } from '../../../../functions/domain/email/parse-email';
import { readNotes, stripQuotedHistory } from '../../../../functions/domain/email/read-notes';
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
    const notes = readNotes(email);

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

    expect(() => readNotes(email)).toThrow(expect.objectContaining({ field: 'body' }));
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
