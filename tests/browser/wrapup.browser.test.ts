import { mkdir, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWrapupView, renderWrapup } from '../../functions/domain/render/wrapup';
import { marcus, pipelineItems, storedItems, weeklyOneOnOne } from '../support/wrapup-fixtures';

const resultsDir = resolve(import.meta.dirname, '../../test-results');

// A pasted tracking link is the longest unbroken word notes carry; it must wrap, not widen the mail.
const longItem = {
  text: 'Reconcile the Initech renewal quote with the pricing in https://crm.acme.example/opportunities/0065e00000AbCdEfGhIjKlMnOpQrStUvWxYz/quotes/revision-7 and send Legal the differences',
  owner: marcus.address,
  due: '2026-11-18',
};
const hostileItem = { text: 'Check the CRM export <img src=x onerror=alert(1)>', owner: null, due: null };
const items = storedItems([...pipelineItems, longItem, hostileItem]);
const mail = renderWrapup(buildWrapupView(weeklyOneOnOne({ itemCount: items.length }), items));
const itemTexts = items.map((item) => item.text);

// In-page code is passed as source text: the project's tsconfig has no DOM lib (and adding one would let
// browser globals type-check in Lambda code), so these run in Chromium unchecked by tsc and return plain data.
const measureWidths = `(() => ({
  scroll: document.documentElement.scrollWidth,
  client: document.documentElement.clientWidth,
  widestRight: Math.max(...[...document.querySelectorAll('body *')].map((el) => el.getBoundingClientRect().right)),
}))()`;

const describeItemTexts = `[...document.querySelectorAll('.ft-item-text')].map((node) => {
  const box = node.getBoundingClientRect();
  const style = getComputedStyle(node);
  return {
    text: node.textContent ?? '',
    visible: box.width > 0 && box.height > 0 && style.visibility === 'visible' && style.display !== 'none',
    inside: box.left >= 0 && box.right <= window.innerWidth,
  };
})`;

// WCAG 2 contrast ratio of each node's text colour against the first opaque background behind it.
const contrastRatios = `[...document.querySelectorAll('.ft-item-text, .ft-flag, .ft-fix-hint')].map((node) => {
  const rgb = (color) => (color.match(/[\\d.]+/g) ?? []).slice(0, 4).map(Number);
  const channel = (value) => {
    const c = value / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  let background = [255, 255, 255];
  for (let el = node; el; el = el.parentElement) {
    const parts = rgb(getComputedStyle(el).backgroundColor);
    if (parts.length === 3 || parts[3] > 0) {
      background = parts;
      break;
    }
  }
  const [light, dark] = [luminance(rgb(getComputedStyle(node).color)), luminance(background)].sort((a, b) => b - a);
  return (light + 0.05) / (dark + 0.05);
})`;

let browser: Browser;

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
  await mkdir(resultsDir, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
});

async function open(width: number, html = mail.html): Promise<{ page: Page; requests: string[] }> {
  const page = await browser.newPage({ viewport: { width, height: 800 } });
  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  await page.setContent(html, { waitUntil: 'load' });
  return { page, requests };
}

describe.each([375, 1024])('the wrap-up at %i px', (width) => {
  it('fits the viewport without horizontal scrolling', async () => {
    // Prepare
    const { page } = await open(width);

    // Act
    const widths = await page.evaluate<{ scroll: number; client: number; widestRight: number }>(measureWidths);

    // Assess
    expect(widths.scroll).toBeLessThanOrEqual(widths.client);
    expect(widths.widestRight).toBeLessThanOrEqual(width);
    await page.close();
  });

  it('shows the text of every item inside the viewport', async () => {
    // Prepare
    const { page } = await open(width);

    // Act
    const shown = await page.evaluate<{ text: string; visible: boolean; inside: boolean }[]>(describeItemTexts);

    // Assess
    expect(shown.map((item) => item.text)).toEqual(itemTexts);
    expect(shown.every((item) => item.visible && item.inside)).toBe(true);
    await page.close();
  });

  it('shows a flag on each item that lacks an owner or a date', async () => {
    // Prepare
    const { page } = await open(width);

    // Act
    const flags = page.locator('.ft-flag');

    // Assess
    await expect
      .poll(() => flags.allTextContents())
      .toEqual(['needs a date', 'needs an owner', 'owner not at the 1:1', 'needs an owner', 'needs a date']);
    for (const flag of await flags.all()) expect(await flag.isVisible()).toBe(true);
    await page.close();
  });

  it('keeps item text and flags at WCAG AA contrast against their background', async () => {
    // Prepare
    const { page } = await open(width);

    // Act
    const ratios = await page.evaluate<number[]>(contrastRatios);

    // Assess
    expect(ratios.length).toBe(itemTexts.length + 5 + 1);
    expect(Math.min(...ratios)).toBeGreaterThanOrEqual(4.5);
    await page.close();
  });

  it('shows hostile item text as text, without creating an element from it', async () => {
    // Prepare
    const { page } = await open(width);

    // Act
    const images = await page.locator('img').count();
    const hostileShown = await page.getByText('Check the CRM export <img src=x onerror=alert(1)>').isVisible();

    // Assess
    expect(images).toBe(0);
    expect(hostileShown).toBe(true);
    await page.close();
  });

  it('loads nothing from the network', async () => {
    // Prepare
    const { page, requests } = await open(width);

    // Act
    await page.waitForLoadState('networkidle');

    // Assess
    expect(requests).toEqual([]);
    await page.close();
  });

  it(`writes a full-page screenshot to test-results/wrapup-${width}.png`, async () => {
    // Prepare
    const { page } = await open(width);
    const path = resolve(resultsDir, `wrapup-${width}.png`);

    // Act
    await page.screenshot({ path, fullPage: true });

    // Assess
    const png = await readFile(path);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    await page.close();
  });
});

describe('the wrap-up without items at 375 px', () => {
  it('shows the no-items sentence and no item list', async () => {
    // Prepare
    const empty = renderWrapup(buildWrapupView(weeklyOneOnOne({ itemCount: 0 }), []));
    const { page } = await open(375, empty.html);

    // Act
    const note = page.locator('.ft-no-items');
    const listed = await page.locator('.ft-item').count();

    // Assess
    expect(await note.isVisible()).toBe(true);
    expect(await note.textContent()).toBe(
      'No action items were found in these notes. The original notes were kept as they were sent.',
    );
    expect(listed).toBe(0);
    await page.close();
  });
});
