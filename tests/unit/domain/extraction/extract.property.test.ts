import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DueContext, findDue } from '../../../../functions/domain/due-date';
import { htmlToText } from '../../../../functions/domain/email/html-text';
import { parseEmail } from '../../../../functions/domain/email/parse-email';
import { readNotes } from '../../../../functions/domain/email/read-notes';
import { InvalidInputError } from '../../../../functions/domain/errors';
import { extract } from '../../../../functions/domain/extraction/extract';
import type { Extraction, ItemFlag } from '../../../../functions/domain/model';

// Every property goes through the real pipeline: an RFC 5322 message → parseEmail → readNotes → extract.
// Two cores run the whole suite, so each property runs a modest number of cases.
const RUNS = { numRuns: 200 };
const inboxAddresses = ['notes@followthrough.example'];
const FLAGS: readonly ItemFlag[] = ['no-owner', 'no-date', 'owner-not-attendee', 'ambiguous-date'];

// ---------- Arbitraries: what people (and their tools) put in notes ----------

const HEADINGS = [
  'Action items',
  'Action Items:',
  'ACTION ITEMS',
  'Next steps',
  'Next Steps:',
  '## Action items',
  '**Next steps**',
  '🎯 Action items',
  'To-dos',
  'Follow-ups',
  'My action items',
  'Leo',
  'Priya:',
  'Done',
  'Done ✅',
  'Wins',
  'Agenda for next time',
  'Agenda for next time (11/24):',
  'Next 1:1: Thu 12/17',
  'Next 1:1 is Tue 24 Nov.',
  'Growth',
  'Notes',
  'Aufgaben',
  'Nächster Termin: 3. Dezember',
  'À faire',
  'Prochain 1:1 : jeudi 10 décembre',
];
const MARKERS = ['- ', '* ', '• ', '[ ] ', '- [ ] ', '- [x] ', '[X] ', '1. ', '2) ', '12. ', 'a) ', '☐ ', '✅ ', '🔲 '];
const NAMES = ['Priya', 'Leo', 'Priya Raman', 'Leo Martins', '@leo', 'PR', 'LM', 'I', 'We', 'You', 'Zoë', 'Renée'];
const WORDS = [
  'will',
  "I'll",
  'I’ll',
  'to',
  'should',
  'needs to',
  ':',
  ' - ',
  ' – ',
  'please',
  'can you',
  'send the deck',
  'book the offsite',
  'follow up with legal',
  'review the MAP draft',
  'chase Globex',
  'and',
  'AI:',
  'TODO:',
  'Action (Leo):',
  '[Leo Martins]',
  'Pricing sheet:',
  'is reading Gap Selling — will share',
  "Leo's renewal due",
];
const DATES = [
  'by Friday',
  'Friday',
  'EOW',
  'EOD',
  'EOM',
  'ASAP',
  'today',
  'tomorrow',
  'next Tues',
  'in two weeks',
  'before our next 1:1',
  'by the same day',
  '12/3',
  '3/12',
  '3.12.',
  '12/3/2026',
  '31/02',
  '2/30',
  '29 Feb',
  'Feb 29 2027',
  '0/0',
  '99/99',
  '13.13.',
  '00.00.0000',
  'Dec 3',
  '3. Dezember',
  'bis Freitag',
  'jeudi 10 décembre',
  'avant vendredi',
  'Q1',
  'no rush',
  'once it closes',
  "before Friday's call",
  '(00:12:31)',
];
const NOISE = [
  'done',
  '(done)',
  '— done',
  'erledigt',
  '?',
  'Q:',
  '> ',
  '>> ',
  '|',
  ' | ',
  'Task | Owner | Due | Status',
  'Send the SOW | Leo | 27/11 | Open',
  '| Leo | | |',
  '**',
  '__',
  '(',
  ')',
  '"',
  "'",
  ',',
  '.',
  '…',
  '—',
  'yesterday’s 1:1',
  'Thanks,',
  'Cheers',
  '-- ',
  'Sent from my iPhone',
  'On Mon, 16 Nov 2026 at 10:00, Leo Martins <leo.martins@northwind-sales.example> wrote:',
  'Am Montag schrieb Leo:',
  '________________________________',
  '🚀',
  '👩‍💻',
  '🇳🇿',
  'שלום עולם',
  'مرحبا بالعالم',
  '\u202e',
  '\u200f',
  '\u0000',
  '\u0001',
  '\u001b[31m',
  '\u007f',
  '\u0085',
  '\u0092',
  '\u2028',
  '\u2029',
  '\ufeff',
  '\u200b',
  '\ufffd',
  '\ud800',
  'Ã©',
  'â€™',
  '\r',
];
// A forwarded message inside the notes, with the dates mail clients write and some no client should.
const FORWARD_DATES = [
  'Mon, 16 Nov 2026 at 10:00',
  'Thu, 12 Nov 2026 15:08:44 -0500',
  '25 September 2026 16:18',
  'Mon, 31 Feb 2026 10:00:00 +0000',
  'Mon, 32 Jan 2026 10:00:00 +0000',
  '99 Dec 2026 25:61',
  '1 Jan 0 00:00:00 +9999',
  'yesterday',
  '',
];
const forwardBlock = fc.constantFrom(...FORWARD_DATES).chain((date) =>
  fc.constantFrom(
    // On lines of their own, as clients write them: a forward starts after a blank line.
    `\n\n---------- Forwarded message ---------\nFrom: Leo Martins <leo.martins@northwind-sales.example>\nDate: ${date}\nSubject: notes\nTo: Priya Raman <priya.raman@northwind-sales.example>\n\n`,
    `\n\n-----Original Message-----\nFrom: Martins, Leo <leo.martins@northwind-sales.example>\nSent: ${date}\nTo: Priya Raman <priya.raman@northwind-sales.example>\nSubject: RE: notes\n\n`,
  ),
);
/** Dates made of numbers, in and out of range: 12/3, 31.02.2026, 0-0, 29/2/99999, "in 4000000 weeks". */
const numericDate = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('', 'by ', 'due ', 'before ', 'bis ', 'avant le '),
      fc.integer({ min: 0, max: 40 }),
      fc.constantFrom('/', '.', '-'),
      fc.integer({ min: 0, max: 40 }),
      fc.option(fc.integer({ min: 0, max: 99_999 })),
    )
    .map(
      ([word, a, sep, b, year]) => `${word}${a}${sep}${b}${year === null ? (sep === '.' ? '.' : '') : `${sep}${year}`}`,
    ),
  fc
    .tuple(fc.integer({ min: 0, max: 10_000_000 }), fc.constantFrom('days', 'weeks', 'months', 'years', 'Wochen'))
    .map(([n, unit]) => `in ${n} ${unit}`),
  fc
    .tuple(fc.constantFrom('Dec', 'Feb', 'février', 'Dezember'), fc.integer({ min: 0, max: 99 }), fc.nat(300_000))
    .map(([month, day, year]) => `${month} ${day} ${year}`),
);
const WHITESPACE = [' ', '  ', '\t', '\u00a0', '\u3000', '\u2007', ' '.repeat(300), '\t \t '.repeat(60), '\n\n\n'];

