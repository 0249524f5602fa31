import { describe, expect, it } from 'vitest';
import { MAIL_LIMITS } from '../../../functions/domain/email/limits';
import { parseEmail } from '../../../functions/domain/email/parse-email';
import { readNotes } from '../../../functions/domain/email/read-notes';
import { extract } from '../../../functions/domain/extraction/extract';

/*
 * R11: the time to read hostile notes grows linearly with their size. Each case runs the real path — the raw
 * message through parseEmail, readNotes (quoted history, signatures, HTML to text) and extract — on an input of size
 * n and of size 4n, and compares the two. Times are never compared with a fixed number (these machines are shared
 * and noisy); only their ratio is, which is ≈4 for linear work and ≈16 for quadratic. The limit, 8, is the
 * midpoint of the two on a log scale: either reading may be off by a factor of two and the case is still told apart.
 * Times are CPU times of this process, so that other processes on the machine slow neither reading; each is the
 * median of five runs, the runs of n and 4n interleaved so that a busy moment hits both.
 *
 * The path caps its input twice: readNotes keeps MAIL_LIMITS.notesChars of the notes, and extract reads 2,000
 * characters of a line. A cap would hide growth behind it, so each shape runs below the notes cap (24k → 96k
 * characters), line shapes also as 50 lines below the line cap (400 → 1,600 characters each), and every shape once
 * more above the notes cap (128 KB → 512 KB), where only the parse grows and the cap must hold.
 */
const LINEAR_LIMIT = 8;
const RUNS = 5;

const encoder = new TextEncoder();

function message(body: string, type: 'plain' | 'html' = 'plain'): Uint8Array {
  return encoder.encode(
    [
      'From: Priya Raman <priya@acme.example>',
      'To: Leo Martins <leo@acme.example>',
      'Subject: 1:1 Priya / Leo',
      'Date: Wed, 18 Nov 2026 10:00:00 +0000',
      'Message-ID: <linear-time@acme.example>',
      'MIME-Version: 1.0',
      `Content-Type: text/${type}; charset=utf-8`,
      'Content-Transfer-Encoding: 8bit',
      '',
      body,
    ].join('\r\n'),
  );
}

async function readAndExtract(raw: Uint8Array): Promise<number> {
  const notes = await readNotes(await parseEmail(raw));
  return extract(notes, { inboxAddresses: ['notes@followthrough.example'] }).items.length;
}

async function cpuMillis(raw: Uint8Array): Promise<number> {
  const before = process.cpuUsage();
  await readAndExtract(raw);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** How many times longer the real path takes on the input of size 4n than on the one of size n. */
async function growth(make: (size: number) => Uint8Array, n: number): Promise<number> {
  const small = make(n);
  const large = make(4 * n);
  // The first run of each compiles the code paths it takes: not part of the cost of the input.
  await readAndExtract(small);
  await readAndExtract(large);
  const smallTimes: number[] = [];
  const largeTimes: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    smallTimes.push(await cpuMillis(small));
    largeTimes.push(await cpuMillis(large));
  }
  // Below 5 ms a run is within the noise of the timer and the scheduler: the floor keeps such a run from dividing
  // by almost nothing. Quadratic work on the large input still shows, as more than 40 ms.
  return median(largeTimes) / Math.max(5, median(smallTimes));
}

/** `unit` repeated up to `size` characters. */
const repeated = (unit: string, size: number) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);

function lines(size: number, line: (index: number) => string): string {
  const out: string[] = [];
  for (let index = 0, length = 0; length < size; index++) {
    const next = line(index);
    out.push(next);
    length += next.length + 1;
  }
  return out.join('\n');
}

