import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTransport } from 'nodemailer';
import { type Browser, chromium, type Page } from 'playwright-core';
import PostalMime from 'postal-mime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxEntry } from '../../functions/adapters/local/outbox-mailer';
import { ENV } from '../../functions/config/env';
import { type LinkAction, parseSigningKeys, signLink } from '../../functions/domain/links/token';
import { startLocalServers } from '../../functions/serve';
import { meetingIdOf } from '../../functions/use-cases/ingest-email';
import { fixtureBytes } from '../support/fixtures';

const artifactsDir = resolve(import.meta.dirname, '../artifacts');

const dana = 'dana.whitfield@acme-sales.example';
const marcus = 'marcus.reid@acme-sales.example';
const priya = 'priya.natarajan@acme-sales.example';
const meetingId = meetingIdOf('<20261112205012.1001.loop@mail.acme-sales.example>');
const item1 = 'Send Initech the revised renewal quote';
const item2 = 'Introduce Marcus to the Globex VP of Operations';

// In-page code is passed as source text: the project's tsconfig has no DOM lib.
const measureWidths = `(() => ({
  scroll: document.documentElement.scrollWidth,
  client: document.documentElement.clientWidth,
  widestRight: Math.max(...[...document.querySelectorAll('body *')].map((el) => el.getBoundingClientRect().right)),
}))()`;

type Servers = Awaited<ReturnType<typeof startLocalServers>>;

const saved = { delay: process.env[ENV.wrapupDelayMinutes], baseUrl: process.env[ENV.baseUrl] };
let browser: Browser;
let servers: Servers;
let data: string;

beforeAll(async () => {
  // The wrap-up goes out at once instead of half an hour after the notes; with no base URL set, the links in the
  // mails lead to the server's own port.
  process.env[ENV.wrapupDelayMinutes] = '0';
  delete process.env[ENV.baseUrl];
  data = await mkdtemp(join(tmpdir(), 'followthrough-link-flow-'));
  [browser, servers] = await Promise.all([
    chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    }),
    startLocalServers({ dataDir: data, port: 0, smtpPort: 0, tickMs: 100, log: () => {} }),
  ]);
  await mkdir(artifactsDir, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
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

/** Polls the outbox until a mail of that kind to that person is there (the schedules tick every 100 ms). */
async function mailTo(kind: string, to: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const entry = (await servers.stack.listOutbox()).find((m: OutboxEntry) => m.kind === kind && m.to.includes(to));
    if (entry !== undefined) return (await PostalMime.parse(await readFile(entry.file))).text ?? '';
    if (Date.now() > deadline) throw new Error(`No ${kind} to ${to} in the outbox after 10 s`);
    await new Promise((done) => setTimeout(done, 100));
  }
}

/** The link labelled `label` under the item whose text is `item`, in a mail's text part. */
function linkIn(text: string, item: string, label: string): string {
  const block = text.slice(text.indexOf(item)).split(/\n\s*\n/, 1)[0] ?? '';
  const link = new RegExp(`^\\s*${label}: (\\S+)$`, 'm').exec(block)?.[1];
  if (link === undefined) throw new Error(`No "${label}" link under "${item}" in:\n${text}`);
  return link;
}

const item = (seq: number) => servers.stack.store.getItem(meetingId, seq);

/** A link signed with the data dir's own key, as the mails' links are. */
async function signed(claims: { action: LinkAction; seq: number; recipient: string; expiresAt: number }) {
  const { linkKeys } = JSON.parse(await readFile(join(data, 'secrets.json'), 'utf8')) as { linkKeys: string };
  const [key] = parseSigningKeys(linkKeys);
  if (key === undefined) throw new Error('the data dir has no link key');
  return `${servers.url}/a/${signLink({ ...claims, meetingId }, key)}`;
}

const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;

async function open(url: string): Promise<{ page: Page; status: number }> {
  const page = await browser.newPage({ viewport: { width: 375, height: 800 } });
  const response = await page.goto(url);
  return { page, status: response?.status() ?? 0 };
}

const headline = (page: Page) => page.locator('h1').textContent();

/** Checks that nothing overflows at 375 and 1024 px, and keeps a screenshot at each width. */
async function capture(page: Page, step: string): Promise<void> {
  for (const width of [375, 1024]) {
    await page.setViewportSize({ width, height: 800 });
    const widths = await page.evaluate<{ scroll: number; client: number; widestRight: number }>(measureWidths);
    expect(widths.scroll, `${step} at ${width} px`).toBeLessThanOrEqual(widths.client);
    expect(widths.widestRight, `${step} at ${width} px`).toBeLessThanOrEqual(width);
    await page.screenshot({ path: resolve(artifactsDir, `flow-${step}-${width}.png`), fullPage: true });
  }
}

/**
 * The links of real mails, in a browser, against `followthrough serve`: the loop's first notes go in over SMTP,
 * the wrap-up comes out of the outbox, and its links are followed as a recipient would. The steps run in order
 * on one data dir, each starting from the state the one before left.
 */
