import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import PostalMime from 'postal-mime';
import type { Clock } from '../../ports/clock';
import type { Mailer, OutgoingMail, SentMail } from '../../ports/mailer';
import { composeMime, kindHeader, messageIdFor } from '../mime';

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

/** The local Mailer: each message becomes a real RFC 5322 file, the bytes SES would have sent. */
export class OutboxMailer implements Mailer {
  readonly #dir: string;
  readonly #clock: Clock;

  constructor(options: OutboxMailerOptions) {
    this.#dir = options.dir;
    this.#clock = options.clock;
  }

  async send(mail: OutgoingMail): Promise<SentMail> {
    const sentAt = this.#clock.now();
    const id = randomUUID();
    const messageId = messageIdFor(mail.from.address, id);
    const message = await composeMime(mail, { date: sentAt, messageId });
    await mkdir(this.#dir, { recursive: true });
    // The time leads the name, to the millisecond, so a plain `ls` lists the outbox in the order it was sent.
    const file = join(this.#dir, `${compactInstant(sentAt)}-${mail.kind}-${id.slice(0, 8)}.eml`);
    await writeFile(file, message, { flag: 'wx' });
    return { messageId, location: file };
  }
}

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
