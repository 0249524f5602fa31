import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Webhook } from 'standardwebhooks';
import { ENV, LOCAL_DEFAULTS } from './config/env';
import { parseEmail } from './domain/email/parse-email';
import { readNotesOf } from './domain/email/read-notes';
import { FollowthroughError, InvalidInputError } from './domain/errors';
import { extract } from './domain/extraction/extract';
import type { StoredItem } from './domain/model';
import type { DeadLetter } from './local-dead-letters';
import { startLocalServers } from './serve';
import { type IngestResult, RejectedInputError } from './use-cases/ingest-email';
import { type LocalStack, localWebhookSecret, openLocalStack } from './wiring';

const USAGE = `followthrough — follow-up for 1:1 meetings, on the embedded local stack

usage: followthrough <command> [options]

commands
  extract FILE.eml           print the meeting and action items found in an email (JSON; stores nothing)
  ingest FILE.eml            take an email as the inbox would: notes of a 1:1 are stored and their wrap-up,
                             digests and weekly mail scheduled; a reply to one of our mails applies its
                             commands (done 2, drop 3, 2 due friday, snooze 1 to 12/1, 2 owner jordan)
  reply --from EMAIL [--kind KIND] LINE...
                             answer the latest mail of ours to EMAIL (of KIND: wrapup, digest, weekly…) as
                             their mail client would — Re: subject, In-Reply-To, the original quoted — with
                             LINE... as the text (reply "done 1" "2 due friday"), and ingest it
  tick [--to ISO|+30m|+2d]   move the local clock forward and send whatever falls due
                             (without --to: up to the wall-clock time, if that is later)
  outbox                     list the emails sent
  items [--owner EMAIL] [--open]
                             list stored action items
  schedules                  list the schedules (wrap-ups, pre-meeting digests, weekly digests)
  failed                     list what failed for good, newest first: schedules given up after their
                             attempts, mail (SMTP) or webhook notes whose ingest failed on our side
  retry ID                   run one of those again (the job, or the ingest of the kept bytes); it leaves
                             the list once it succeeds
  serve [--port N] [--smtp-port N]
                             run the local servers on 127.0.0.1 (default 8787 and 2525): the webhook, the
                             action-link pages and the outbox page over HTTP, the inbox over SMTP, and the
                             schedules firing on the wall clock (npm start)
  webhook-secret             print the local webhook's signing secret (whsec_…; made for the data dir on
                             first use, or FOLLOWTHROUGH_WEBHOOK_SECRET): senders sign with it
  post FILE.json [--url URL] sign FILE.json with that secret (Standard Webhooks) and POST it to the running
                             server's webhook (default http://127.0.0.1:8787/webhooks/notes)

options
  --data DIR     where the local stack keeps its state (default .data/)
  --now ISO      set the local clock before the command (any time on a new data dir, later only forward)
  --json         print JSON instead of text
  -h, --help     this help
`;

type Flags = {
  data: string;
  json: boolean;
  now?: string | undefined;
  to?: string | undefined;
  owner?: string | undefined;
  open: boolean;
  port?: string | undefined;
  'smtp-port'?: string | undefined;
  url?: string | undefined;
  from?: string | undefined;
  kind?: string | undefined;
};

class UsageError extends FollowthroughError {
  constructor(message: string) {
    super(message, { expose: true });
  }
}

export async function main(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      data: { type: 'string', default: '.data' },
      json: { type: 'boolean', default: false },
      now: { type: 'string' },
      to: { type: 'string' },
      owner: { type: 'string' },
      open: { type: 'boolean', default: false },
      port: { type: 'string' },
      'smtp-port': { type: 'string' },
      url: { type: 'string' },
      from: { type: 'string' },
      kind: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...args] = positionals;
  if (values.help || !command) {
    out(USAGE);
    return values.help ? 0 : 2;
  }
  const flags: Flags = values;
  switch (command) {
    case 'extract':
      return extractCommand(requireFile(args), out);
    case 'ingest':
      return withStack(flags, (stack) => ingestCommand(stack, requireFile(args), flags, out));
    case 'reply':
      return withStack(flags, (stack) => replyCommand(stack, args, flags, out));
    case 'tick':
      return withStack(flags, (stack) => tickCommand(stack, flags, out));
    case 'outbox':
      return withStack(flags, (stack) => outboxCommand(stack, flags, out));
    case 'items':
      return withStack(flags, (stack) => itemsCommand(stack, flags, out));
    case 'schedules':
      return withStack(flags, (stack) => schedulesCommand(stack, flags, out));
    case 'failed':
      return withStack(flags, (stack) => failedCommand(stack, flags, out));
    case 'retry':
      return withStack(flags, (stack) => retryCommand(stack, requireId(args), flags, out));
    case 'serve':
      return serveCommand(flags, out);
    case 'webhook-secret':
      out(localWebhookSecret(resolve(flags.data)));
      return 0;
    case 'post':
      return postCommand(requireFile(args, '.json'), flags, out);
    default:
      throw new UsageError(`Unknown command "${command}". Run followthrough --help for the list.`);
  }
}

