import { describe, expect, it } from 'vitest';
import { parseEmail } from '../../../../functions/domain/email/parse-email';
import { type NotesMessage, readNotes } from '../../../../functions/domain/email/read-notes';
import { extract } from '../../../../functions/domain/extraction/extract';
import { fixtureBytes } from '../../../support/fixtures';

const manager = { address: 'priya.raman@northwind-sales.example', name: 'Priya Raman' };
const seller = { address: 'leo.martins@northwind-sales.example', name: 'Leo Martins' };
const inboxAddresses = ['notes@followthrough.example'];

/** Notes written by Priya to Leo on Tuesday 17 Nov 2026, New York time. */
function notes(body: string, overrides: Partial<NotesMessage> = {}): NotesMessage {
  return {
    messageId: '<unit@northwind-sales.example>',
    original: {
      from: manager,
      to: [seller],
      cc: [{ address: 'notes@followthrough.example', name: null }],
      subject: '1:1 Priya / Leo',
      date: { date: '2026-11-17', offsetMinutes: -300, instant: '2026-11-17T21:42:10.000Z' },
    },
    outerDate: null,
    forwardDepth: 0,
    body,
    contentLanguage: null,
    addresses: [manager.address, seller.address],
    ...overrides,
  };
}

const items = (body: string, overrides: Partial<NotesMessage> = {}) =>
  extract(notes(body, overrides), { inboxAddresses }).items;