const fragment = fc.oneof(
  { arbitrary: fc.constantFrom(...HEADINGS), weight: 3 },
  { arbitrary: fc.constantFrom(...MARKERS), weight: 3 },
  { arbitrary: fc.constantFrom(...NAMES), weight: 4 },
  { arbitrary: fc.constantFrom(...WORDS), weight: 5 },
  { arbitrary: fc.constantFrom(...DATES), weight: 4 },
  { arbitrary: numericDate, weight: 2 },
  { arbitrary: fc.constantFrom(...NOISE), weight: 3 },
  { arbitrary: fc.constantFrom(...WHITESPACE), weight: 2 },
  { arbitrary: forwardBlock, weight: 1 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }), weight: 1 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 3 }), weight: 1 },
);
/** One line of notes: fragments mostly separated by a space, sometimes glued together. */
const looseLine = fc
  .array(fc.tuple(fragment, fc.constantFrom(' ', ' ', ' ', '')), { maxLength: 10 })
  .map((parts) => parts.map(([text, gap]) => text + gap).join(''));
/** A line shaped like a task ("- Leo will send the deck by Friday"), with a fragment of anything thrown in. */
const taskLine = fc
  .tuple(
    fc.constantFrom('', ...MARKERS),
    fc.constantFrom(...NAMES),
    fc.constantFrom(...WORDS),
    fc.constantFrom(...WORDS),
    fc.oneof(fc.constantFrom('', ...DATES), numericDate),
    fragment,
  )
  .map((parts) => parts.join(' '));