function requireFile(args: string[], kind = '.eml'): string {
  const [file] = args;
  if (!file) throw new UsageError(`Give the path of a${kind === '.eml' ? 'n' : ''} ${kind} file.`);
  return file;
}

async function readInput(file: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(file));
  } catch (error) {
    throw new UsageError(`Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`);
  }
}

async function extractCommand(file: string, out: (line: string) => void): Promise<number> {
  const email = await parseEmail(await readInput(file));
  const { meeting, items } = extract(await readNotesOf(email), {
    inboxAddresses: [process.env[ENV.inboxAddress] ?? LOCAL_DEFAULTS.inboxAddress],
  });
  out(
    JSON.stringify(
      {
        meeting: {
          date: meeting.date,
          attendees: meeting.attendees.map((p) => p.address),
          subject: meeting.subject,
          author: meeting.author?.address ?? null,
          nextMeetingDate: meeting.nextMeetingDate,
        },
        items: items.map(({ owner, ownerName, due, text, source, ownerSource, dueSource, flags, section }) => ({
          owner,
          ownerName,
          due,
          text,
          source,
          ownerSource,
          dueSource,
          flags,
          section,
        })),
      },
      null,
      2,
    ),
  );
  return 0;
}

async function withStack(flags: Flags, run: (stack: LocalStack) => Promise<number>): Promise<number> {
  const stack = await openLocalStack(resolve(flags.data));
  try {
    if (flags.now) stack.clock.set(new Date(flags.now));
    else stack.clock.save();
    return await run(stack);
  } finally {
    await stack.close();
  }
}

async function ingestCommand(
  stack: LocalStack,
  file: string,
  flags: Flags,
  out: (line: string) => void,
  bytes?: Uint8Array,
): Promise<number> {
  const raw = bytes ?? (await readInput(file));
  try {
    const result = await stack.ingestEmail(raw);
    if (flags.json) out(JSON.stringify(result, null, 2));
    else for (const line of describeIngest(result)) out(line);
    return 0;
  } catch (error) {
    if (error instanceof RejectedInputError) {
      throw new InvalidInputError(
        error.field,
        `Cannot ingest ${file}: ${error.message} The raw input is kept at ${displayPath(resolve(stack.paths.raw, error.rawKey))}.`,
      );
    }
    throw error;
  }
}

/**
 * A reply as a person's mail client writes it: the subject with "Re:", threaded under the mail answered by its
 * Message-ID, the commands on top and the mail quoted below. Mail refs are random, so a reply must answer a real
 * mail of this data dir's outbox rather than a fixture written in advance.
 */
