/**
 * Bench 3, extraction, on one core: one thread of JavaScript, timed in CPU time of this process (see millis).
 * - corpus throughput: every email of the shared corpus (../shared/corpus beside the repository, else the labelled
 *   corpus under tests/fixtures) the way `followthrough extract` reads it — parseEmail, readNotesOf, extract — in
 *   passes over all of them; notes per second of CPU time.
 * - a 1 MB hostile body (made here, the same every run) through the path ingest runs: parseEmail, readNotesOf (which
 *   keeps MAIL_LIMITS.notesChars of the notes), extract, withinMeetingLimits.
 * - the extractor alone on what that path kept: the first 100k characters.
 * - chrono-node's own `parse` fed the whole 1 MB body in one piece, against our path on the same body, in the same
 *   run (the ratio of the two is what the figure holds, so a busy machine slows both).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as chrono from 'chrono-node';
import { MAIL_LIMITS, withinMeetingLimits } from '../functions/domain/email/limits';
import { parseEmail } from '../functions/domain/email/parse-email';
import { type NotesMessage, readNotesOf } from '../functions/domain/email/read-notes';
import { extract } from '../functions/domain/extraction/extract';
import { type Figure, figure, runModule } from './figures';

const RUNS = 5;
/** Passes over the whole corpus in one throughput sample: one pass of 22 emails is some 25 ms, near timer noise. */
const PASSES = 10;
/** CPU time spent on the corpus before the throughput is measured. */
const WARMUP_MS = 1500;
const HOSTILE_CHARS = 1024 * 1024;
const inboxAddresses = ['notes@followthrough.example'];

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function corpusDir(): string {
  const shared = resolve(repo, '..', 'shared', 'corpus');
  return existsSync(shared) ? shared : join(repo, 'tests', 'fixtures', 'corpus');
}

function corpusEmails(dir: string): Uint8Array[] {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((name) => name.endsWith('.eml'))
    .sort()
    .map((name) => new Uint8Array(readFileSync(join(dir, name))));
}

/** What `followthrough extract FILE` does with one email, without the process around it. */
async function extractEmail(raw: Uint8Array): Promise<number> {
  const notes = await readNotesOf(await parseEmail(raw));
  return extract(notes, { inboxAddresses }).items.length;
}

/** What ingest does with one email before it stores anything. */
async function ingestPath(raw: Uint8Array): Promise<number> {
  const notes = await readNotesOf(await parseEmail(raw));
  return withinMeetingLimits(extract(notes, { inboxAddresses })).extraction.items.length;
}

const NAMES = ['Priya', 'Leo Martins', 'Dana', 'jordan', '@kiri', 'PR', 'Zoë (SE)', 'me', 'we'];
const VERBS = ['send', 'review', 'chase', 'book', 'draft', 'update'];
const DATES = ['by Friday', 'Fri 20 Nov', '3/12', 'next Tuesday', 'EOW', 'before Dec 3', 'in two weeks', 'tomorrow'];
const MORE_DATES = ['', 'asap', '4.12.', 'the 18th'];

/**
 * The hostile notes, HOSTILE_CHARS characters: a 100,000-character run of spaces and tabs inside a line, 20,000
 * "- " bullets (owners and dates in four of five, "- item N" in the rest), every 2,000 bullets a 10,000-character
 * line of dates, a 100,000-character run of whitespace before a bullet half-way, and one endless line of text to
 * the end. The first 100k characters, which the notes cap keeps, hold some 3,000 bullets and one line of dates.
 */
function hostileBody(chars = HOSTILE_CHARS): string {
  const whitespace = (length: number) => ' \t'.repeat(length / 2);
  const dates = [...DATES, ...MORE_DATES];
  const lines = ['Action items', `Priya: send the deck${whitespace(100_000)}by Friday`];
  for (let i = 0; i < 20_000; i++) {
    const owner = NAMES[i % NAMES.length] as string;
    const due = dates[(i * 7) % dates.length] as string;
    lines.push(i % 5 === 4 ? `- item ${i}` : `- ${owner}: ${VERBS[i % VERBS.length]} deck ${i} ${due}`);
    if (i % 2000 === 1000) lines.push(`- Leo: ${'by Fri 20 Nov or 3/12 next week '.repeat(320)}`);
    if (i === 10_000) lines.push(`${whitespace(100_000)}- Dana: chase legal by 12/3`);
  }
  const body = lines.join('\n');
  const rest = chars - body.length - 1;
  if (rest < 0) return body.slice(0, chars);
  return `${body}\n${`Dana to ${'and chase legal on Dec 4 '.repeat(Math.ceil(rest / 25))}`.slice(0, rest)}`;
}

const encoder = new TextEncoder();

function message(body: string): Uint8Array {
  return encoder.encode(
    [
      'From: Priya Raman <priya@acme.example>',
      'To: Leo Martins <leo@acme.example>',
      'Subject: 1:1 Priya / Leo',
      'Date: Wed, 18 Nov 2026 10:00:00 +0000',
      'Message-ID: <bench-extraction@acme.example>',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      body,
    ].join('\r\n'),
  );
}

/**
 * The CPU milliseconds this process spends on `work`, all its threads (the garbage collector's and the compiler's
 * count against us): "on one core" as the budget says, and a figure that other processes on a shared machine do not
 * inflate the way they do the wall clock.
 */
async function millis(work: () => Promise<unknown> | unknown): Promise<number> {
  const before = process.cpuUsage();
  await work();
  return cpuMillisSince(before);
}

function cpuMillisSince(before: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

async function measure(): Promise<Figure[]> {
  const dir = corpusDir();
  const emails = corpusEmails(dir);
  process.stderr.write(`extraction: ${emails.length} emails from ${dir}\n`);
  // Throughput is the steady rate: measured here, the first thousand notes or so run at a fifth to two thirds of it
  // while V8 compiles and re-optimises the extractor's code paths.
  const warmup = process.cpuUsage();
  while (cpuMillisSince(warmup) < WARMUP_MS) for (const raw of emails) await extractEmail(raw);
  const throughput: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const ms = await millis(async () => {
      for (let pass = 0; pass < PASSES; pass++) for (const raw of emails) await extractEmail(raw);
    });
    throughput.push((PASSES * emails.length * 1000) / ms);
  }

  const body = hostileBody();
  const raw = message(body);
  const kept: NotesMessage = await readNotesOf(await parseEmail(raw));
  if (kept.body.length > MAIL_LIMITS.notesChars) throw new Error('the notes cap did not hold');
  await ingestPath(raw);
  const hostile: number[] = [];
  const firstChars: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    hostile.push(await millis(() => ingestPath(raw)));
    firstChars.push(await millis(() => extract(kept, { inboxAddresses })));
  }

  // chrono as the README of chrono-node uses it: `chrono.parse(text, reference)`, the casual English parser.
  const reference = new Date(Date.UTC(2026, 10, 18, 10));
  const ratios: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const chronoMs = await millis(() => chrono.parse(body, reference));
    ratios.push(chronoMs / (await millis(() => ingestPath(raw))));
  }

  return [
    figure('extraction corpus throughput', throughput, 'notes/s', { atLeast: 500 }),
    figure('extraction 1 MB hostile body', hostile, 'ms', { atMost: 1000 }),
    figure('extraction first 100k chars of it', firstChars, 'ms', null),
    figure('chrono unchunked 1 MB / ours', ratios, '×', null),
  ];
}

await runModule(measure);
