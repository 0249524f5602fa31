import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidInputError } from '../../domain/errors';
import type { ScheduledJob } from '../../ports/scheduler';

/** What failed: a schedule's job, or the ingest of mail (SMTP) or notes (webhook) whose raw bytes are kept. */
export type DeadLetterSubject =
  /**
   * The schedule's name and its job's kind, not the job: a digest's or a weekly mail's job holds an address. The
   * retry reads the job from the schedule of that name.
   */
  | { source: 'schedule'; schedule: string; kind: ScheduledJob['kind'] }
  /** The raw bytes' key in the raw-mail archive: the retry ingests them again. */
  | { source: 'smtp' | 'webhook'; rawKey: string };

export type DeadLetter = DeadLetterSubject & {
  id: string;
  /** When it failed for good (ISO). */
  at: string;
  /** The error's name and message, addresses blanked out: nothing of the notes, no one's address. */
  error: { name: string; message: string };
  /** Retries that failed again (`followthrough retry`), each recorded over the error before it. */
  retries: number;
};

const ID = /^\d{8}T\d{6}Z-(?:schedule|smtp|webhook)-[0-9a-f]{8}$/;

// Anything shaped like an address, as error messages sometimes quote one (a person's key, a recipient). It starts
// where a word starts: from inside a long word with no "@", each start would read to the word's end again.
const ADDRESS = /(?<![^\s<>()[\]"',;:])[^\s<>()[\]"',;:]+@[^\s<>()[\]"',;:]+/g;

const MAX_MESSAGE = 500;

/**
 * The local stack's dead-letter queue: what still failed after its retries, one JSON file each under the data dir's
 * `failed/`, listed by `followthrough failed` and run again by `followthrough retry ID`. On AWS the same events end in
 * SQS queues (a Lambda's failure queue, the Scheduler DLQ); here nothing is dropped silently either.
 */
export class DeadLetterFolder {
  constructor(private readonly dir: string) {}

  async record(subject: DeadLetterSubject, error: unknown, at: Date): Promise<DeadLetter> {
    const id = `${at
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '')}-${subject.source}-${randomBytes(4).toString('hex')}`;
    const letter: DeadLetter = { ...subject, id, at: at.toISOString(), error: describeError(error), retries: 0 };
    await this.write(letter);
    return letter;
  }

  /** Newest first. */
  async list(): Promise<DeadLetter[]> {
    const names = await readdir(this.dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    const letters = await Promise.all(
      names
        .filter((name) => name.endsWith('.json') && ID.test(name.slice(0, -5)))
        .map(async (name) => JSON.parse(await readFile(join(this.dir, name), 'utf8')) as DeadLetter),
    );
    return letters.sort((a, b) => b.at.localeCompare(a.at) || b.id.localeCompare(a.id));
  }

  async get(id: string): Promise<DeadLetter | null> {
    const path = this.pathOf(id);
    try {
      return JSON.parse(await readFile(path, 'utf8')) as DeadLetter;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  /** Records that a retry failed too, with its error. */
  async failedAgain(letter: DeadLetter, error: unknown): Promise<DeadLetter> {
    const again = { ...letter, error: describeError(error), retries: letter.retries + 1 };
    await this.write(again);
    return again;
  }

  async remove(id: string): Promise<void> {
    await rm(this.pathOf(id), { force: true });
  }

  private async write(letter: DeadLetter): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await writeFile(this.pathOf(letter.id), `${JSON.stringify(letter, null, 2)}\n`);
  }

  /** The id names a file: anything else (a path, `..`) is refused before it reaches the file system. */
  private pathOf(id: string): string {
    if (!ID.test(id))
      throw new InvalidInputError('id', `"${id}" is not the id of a failure: see followthrough failed.`);
    return join(this.dir, `${id}.json`);
  }
}

/** The error and, when it wraps one, its first cause: "Could not read the notes email" alone says little. */
export function describeError(error: unknown): { name: string; message: string } {
  const name = error instanceof Error ? error.name : 'Error';
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : null;
  const message = [
    error instanceof Error ? error.message : String(error),
    ...(cause === null ? [] : [`(cause: ${cause.name}: ${cause.message})`]),
  ].join(' ');
  const blanked = message.replace(ADDRESS, '[address]');
  return { name, message: blanked.length > MAX_MESSAGE ? `${blanked.slice(0, MAX_MESSAGE)}…` : blanked };
}