async function replyCommand(stack: LocalStack, lines: string[], flags: Flags, out: (line: string) => void) {
  const from = flags.from?.trim().toLowerCase();
  if (!from?.includes('@')) throw new UsageError('Say who replies: --from EMAIL.');
  if (lines.length === 0)
    throw new UsageError('Give the text of the reply, e.g. followthrough reply --from EMAIL "done 1".');
  const answered = (await stack.listOutbox())
    .filter((mail) => mail.to.includes(from) && (flags.kind === undefined || mail.kind === flags.kind))
    .at(-1);
  if (answered === undefined) {
    throw new UsageError(`The outbox has no mail${flags.kind ? ` of kind ${flags.kind}` : ''} to ${from} to reply to.`);
  }
  const original = await parseEmail(await readFile(answered.file));
  const quoted = (original.text ?? '').split(/\r?\n/).map((line) => `> ${line}`);
  const domain = from.slice(from.lastIndexOf('@') + 1);
  // The name our mail greeted them by, as their client would send it (plain ASCII only: no encoded words here).
  const name = original.to.find((person) => person.address === from)?.name;
  const sender = name && /^[\x20-\x7e]+$/.test(name) ? `"${name.replace(/["\\]/g, '')}" <${from}>` : from;
  const raw = [
    `From: ${sender}`,
    `To: ${original.from?.address ?? stack.config.fromAddress}`,
    `Subject: Re: ${original.subject}`,
    `Date: ${stack.clock.now().toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${randomUUID()}@${domain}>`,
    ...(original.messageId ? [`In-Reply-To: ${original.messageId}`, `References: ${original.messageId}`] : []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    ...lines,
    '',
    `On ${answered.sentAt}, ${original.from?.name ?? 'followthrough'} wrote:`,
    ...quoted,
    '',
  ].join('\r\n');
  out(`Replying to "${answered.subject}" as ${from}: ${lines.join(' / ')}`);
  return ingestCommand(stack, answered.file, flags, out, new TextEncoder().encode(raw));
}

export function describeIngest(result: IngestResult): string[] {
  switch (result.outcome) {
    case 'duplicate':
      return [
        `Already ingested as meeting ${result.meeting.id} (${result.meeting.subject}): nothing new stored or scheduled.`,
      ];
    case 'ignored':
      return [`Kept but not acted on: ${result.reason}. Nothing stored, nothing sent.`];
    case 'dropped':
      return [`Kept but dropped: ${result.reason}. Nothing stored, nothing sent.`];
    case 'unverified':
      return [
        `Kept as unverified meeting ${result.meeting.id}: ${result.reason}, so no items were stored, nothing was scheduled and nothing sent.`,
      ];
    case 'reply-refused':
      return [`A reply to ${result.repliedRef}, from someone who was not at that 1:1: nothing changed, nothing sent.`];
    case 'reply': {
      if (result.confirmation === 'already-sent') return ['This reply was already applied: nothing changed again.'];
      const lines = [`A reply to ${result.repliedRef}:`];
      for (const change of result.applied) lines.push(`  ${change.number}. ${change.text} — ${change.change}`);
      for (const refused of result.refused) lines.push(`  not changed: "${refused.line}" — ${refused.reason}`);
      for (const line of result.notUnderstood) lines.push(`  not understood: "${line}"`);
      lines.push(
        result.confirmation === 'suppressed'
          ? "No confirmation was sent: the sender's address bounced or complained before."
          : 'A confirmation was sent to the sender.',
      );
      return lines;
    }
    case 'ingested': {
      const { meeting, items, wrapupAt, series, digestsAt } = result;
      const lines = [
        `Meeting ${meeting.id}: "${meeting.subject}" on ${meeting.date}, ${meeting.attendees.map((p) => p.address).join(', ')}`,
        items.length === 0
          ? 'No action items found in these notes; the wrap-up will say so.'
          : `${items.length} action item${items.length === 1 ? '' : 's'} stored.`,
        `Wrap-up scheduled for ${wrapupAt} (run: followthrough tick --to ${wrapupAt}).`,
      ];
      if (series.nextMeeting !== null) {
        lines.push(
          `Next 1:1 ${series.nextMeeting.date} (from the ${series.nextMeeting.source}); ${
            digestsAt.length === 0
              ? 'too late for a pre-meeting digest.'
              : `pre-meeting digest${digestsAt.length === 1 ? '' : 's'} at ${[...new Set(digestsAt)].join(', ')}.`
          }`,
        );
      }
      return lines;
    }
  }
}

async function schedulesCommand(stack: LocalStack, flags: Flags, out: (line: string) => void): Promise<number> {
  const schedules = stack.scheduler.list();
  if (flags.json) {
    out(JSON.stringify(schedules, null, 2));
    return 0;
  }
  if (schedules.length === 0) out('No schedules.');
  for (const s of schedules) {
    const when = 'weekly' in s ? `every ${s.weekly.day} ${s.weekly.time} ${s.weekly.timeZone}, next ${s.nextAt}` : s.at;
    out(`${s.state.padEnd(7)} ${s.name}  ${when}`);
  }
  return 0;
}

async function serveCommand(flags: Flags, out: (line: string) => void): Promise<number> {
  const port = portOf(flags.port, 8787, '--port');
  const smtpPort = portOf(flags['smtp-port'], 2525, '--smtp-port');
  const servers = await startLocalServers({ dataDir: resolve(flags.data), port, smtpPort, log: out });
  out(`followthrough is running on 127.0.0.1 (data in ${displayPath(resolve(flags.data))}):`);
  out(`  web     ${servers.url}/  (outbox: ${servers.url}/outbox)`);
  out(`  webhook POST ${servers.url}/webhooks/notes`);
  out(`  inbox   smtp://127.0.0.1:${servers.smtpPort} (send notes or replies to ${servers.stack.config.inboxAddress})`);
  out('Ctrl-C to stop.');
  await new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await servers.close();
  return 0;
}

/**
 * `followthrough post FILE.json`: the notes in the file, signed as a Standard Webhooks sender signs them (a fresh
 * webhook-id, the time it is) with the data dir's secret, to the running server. The answer is printed as it came;
 * anything but a 2xx exits 1.
 */
async function postCommand(file: string, flags: Flags, out: (line: string) => void): Promise<number> {
  const body = Buffer.from(await readInput(file)).toString('utf8');
  const url = flags.url ?? 'http://127.0.0.1:8787/webhooks/notes';
  if (!/^https?:\/\//.test(url)) throw new UsageError(`--url takes an http(s) address (got "${url}").`);
  const id = `msg_${randomUUID().replaceAll('-', '')}`;
  const now = new Date();
  const signature = new Webhook(localWebhookSecret(resolve(flags.data))).sign(id, now, body);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': signature,
      },
      body,
    });
  } catch (error) {
    throw new UsageError(`Nothing answered at ${url} (is followthrough serve running?): ${String(error)}`);
  }
  out(`${response.status} ${await response.text()}`);
  return response.ok ? 0 : 1;
}

