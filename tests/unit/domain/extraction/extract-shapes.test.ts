import { describe, expect, it } from 'vitest';
import type { WrittenDate } from '../../../../functions/domain/email/message-date';
import type { NotesMessage } from '../../../../functions/domain/email/read-notes';
import { extract } from '../../../../functions/domain/extraction/extract';
import type { ExtractedItem, Person } from '../../../../functions/domain/model';

// One rule per test: each body is the smallest notes that show the shape, and each expectation is the whole item.
const inboxAddresses = ['notes@followthrough.example'];

const dana: Person = { address: 'dana.whitfield@halvorsen.example', name: 'Dana Whitfield' };
const marcus: Person = { address: 'marcus.oyelaran@halvorsen.example', name: 'Marcus Oyelaran' };

/** Tuesday 17 Nov 2026, New York time. */
const TUESDAY: WrittenDate = { date: '2026-11-17', offsetMinutes: -300, instant: '2026-11-17T21:42:10.000Z' };

interface Meeting {
  author?: Person;
  /** Everyone else at the meeting; Marcus unless given. */
  others?: Person[];
  date?: WrittenDate;
  contentLanguage?: string | null;
}

/** Notes written by the author (Dana unless given) to the others, with our inbox in Cc. */
function notes(body: string, meeting: Meeting = {}): NotesMessage {
  const author = meeting.author ?? dana;
  const others = meeting.others ?? [marcus];
  return {
    messageId: '<shapes@halvorsen.example>',
    original: {
      from: author,
      to: others,
      cc: [{ address: 'notes@followthrough.example', name: null }],
      subject: '1:1',
      date: meeting.date ?? TUESDAY,
    },
    outerDate: null,
    forwardDepth: 0,
    body,
    contentLanguage: meeting.contentLanguage ?? null,
    addresses: [author.address, ...others.map((p) => p.address)],
  };
}

/** The parts of an item each rule decides. */
const shape = ({ text, owner, due, ownerSource, dueSource, flags }: ExtractedItem) => ({
  text,
  owner,
  due,
  ownerSource,
  dueSource,
  flags,
});

const itemsOf = (body: string, meeting: Meeting = {}) =>
  extract(notes(body, meeting), { inboxAddresses }).items.map(shape);

describe('extract: the words that decided the owner and the date', () => {
  it('takes "Dana:" and "by Friday" as the sources of a "Name: task by day" line', () => {
    // Prepare
    const body = 'Action items\n- Dana: send the pricing sheet by Friday';

    // Act
    const items = itemsOf(body);

    // Assess
    expect(items).toEqual([
      {
        text: 'Send the pricing sheet',
        owner: dana.address,
        due: '2026-11-20',
        ownerSource: 'Dana:',
        dueSource: 'by Friday',
        flags: [],
      },
    ]);
  });

  it('takes "I\'ll" as the source of the author’s commitment', () => {
    // Prepare
    const body = "Next steps\nI'll book the venue for the QBR by Friday.";

    // Act
    const items = itemsOf(body);

    // Assess
    expect(items).toEqual([
      {
        text: 'Book the venue for the QBR',
        owner: dana.address,
        due: '2026-11-20',
        ownerSource: "I'll",
        dueSource: 'by Friday',
        flags: [],
      },
    ]);
  });

  it('takes "please" as the source of a request to the other attendee', () => {
    // Prepare
    const body = 'Next steps\nPlease send the signed order form by Thursday.';

    // Act
    const items = itemsOf(body);

    // Assess
    expect(items).toEqual([
      {
        text: 'Send the signed order form',
        owner: marcus.address,
        due: '2026-11-19',
        ownerSource: 'Please',
        dueSource: 'by Thursday',
        flags: [],
      },
    ]);
  });

  it('takes the heading that names a person as the source of the owner of the list below it', () => {
    // Prepare
    const ben = { address: 'ben.sutter@halvorsen.example', name: 'Ben Sutter' };
    const body = 'Action items\nBen\n- review the MAP draft by Friday\n- book the QBR';

    // Act
    const items = itemsOf(body, { others: [ben] });

    // Assess
    expect(items).toEqual([
      {
        text: 'Review the MAP draft',
        owner: ben.address,
        due: '2026-11-20',
        ownerSource: 'Ben',
        dueSource: 'by Friday',
        flags: [],
      },
      {
        text: 'Book the QBR',
        owner: ben.address,
        due: null,
        ownerSource: 'Ben',
        dueSource: null,
        flags: ['no-date'],
      },
    ]);
  });

  it('takes the owner cell and the due cell of a table row as their sources', () => {
    // Prepare
    const body = 'Task | Owner | Due | Status\nSend Marlin Foods the revised SOW | Marcus | 11/27 | Open';

    // Act
    const items = itemsOf(body);

    // Assess
    expect(items).toEqual([
      {
        text: 'Send Marlin Foods the revised SOW',
        owner: marcus.address,
        due: '2026-11-27',
        ownerSource: 'Marcus',
        dueSource: '11/27',
        flags: [],
      },
    ]);
  });

  it('dates an agenda line at the next 1:1 and names the agenda heading as the source of that date', () => {
    // Prepare
    const body =
      'Action items\n- Marcus: send the deck by Friday\n\nAgenda for next time\n- Marcus: bring the territory plan\n\nNext 1:1 is Tue 24 Nov.';

    // Act
    const items = itemsOf(body);

    // Assess
    expect(items[1]).toEqual({
      text: 'Bring the territory plan',
      owner: marcus.address,
      due: '2026-11-24',
      ownerSource: 'Marcus:',
      dueSource: 'Agenda for next time',
      flags: [],
    });
  });

  it('keeps "ASAP" as the source of a vague date, with no date and the no-date flag', () => {
    // Prepare
    const body = 'Action items\n- Marcus: send the security packet ASAP';

    // Act
    const items = itemsOf(body);

    // Assess
    expect(items).toEqual([
      {
        text: 'Send the security packet',
        owner: marcus.address,
        due: null,
        ownerSource: 'Marcus:',
        dueSource: 'ASAP',
        flags: ['no-date'],
      },
    ]);
  });
});

