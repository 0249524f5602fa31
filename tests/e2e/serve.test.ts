import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createTransport } from 'nodemailer';
import PostalMime, { type Email } from 'postal-mime';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxEntry } from '../../functions/adapters/local/outbox-mailer';
import { ENV } from '../../functions/config/env';
import { startLocalServers } from '../../functions/serve';
import { meetingIdOf } from '../../functions/use-cases/ingest-email';
import { fixtureBytes } from '../support/fixtures';

type Servers = Awaited<ReturnType<typeof startLocalServers>>;

const dana = 'dana.whitfield@acme-sales.example';
const marcus = 'marcus.reid@acme-sales.example';
const loopMeetingId = meetingIdOf('<20261112205012.1001.loop@mail.acme-sales.example>');

// Attendees of the webhook's meetings live at their own domain, so their wrap-ups never mix with the loop's.
const webhookNotes = (id: string) => ({
  id,
  subject: 'Weekly 1:1 Sam / Ana',
  date: '2026-11-24',
  timeZone: 'Europe/London',
  attendees: [
    { email: 'sam.okafor@hooli-webhook.example', name: 'Sam Okafor' },
    { email: 'ana.lopes@hooli-webhook.example', name: 'Ana Lopes' },
  ],
  author: 'sam.okafor@hooli-webhook.example',
  notes: 'Action items\n- Ana: send the Hooli pilot summary by Friday\n- Sam: book the QBR room by 12/2\n',
  format: 'text',
});

/** As Mustache writes text into a page: it escapes the slash too. */
const escaped = (text: string) => text.replaceAll('/', '&#x2F;');

/** Polls until `read` returns a value, for as long as a schedule on a 100 ms tick can reasonably take. */
async function eventually<T>(what: string, read: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function listen(port = 0): Promise<{ server: Server; port: number }> {
  const server = createServer();
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address !== null ? address.port : 0 });
    });
  });
}

/** A Standard Webhooks request as a sender holding `secret` makes it: signed now, under a fresh webhook-id. */
function signedPost(
  secret: string,
  body: string,
  options: { id?: string; contentType?: string; at?: Date } = {},
): RequestInit {
  const id = options.id ?? `msg_${randomUUID()}`;
  const at = options.at ?? new Date();
  return {
    method: 'POST',
    headers: {
      'Content-Type': options.contentType ?? 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(id, at, body),
    },
    body,
  };
}

const closeServer = (server: Server) => new Promise<void>((done) => server.close(() => done()));