function portOf(value: string | undefined, fallback: number, flag: string): number {
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new UsageError(`${flag} takes a port number (got "${value}").`);
  return port;
}

async function tickCommand(stack: LocalStack, flags: Flags, out: (line: string) => void): Promise<number> {
  const from = stack.clock.now();
  const to = targetTime(from, flags.to);
  if (to.getTime() > from.getTime()) stack.clock.set(to);
  const before = new Set((await stack.listOutbox()).map((m) => m.file));
  const ran = await stack.deadLetters.runDueSchedules(stack.clock.now());
  const sent = (await stack.listOutbox()).filter((m) => !before.has(m.file));
  if (flags.json) {
    out(JSON.stringify({ now: stack.clock.now().toISOString(), ran, sent }, null, 2));
    return ran.some((s) => s.state === 'failed') ? 1 : 0;
  }
  out(`Clock: ${stack.clock.now().toISOString()}`);
  if (ran.length === 0) out('Nothing was due.');
  for (const schedule of ran) {
    out(`${schedule.name}: ${schedule.state}${schedule.lastError ? ` (${schedule.lastError})` : ''}`);
  }
  for (const mail of sent) out(`sent ${mail.kind} "${mail.subject}" to ${mail.to.join(', ')}\n  ${mail.file}`);
  if (ran.some((s) => s.state === 'failed')) out('Given up: see followthrough failed, and retry from there.');
  return ran.some((s) => s.state === 'failed') ? 1 : 0;
}

function requireId(args: string[]): string {
  const [id] = args;
  if (!id) throw new UsageError('Give the id of a failure: followthrough failed lists them.');
  return id;
}

/** What a dead letter is about, without an address or a word of the notes. */
function describeDeadLetter(letter: DeadLetter): string {
  return letter.source === 'schedule'
    ? `schedule ${letter.schedule} (${letter.kind})`
    : `${letter.source === 'smtp' ? 'mail' : 'webhook notes'} kept as raw/${letter.rawKey}`;
}

async function failedCommand(stack: LocalStack, flags: Flags, out: (line: string) => void): Promise<number> {
  const letters = await stack.deadLetters.list();
  if (flags.json) {
    out(JSON.stringify(letters, null, 2));
    return 0;
  }
  if (letters.length === 0) out('Nothing has failed.');
  for (const letter of letters) {
    const retried = letter.retries === 0 ? '' : `, retried ${letter.retries}×`;
    out(`${letter.id}  ${letter.at}  ${describeDeadLetter(letter)}${retried}`);
    out(`  ${letter.error.name}: ${letter.error.message}`);
    out(`  retry: followthrough retry ${letter.id}`);
  }
  return 0;
}

