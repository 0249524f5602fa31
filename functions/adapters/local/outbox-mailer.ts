import { createHash, randomUUID } from 'node:crypto';
import {
  closeSync,
  futimesSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import PostalMime from 'postal-mime';
import type { Clock } from '../../ports/clock';
import type { Mailer, OutgoingMail, SentMail } from '../../ports/mailer';
import { composeMime, kindHeader } from '../mime';

export interface OutboxMailerOptions {
  dir: string;
  clock: Clock;
}

/** One message of the outbox as `followthrough outbox --json` prints it. */
export interface OutboxEntry {
  to: string[];
  subject: string;
  kind: string;
  file: string;
  /** The Date header as an ISO instant (whole seconds: RFC 5322 has no finer unit). */
  sentAt: string;
}

/** Where the mailer notes which file each Message-ID went to; hidden, so that the outbox lists only mail. */
const sentIdsDir = '.message-ids';

/**
 * The local Mailer: each message becomes a real RFC 5322 file, the bytes SES would have sent. It sends a Message-ID
 * once: a second send of the same one (a retry after a crash between send and the outbox record's mark, or two
 * runs of the same job at once) writes nothing and returns the first file.
 *
 * How: the message is written aside, stamped with the send time, and linked into `.message-ids/<hash>` first. That
 * link is the claim on the Message-ID (link() fails with EEXIST for every later one), and the message's file name
 * comes from what it holds, the first send's time: whoever gets there, the first send, a retry, or a second run at
 * the same moment, links the same message under the same name. A message file appears whole or not at all.
 *
 * Synchronous calls: a weekly fan-out writes thousands of messages, and the promise and thread-pool round trip of
 * each fs/promises call (a FileHandle for every writeFile) cost more CPU than the writes themselves; a send blocks
 * the process for the few system calls it makes, no longer. Creating a file is what costs here (60 to 200 µs on
 * ext4, a symbolic link as much, a hard link ≈ 7 µs, measured), so each send creates one, and links it twice.
 */
export class OutboxMailer implements Mailer {
  readonly #dir: string;
  readonly #clock: Clock;
  /** Whether the marker directory was made, by this mailer, since it last found it missing. */
  #madeIdsDir = false;

  constructor(options: OutboxMailerOptions) {
    this.#dir = options.dir;
    this.#clock = options.clock;
  }

  async send(mail: OutgoingMail): Promise<SentMail> {
    const sentAt = this.#clock.now();
    // Composed first: a mail that cannot be composed (a header with a line break) leaves no trace in the outbox.
    const message = await composeMime(mail, { date: sentAt, messageId: mail.messageId });
    const id = createHash('sha256').update(mail.messageId.trim().toLowerCase()).digest('hex').slice(0, 16);
    const temp = join(this.#dir, `.${id}.${randomUUID()}.tmp`);
    this.#again(() => writeStamped(temp, message, sentAt));
    try {
      const marker = join(this.#dir, sentIdsDir, id);
      this.#again(() => linkOnce(temp, marker));
      const file = join(this.#dir, nameIn(marker, mail.kind, id));
      linkOnce(marker, file);
      return { messageId: mail.messageId, location: file };
    } finally {
      unlinkSync(temp);
    }
  }

  /** Runs a write into the outbox, the marker directory made first; made again once if it went away (by hand). */
  #again<T>(write: () => T): T {
    if (!this.#madeIdsDir) {
      mkdirSync(join(this.#dir, sentIdsDir), { recursive: true });
      this.#madeIdsDir = true;
    }
    try {
      return write();
    } catch (error) {
      if (codeOf(error) !== 'ENOENT') throw error;
      mkdirSync(join(this.#dir, sentIdsDir), { recursive: true });
      return write();
    }
  }
}

/** Writes the message with its send time as the file's modification time: the name of the file it becomes. */
function writeStamped(path: string, message: Uint8Array, sentAt: Date): void {
  const fd = openSync(path, 'wx');
  try {
    for (let written = 0; written < message.length; ) written += writeSync(fd, message, written);
    futimesSync(fd, sentAt, sentAt);
  } finally {
    closeSync(fd);
  }
}

/** Links the file at a new name unless something is there already; says whether it did. */
function linkOnce(existing: string, path: string): boolean {
  try {
    linkSync(existing, path);
    return true;
  } catch (error) {
    if (codeOf(error) === 'EEXIST') return false;
    throw error;
  }
}

// A marker written before the markers were the messages themselves holds the file name it chose.
const NAMED = /^[\w.-]+\.eml$/;

/**
 * The message's file name, from its marker: the time the first send stamped on it leads, to the millisecond, so a
 * plain `ls` lists the outbox in the order it was sent.
 */
function nameIn(marker: string, kind: string, id: string): string {
  const stats = statSync(marker, { bigint: true });
  if (stats.size < 256n) {
    const named = readFileSync(marker, 'utf8').trim();
    if (!NAMED.test(named)) throw new Error(`The outbox marker ${marker} does not name a message`);
    return named;
  }
  // Nanoseconds to the nearest millisecond: the stamp was a millisecond, stored as a fraction of a second.
  const sentAt = new Date(Number((stats.mtimeNs + 500_000n) / 1_000_000n));
  return `${compactInstant(sentAt)}-${kind}-${id}.eml`;
}

const codeOf = (error: unknown): unknown => (error instanceof Error && 'code' in error ? error.code : undefined);

/** Reads the outbox back as a recipient's client would, oldest first. */
export async function listOutbox(dir: string): Promise<OutboxEntry[]> {
  const names = await readdir(dir).catch((error: unknown) => {
    if (isMissingDirectory(error)) return [];
    throw error;
  });
  const entries = await Promise.all(
    names.filter((name) => name.endsWith('.eml')).map((name) => readEntry(join(dir, name))),
  );
  // The file name breaks ties within a second, since it carries the milliseconds the Date header cannot.
  return entries.sort((a, b) => a.sentAt.localeCompare(b.sentAt) || a.file.localeCompare(b.file));
}

async function readEntry(file: string): Promise<OutboxEntry> {
  const email = await PostalMime.parse(await readFile(file));
  const to = (email.to ?? []).flatMap((address) =>
    address.group === undefined ? [address.address] : address.group.map((member) => member.address),
  );
  const kind = email.headers.find((header) => header.key === kindHeader.toLowerCase())?.value ?? '';
  const date = email.date === undefined ? Number.NaN : Date.parse(email.date);
  return {
    to,
    subject: email.subject ?? '',
    kind: kind.trim(),
    file,
    sentAt: Number.isNaN(date) ? '' : new Date(date).toISOString(),
  };
}

function compactInstant(date: Date): string {
  return date.toISOString().replace(/[-:.]/g, '');
}

function isMissingDirectory(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ENOENT';
}