const notesLine = fc.oneof(looseLine, taskLine);
const notesLike = fc
  .tuple(fc.array(notesLine, { maxLength: 25 }), fc.constantFrom('\n', '\n', '\r\n', '\r'))
  .map(([lines, eol]) => lines.join(eol));
const anyText = fc.oneof(
  fc.string({ unit: 'grapheme', size: 'large' }),
  fc.string({ unit: 'binary', size: 'large' }),
  fc.string({ unit: 'grapheme-ascii', size: 'large' }),
);

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const TAGS = ['ul', 'ol', 'li', 'table', 'tr', 'td', 'th', 'p', 'div', 'b', 'span', 'o:p', 'style', 'script', 'h2'];
const HTML_BITS = ['&nbsp;', '&amp;', '&#0;', '&#xD800;', '&#x1F680;', '&bogus;', '<!-- note -->', '<![CDATA[x]]>'];
const { node: htmlNode } = fc.letrec<{ node: string; text: string; element: string }>((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, tie('text'), tie('element'), fc.constant('<br>')),
  text: fc.oneof(
    { arbitrary: notesLine.map(escapeHtml), weight: 4 },
    { arbitrary: fc.constantFrom(...HTML_BITS), weight: 1 },
  ),
  element: fc
    .record({
      tag: fc.constantFrom(...TAGS),
      children: fc.array(tie('node'), { maxLength: 4 }),
      // Now and then a tag left open, as pasted HTML does.
      closed: fc.nat(9).map((n) => n > 0),
    })
    .map(({ tag, children, closed }) => `<${tag}>${children.join('')}${closed ? `</${tag}>` : ''}`),
}));
const anyHtml = fc
  .tuple(fc.array(htmlNode, { maxLength: 6 }), fc.boolean())
  .map(([nodes, wrapped]) => (wrapped ? `<html><body>${nodes.join('\n')}</body></html>` : nodes.join('\n')));

// ---------- The envelope: a real message with a valid Date, so a missing date is never the reason to fail ----------

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

const anyInstant = fc.date({
  min: new Date('2000-01-01T00:00:00Z'),
  max: new Date('2100-12-31T23:59:59Z'),
  noInvalidDate: true,
});
/** An RFC 5322 Date header in a real UTC offset (−12:00 to +14:00, quarter hours). */
const dateHeader = fc.tuple(anyInstant, fc.integer({ min: -48, max: 56 })).map(([instant, quarters]) => {
  const offset = quarters * 15;
  const local = new Date(instant.getTime() + offset * 60_000);
  const sign = offset < 0 ? '-' : '+';
  const zone = `${sign}${pad(Math.floor(Math.abs(offset) / 60))}${pad(Math.abs(offset) % 60)}`;
  return `${DAYS[local.getUTCDay()]}, ${local.getUTCDate()} ${MONTHS[local.getUTCMonth()]} ${local.getUTCFullYear()} ${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())} ${zone}`;
});

// A forward is only looked for under a forwarding subject ("Fwd:", "FW:").
const subject = fc.oneof(
  fc.constantFrom('1:1 Priya / Leo', 'Fwd: 1:1 Priya / Leo', 'FW: notes', 'RE: Fwd: 1:1', 'Tr : réunion', ''),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
);

interface NotesEmail {
  type: 'text/plain' | 'text/html';
  body: string;
  bytes: Uint8Array;
}

interface Envelope {
  date: string;
  subject: string;
  transfer: 'base64' | '8bit';
}