describe('extract: where the notes start and end', () => {
  it('reads the list below a cover note that the author signed above it', () => {
    // Prepare
    const body =
      "Hi Marcus, Zoom's summary is below.\n\nThanks,\nDana\n\nNext steps\n- Marcus: send the deck by Friday\n- Dana: approve the discount";

    // Act
    const items = itemsOf(body);

    // Assess
    expect(items.map((i) => [i.text, i.owner])).toEqual([
      ['Send the deck', marcus.address],
      ['Approve the discount', dana.address],
    ]);
  });

  it('takes no item from the signature below a sign-off at the end', () => {
    // Prepare
    const body =
      'Next steps\n- Marcus: send the deck by Friday\n\nBest,\nDana Whitfield | VP Sales | Halvorsen\nPlease book a demo at halvorsen.example/demo';

    // Act
    const items = itemsOf(body);

    // Assess
    expect(items.map((i) => i.text)).toEqual(['Send the deck']);
  });

  it('takes no item from a note-taker’s request for a rating or a legal disclaimer', () => {
    // Prepare
    const body =
      'Action items\n- Marcus: send the deck by Friday\n- Please rate the accuracy of this summary.\n- If you received this in error, please notify the sender and delete it.';

    // Act
    const items = itemsOf(body);

    // Assess
    expect(items.map((i) => i.text)).toEqual(['Send the deck']);
  });

  it('takes no item from a wish that was parked without a decision', () => {
    // Prepare
    const body =
      "Next steps\n- I'd like to restructure the territories, no decision yet, parked\n- Marcus: send the deck by Friday";

    // Act
    const items = itemsOf(body);

    // Assess
    expect(items.map((i) => i.text)).toEqual(['Send the deck']);
  });
});

