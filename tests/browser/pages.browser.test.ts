import { mkdir, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHttpServer } from '../../functions/adapters/local/http-server';
import { FakeApp, failures, marcusItem } from '../support/fake-app';

const artifactsDir = resolve(import.meta.dirname, '../artifacts');

// A pasted link is the longest unbroken word notes carry; it must wrap, not widen the page.
const longItem = {
  text: 'Reconcile the Initech renewal quote with https://crm.acme.example/opportunities/0065e00000AbCdEfGhIjKlMnOpQrStUvWxYz/quotes/revision-7 and send Legal the differences',
  owner: 'Marcus Reid',
  due: 'Wed 18 Nov',
  meetingName: '1:1 Dana / Marcus — Thu 12 Nov',
};

// Shaped like the wrap-up: a 600px table layout, a <style> block, inline styles, and what the page's policy
// must keep out (a remote image, a script). The real templates are tested on their own in wrapup.browser.test.ts.
function mailHtml(origin: string, token: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Wrap-up</title><style>.ft-item-text { overflow-wrap: anywhere; } @media (max-width: 480px) { .pad { padding: 0 16px !important; } }</style>
</head><body style="margin:0;background:#f3f4f6">
<div style="max-width:600px;margin:0 auto;background:#ffffff">
<table role="presentation" width="100%" style="border-collapse:collapse"><tr><td class="pad" style="padding:0 24px;font:16px/24px Arial,sans-serif;color:#1f2933">
<h1 style="font-size:22px">Wrap-up: 1:1 Dana / Marcus — Thu 12 Nov</h1>
<p class="ft-item-text">1. ${marcusItem.text}</p>
<p class="ft-item-text">2. Check the CRM export &lt;img src=x onerror=alert(1)&gt;</p>
<p><a class="ft-done" href="${origin}/a/${token}" style="color:#2f5d8a">Done</a></p>
<img src="https://tracker.example/pixel.gif" width="1" height="1" alt="">
<script>document.body.dataset.scripted = 'yes'</script>
</td></tr></table></div></body></html>`;
}

// In-page code is passed as source text: the project's tsconfig has no DOM lib, so these run in Chromium
// unchecked by tsc and return plain data.
const measureWidths = `(() => ({
  scroll: document.documentElement.scrollWidth,
  client: document.documentElement.clientWidth,
  widestRight: Math.max(...[...document.querySelectorAll('body *')].map((el) => el.getBoundingClientRect().right)),
}))()`;

const buttonHeights = `[...document.querySelectorAll('button')].map((button) => button.getBoundingClientRect().height)`;

let browser: Browser;
let server: { url: string; close(): Promise<void> };
let app: FakeApp;

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  await mkdir(artifactsDir, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
});

beforeEach(async () => {
  app = new FakeApp();
  server = await startHttpServer(app, { port: 0 });
  return () => server.close();
});

interface Opened {
  page: Page;
  /** Every URL the page asked for. */
  requests: string[];
  /**
   * The URLs the Content-Security-Policy stopped before they left the browser. Chromium sometimes reports such a
   * request as made and then failed ('csp'), sometimes not at all, so "no remote request" means every foreign URL
   * asked for is here: one that failed for any other reason (no DNS here) would have gone out.
   */
  blockedByCsp: string[];
  /** Console errors, which is where Chromium reports what the Content-Security-Policy blocked. */
  consoleErrors: string[];
}

async function open(width: number, path: string): Promise<Opened & { status: number }> {
  const page = await browser.newPage({ viewport: { width, height: 800 } });
  const requests: string[] = [];
  const consoleErrors: string[] = [];
  const blockedByCsp: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('requestfailed', (request) => {
    if (request.failure()?.errorText === 'csp') blockedByCsp.push(request.url());
  });
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  const response = await page.goto(`${server.url}${path}`);
  return { page, requests, blockedByCsp, consoleErrors, status: response?.status() ?? 0 };
}

async function expectFits(page: Page, width: number): Promise<void> {
  const widths = await page.evaluate<{ scroll: number; client: number; widestRight: number }>(measureWidths);
  expect(widths.scroll).toBeLessThanOrEqual(widths.client);
  expect(widths.widestRight).toBeLessThanOrEqual(width);
}

async function screenshot(page: Page, name: string, width: number): Promise<void> {
  const path = resolve(artifactsDir, `page-${name}-${width}.png`);
  await page.screenshot({ path, fullPage: true });
  const png = await readFile(path);
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
}

describe.each([375, 1024])('the pages at %i px', (width) => {
  it('the confirm page changes nothing until its button is pressed, then shows the result', async () => {
    // Prepare
    const item = app.addItem('item1');
    const { page } = await open(width, `/a/${item.done}`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Mark this item done?');
    expect(item.state()).toBe('open');
    await expectFits(page, width);
    await screenshot(page, 'confirm', width);

    // Act
    await page.getByRole('button', { name: 'Mark done' }).click();

    // Assess
    await expect.poll(() => page.locator('h1').textContent()).toBe(`Done: ${marcusItem.text}`);
    expect(item.state()).toBe('done');
    expect(page.url()).toBe(`${server.url}/a/${item.done}`);
    await expectFits(page, width);
    await screenshot(page, 'result', width);
    await page.close();
  });

  it('the Undo button on the result page reopens the item', async () => {
    // Prepare
    const item = app.addItem('item1');
    const { page } = await open(width, `/a/${item.drop}`);
    await page.getByRole('button', { name: 'Drop item' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe(`Dropped: ${marcusItem.text}`);

    // Act
    await page.getByRole('button', { name: 'Undo' }).click();

    // Assess
    await expect.poll(() => page.locator('h1').textContent()).toBe(`Open again: ${marcusItem.text}`);
    expect(item.state()).toBe('open');
    await expectFits(page, width);
    await screenshot(page, 'undone', width);
    await page.close();
  });

  it('a confirm page pressed after the item was already changed says nothing changed and offers no Undo', async () => {
    // Prepare: the page is open in one tab while the other attendee snoozes the item from their own email.
    const item = app.addItem('item1');
    const { page } = await open(width, `/a/${item.snooze}`);
    await app.applyAction(item.snooze);

    // Act
    await page.getByRole('button', { name: 'Snooze 1 week' }).click();

    // Assess
    await expect.poll(() => page.locator('h1').textContent()).toBe('Already snoozed — nothing changed');
    expect(await page.getByRole('button').count()).toBe(0);
    await screenshot(page, 'already', width);
    await page.close();
  });

  it('a link opened again after the change shows that it is done, with no button', async () => {
    // Prepare
    const item = app.addItem('item1');
    await app.applyAction(item.done);

    // Act
    const { page } = await open(width, `/a/${item.done}`);

    // Assess
    expect(await page.locator('h1').textContent()).toBe('Already done — nothing changed');
    expect(await page.getByRole('button').count()).toBe(0);
    await page.close();
  });

  it('buttons are at least 44 px tall', async () => {
    // Prepare
    const item = app.addItem('item1');
    const { page } = await open(width, `/a/${item.snooze}`);
    const heights = [...(await page.evaluate<number[]>(buttonHeights))];
    await page.getByRole('button', { name: 'Snooze 1 week' }).click();
    await page.getByRole('button', { name: 'Undo' }).waitFor();

    // Act
    heights.push(...(await page.evaluate<number[]>(buttonHeights)));

    // Assess
    expect(heights).toHaveLength(2);
    expect(Math.min(...heights)).toBeGreaterThanOrEqual(44);
    await page.close();
  });

  it('a long item text wraps inside the page', async () => {
    // Prepare
    const item = app.addItem('long', longItem);

    // Act
    const { page } = await open(width, `/a/${item.done}`);

    // Assess
    await expectFits(page, width);
    await screenshot(page, 'confirm-long', width);
    await page.close();
  });

  it.each([
    ['expired', 410],
    ['not-yours', 403],
  ] as const)('a %s link shows its error page with status %i', async (kind, status) => {
    // Prepare
    app.addFailure(`bad-${kind}`, failures[kind]);

    // Act
    const opened = await open(width, `/a/bad-${kind}`);

    // Assess
    expect(opened.status).toBe(status);
    expect(await opened.page.locator('h1').textContent()).toBe(failures[kind].title);
    expect(await opened.page.getByText(failures[kind].message).isVisible()).toBe(true);
    await expectFits(opened.page, width);
    await screenshot(opened.page, `error-${status}`, width);
    await opened.page.close();
  });

  it('a form on another site cannot post to an action link', async () => {
    // Prepare: a page that is not ours, holding a stolen link.
    const item = app.addItem('item1');
    const page = await browser.newPage({ viewport: { width, height: 800 } });
    await page.setContent(
      `<form method="post" action="${server.url}/a/${item.done}"><button>Win a prize</button></form>`,
    );

    // Act
    const [response] = await Promise.all([page.waitForNavigation(), page.getByRole('button').click()]);

    // Assess
    expect(response?.status()).toBe(403);
    expect(item.state()).toBe('open');
    await page.close();
  });

  it('the index page explains the webhook and links to the outbox', async () => {
    // Act
    const { page, consoleErrors } = await open(width, '/');

    // Assess
    expect(await page.locator('pre').textContent()).toMatch(/^npx followthrough post notes\.json \\\n/);
    expect(await page.locator('pre').textContent()).toContain(`  --url ${server.url}/webhooks/notes`);
    expect(await page.getByRole('link', { name: 'See the outbox' }).isVisible()).toBe(true);
    expect(consoleErrors).toEqual([]);
    await expectFits(page, width);
    await screenshot(page, 'index', width);
    await page.close();
  });

  it('the outbox lists messages newest first and opens one', async () => {
    // Prepare
    const item = app.addItem('item1');
    app.addMessage(
      {
        to: ['dana.whitfield@acme.example', 'marcus.reid@acme.example'],
        subject: 'Wrap-up: 1:1 Dana / Marcus — Thu 12 Nov',
        kind: 'wrapup',
        file: '/data/outbox/20261113T090000000Z-wrapup-1a2b3c4d.eml',
        sentAt: '2026-11-13T09:00:00.000Z',
      },
      {
        html: mailHtml(server.url, item.done),
        text: `Wrap-up: 1:1 Dana / Marcus — Thu 12 Nov\n\n1. ${marcusItem.text}\n   Done: ${server.url}/a/${item.done}\n`,
      },
    );
    app.addMessage(
      {
        to: ['marcus.reid@acme.example'],
        subject: 'Your open items this week',
        kind: 'weekly',
        file: '/data/outbox/20261116T080000000Z-weekly-5e6f7a8b.eml',
        sentAt: '2026-11-16T08:00:00.000Z',
      },
      { html: null, text: 'weekly' },
    );
    const { page } = await open(width, '/outbox');
    expect(await page.locator('.messages a').allTextContents()).toEqual([
      'Your open items this week',
      'Wrap-up: 1:1 Dana / Marcus — Thu 12 Nov',
    ]);
    await expectFits(page, width);
    await screenshot(page, 'outbox', width);

    // Act
    await page.getByRole('link', { name: 'Wrap-up: 1:1 Dana / Marcus — Thu 12 Nov' }).click();

    // Assess
    await expect.poll(() => page.locator('h1').textContent()).toBe('Wrap-up: 1:1 Dana / Marcus — Thu 12 Nov');
    expect(await page.locator('pre').textContent()).toContain(`Done: ${server.url}/a/${item.done}`);
    await page.close();
  });

  it('the message page renders the HTML part in its frame, without scripts or remote images', async () => {
    // Prepare
    const item = app.addItem('item1');
    app.addMessage(
      {
        to: ['dana.whitfield@acme.example', 'marcus.reid@acme.example'],
        subject: 'Wrap-up: 1:1 Dana / Marcus — Thu 12 Nov',
        kind: 'wrapup',
        file: '/data/outbox/20261113T090000000Z-wrapup-1a2b3c4d.eml',
        sentAt: '2026-11-13T09:00:00.000Z',
      },
      { html: mailHtml(server.url, item.done), text: 'Wrap-up' },
    );

    // Act
    const { page, requests, blockedByCsp, consoleErrors } = await open(
      width,
      '/outbox/20261113T090000000Z-wrapup-1a2b3c4d.eml',
    );

    // Assess
    const frame = page.frameLocator('iframe');
    await expect
      .poll(() => frame.locator('.ft-item-text').allTextContents())
      .toEqual([`1. ${marcusItem.text}`, '2. Check the CRM export <img src=x onerror=alert(1)>']);
    expect(await frame.locator('.ft-item-text').first().isVisible()).toBe(true);
    const box = await frame.locator('h1').boundingBox();
    expect(box?.height ?? 0).toBeGreaterThan(0);
    expect(await frame.locator('body').getAttribute('data-scripted')).toBeNull();
    // The frame's own loads are not all visible as network events, but Chromium reports each one to the console:
    // the tracking pixel is refused by the page's img-src, and nothing went out to fail on its own.
    await expect
      .poll(() =>
        consoleErrors.some((e) => e.includes("'https://tracker.example/pixel.gif' violates") && e.includes('img-src')),
      )
      .toBe(true);
    expect(consoleErrors.filter((e) => e.includes('Failed to load resource'))).toEqual([]);
    expect(requests.filter((url) => !url.startsWith(server.url) && !blockedByCsp.includes(url))).toEqual([]);
    await expectFits(page, width);
    await screenshot(page, 'message', width);
    await page.close();
  });

  it('a Done link in the framed message opens the confirm page in the whole tab', async () => {
    // Prepare
    const item = app.addItem('item1');
    app.addMessage(
      {
        to: ['marcus.reid@acme.example'],
        subject: 'Wrap-up',
        kind: 'wrapup',
        file: '/data/outbox/20261113T090000000Z-wrapup-1a2b3c4d.eml',
        sentAt: '2026-11-13T09:00:00.000Z',
      },
      { html: mailHtml(server.url, item.done), text: null },
    );
    const { page } = await open(width, '/outbox/20261113T090000000Z-wrapup-1a2b3c4d.eml');

    // Act
    await page.frameLocator('iframe').getByRole('link', { name: 'Done' }).click();

    // Assess
    await expect.poll(() => page.url()).toBe(`${server.url}/a/${item.done}`);
    await page.getByRole('button', { name: 'Mark done' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe(`Done: ${marcusItem.text}`);
    expect(item.state()).toBe('done');
    await page.close();
  });

  it('an unknown outbox message shows a 404 page', async () => {
    // Act
    const opened = await open(width, '/outbox/20991231T000000000Z-wrapup-00000000.eml');

    // Assess
    expect(opened.status).toBe(404);
    expect(await opened.page.locator('h1').textContent()).toBe('Nothing here');
    await screenshot(opened.page, 'error-404', width);
    await opened.page.close();
  });
});
