import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import PostalMime from 'postal-mime';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listOutbox, OutboxMailer } from '../../../functions/adapters/local/outbox-mailer';
import { messageIdFor } from '../../../functions/domain/email/message-id';
import type { Clock } from '../../../functions/ports/clock';
import type { OutgoingMail } from '../../../functions/ports/mailer';

class SettableClock implements Clock {
  constructor(private current: Date) {}
  now(): Date {
    return new Date(this.current);
  }
  set(iso: string): void {
    this.current = new Date(iso);
  }
}

const sender = { address: 'notes@acme.example', name: 'followthrough' };
const zoe = { address: 'zoe.ostergaard@acme.example', name: 'Zoë Østergaard' };
const marcus = { address: 'marcus.reid@acme.example', name: 'Marcus Reid' };

function wrapupMail(overrides: Partial<OutgoingMail> = {}): OutgoingMail {
  return {
    kind: 'wrapup',
    from: sender,
    to: [zoe, marcus],
    subject: 'Wrap-up: 1:1 Zoë / Marcus — Thu 12 Nov',
    text: 'Wrap-up: 1:1 Zoë / Marcus — Thu 12 Nov\n\n1. Send the revised MAP to the Globex champion\n',
    html: '<!doctype html><html><body><h1>Wrap-up: 1:1 Zoë / Marcus — Thu 12 Nov</h1></body></html>',
    // A new mail each time, as sendOnce draws one Message-ID per mail.
    messageId: messageIdFor(sender.address, randomUUID()),
    headers: { 'X-Followthrough-Meeting': 'mtg_01JCZOEMARCUS1112' },
    ...overrides,
  };
}