describe('the action links of the mails, followed in Chromium', () => {
  let done1: string;
  /** The result page of step 2, where step 3 presses Undo. */
  let resultPage: Page;

  beforeAll(async () => {
    const transport = createTransport({ host: '127.0.0.1', port: servers.smtpPort, secure: false, ignoreTLS: true });
    await transport.sendMail({
      envelope: { from: dana, to: ['notes@followthrough.example'] },
      raw: Buffer.from(fixtureBytes('loop/01-dana-marcus-nov12.eml')),
    });
    transport.close();
    done1 = linkIn(await mailTo('wrapup', marcus), item1, 'Done');
  });

  it("1. the wrap-up's Done link opens a confirm page that shows the item and changes nothing", async () => {
    // Prepare
    const before = await item(1);
    expect(done1.startsWith(`${servers.url}/a/`)).toBe(true);

    // Act
    const { page, status } = await open(done1);

    // Assess
    expect(status).toBe(200);
    expect(await headline(page)).toBe('Mark this item done?');
    expect(await page.getByText(item1).isVisible()).toBe(true);
    expect(await item(1)).toEqual(before);
    expect(before?.status).toBe('open');
    await capture(page, 'confirm');
    await page.close();
  });

  it('2. pressing Mark done marks the item done', async () => {
    // Prepare
    const { page } = await open(done1);

    // Act
    await page.getByRole('button', { name: 'Mark done' }).click();

    // Assess
    await expect.poll(() => headline(page)).toBe(`Done: ${item1}`);
    expect(await item(1)).toMatchObject({ status: 'done', lastChange: { action: 'done', by: marcus } });
    expect((await item(2))?.status).toBe('open');
    await capture(page, 'done');
    resultPage = page;
  });

  it('3. Undo on the result page opens the item again', async () => {
    // Prepare: the page step 2 left, as the person who pressed Mark done sees it.
    const page = resultPage;

    // Act
    await page.getByRole('button', { name: 'Undo' }).click();

    // Assess
    await expect.poll(() => headline(page)).toBe(`Open again: ${item1}`);
    expect(await item(1)).toMatchObject({ status: 'open', lastChange: null });
    await capture(page, 'undone');
    await page.close();
  });

  it('4. a link whose signature was changed shows a 400 page in plain words and changes nothing', async () => {
    // Prepare: one character of the signature flipped, as a mail app mangling the link might.
    const before = await item(1);
    const at = done1.indexOf('.', done1.indexOf('/a/')) + 5;
    const tampered = `${done1.slice(0, at)}${done1[at] === 'A' ? 'B' : 'A'}${done1.slice(at + 1)}`;

    // Act
    const { page, status } = await open(tampered);

    // Assess
    expect(status).toBe(400);
    expect(await headline(page)).toBe('This link does not work');
    expect(await page.getByText('Open it from the email again.').isVisible()).toBe(true);
    expect(await page.getByRole('button').count()).toBe(0);
    expect(await item(1)).toEqual(before);
    await capture(page, 'tampered');
    await page.close();
  });

  it('5. an expired link shows a 410 page and changes nothing', async () => {
    // Prepare
    const before = await item(1);
    const expired = await signed({
      action: 'done',
      seq: 1,
      recipient: marcus,
      expiresAt: Math.floor(Date.now() / 1000) - 60,
    });

    // Act
    const { page, status } = await open(expired);

    // Assess
    expect(status).toBe(410);
    expect(await headline(page)).toBe('This link has expired');
    expect(await page.getByText('The next digest carries fresh ones.').isVisible()).toBe(true);
    expect(await item(1)).toEqual(before);
    await capture(page, 'expired');
    await page.close();
  });

  it('6. a link signed for someone who was not at the 1:1 shows a 403 page and changes nothing', async () => {
    // Prepare
    const before = await item(1);
    const notAttendee = await signed({ action: 'done', seq: 1, recipient: priya, expiresAt: inAnHour() });

    // Act
    const { page, status } = await open(notAttendee);

    // Assess
    expect(status).toBe(403);
    expect(await headline(page)).toBe('This link is not yours to use');
    expect(await page.getByRole('button').count()).toBe(0);
    expect(await item(1)).toEqual(before);
    await capture(page, 'not-attendee');
    await page.close();
  });

  it("7. the Drop link of Marcus's weekly mail drops his item", async () => {
    // Prepare: the mail Monday's weekly schedule sends, fired through the same handler.
    await servers.stack.runScheduledJob({ kind: 'weekly', person: marcus });
    const drop = linkIn(await mailTo('weekly', marcus), item1, 'Drop');
    const { page } = await open(drop);
    expect(await headline(page)).toBe('Drop this item?');
    expect((await item(1))?.status).toBe('open');
    await capture(page, 'drop-confirm');

    // Act
    await page.getByRole('button', { name: 'Drop item' }).click();

    // Assess
    await expect.poll(() => headline(page)).toBe(`Dropped: ${item1}`);
    expect(await item(1)).toMatchObject({ status: 'dropped', lastChange: { action: 'drop', by: marcus } });
    await capture(page, 'dropped');
    await page.close();
  });

  it("8. the Snooze link of Dana's weekly mail snoozes her item for a week", async () => {
    // Prepare
    await servers.stack.runScheduledJob({ kind: 'weekly', person: dana });
    const snooze = linkIn(await mailTo('weekly', dana), item2, 'Snooze 1 week');
    const { page } = await open(snooze);
    expect(await headline(page)).toBe('Snooze this item for a week?');

    // Act
    await page.getByRole('button', { name: 'Snooze 1 week' }).click();

    // Assess
    await expect.poll(() => headline(page)).toBe(`Snoozed for a week: ${item2}`);
    // A week from today as the meeting's people count days: the notes were written at UTC−5.
    const today = new Date(Date.now() - 5 * 3_600_000);
    const weekOn = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + 7));
    expect(await item(2)).toMatchObject({
      status: 'open',
      snoozedUntil: weekOn.toISOString().slice(0, 10),
      lastChange: { action: 'snooze', by: dana },
    });
    await capture(page, 'snoozed');
    await page.close();
  });
});