async function retryCommand(stack: LocalStack, id: string, flags: Flags, out: (line: string) => void): Promise<number> {
  const result = await stack.deadLetters.retry(id);
  if (result === null) throw new UsageError(`There is no failure ${id}: followthrough failed lists them.`);
  if (flags.json) out(JSON.stringify(result, null, 2));
  else if (result.outcome === 'done') out(`${describeDeadLetter(result.letter)}: done, and off the list.`);
  else {
    out(`${describeDeadLetter(result.letter)}: failed again, still listed.`);
    out(`  ${result.letter.error.name}: ${result.letter.error.message}`);
  }
  return result.outcome === 'done' ? 0 : 1;
}

/** A path as short as it can be read: relative below the working directory, absolute elsewhere. */
function displayPath(path: string): string {
  const inside = relative(process.cwd(), path);
  return inside.startsWith('..') ? path : inside;
}

/** `--to` is an ISO time or a step from now: +30m, +2h, +2d, +1w. Without it, the wall clock if later. */
export function targetTime(from: Date, to: string | undefined): Date {
  if (!to) return new Date(Math.max(from.getTime(), Date.now()));
  const step = /^\+(\d+)([mhdw])$/.exec(to.trim());
  if (step) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[step[2] as 'm' | 'h' | 'd' | 'w'];
    return new Date(from.getTime() + Number(step[1]) * unit);
  }
  const at = new Date(to);
  if (Number.isNaN(at.getTime())) throw new UsageError(`--to takes an ISO time or +30m, +2h, +2d, +1w (got "${to}").`);
  return at;
}

async function outboxCommand(stack: LocalStack, flags: Flags, out: (line: string) => void): Promise<number> {
  const mails = await stack.listOutbox();
  if (flags.json) {
    out(JSON.stringify(mails, null, 2));
    return 0;
  }
  if (mails.length === 0) out('The outbox is empty.');
  for (const mail of mails)
    out(`${mail.sentAt}  ${mail.kind.padEnd(8)} ${mail.subject}\n  to ${mail.to.join(', ')}\n  ${mail.file}`);
  return 0;
}

async function itemsCommand(stack: LocalStack, flags: Flags, out: (line: string) => void): Promise<number> {
  const items = flags.owner
    ? await stack.store.listItemsByOwner({ owner: flags.owner, openOnly: flags.open })
    : await allItems(stack, flags.open);
  if (flags.json) {
    out(JSON.stringify(items, null, 2));
    return 0;
  }
  if (items.length === 0) out('No items.');
  for (const item of items) {
    out(
      `${item.meetingId}#${item.seq}  [${item.status}]  ${item.text}\n  owner ${item.owner ?? '—'}  due ${item.due ?? '—'}${item.flags.length ? `  (${item.flags.join(', ')})` : ''}`,
    );
  }
  return 0;
}

async function allItems(stack: LocalStack, openOnly: boolean): Promise<StoredItem[]> {
  const items: StoredItem[] = [];
  let cursor: string | undefined;
  do {
    const page = await stack.store.listMeetings(cursor ? { limit: 50, cursor } : { limit: 50 });
    for (const meeting of page.items) items.push(...(await stack.store.listMeetingItems(meeting.id)));
    cursor = page.cursor;
  } while (cursor);
  return openOnly ? items.filter((i) => i.status === 'open') : items;
}

/** Exit codes: 0 done, 1 something failed on our side, 2 the input or the command line is at fault. */
export async function run(argv: string[]): Promise<void> {
  // `followthrough items | head` closes the pipe early: that is the reader's choice, not a failure.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  try {
    process.exitCode = await main(argv);
  } catch (error) {
    if (error instanceof FollowthroughError && error.expose) {
      console.error(`followthrough: ${error.message}`);
      process.exitCode = 2;
    } else if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      console.error(`followthrough: ${error.message}. Run followthrough --help.`);
      process.exitCode = 2;
    } else {
      console.error('followthrough: failed:', error);
      process.exitCode = 1;
    }
  }
}