/** Notes shapes that attackers (or broken tools) send, each `size` characters long. */
const SHAPES: ReadonlyArray<readonly [string, (size: number) => string]> = [
  ['a whitespace run inside a line', (size) => `Action items\nPriya: send the deck${repeated(' \t', size)}by Friday`],
  // Lines of spaces and tabs rather than bare line breaks: postal-mime spends some 5 µs on every line it reads
  // (a Blob per line), linear but slow enough that a megabyte of bare line breaks alone takes seconds, and its garbage
  // makes the times too uneven to compare.
  [
    'a run of whitespace-only lines',
    (size) => `Action items\n${repeated(`${' \t'.repeat(20)}\n`, size)}Leo: book the room`,
  ],
  ['bullets ("- item N")', (size) => `Notes\n${lines(size, (i) => `- item ${i}`)}`],
  ['one endless line', (size) => `Action items\nLeo to send the deck ${repeated('and chase legal ', size)}`],
  ['table rows', (size) => `Task | Owner | Due\n${lines(size, (i) => `| t${i} | Leo | Fri |`)}`],
  ['"Name:" owner lines', (size) => `Action items\n${lines(size, (i) => `Priya Raman: send deck ${i} by Friday`)}`],
  ['a run of punctuation', (size) => `Action items\nLeo: ${repeated('-.,;:!?()[]|*_"\'’', size)}`],
  ['unclosed emphasis and brackets', (size) => `Action items\nLeo: ${repeated('**x __y (z [w ', size)}`],
  ['quoted-history look-alikes', (size) => lines(size, (i) => `On Mon ${i} Leo wrote: From: x Sent: ${'_'.repeat(8)}`)],
];

const LINE_SHAPES: ReadonlyArray<readonly [string, (length: number) => string]> = [
  ['spaces', (length) => `Leo: send the deck${repeated('  \t', length)}by Friday`],
  ['punctuation', (length) => `Leo: ${repeated('-.,;:!?()[]|', length)}`],
  ['unclosed emphasis', (length) => `Leo: ${repeated('**x __y ', length)}`],
  ['unclosed brackets', (length) => `Leo (${repeated('(x ', length)}: send the deck`],
  ['owner words', (length) => `- ${repeated('Leo Martins, and Priya will ', length)}`],
  ['dates', (length) => `- Leo: ${repeated('by Fri 20 Nov or 3/12 next week ', length)}`],
];

const BELOW_NOTES_CAP = 24_000;
const ABOVE_NOTES_CAP = 128 * 1024;

describe('reading hostile notes takes time linear in their size', () => {
  it('[R11] runs the sizes of these cases on both sides of the notes cap', () => {
    expect(4 * BELOW_NOTES_CAP).toBeLessThan(MAIL_LIMITS.notesChars);
    expect(ABOVE_NOTES_CAP).toBeGreaterThan(MAIL_LIMITS.notesChars);
  });

  it.each(SHAPES)('[R11] %s: 24k → 96k characters take under 8× the time', async (_name, body) => {
    expect(await growth((size) => message(body(size)), BELOW_NOTES_CAP)).toBeLessThan(LINEAR_LIMIT);
  });

  it.each(SHAPES)('[R11] %s: 128 KB → 512 KB take under 8× the time', async (_name, body) => {
    expect(await growth((size) => message(body(size)), ABOVE_NOTES_CAP)).toBeLessThan(LINEAR_LIMIT);
  });

  it.each(LINE_SHAPES)('[R11] 50 lines of %s: 400 → 1,600 characters each take under 8× the time', async (_n, line) => {
    const notes = (length: number) => `Action items\n${Array.from({ length: 50 }, () => line(length)).join('\n')}`;
    expect(await growth((length) => message(notes(length)), 400)).toBeLessThan(LINEAR_LIMIT);
  });

  it('[R11] HTML nested 25,000 → 100,000 <div>s deep takes under 8× the time', async () => {
    const html = (depth: number) =>
      `<p>Action items</p>${'<div>'.repeat(depth)}Leo: send the deck by Friday${'</div>'.repeat(depth)}`;
    expect(await growth((depth) => message(html(depth), 'html'), 25_000)).toBeLessThan(LINEAR_LIMIT);
  });

  it('[R11] HTML table rows: 24k → 96k characters take under 8× the time', async () => {
    const row = '<tr><td>Send the deck</td><td>Leo</td><td>Fri 20 Nov</td></tr>';
    const html = (size: number) => `<table>${repeated(row, size - (size % row.length))}</table>`;
    expect(await growth((size) => message(html(size), 'html'), BELOW_NOTES_CAP)).toBeLessThan(LINEAR_LIMIT);
  });
});