function message(type: NotesEmail['type'], body: string, { date, subject, transfer }: Envelope): NotesEmail {
  const utf8 = Buffer.from(body, 'utf8');
  const encoded = transfer === 'base64' ? (utf8.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n') : utf8;
  const head = [
    'From: Priya Raman <priya.raman@northwind-sales.example>',
    'To: Leo Martins <leo.martins@northwind-sales.example>',
    'Cc: notes@followthrough.example',
    `Subject: =?utf-8?B?${Buffer.from(subject, 'utf8').toString('base64')}?=`,
    `Date: ${date}`,
    'Message-ID: <property@northwind-sales.example>',
    'MIME-Version: 1.0',
    `Content-Type: ${type}; charset=utf-8`,
    `Content-Transfer-Encoding: ${transfer}`,
    '',
    '',
  ].join('\r\n');
  const bytes = new Uint8Array(Buffer.concat([Buffer.from(head, 'ascii'), Buffer.from(encoded), Buffer.from('\r\n')]));
  return { type, body, bytes };
}

const envelope: fc.Arbitrary<Envelope> = fc.record({
  date: dateHeader,
  subject,
  transfer: fc.constantFrom('base64' as const, '8bit' as const),
});
const plainEmail = fc
  .tuple(fc.oneof(notesLike, anyText), envelope)
  .map(([body, how]) => message('text/plain', body, how));
const htmlEmail = fc.tuple(anyHtml, envelope).map(([body, how]) => message('text/html', body, how));
const anyEmail = fc.oneof(plainEmail, htmlEmail);

/**
 * The extraction of an email, or null when readNotes rejected it for having no text — which it may only do when
 * there is no letter or digit to read.
 */
async function extractionOf(email: NotesEmail): Promise<Extraction | null> {
  const parsed = await parseEmail(email.bytes);
  let notes: Awaited<ReturnType<typeof readNotes>>;
  try {
    notes = await readNotes(parsed);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).field).toBe('body');
    const visible = email.type === 'text/html' ? await htmlToText(parsed.html ?? '') : email.body;
    expect(visible).not.toMatch(/[\p{L}\p{N}]/u);
    return null;
  }
  return extract(notes, { inboxAddresses });
}

/** A real calendar day written YYYY-MM-DD: not 2026-02-30, not 2026-13-01. */
function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const day = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === value;
}

// ---------- extract ----------