describe('extract: who owns a line', () => {
  it('reads "Name: status" in a pipeline section as news, and "Name: send …" there as a task', () => {
    // Prepare
    const body = 'Pipeline\n- Marcus: Globex slipped to Q1\n- Marcus: send Globex the revised quote by Friday';

    // Act
    const items = itemsOf(body);

    // Assess
    expect(items).toEqual([
      {
        text: 'Send Globex the revised quote',
        owner: marcus.address,
        due: '2026-11-20',
        ownerSource: 'Marcus:',
        dueSource: 'by Friday',
        flags: [],
      },
    ]);
  });

  it('takes a non-attendee as owner only when the words look like a name', () => {
    // Prepare
    const body =
      'Action items\nKeywords: pricing, renewal, Globex\n[Odile Carver] Referral Bonus: Publish the updated referral policy by Friday.\nOtter.ai - Write faster, work smarter.';

    // Act
    const items = itemsOf(body);

    // Assess
    expect(items).toEqual([
      {
        text: 'Publish the updated referral policy',
        owner: 'Odile Carver',
        due: '2026-11-20',
        ownerSource: 'Odile Carver:',
        dueSource: 'by Friday',
        flags: ['owner-not-attendee'],
      },
    ]);
  });

  it('takes an @handle before the task, with no colon, as the owner', () => {
    // Prepare
    const mateusz = { address: 'mateusz.zielinski@halvorsen.example', name: 'Mateusz Zieliński' };
    const body = 'Action items\n@mateusz finish the ledger migration by Friday';

    // Act
    const items = itemsOf(body, { others: [mateusz] });

    // Assess
    expect(items).toEqual([
      {
        text: 'Finish the ledger migration',
        owner: mateusz.address,
        due: '2026-11-20',
        ownerSource: '@mateusz',
        dueSource: 'by Friday',
        flags: [],
      },
    ]);
  });

  it('takes "@First Last" as the attendee with that full name, leaving the last name out of the task', () => {
    // Prepare
    const rhys = { address: 'rhys.penhaligon@halvorsen.example', name: 'Rhys Penhaligon' };
    const body = 'Action items\n- @Rhys Penhaligon chase Wrenfield Rail for feedback by Friday';

    // Act
    const items = itemsOf(body, { others: [rhys] });

    // Assess
    expect(items).toEqual([
      {
        text: 'Chase Wrenfield Rail for feedback',
        owner: rhys.address,
        due: '2026-11-20',
        ownerSource: '@Rhys Penhaligon',
        dueSource: 'by Friday',
        flags: [],
      },
    ]);
  });

  it('reads the list under a "To do" heading as tasks', () => {
    // Prepare
    const body = 'To do\n- renew the Globex contract by Friday';

    // Act
    const items = itemsOf(body);

    // Assess
    expect(items).toEqual([
      {
        text: 'Renew the Globex contract',
        owner: null,
        due: '2026-11-20',
        ownerSource: null,
        dueSource: 'by Friday',
        flags: ['no-owner'],
      },
    ]);
  });

  it('gives the lists under "Actions - me" and "Actions - you" to the author and the other attendee', () => {
    // Prepare
    const body = 'Actions - me\n- approve the travel budget by Friday\n\nActions - you\n- book the QBR venue';

    // Act
    const items = itemsOf(body);

    // Assess
    expect(items).toEqual([
      {
        text: 'Approve the travel budget',
        owner: dana.address,
        due: '2026-11-20',
        ownerSource: 'Actions - me',
        dueSource: 'by Friday',
        flags: [],
      },
      {
        text: 'Book the QBR venue',
        owner: marcus.address,
        due: null,
        ownerSource: 'Actions - you',
        dueSource: null,
        flags: ['no-date'],
      },
    ]);
  });

  it('reads "Task – me, next quarter" as the author’s, with a vague date', () => {
    // Prepare
    const body = 'Next steps\n- Wellness add-on proposal for Nilgiri – me, next quarter';

    // Act
    const items = itemsOf(body);

    // Assess
    expect(items).toEqual([
      {
        text: 'Wellness add-on proposal for Nilgiri',
        owner: dana.address,
        due: null,
        ownerSource: 'me',
        dueSource: 'next quarter',
        flags: ['no-date'],
      },
    ]);
  });

  it('reads an attendee’s name in brackets after the task as the owner, and the day after it as the date', () => {
    // Prepare
    const tobias = { address: 'tobias.brandt@halvorsen.example', name: 'Tobias Brandt' };
    const body = 'Next steps\n- open house flyers for Larkspur Bend (Tobias) Wed';

    // Act
    const items = itemsOf(body, { others: [tobias] });

    // Assess
    expect(items).toEqual([
      {
        text: 'Open house flyers for Larkspur Bend',
        owner: tobias.address,
        due: '2026-11-18',
        ownerSource: 'Tobias',
        dueSource: 'Wed',
        flags: [],
      },
    ]);
  });

  it('reads an arrow from the owner to the task and from the task to the owner', () => {
    // Prepare
    const rafael = { address: 'rafael.ortiz@halvorsen.example', name: 'Rafael Ortiz' };
    const tobias = { address: 'tobias.brandt@halvorsen.example', name: 'Tobias Brandt' };
    const body =
      'Next steps\n- Rafael → send the revised quote to Globex by Friday\n- refresh photos on all active listings → Tobias, by Monday';

    // Act
    const items = itemsOf(body, { author: rafael, others: [tobias] });

    // Assess
    expect(items).toEqual([
      {
        text: 'Send the revised quote to Globex',
        owner: rafael.address,
        due: '2026-11-20',
        ownerSource: 'Rafael →',
        dueSource: 'by Friday',
        flags: [],
      },
      {
        text: 'Refresh photos on all active listings',
        owner: tobias.address,
        due: '2026-11-23',
        ownerSource: 'Tobias',
        dueSource: 'by Monday',
        flags: [],
      },
    ]);
  });

  it('reads a lower-case attendee’s name before a colon as the owner, but not "notes:"', () => {
    // Prepare
    const tobias = { address: 'tobias.quan@alpinegate.example', name: null };
    const body = 'follow ups\ntobias: price reduction convo by thurs\nnotes: sellers are getting antsy';

    // Act
    const items = itemsOf(body, { others: [tobias] });

    // Assess
    expect(items).toEqual([
      {
        text: 'Price reduction convo',
        owner: tobias.address,
        due: '2026-11-19',
        ownerSource: 'tobias:',
        dueSource: 'by thurs',
        flags: [],
      },
    ]);
  });

  it('gives "Hector + Luanne - task" to Hector, the first-named', () => {
    // Prepare
    const body = 'Action items\n- Hector + Luanne - recalibrate the refrigerant scales in vans 12 and 17 by Friday';

    // Act
    const items = itemsOf(body);

    // Assess
    expect(items).toEqual([
      {
        text: 'Recalibrate the refrigerant scales in vans 12 and 17',
        owner: 'Hector',
        due: '2026-11-20',
        ownerSource: 'Hector + Luanne -',
        dueSource: 'by Friday',
        flags: ['owner-not-attendee'],
      },
    ]);
  });

  it('gives a task whose owner is "TBD" or "Owner TBD" no owner, and leaves "TBD" out of its text', () => {
    // Prepare
    const body =
      'Action items\n[ ] TBD - ride-alongs for the two new apprentices, end of next week\n' +
      '- **Owner TBD** — book the quarterly client survey by end of month';

    // Act
    const items = itemsOf(body);

    // Assess
    expect(items).toEqual([
      {
        text: 'Ride-alongs for the two new apprentices',
        owner: null,
        due: '2026-11-27',
        ownerSource: null,
        dueSource: 'end of next week',
        flags: ['no-owner'],
      },
      {
        text: 'Book the quarterly client survey',
        owner: null,
        due: '2026-11-30',
        ownerSource: null,
        dueSource: 'by end of month',
        flags: ['no-owner'],
      },
    ]);
  });

  it('takes an open checkbox for a to-do even with no heading above it', () => {
    // Prepare
    const body =
      'Fri 1:1 - Dana / Marcus\n\n[x] Q1 renewals entered in ServiceTitan\n[ ] Marcus - chiller teardown quote for Camelback, by Friday\nMarcus - territory notes';

    // Act
    const items = itemsOf(body);

    // Assess
    expect(items).toEqual([
      {
        text: 'Chiller teardown quote for Camelback',
        owner: marcus.address,
        due: '2026-11-20',
        ownerSource: 'Marcus -',
        dueSource: 'by Friday',
        flags: [],
      },
    ]);
  });

  it('gives "Bev" to the attendee Beverly', () => {
    // Prepare
    const beverly = { address: 'beverly.okafor@halvorsen.example', name: 'Beverly Okafor' };
    const body = 'Action items\n- Bev: send the onboarding checklist by Friday';

    // Act
    const items = itemsOf(body, { others: [beverly] });

    // Assess
    expect(items).toEqual([
      {
        text: 'Send the onboarding checklist',
        owner: beverly.address,
        due: '2026-11-20',
        ownerSource: 'Bev:',
        dueSource: 'by Friday',
        flags: [],
      },
    ]);
  });
});