describe('extract', () => {
  it('takes the meeting from the notes message, without the notes inbox among the attendees', () => {
    const { meeting } = extract(notes('Action items\n- Leo: send the deck by Friday'), { inboxAddresses });

    expect(meeting.date).toBe('2026-11-17');
    expect(meeting.attendees.map((p) => p.address)).toEqual([manager.address, seller.address]);
    expect(meeting.author).toEqual(manager);
  });

  it('reads "Name: task by day" lines with owner and due date', () => {
    const [item] = items('Action items\n- Leo: send Bramble the redlined MSA by Thursday');

    expect(item).toMatchObject({ owner: seller.address, ownerName: 'Leo Martins', due: '2026-11-19', flags: [] });
    expect(item?.text).toBe('Send Bramble the redlined MSA');
    expect(item?.source).toBe('- Leo: send Bramble the redlined MSA by Thursday');
  });

  it('gives "I" to the author and "you" to the other attendee', () => {
    const found = items("Next steps\nI'll get the pricing approved by Friday.\nYou're going to book the QBR tomorrow.");

    expect(found.map((i) => [i.owner, i.due])).toEqual([
      [manager.address, '2026-11-20'],
      [seller.address, '2026-11-18'],
    ]);
  });

  it('resolves initials and @handles to attendees', () => {
    const found = items('TODO\n[ ] @Leo - update the forecast EOW\n[ ] PR - approve the discount by 11/24');

    expect(found.map((i) => [i.owner, i.due])).toEqual([
      [seller.address, '2026-11-20'],
      [manager.address, '2026-11-24'],
    ]);
  });

  it('keeps an owner who did not attend as written, flagged', () => {
    const [item] = items('Actions\n- Tomas (SE): set up the sandbox tomorrow');

    expect(item).toMatchObject({ owner: 'Tomas', flags: ['owner-not-attendee'] });
  });

  it('keeps an item with no date and flags it', () => {
    const [item] = items('Action items\n- Leo: find a new champion at Larkspur');

    expect(item).toMatchObject({ owner: seller.address, due: null, flags: ['no-date'] });
  });

  it('keeps an item with no owner and flags it', () => {
    const [item] = items('Action items\n- Send the revised order form by Friday');

    expect(item).toMatchObject({ owner: null, due: '2026-11-20', flags: ['no-owner'] });
  });

  it('leaves out ticked boxes, done lines and a "Done" section', () => {
    const found = items(
      'TODO\n[x] Leo - send the quote\n[ ] Leo - book the demo by Friday\n- Leo: intro to the CFO - done\n\nDone since last time\n- Priya: approve the travel budget',
    );

    expect(found.map((i) => i.text)).toEqual(['Book the demo']);
  });

  it('leaves out questions, status lines and coaching remarks', () => {
    const found = items(
      'Pipeline\n- Osprey Clinics: went dark after the pricing call\n\nCoaching\n- Keep asking about business impact, nice work.\n\nQuestions\n- Do we still need MEDDPICC for renewals?',
    );

    expect(found).toEqual([]);
  });

  it('finds explicit commitments outside an action list, but not discussion', () => {
    const found = items(
      "Growth\n- Leo wants to mentor a new BDR - Priya to ask Hemi if that works, by 11/27\n- We'll revisit the enterprise path in Q1",
    );

    expect(found.map((i) => [i.owner, i.due, i.section])).toEqual([[manager.address, '2026-11-27', 'growth']]);
  });

  it('gives items in the agenda for the next 1:1 that meeting’s date', () => {
    const found = items(
      'Agenda for next time (Tue 24 Nov)\n- Osprey renewal risk\n- Leo: bring the territory plan draft',
    );

    expect(found.map((i) => [i.owner, i.due, i.section])).toEqual([[seller.address, '2026-11-24', 'agenda']]);
  });

  it('takes owner, due date and task from the cells of a table row, and skips done rows and the header', async () => {
    const extraction = extract(await readNotes(await parseEmail(fixtureBytes('html-table.eml'))), { inboxAddresses });

    expect(extraction.items.map((i) => [i.text, i.owner, i.due])).toEqual([
      ['Send Marlin Foods the revised SOW', 'finn.berg@cobalt.example', '2026-11-27'],
      ['Approve the Marlin discount', 'ana.souza@cobalt.example', null],
      ['Book the Perth offsite', 'ana.souza@cobalt.example', '2026-12-04'],
    ]);
  });

  it('resolves relative dates against the original meeting of a forward, not the day it was forwarded', async () => {
    const extraction = extract(await readNotes(await parseEmail(fixtureBytes('fwd-gmail.eml'))), { inboxAddresses });

    expect(extraction.meeting.date).toBe('2026-11-12');
    expect(extraction.meeting.attendees.map((p) => p.address)).toEqual([
      'omar.haddad@fjordline.example',
      'beth.nilsen@fjordline.example',
      'chris.vale@fjordline.example',
    ]);
    expect(extraction.items.map((i) => [i.owner, i.due])).toEqual([
      ['beth.nilsen@fjordline.example', '2026-11-13'],
      ['omar.haddad@fjordline.example', '2026-11-16'],
    ]);
  });

  it('reads day-first dates from a UK sender', async () => {
    const extraction = extract(await readNotes(await parseEmail(fixtureBytes('fwd-outlook.eml'))), { inboxAddresses });

    expect(extraction.items.map((i) => [i.owner, i.due])).toEqual([
      ['asha.nair@tidewater.example', '2026-11-13'],
      ['ollie.grant@tidewater.example', '2026-11-11'],
    ]);
  });

  it('ignores items that are only quoted from older mail', async () => {
    const extraction = extract(await readNotes(await parseEmail(fixtureBytes('reply-quoted.eml'))), { inboxAddresses });

    expect(extraction.items.map((i) => i.text)).toEqual(['Send Harbor Tech the pilot plan']);
  });

  it('moves the meeting a day back when the notes recap yesterday’s 1:1', () => {
    const { meeting, items: found } = extract(
      notes("Notes from yesterday's 1:1\n\nActions\n- Leo: call Osprey tomorrow"),
      {
        inboxAddresses,
      },
    );

    expect(meeting.date).toBe('2026-11-16');
    expect(found[0]?.due).toBe('2026-11-17');
  });

  it('joins a hard-wrapped line before reading its date', () => {
    const [item] = items(
      'Actions\nAI: Leo to set up a ticket review with Osprey IT and our support\nlead by Fri\nAI: Priya - approve it',
    );

    expect(item).toMatchObject({ owner: seller.address, due: '2026-11-20' });
    expect(item?.text).toMatch(/support lead$/);
  });

  it('finds nothing in notes that hold no commitments', async () => {
    const extraction = extract(await readNotes(await parseEmail(fixtureBytes('no-items.eml'))), { inboxAddresses });

    expect(extraction.items).toEqual([]);
  });

  it('stops at the sign-off, so that a signature or disclaimer is never an item', () => {
    const found = items(
      'Action items\n- Leo: send the deck by Friday\n\nThanks,\nPriya\n\nPriya Raman | Sales Director\nPlease notify the sender and delete this email.',
    );

    expect(found.map((i) => i.text)).toEqual(['Send the deck']);
  });

  it('does not take the line that names the next 1:1 for an item', () => {
    const { meeting, items: found } = extract(
      notes('Action items\n- Leo: send the deck\nNext 1:1 is Tuesday 24 Nov.'),
      {
        inboxAddresses,
      },
    );

    expect(found.map((i) => i.text)).toEqual(['Send the deck']);
    expect(meeting.nextMeetingDate).toBe('2026-11-24');
  });

  it('keeps the whole sentence as the text of a commitment made in the middle of it', () => {
    const [item] = items('Growth\n- Leo wants to mentor a new BDR — Priya to ask Hemi if that works, by 11/27');

    expect(item?.text).toBe('Leo wants to mentor a new BDR — Priya to ask Hemi if that works');
    expect(item?.owner).toBe(manager.address);
  });

  it('gives a "will" without a subject to the person the sentence is about', () => {
    const [item] = items('Growth\n- Leo is reading Gap Selling — will share the takeaways with the team when done');

    expect(item).toMatchObject({ owner: seller.address, due: null });
  });

  it('takes "Someone will" for a non-attendee only when a task verb follows', () => {
    const found = items(
      'Pipeline\n- Bramble: Einkauf will 3 Jahre Laufzeit\n- Osprey: Hemi will review the contract by Friday',
    );

    expect(found.map((i) => [i.owner, i.due])).toEqual([['Hemi', '2026-11-20']]);
  });

  it('takes a bare sentence in an action section only when it starts with a verb', () => {
    const found = items('Next steps\nGood call overall.\nSend the recap to the champion by Friday.');

    expect(found.map((i) => i.text)).toEqual(['Send the recap to the champion']);
  });

  it('ends the notes at the author’s name on its own line, but reads it as a heading when a list follows', () => {
    const signed = items(
      'Action items\n- Leo: send the deck\n\nPriya\nPriya Raman | +1 614 555 0142\nPlease do not print this email.',
    );
    const headed = items('Action items\n- Leo: send the deck\nPriya\n- approve the discount by Friday');

    expect(signed.map((i) => i.text)).toEqual(['Send the deck']);
    expect(headed.map((i) => [i.text, i.owner])).toEqual([
      ['Send the deck', seller.address],
      ['Approve the discount', manager.address],
    ]);
  });

  it('resolves "by the same day" to the date of the item before it', () => {
    const found = items(
      "Next steps\nI'll send the order form by Wednesday, and I'll chase their legal on the DPA by the same day.",
    );

    expect(found.map((i) => i.due)).toEqual(['2026-11-18', '2026-11-18']);
  });

  it('splits two commitments joined by "and" when each has its own date', () => {
    const found = items(
      "Next steps\nI'll move the close date in Salesforce today and put together a re-engagement plan by 4/12.",
    );

    expect(found.map((i) => [i.owner, i.due])).toEqual([
      [manager.address, '2026-11-17'],
      [manager.address, '2027-04-12'],
    ]);
  });

  it('keeps "X and Y by Friday" as one item when only the end has a date', () => {
    const found = items('Action items\n- Leo: send the deck and book the demo by Friday');

    expect(found.map((i) => [i.text, i.due])).toEqual([['Send the deck and book the demo', '2026-11-20']]);
  });

  it('rejects notes whose message has no readable date, naming the Date header', () => {
    const undated = notes('Action items\n- Leo: send the deck', {
      original: { ...notes('').original, date: null },
      outerDate: null,
    });

    expect(() => extract(undated, { inboxAddresses })).toThrow(expect.objectContaining({ field: 'Date' }));
  });

  it('reads Markdown task lists with bold owners, and skips their ticked entries', () => {
    const found = items(
      '## Action items\n- [ ] **Leo**: send the security packet to Osprey (due 11/20)\n- [x] **Leo**: update the forecast\n- [ ] __Priya__ - confirm SE coverage by Thursday',
    );

    expect(found.map((i) => [i.text, i.owner, i.due])).toEqual([
      ['Send the security packet to Osprey', seller.address, '2026-11-20'],
      ['Confirm SE coverage', manager.address, '2026-11-19'],
    ]);
  });

  it('reads a note-taker recap: full-name headings above each person’s tasks, timestamps dropped', () => {
    const found = items(
      'Action Items\nLeo Martins\nSend the pricing sheet to Bramble by Friday (00:12:31)\nFollow up with Osprey about the renewal (00:20:02)\nPriya Raman\nReview the MAP draft (00:30:10)',
    );

    expect(found.map((i) => [i.text, i.owner, i.due])).toEqual([
      ['Send the pricing sheet to Bramble', seller.address, '2026-11-20'],
      ['Follow up with Osprey about the renewal', seller.address, null],
      ['Review the MAP draft', manager.address, null],
    ]);
  });

  it('reads Gemini’s "[Name] Topic: task" next steps', () => {
    const found = items(
      'Suggested next steps\n[Leo Martins] Pricing Sheet: Send the pricing sheet to Bramble by Friday.\n[Priya Raman] Finance Approval: Ask finance about multi-year pricing.',
    );

    expect(found.map((i) => [i.text, i.owner, i.due])).toEqual([
      ['Send the pricing sheet to Bramble', seller.address, '2026-11-20'],
      ['Ask finance about multi-year pricing', manager.address, null],
    ]);
  });
});

describe('extract: agenda topics', () => {
  it('keeps the topics under an agenda heading that are not items, and not the items', () => {
    const { meeting, items } = extract(
      notes(
        'Action items\n- Leo: send the MSA by Friday\n\nAgenda for next time\n- Osprey renewal risk\n- Leo to bring the Q1 territory plan\n- Comp plan questions',
      ),
      { inboxAddresses },
    );

    expect(meeting.agenda).toEqual(['Osprey renewal risk', 'Comp plan questions']);
    expect(items.map((i) => i.section)).toEqual(['action', 'agenda']);
  });

  it('keeps no topics from notes without an agenda heading, and at most twelve from a long one', () => {
    const long = `Next time\n${Array.from({ length: 20 }, (_, i) => `- Topic number ${i + 1}`).join('\n')}`;

    expect(extract(notes('Action items\n- Leo: send the MSA by Friday'), { inboxAddresses }).meeting.agenda).toEqual(
      [],
    );
    expect(extract(notes(long), { inboxAddresses }).meeting.agenda).toHaveLength(12);
  });
});
