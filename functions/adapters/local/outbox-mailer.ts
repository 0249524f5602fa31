import { createHash, randomUUID } from 'node:crypto';
import { link, mkdir, readdir, readFile, unlink, writeFile } from 'node:fs/promises';
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
 */
export class OutboxMailer implements Mailer {
  readonly #dir: string;
  readonly #clock: Clock;

  constructor(options: OutboxMailerOptions) {
    this.#dir = options.dir;
    this.#clock = options.clock;
  }

  async send(mail: OutgoingMail): Promise<SentMail> {
    const sentAt = this.#clock.now();
    // Composed first: a mail that cannot be composed (a header with a line break) leaves no trace in the outbox.
    const message = await composeMime(mail, { date: sentAt, messageId: mail.messageId });
    const id = createHash('sha256').update(mail.messageId.trim().toLowerCase()).digest('hex').slice(0, 16);
    await mkdir(join(this.#dir, sentIdsDir), { recursive: true });
    // The time leads the name, to the millisecond, so a plain `ls` lists the outbox in the order it was sent.
    const name = await this.#nameFor(id, `${compactInstant(sentAt)}-${mail.kind}-${id}.eml`);
    const file = join(this.#dir, name);
    await createOnce(file, message);
    return { messageId: mail.messageId, location: file };
  }

  /** The file name the first send of this Message-ID chose; `proposed` when this is the first. */
  async #nameFor(id: string, proposed: string): Promise<string> {
    const marker = join(this.#dir, sentIdsDir, id);
    if (await createOnce(marker, proposed)) return proposed;
    const chosen = (await readFile(marker, 'utf8')).trim();
    // Written by link() below, so never half a name; anything else was not written by us.
    if (!/^[\w.-]+\.eml$/.test(chosen)) throw new Error(`The outbox marker ${marker} does not name a message`);
    return chosen;
  }
}

/**
 * Creates the file with these bytes unless it exists; says whether it did. Written aside and then linked into
 * place, so that the name appears whole or not at all, and two writers at once cannot both win (link() fails
 * with EEXIST where a plain write would overwrite).
 */
async function createOnce(path: string, bytes: Uint8Array | string): Promise<boolean> {
  const temp = `${path}.${randomUUID()}.tmp`;
  await writeFile(temp, bytes, { flag: 'wx' });
  try {
    await link(temp, path);
    return true;
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'EEXIST') return false;
    throw error;
  } finally {
    // unlink, not rm: rm stats the path first, and the temp file is ours and there.
    await unlink(temp);
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