describe('extract: lists, done lines and status lines', () => {
  it('takes the entries of a lettered sub-list, and not the numbered topic they hang from', () => {
    // Prepare
    const desmond = { address: 'desmond.achebe@halvorsen.example', name: 'Desmond Achebe' };
    const body =
      'Action items\n1. Ledger migration\n   a. Desmond: write the rollback runbook by Friday\n   b. Dana: book the change window';

    // Act
    const items = itemsOf(body, { others: [desmond] });

    // Assess
    expect(items).toEqual([
      {
        text: 'Write the rollback runbook',
        owner: desmond.address,
        due: '2026-11-20',
        ownerSource: 'Desmond:',
        dueSource: 'by Friday',
        flags: [],
      },
      {
        text: 'Book the change window',
        owner: dana.address,
        due: null,
        ownerSource: 'Dana:',
        dueSource: null,
        flags: ['no-date'],
      },
    ]);
  });

  it('leaves out "Topic: done, …" and "task - done this morning, thanks"', () => {
    // Prepare
    const body =
      "Action items\n- Root-cause write-up: done, it's in #incidents\n- Marcus: update the CRM - done this morning, thanks\n- Marcus: send the invoice by Friday";

    // Act
    const items = itemsOf(body);

    // Assess
    expect(items.map((i) => i.text)).toEqual(['Send the invoice']);
  });

  it('reads "Quote accepted in principle" and "Demo went ok" as status, and "Demo the new UI" as a task', () => {
    // Prepare
    const body = 'Next steps\nQuote accepted in principle.\nDemo went ok.\nDemo the new UI to Acme by Friday.';

    // Act
    const items = itemsOf(body);

    // Assess
    expect(items).toEqual([
      {
        text: 'Demo the new UI to Acme',
        owner: null,
        due: '2026-11-20',
        ownerSource: null,
        dueSource: 'by Friday',
        flags: ['no-owner'],
      },
    ]);
  });
});