describe('extract: any notes email', () => {
  it('reads any plain-text body without throwing', async () => {
    await fc.assert(
      fc.asyncProperty(plainEmail, async (email) => {
        await extractionOf(email);
      }),
      RUNS,
    );
  });

  it('reads any HTML body without throwing', async () => {
    await fc.assert(
      fc.asyncProperty(htmlEmail, async (email) => {
        await extractionOf(email);
      }),
      RUNS,
    );
  });

  // Control and format characters (NUL, BEL, the bidi marks) show nothing either: an item of them is an empty bullet.
  it('never returns an item whose text is empty, only whitespace or only invisible characters', async () => {
    await fc.assert(
      fc.asyncProperty(anyEmail, async (email) => {
        const extraction = await extractionOf(email);

        for (const item of extraction?.items ?? []) {
          expect(item.text, JSON.stringify(item.text)).toMatch(/[^\p{White_Space}\p{Cc}\p{Cf}]/u);
        }
      }),
      RUNS,
    );
  });

  it('gives every item a real calendar date or none', async () => {
    await fc.assert(
      fc.asyncProperty(anyEmail, async (email) => {
        const extraction = await extractionOf(email);

        for (const item of extraction?.items ?? []) {
          if (item.due !== null) expect(isCalendarDate(item.due), item.due).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('flags items only with the four known flags, each at most once', async () => {
    await fc.assert(
      fc.asyncProperty(anyEmail, async (email) => {
        const extraction = await extractionOf(email);

        for (const item of extraction?.items ?? []) {
          for (const flag of item.flags) expect(FLAGS).toContain(flag);
          expect(new Set(item.flags).size).toBe(item.flags.length);
        }
      }),
      RUNS,
    );
  });

  it('flags "no-owner" exactly on the items without an owner', async () => {
    await fc.assert(
      fc.asyncProperty(anyEmail, async (email) => {
        const extraction = await extractionOf(email);

        for (const item of extraction?.items ?? []) {
          expect(item.flags.includes('no-owner'), JSON.stringify(item)).toBe(item.owner === null);
        }
      }),
      RUNS,
    );
  });

  it('flags "no-date" exactly on the items without a due date', async () => {
    await fc.assert(
      fc.asyncProperty(anyEmail, async (email) => {
        const extraction = await extractionOf(email);

        for (const item of extraction?.items ?? []) {
          expect(item.flags.includes('no-date'), JSON.stringify(item)).toBe(item.due === null);
        }
      }),
      RUNS,
    );
  });

  it('returns the same extraction when the same email arrives twice', async () => {
    await fc.assert(
      fc.asyncProperty(anyEmail, async (email) => {
        const first = await extractionOf(email);
        const second = await extractionOf(email);

        expect(second).toEqual(first);
      }),
      RUNS,
    );
  });

  it('finds the same items under a "Fwd:" subject when the body holds no forwarded message', async () => {
    // Outlook opens a forwarded message with a rule of underscores: under "Fwd:" such a line starts one.
    const unforwarded = notesLike.filter((body) => !/Forwarded message|Original Message|_{8}/.test(body));
    await fc.assert(
      fc.asyncProperty(unforwarded, dateHeader, async (body, date) => {
        const direct = await extractionOf(message('text/plain', body, { date, subject: '1:1', transfer: 'base64' }));
        const forwarded = await extractionOf(
          message('text/plain', body, { date, subject: 'Fwd: 1:1', transfer: 'base64' }),
        );

        expect(forwarded?.items).toEqual(direct?.items);
      }),
      RUNS,
    );
  });

  it('returns for a 1 MB body of long whitespace runs and 20,000 bullets', async () => {
    // Prepare
    const bullets = Array.from(
      { length: 20_000 },
      (_, i) => `${i % 2 ? '-' : '*'}${' '.repeat(i % 7)}Leo: send item ${i}${' \t'.repeat(i % 5)} by Friday`,
    );
    const runs = [
      ' '.repeat(100_000),
      '\t'.repeat(50_000),
      '\n'.repeat(100_000),
      `${' \t'.repeat(25_000)}x`,
      '\r\n'.repeat(50_000),
      `- ${' '.repeat(50_000)}Leo${' '.repeat(50_000)}: send`,
    ];
    const body = ['Action items', ...runs.slice(0, 3), ...bullets, ...runs.slice(3), 'Priya'].join('\n');
    const email = message('text/plain', body, {
      date: 'Tue, 17 Nov 2026 16:42:10 -0500',
      subject: '1:1 Priya / Leo',
      transfer: 'base64',
    });

    // Act
    const extraction = await extractionOf(email);

    // Assess
    expect(body.length).toBeGreaterThan(1_000_000);
    expect(extraction).not.toBeNull();
  }, 60_000);
});

// ---------- findDue ----------

const isoDay = anyInstant.map((d) => d.toISOString().slice(0, 10));
const dueContext = fc
  .record({
    meetingDate: isoDay,
    order: fc.constantFrom('mdy' as const, 'dmy' as const),
    nextMeetingDate: fc.option(isoDay, { nil: null }),
    language: fc.constantFrom('en' as const, 'de' as const, 'fr' as const),
    previousDue: fc.option(isoDay, { nil: null }),
  })
  .map((ctx): DueContext => ctx);
const anyLine = fc.oneof(notesLine, anyText);

describe('findDue: any line, any meeting date', () => {
  it('never throws', () => {
    fc.assert(
      fc.property(anyLine, dueContext, (line, ctx) => {
        findDue(line, ctx);
      }),
      RUNS,
    );
  });

  it('returns a phrase that stands, as written, at its index in the line', () => {
    fc.assert(
      fc.property(anyLine, dueContext, (line, ctx) => {
        const found = findDue(line, ctx);

        if (found) {
          expect(found.phrase).not.toBe('');
          expect(line.slice(found.index, found.index + found.phrase.length)).toBe(found.phrase);
        }
      }),
      RUNS,
    );
  });

  it('returns a due that is null or a real calendar date', () => {
    fc.assert(
      fc.property(anyLine, dueContext, (line, ctx) => {
        const found = findDue(line, ctx);

        if (found?.due) expect(isCalendarDate(found.due), found.due).toBe(true);
      }),
      RUNS,
    );
  });

  it('offers alternatives only beside a date, each a real calendar date', () => {
    fc.assert(
      fc.property(anyLine, dueContext, (line, ctx) => {
        const found = findDue(line, ctx);

        if (found?.alternatives) {
          expect(found.due).not.toBeNull();
          for (const day of found.alternatives) expect(isCalendarDate(day), day).toBe(true);
        }
      }),
      RUNS,
    );
  });
});