let dir: string;
let clock: SettableClock;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'outbox-'));
  clock = new SettableClock(new Date('2026-11-13T09:00:00.250Z'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('OutboxMailer', () => {
  it('writes a message that parses back with its text and HTML parts', async () => {
    // Prepare
    const mailer = new OutboxMailer({ dir, clock });

    // Act
    const sent = await mailer.send(wrapupMail());

    // Assess
    const email = await PostalMime.parse(await readFile(sent.location));
    // The wire form has CRLF line ends and a line break before each boundary; the content itself is unchanged.
    expect(email.text?.replace(/\r\n/g, '\n').trimEnd()).toBe(
      'Wrap-up: 1:1 Zoë / Marcus — Thu 12 Nov\n\n1. Send the revised MAP to the Globex champion',
    );
    expect(email.html?.trimEnd()).toBe(
      '<!doctype html><html><body><h1>Wrap-up: 1:1 Zoë / Marcus — Thu 12 Nov</h1></body></html>',
    );
  });

  it('addresses the message to every recipient and keeps a non-ASCII subject intact', async () => {
    // Prepare
    const mailer = new OutboxMailer({ dir, clock });

    // Act
    const sent = await mailer.send(wrapupMail());

    // Assess
    const email = await PostalMime.parse(await readFile(sent.location));
    expect(email.to).toEqual([
      { name: 'Zoë Østergaard', address: 'zoe.ostergaard@acme.example' },
      { name: 'Marcus Reid', address: 'marcus.reid@acme.example' },
    ]);
    expect(email.subject).toBe('Wrap-up: 1:1 Zoë / Marcus — Thu 12 Nov');
  });

  it('puts the text part before the HTML part in a multipart/alternative body, with CRLF line ends', async () => {
    // Prepare
    const mailer = new OutboxMailer({ dir, clock });

    // Act
    const sent = await mailer.send(wrapupMail());

    // Assess
    const raw = await readFile(sent.location, 'latin1');
    expect(raw).toMatch(/^Content-Type: multipart\/alternative;/m);
    expect(raw.indexOf('Content-Type: text/plain; charset=utf-8')).toBeGreaterThan(0);
    expect(raw.indexOf('Content-Type: text/plain; charset=utf-8')).toBeLessThan(raw.indexOf('Content-Type: text/html'));
    expect(raw.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });

  it("stamps the clock's time, the mail's Message-ID and the kind of mail", async () => {
    // Prepare
    const mailer = new OutboxMailer({ dir, clock });
    const messageId = '<5f0c2a1e-7d1b-4c8e-9a53-0c1d2e3f4a5b@acme.example>';

    // Act
    const sent = await mailer.send(wrapupMail({ messageId }));

    // Assess
    const email = await PostalMime.parse(await readFile(sent.location));
    const header = (key: string) => email.headers.find((h) => h.key === key)?.value;
    expect(email.date).toBe('2026-11-13T09:00:00.000Z');
    expect(email.messageId).toBe(messageId);
    expect(sent.messageId).toBe(messageId);
    expect(header('x-followthrough-kind')).toBe('wrapup');
    expect(header('x-followthrough-meeting')).toBe('mtg_01JCZOEMARCUS1112');
  });

  it('names the file by send time, kind and a short hash of the Message-ID', async () => {
    // Prepare
    const mailer = new OutboxMailer({ dir, clock });

    // Act
    const sent = await mailer.send(wrapupMail({ messageId: '<5f0c2a1e-7d1b-4c8e-9a53-0c1d2e3f4a5b@acme.example>' }));

    // Assess
    expect(basename(sent.location)).toMatch(/^20261113T090000250Z-wrapup-[0-9a-f]{16}\.eml$/);
    expect((await readdir(dir)).filter((name) => !name.startsWith('.'))).toEqual([basename(sent.location)]);
  });

  it('[R21] writes a Message-ID once: sending it again returns the first file and writes no second one', async () => {
    // Prepare
    const mailer = new OutboxMailer({ dir, clock });
    const mail = wrapupMail();
    const first = await mailer.send(mail);
    clock.set('2026-11-13T09:05:00.000Z');

    // Act
    const again = await mailer.send({ ...mail, text: 'rendered again, a little later' });

    // Assess
    expect(again).toEqual(first);
    expect((await listOutbox(dir)).map((entry) => entry.file)).toEqual([first.location]);
  });

  it('[R21] writes one file when the same Message-ID is sent twice at once', async () => {
    // Prepare
    const mailer = new OutboxMailer({ dir, clock });
    const mail = wrapupMail();

    // Act
    const [one, two] = await Promise.all([mailer.send(mail), mailer.send(mail)]);

    // Assess
    expect(two).toEqual(one);
    expect(await listOutbox(dir)).toHaveLength(1);
  });

  it("[R21] writes the message a crash left claimed but unnamed under the first send's time, with its bytes", async () => {
    // Prepare
    const mailer = new OutboxMailer({ dir, clock });
    const mail = wrapupMail();
    const first = await mailer.send(mail);
    const firstBytes = await readFile(first.location);
    // The crash fell between the claim (the marker) and the message's own name.
    await rm(first.location);
    clock.set('2026-11-13T09:05:00.000Z');

    // Act
    const again = await mailer.send({ ...mail, text: 'rendered again, a little later' });

    // Assess
    expect(again).toEqual(first);
    expect(await readFile(again.location)).toEqual(firstBytes);
    expect((await listOutbox(dir)).map((entry) => entry.file)).toEqual([first.location]);
  });

  it('[R21] reads the file name a marker of an earlier outbox holds, and writes no second file', async () => {
    // Prepare
    const mailer = new OutboxMailer({ dir, clock });
    const mail = wrapupMail();
    const first = await mailer.send(mail);
    const id = basename(first.location).split('-').at(-1)?.replace('.eml', '') ?? '';
    // Before the markers were the messages themselves, a marker was a small file naming the message's file.
    await rm(join(dir, '.message-ids', id));
    await writeFile(join(dir, '.message-ids', id), basename(first.location));
    clock.set('2026-11-13T09:05:00.000Z');

    // Act
    const again = await mailer.send(mail);

    // Assess
    expect(again).toEqual(first);
    expect((await listOutbox(dir)).map((entry) => entry.file)).toEqual([first.location]);
  });

  it('makes its directories again when the outbox was emptied by hand between two sends', async () => {
    // Prepare
    const mailer = new OutboxMailer({ dir, clock });
    await mailer.send(wrapupMail());
    await rm(dir, { recursive: true, force: true });

    // Act
    const sent = await mailer.send(wrapupMail());

    // Assess
    expect((await listOutbox(dir)).map((entry) => entry.file)).toEqual([sent.location]);
  });

  it('leaves no file aside once a message is written, sent again or not', async () => {
    // Prepare
    const mailer = new OutboxMailer({ dir, clock });
    const mail = wrapupMail();

    // Act
    await mailer.send(mail);
    await mailer.send(mail);

    // Assess
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('keeps a line break in the subject from adding headers', async () => {
    // Prepare
    const mailer = new OutboxMailer({ dir, clock });

    // Act
    const sent = await mailer.send(wrapupMail({ subject: 'Wrap-up\r\nBcc: leak@elsewhere.example' }));

    // Assess
    const email = await PostalMime.parse(await readFile(sent.location));
    expect(email.bcc).toBeUndefined();
    expect(email.headers.some((h) => h.key === 'bcc')).toBe(false);
  });

  it('refuses an extra header whose value spans lines', async () => {
    // Prepare
    const mailer = new OutboxMailer({ dir, clock });
    const mail = wrapupMail({ headers: { 'X-Followthrough-Meeting': 'mtg_1\r\nBcc: leak@elsewhere.example' } });

    // Act
    const sending = mailer.send(mail);

    // Assess
    await expect(sending).rejects.toThrow(/refusing header/);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('listOutbox', () => {
  it('lists the messages oldest first with recipients, subject, kind, file and time', async () => {
    // Prepare
    const mailer = new OutboxMailer({ dir, clock });
    clock.set('2026-11-16T14:00:00.000Z');
    const weekly = await mailer.send(
      wrapupMail({ kind: 'weekly', to: [marcus], subject: 'Your open items — week of 16 Nov' }),
    );
    clock.set('2026-11-13T09:00:00.000Z');
    const wrapup = await mailer.send(wrapupMail());
    clock.set('2026-11-19T08:00:00.000Z');
    const digest = await mailer.send(wrapupMail({ kind: 'digest', subject: 'Before your 1:1 — Thu 19 Nov' }));

    // Act
    const entries = await listOutbox(dir);

    // Assess
    expect(entries).toEqual([
      {
        to: ['zoe.ostergaard@acme.example', 'marcus.reid@acme.example'],
        subject: 'Wrap-up: 1:1 Zoë / Marcus — Thu 12 Nov',
        kind: 'wrapup',
        file: wrapup.location,
        sentAt: '2026-11-13T09:00:00.000Z',
      },
      {
        to: ['marcus.reid@acme.example'],
        subject: 'Your open items — week of 16 Nov',
        kind: 'weekly',
        file: weekly.location,
        sentAt: '2026-11-16T14:00:00.000Z',
      },
      {
        to: ['zoe.ostergaard@acme.example', 'marcus.reid@acme.example'],
        subject: 'Before your 1:1 — Thu 19 Nov',
        kind: 'digest',
        file: digest.location,
        sentAt: '2026-11-19T08:00:00.000Z',
      },
    ]);
  });

  it('orders messages sent within the same second by their milliseconds', async () => {
    // Prepare
    const mailer = new OutboxMailer({ dir, clock });
    clock.set('2026-11-13T09:00:00.900Z');
    const later = await mailer.send(wrapupMail({ kind: 'notice', subject: 'Second' }));
    clock.set('2026-11-13T09:00:00.100Z');
    const earlier = await mailer.send(wrapupMail({ kind: 'confirmation', subject: 'First' }));

    // Act
    const entries = await listOutbox(dir);

    // Assess
    expect(entries.map((entry) => entry.file)).toEqual([earlier.location, later.location]);
  });

  it('returns an empty list when nothing has been sent yet', async () => {
    // Prepare
    const missing = join(dir, 'not-created-yet');

    // Act
    const entries = await listOutbox(missing);

    // Assess
    expect(entries).toEqual([]);
  });
});