describe('extract: commitments in prose', () => {
  it('splits a sentence with two commitments, each with its owner and date', () => {
    // Prepare
    const body =
      "Next steps\nYou'll finish the price sheet by 4.12., and Jana from Legal will check the clauses by 9.12.";

    // Act
    const items = itemsOf(body, { contentLanguage: 'en-GB' });

    // Assess
    expect(items).toEqual([
      {
        text: 'Finish the price sheet',
        owner: marcus.address,
        due: '2026-12-04',
        ownerSource: "You'll",
        dueSource: 'by 4.12.',
        flags: [],
      },
      {
        text: 'Check the clauses',
        owner: 'Jana',
        due: '2026-12-09',
        ownerSource: 'Jana from Legal will',
        dueSource: 'by 9.12.',
        flags: ['owner-not-attendee'],
      },
    ]);
  });

  it('takes the person after "so" as the owner, not the subject of the clause before it', () => {
    // Prepare
    const freya = { address: 'freya.lindqvist@halvorsen.example', name: 'Freya Lindqvist' };
    const body = 'Notes\nResourcing will be tight, so Freya will update the forecast by Friday.';

    // Act
    const items = itemsOf(body, { others: [freya] });

    // Assess
    expect(items).toEqual([
      {
        text: 'Update the forecast',
        owner: freya.address,
        due: '2026-11-20',
        ownerSource: 'so Freya will',
        dueSource: 'by Friday',
        flags: [],
      },
    ]);
  });

  it('reads a carried-over line as the task of the person whose work it names, with its new date', () => {
    // Prepare
    const dwayne = { address: 'dwayne.kowalczyk@halvorsen.example', name: 'Dwayne Kowalczyk' };
    const body = "Notes\nCarried over from last week: Dwayne's export is still open - new date 5/24";

    // Act
    const items = itemsOf(body, { others: [dwayne] });

    // Assess
    expect(items).toEqual([
      {
        text: 'Export is still open',
        owner: dwayne.address,
        due: '2027-05-24',
        ownerSource: "Dwayne's",
        dueSource: 'new date 5/24',
        flags: [],
      },
    ]);
  });

  it('gives "X is still with me, will finish it" to the author', () => {
    // Prepare
    const body = 'Notes\nQBR deck template is still with me, will finish it by Mon';

    // Act
    const items = itemsOf(body);

    // Assess
    expect(items).toEqual([
      {
        text: 'QBR deck template is still with me, will finish it',
        owner: dana.address,
        due: '2026-11-23',
        ownerSource: 'with me',
        dueSource: 'by Mon',
        flags: [],
      },
    ]);
  });

  it('does not end a sentence at "St."', () => {
    // Prepare
    const body = "Notes\nI'll call St. Brendan's about the pilot by Friday. Marcus will send the pricing tomorrow.";

    // Act
    const items = itemsOf(body);

    // Assess
    expect(items).toEqual([
      {
        text: "Call St. Brendan's about the pilot",
        owner: dana.address,
        due: '2026-11-20',
        ownerSource: "I'll",
        dueSource: 'by Friday',
        flags: [],
      },
      {
        text: 'Send the pricing',
        owner: marcus.address,
        due: '2026-11-18',
        ownerSource: 'Marcus will',
        dueSource: 'tomorrow',
        flags: [],
      },
    ]);
  });
});