/** A reply as Gmail writes it: the command on top, the mail it answers quoted below. */
function reply(from: string, name: string, to: Email, body: string, id: string): string {
  const quoted = (to.text ?? '')
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\r\n');
  return [
    `From: ${name} <${from}>`,
    'To: followthrough <notes@followthrough.example>',
    `Subject: Re: ${to.subject}`,
    'Date: Wed, 25 Nov 2026 10:40:00 +0000',
    `Message-ID: <${id}@mail.acme-sales.example>`,
    `In-Reply-To: ${to.messageId}`,
    `References: ${to.messageId}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset="utf-8"',
    '',
    body,
    '',
    'On Wed, Nov 25, 2026 at 9:47 AM followthrough <notes@followthrough.example> wrote:',
    quoted,
    '',
  ].join('\r\n');
}

describe('followthrough serve on 127.0.0.1', () => {
  const saved = { delay: process.env[ENV.wrapupDelayMinutes], baseUrl: process.env[ENV.baseUrl] };
  const log: string[] = [];
  let data: string;
  let servers: Servers;

  const send = async (raw: Buffer | string, from: string) => {
    const transport = createTransport({ host: '127.0.0.1', port: servers.smtpPort, secure: false, ignoreTLS: true });
    try {
      return await transport.sendMail({ envelope: { from, to: ['notes@followthrough.example'] }, raw });
    } finally {
      transport.close();
    }
  };
  const outbox = () => servers.stack.listOutbox();
  const parse = async (entry: OutboxEntry) => PostalMime.parse(await readFile(entry.file));
  const mailTo = (kind: string, to: string) => (entries: OutboxEntry[]) =>
    entries.find((m) => m.kind === kind && m.to.includes(to));

  // The loop's first notes are sent once, by whichever test needs them first.
  let loop: Promise<{ toMarcus: OutboxEntry; toDana: OutboxEntry }> | undefined;
  const loopWrapups = () => {
    loop ??= (async () => {
      await send(Buffer.from(fixtureBytes('loop/01-dana-marcus-nov12.eml')), dana);
      return eventually('the wrap-ups of the loop meeting', async () => {
        const sent = await outbox();
        const toMarcus = mailTo('wrapup', marcus)(sent);
        const toDana = mailTo('wrapup', dana)(sent);
        return toMarcus && toDana && { toMarcus, toDana };
      });
    })();
    return loop;
  };

  const postNotes = (body: string, options: { id?: string; contentType?: string } = {}) =>
    fetch(`${servers.url}/webhooks/notes`, signedPost(servers.stack.config.webhookSecret, body, options));
  const meetingCount = async () => (await servers.stack.store.listMeetings({ limit: 100 })).items.length;

  beforeAll(async () => {
    // The wrap-up waits 30 minutes on the wall clock unless told otherwise; and with no base URL set, the links
    // must lead to this server's own port.
    process.env[ENV.wrapupDelayMinutes] = '0';
    delete process.env[ENV.baseUrl];
    data = await mkdtemp(join(tmpdir(), 'followthrough-serve-'));
    servers = await startLocalServers({ dataDir: data, port: 0, smtpPort: 0, tickMs: 100, log: (l) => log.push(l) });
  });

  afterAll(async () => {
    await servers?.close();
    for (const [name, value] of [
      [ENV.wrapupDelayMinutes, saved.delay],
      [ENV.baseUrl, saved.baseUrl],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await rm(data, { recursive: true, force: true });
  });

  it('listens on the ports it was given: any free one for port 0', () => {
    expect(servers.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(servers.url).not.toBe('http://127.0.0.1:0');
    expect(servers.smtpPort).toBeGreaterThan(0);
  });

  it('notes sent over SMTP are stored with their items', async () => {
    // Act
    await loopWrapups();

    // Assess
    const meeting = await servers.stack.store.getMeeting(loopMeetingId);
    expect(meeting?.attendees.map((p) => p.address).sort()).toEqual([dana, marcus]);
    const items = await servers.stack.store.listMeetingItems(loopMeetingId);
    expect(items.map((i) => [i.seq, i.text, i.owner])).toEqual([
      [1, 'Send Initech the revised renewal quote', marcus],
      [2, 'Introduce Marcus to the Globex VP of Operations', dana],
    ]);
    expect(log).toContain(`smtp: mail received: ingested (meeting ${loopMeetingId})`);
    expect(log.join('\n')).not.toContain(dana);
  });

  it('the wrap-up schedule fires on the wall clock and sends a wrap-up to each attendee', async () => {
    // Act
    const { toMarcus, toDana } = await loopWrapups();

    // Assess
    expect(toMarcus.to).toEqual([marcus]);
    expect(toDana.to).toEqual([dana]);
    expect((await parse(toMarcus)).text).toMatch(
      /1\. Send Initech the revised renewal quote[\s\S]*2\. Introduce Marcus to the Globex VP of Operations/,
    );
    expect(servers.stack.scheduler.list().find((s) => s.name === `wrapup-${loopMeetingId}`)?.state).toBe('done');
    expect((await servers.stack.store.getMeeting(loopMeetingId))?.wrapupSentAt).not.toBeNull();
  });

  it("the wrap-up's Done links lead to this server, and opening one changes nothing", async () => {
    // Prepare
    const { toMarcus } = await loopWrapups();
    const links = [...((await parse(toMarcus)).text ?? '').matchAll(/Done: (\S+)/g)].map((m) => m[1] ?? '');
    expect(links).toHaveLength(2);
    expect(links.every((link) => link.startsWith(`${servers.url}/a/`))).toBe(true);

    // Act
    const response = await fetch(links[1] ?? '');

    // Assess
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Introduce Marcus to the Globex VP of Operations');
    expect((await servers.stack.store.getItem(loopMeetingId, 2))?.status).toBe('open');
  });

  it('a reply "done 1" over SMTP marks item 1 done and sends a confirmation', async () => {
    // Prepare
    const { toMarcus } = await loopWrapups();
    const wrapup = await parse(toMarcus);

    // Act
    await send(reply(marcus, 'Marcus Reid', wrapup, 'done 1\r\n\r\nThanks!\r\nMarcus', 'serve-reply-1'), marcus);

    // Assess
    const confirmation = await eventually('the confirmation', async () =>
      mailTo('confirmation', marcus)(await outbox()),
    );
    const text = (await parse(confirmation)).text ?? '';
    expect(text).toMatch(/Send Initech the revised renewal quote[\s\S]*marked done/);
    expect((await servers.stack.store.getItem(loopMeetingId, 1))?.status).toBe('done');
    expect((await servers.stack.store.getItem(loopMeetingId, 2))?.status).toBe('open');
  });

  it('the webhook takes valid notes: 202 with the meeting id, the meeting stored', async () => {
    // Act
    const response = await postNotes(JSON.stringify(webhookNotes('hooli-2026-11-24')));

    // Assess
    expect(response.status).toBe(202);
    const body = (await response.json()) as { outcome: string; meetingId: string; items: number };
    expect(body).toMatchObject({ outcome: 'ingested', items: 2 });
    const items = await servers.stack.store.listMeetingItems(body.meetingId);
    expect(items.map((i) => i.text)).toEqual(['Send the Hooli pilot summary', 'Book the QBR room']);
  });

  it('the webhook stores notes sent twice with the same id once: the second is a duplicate', async () => {
    // Prepare
    const notes = JSON.stringify(webhookNotes('hooli-twice'));
    const first = (await (await postNotes(notes)).json()) as { meetingId: string };
    const meetings = await meetingCount();

    // Act
    const second = await postNotes(notes);

    // Assess
    expect(second.status).toBe(202);
    expect(await second.json()).toMatchObject({ outcome: 'duplicate', meetingId: first.meetingId });
    expect(await meetingCount()).toBe(meetings);
  });

  it('[R2] the webhook answers a replayed delivery with 200 and stores nothing more', async () => {
    // Prepare
    const notes = JSON.stringify(webhookNotes('hooli-replayed'));
    const first = (await (await postNotes(notes, { id: 'msg_replayed_1' })).json()) as { meetingId: string };
    const meetings = await meetingCount();

    // Act
    const replay = await postNotes(notes, { id: 'msg_replayed_1' });

    // Assess
    expect(replay.status).toBe(200);
    expect(await replay.json()).toEqual({ outcome: 'replay', meetingId: first.meetingId });
    expect(await meetingCount()).toBe(meetings);
  });

  it.each([
    [
      'unsigned',
      (body: string): RequestInit => ({ method: 'POST', headers: { 'Content-Type': 'application/json' }, body }),
    ],
    ['signed with another secret', (body: string) => signedPost(`whsec_${randomBytes(32).toString('base64')}`, body)],
    [
      'signed 6 minutes ago',
      (body: string) => signedPost(servers.stack.config.webhookSecret, body, { at: new Date(Date.now() - 360_000) }),
    ],
  ])('[R1] the webhook refuses notes %s with a 401 naming the header, and stores nothing', async (_name, request) => {
    // Prepare
    const meetings = await meetingCount();

    // Act
    const response = await fetch(
      `${servers.url}/webhooks/notes`,
      request(JSON.stringify(webhookNotes(`hooli-${randomUUID()}`))),
    );

    // Assess
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ field: expect.stringMatching(/^webhook-/) });
    expect(await meetingCount()).toBe(meetings);
  });

  it('[R3] the webhook refuses notes without attendees with a 400 naming the field, and stores nothing', async () => {
    // Prepare
    const { attendees: _, ...notes } = webhookNotes('hooli-no-attendees');
    const meetings = await meetingCount();

    // Act
    const response = await postNotes(JSON.stringify(notes));

    // Assess
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string; field: string };
    expect(body.field).toBe('attendees');
    expect(body.error).toMatch(/^attendees: /);
    expect(await meetingCount()).toBe(meetings);
  });

  it('[R3] the webhook refuses a body that is not declared JSON with a 415, and stores nothing', async () => {
    // Prepare
    const meetings = await meetingCount();

    // Act
    const response = await postNotes(JSON.stringify(webhookNotes('hooli-plain')), { contentType: 'text/plain' });

    // Assess
    expect(response.status).toBe(415);
    expect(await response.json()).toEqual({ error: 'Content-Type must be application/json', field: 'content-type' });
    expect(await meetingCount()).toBe(meetings);
  });

  it('[R3] the webhook refuses a signed body over 1 MB with a 413 naming the body, and stores nothing', async () => {
    // Prepare
    const meetings = await meetingCount();
    const big = JSON.stringify({ ...webhookNotes('hooli-big'), notes: `- Ana: ${'x'.repeat(1024 * 1024)}` });

    // Act
    const response = await postNotes(big);

    // Assess
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ field: 'body' });
    expect(await meetingCount()).toBe(meetings);
  });

  it('GET /outbox lists every mail sent, each linking to its own page', async () => {
    // Prepare
    await loopWrapups();
    const sent = await outbox();

    // Act
    const response = await fetch(`${servers.url}/outbox`);

    // Assess
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain(`${sent.length} emails`);
    for (const entry of sent) expect(html).toContain(`href="${escaped(`/outbox/${basename(entry.file)}`)}"`);
  });

  it('GET /outbox/<name> shows that mail: its subject and its text with the links', async () => {
    // Prepare
    const { toMarcus } = await loopWrapups();
    const text = (await parse(toMarcus)).text ?? '';
    const [, doneLink] = /Done: (\S+)/.exec(text) ?? [];

    // Act
    const response = await fetch(`${servers.url}/outbox/${basename(toMarcus.file)}`);

    // Assess
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain(escaped('Wrap-up: 1:1 Dana / Marcus — Thu 12 Nov'));
    expect(html).toContain(escaped(`Done: ${doneLink}`));
  });

  it('a FOLLOWTHROUGH_BASE_URL set in the environment is where the links lead instead', async () => {
    // Prepare: a second server on its own data dir, as behind a tunnel.
    const dir = await mkdtemp(join(tmpdir(), 'followthrough-serve-base-'));
    process.env[ENV.baseUrl] = 'https://followthrough.tunnel.example';
    const other = await startLocalServers({ dataDir: dir, port: 0, smtpPort: 0, tickMs: 100, log: () => {} });
    try {
      // Act
      const response = await fetch(
        `${other.url}/webhooks/notes`,
        signedPost(other.stack.config.webhookSecret, JSON.stringify(webhookNotes('hooli-tunnel'))),
      );
      expect(response.status).toBe(202);

      // Assess
      const wrapup = await eventually('the wrap-up', async () => (await other.stack.listOutbox())[0]);
      const text = (await PostalMime.parse(await readFile(wrapup.file))).text ?? '';
      expect(text).toMatch(/Done: https:\/\/followthrough\.tunnel\.example\/a\/\S+/);
    } finally {
      delete process.env[ENV.baseUrl];
      await other.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a busy SMTP port fails the start and leaves neither the HTTP port nor the data dir taken', async () => {
    // Prepare: an HTTP port known to be free, and the SMTP port already taken by someone else.
    const dir = await mkdtemp(join(tmpdir(), 'followthrough-serve-busy-'));
    const free = await listen();
    await closeServer(free.server);
    const busy = await listen();
    try {
      // Act
      const start = startLocalServers({ dataDir: dir, port: free.port, smtpPort: busy.port, log: () => {} });

      // Assess
      await expect(start).rejects.toMatchObject({ code: 'EADDRINUSE' });
      const again = await listen(free.port);
      await closeServer(again.server);
      // The store's files are not left locked: the same data dir opens again.
      const retry = await startLocalServers({ dataDir: dir, port: 0, smtpPort: 0, log: () => {} });
      await retry.close();
    } finally {
      await closeServer(busy.server);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