describe('extract: tables', () => {
  it('reads tab-separated rows under a "# Action Owner Due Status" header, and skips the done row', () => {
    // Prepare
    const body =
      '#\tAction\tOwner\tDue\tStatus\n1\tSend the revised SOW\tMarcus\t11/27\tOpen\n2\tApprove the discount\tDana\t\tOpen\n3\tBook the offsite\tMarcus\t12/4\tDone';

    // Act
    const items = itemsOf(body);

    // Assess
    expect(items).toEqual([
      {
        text: 'Send the revised SOW',
        owner: marcus.address,
        due: '2026-11-27',
        ownerSource: 'Marcus',
        dueSource: '11/27',
        flags: [],
      },
      {
        text: 'Approve the discount',
        owner: dana.address,
        due: null,
        ownerSource: 'Dana',
        dueSource: null,
        flags: ['no-date'],
      },
    ]);
  });

  it('takes no item from a signature written as "Name | Title | Company"', () => {
    // Prepare
    const body =
      'Action items\n- Marcus: send the deck by Friday\n\nQuestions\n- Do we put Wrenfield on the new terms?\n\nImogen Ashdown | Head of Delivery | Larkspur Talent\n3 Temple Row, Birmingham B2 5JT';

    // Act
    const items = itemsOf(body);

    // Assess
    expect(items.map((i) => i.text)).toEqual(['Send the deck']);
  });
});

describe('extract: dates', () => {
  it('reads "by 24/07" from a day-first sender as 24 July, and "support 24/7" as no date', () => {
    // Prepare
    const imogen = { address: 'imogen.ashdown@larkspurtalent.co.uk', name: 'Imogen Ashdown' };
    const rhys = { address: 'rhys.penhaligon@larkspurtalent.co.uk', name: 'Rhys Penhaligon' };
    const body =
      'Action items\n- Rhys: send the shortlist by 24/07\n- Rhys: set up support 24/7 for the Wrenfield go-live';
    const july: WrittenDate = { date: '2026-07-01', offsetMinutes: 60, instant: '2026-07-01T15:00:00.000Z' };

    // Act
    const items = itemsOf(body, { author: imogen, others: [rhys], date: july, contentLanguage: 'en-GB' });

    // Assess
    expect(items).toEqual([
      {
        text: 'Send the shortlist',
        owner: rhys.address,
        due: '2026-07-24',
        ownerSource: 'Rhys:',
        dueSource: 'by 24/07',
        flags: [],
      },
      {
        text: 'Set up support 24/7 for the Wrenfield go-live',
        owner: rhys.address,
        due: null,
        ownerSource: 'Rhys:',
        dueSource: null,
        flags: ['no-date'],
      },
    ]);
  });

  it('reads "first thing Monday" in Monday’s meeting as the Monday after', () => {
    // Prepare
    const monday: WrittenDate = { date: '2026-11-16', offsetMinutes: -300, instant: '2026-11-16T21:00:00.000Z' };
    const body = 'Action items\n- Marcus: send the signed SOW first thing Monday';

    // Act
    const [item] = itemsOf(body, { date: monday });

    // Assess
    expect(item?.due).toBe('2026-11-23');
    expect(item?.dueSource).toContain('first thing');
  });
});
