import { mkdir, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredItem } from '../../functions/domain/model';
import { renderConfirmationMail } from '../../functions/domain/render/confirmation';
import { renderDigestMail } from '../../functions/domain/render/digest';
import type { LinkAction, RenderedMail } from '../../functions/domain/render/inputs';
import { renderRollupMail } from '../../functions/domain/render/rollup';
import { renderWeeklyMail } from '../../functions/domain/render/weekly';
import { renderWrapupMail } from '../../functions/domain/render/wrapup';
import { danaDigest, danaRollup, danaWeekly, hostile, linkFor, marcusConfirmation } from '../support/mail-fixtures';
import { marcus, pipelineItems, storedItems, weeklyOneOnOne } from '../support/wrapup-fixtures';

const artifactsDir = resolve(import.meta.dirname, '../artifacts');

// A pasted CRM link is the longest unbroken word notes carry; it must wrap, not widen the mail.
const longItem = {
  text: 'Reconcile the Initech renewal quote with the pricing in https://crm.acme.example/opportunities/0065e00000AbCdEfGhIjKlMnOpQrStUvWxYz/quotes/revision-7 and send Legal the differences',
  owner: marcus.address,
  due: '2026-11-18',
};
const wrapupItems = storedItems([
  ...pipelineItems,
  longItem,
  { text: `Check the CRM export ${hostile}`, owner: null, due: null },
]);
const needsSettling = (item: StoredItem) => item.owner === null || item.due === null || item.flags.length > 0;
const digest = danaDigest();
const weekly = danaWeekly();
const rollup = danaRollup();
const confirmation = marcusConfirmation();

interface ExpectedItem {
  text: string;
  /** The hrefs under the item, in order. */
  links: string[];
}

interface Kind {
  kind: string;
  mail: RenderedMail;
  items: ExpectedItem[];
  /** Links outside any item: the digests' unsubscribe link (RFC 8058's URL), in the footer. */
  footerLinks: string[];
}

const reminderActions: LinkAction[] = ['done', 'drop', 'snooze'];
const kinds: Kind[] = [
  {
    kind: 'wrapup',
    mail: renderWrapupMail({
      meeting: weeklyOneOnOne({ itemCount: wrapupItems.length }),
      items: wrapupItems,
      links: linkFor,
    }),
    // The agreed items first, then the block of those that need an owner or a date.
    items: [...wrapupItems.filter((item) => !needsSettling(item)), ...wrapupItems.filter(needsSettling)].map(
      (item) => ({ text: item.text, links: [linkFor(item, 'done')] }),
    ),
    footerLinks: [],
  },
  {
    kind: 'digest',
    mail: renderDigestMail(digest),
    items: [...digest.open, ...digest.agenda, ...digest.growth].map(({ item }) => ({
      text: item.text,
      links: reminderActions.map((action) => linkFor(item, action)),
    })),
    footerLinks: [digest.unsubscribeUrl],
  },
  {
    kind: 'weekly',
    mail: renderWeeklyMail(weekly),
    items: weekly.items.map(({ item }) => ({
      text: item.text,
      links: reminderActions.map((action) => linkFor(item, action)),
    })),
    footerLinks: [weekly.unsubscribeUrl],
  },
  {
    kind: 'rollup',
    mail: renderRollupMail(rollup),
    items: rollup.reports.flatMap((report) =>
      report.oldest === null ? [] : [{ text: report.oldest.text, links: [] }],
    ),
    footerLinks: [rollup.unsubscribeUrl],
  },
  {
    kind: 'confirmation',
    mail: renderConfirmationMail(confirmation),
    items: confirmation.applied.map((change) => ({ text: change.text, links: [] })),
    footerLinks: [],
  },
];

// In-page code is passed as source text: the project's tsconfig has no DOM lib (and adding one would let
// browser globals type-check in Lambda code), so these run in Chromium unchecked by tsc and return plain data.
const measureWidths = `(() => ({
  scroll: document.documentElement.scrollWidth,
  client: document.documentElement.clientWidth,
  widestRight: Math.max(...[...document.querySelectorAll('body *')].map((el) => el.getBoundingClientRect().right)),
}))()`;

const describeItemTexts = `[...document.querySelectorAll('.ft-item-text')].map((node) => {
  const box = node.getBoundingClientRect();
  return {
    text: node.textContent ?? '',
    visible: box.width > 0 && box.height > 0 && node.checkVisibility({ opacityProperty: true, visibilityProperty: true }),
    inside: box.left >= 0 && box.right <= window.innerWidth,
  };
})`;

// Each link with the item it sits in: the text of the nearest item row (or null for a link outside any item).
const describeLinks = `[...document.querySelectorAll('a')].map((a) => {
  const row = a.closest('.ft-item');
  return { href: a.getAttribute('href'), resolved: a.href, item: row?.querySelector('.ft-item-text')?.textContent ?? null };
})`;

const measureActions = `[...document.querySelectorAll('.ft-action')].map((a) => {
  const box = a.getBoundingClientRect();
  return { top: box.top, bottom: box.bottom, left: box.left, right: box.right, width: box.width, height: box.height };
})`;

// WCAG 2 contrast ratio of every visible piece of text against the first opaque background behind it.
const contrastRatios = `[...document.body.querySelectorAll('*')].filter((node) => {
  const ownText = [...node.childNodes].some((child) => child.nodeType === 3 && child.textContent.trim() !== '');
  const box = node.getBoundingClientRect();
  return ownText && box.width > 0 && box.height > 0 && node.checkVisibility({ opacityProperty: true, visibilityProperty: true });
}).map((node) => {
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
  return { text: node.textContent.trim().slice(0, 40), ratio: (light + 0.05) / (dark + 0.05) };
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
  await mkdir(artifactsDir, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
});

async function open(width: number, html: string): Promise<{ page: Page; requests: string[] }> {
  const page = await browser.newPage({ viewport: { width, height: 800 } });
  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  await page.setContent(html, { waitUntil: 'load' });
  return { page, requests };
}

describe.each(kinds.flatMap((kind) => [375, 1024].map((width) => ({ ...kind, width }))))(
  'the $kind mail at $width px',
  ({ kind, mail, items, footerLinks, width }) => {
    it('fits the viewport without horizontal scrolling', async () => {
      // Prepare
      const { page } = await open(width, mail.html);

      // Act
      const widths = await page.evaluate<{ scroll: number; client: number; widestRight: number }>(measureWidths);

      // Assess
      expect(widths.scroll).toBeLessThanOrEqual(widths.client);
      expect(widths.widestRight).toBeLessThanOrEqual(width);
      await page.close();
    });

    it('shows the text of every item inside the viewport', async () => {
      // Prepare
      const { page } = await open(width, mail.html);

      // Act
      const shown = await page.evaluate<{ text: string; visible: boolean; inside: boolean }[]>(describeItemTexts);

      // Assess
      expect(shown.map((item) => item.text)).toEqual(items.map((item) => item.text));
      expect(shown.filter((item) => !(item.visible && item.inside))).toEqual([]);
      await page.close();
    });

    it("links each item's actions to http(s) addresses for that item, and nothing else but the footer's", async () => {
      // Prepare
      const { page } = await open(width, mail.html);

      // Act
      const links = await page.evaluate<{ href: string; resolved: string; item: string | null }[]>(describeLinks);

      // Assess
      expect(links.every((link) => /^https?:\/\//.test(link.resolved))).toBe(true);
      expect(links.map((link) => ({ item: link.item, href: link.resolved }))).toEqual([
        ...items.flatMap((item) => item.links.map((href) => ({ item: item.text, href }))),
        ...footerLinks.map((href) => ({ item: null, href })),
      ]);
      await page.close();
    });

    it('makes every action button at least 44 px tall and keeps the buttons apart', async () => {
      // Prepare
      const { page } = await open(width, mail.html);

      // Act
      const boxes =
        await page.evaluate<
          { top: number; bottom: number; left: number; right: number; width: number; height: number }[]
        >(measureActions);

      // Assess
      expect(boxes).toHaveLength(items.reduce((sum, item) => sum + item.links.length, 0));
      for (const box of boxes) {
        expect(box.height).toBeGreaterThanOrEqual(44);
        expect(box.width).toBeGreaterThanOrEqual(44);
      }
      const overlapping = boxes.filter((a, i) =>
        boxes.some(
          (b, j) => i !== j && a.left < b.right + 4 && b.left < a.right + 4 && a.top < b.bottom && b.top < a.bottom,
        ),
      );
      expect(overlapping).toEqual([]);
      await page.close();
    });

    it('keeps all text at WCAG AA contrast against its background', async () => {
      // Prepare
      const { page } = await open(width, mail.html);

      // Act
      const ratios = await page.evaluate<{ text: string; ratio: number }[]>(contrastRatios);

      // Assess
      expect(ratios.length).toBeGreaterThan(items.length);
      expect(ratios.filter((entry) => entry.ratio < 4.5)).toEqual([]);
      await page.close();
    });

    it('loads nothing from the network', async () => {
      // Prepare
      const { page, requests } = await open(width, mail.html);

      // Act
      await page.waitForLoadState('networkidle');

      // Assess
      expect(requests).toEqual([]);
      await page.close();
    });

    it(`writes a full-page screenshot to tests/artifacts/${kind}-${width}.png`, async () => {
      // Prepare
      const { page } = await open(width, mail.html);
      const path = resolve(artifactsDir, `${kind}-${width}.png`);

      // Act
      await page.screenshot({ path, fullPage: true });

      // Assess
      const png = await readFile(path);
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
      await page.close();
    });
  },
);

describe('hostile item text in the wrap-up', () => {
  it('is shown as text, without creating an element from it', async () => {
    // Prepare
    const wrapup = kinds.find((kind) => kind.kind === 'wrapup');
    const { page } = await open(375, wrapup?.mail.html ?? '');

    // Act
    const images = await page.locator('img').count();
    const hostileShown = await page.getByText(`Check the CRM export ${hostile}`).isVisible();

    // Assess
    expect(images).toBe(0);
    expect(hostileShown).toBe(true);
    await page.close();
  });
});

describe('the empty states at 375 px', () => {
  it('shows the digest with nothing open as its one clean-slate line and no items', async () => {
    // Prepare
    const empty = renderDigestMail(danaDigest({ open: [], agenda: [], topics: [], growth: [] }));
    const { page } = await open(375, empty.html);

    // Act
    const notices = await page.locator('.ft-notice').allTextContents();
    const listed = await page.locator('.ft-item').count();

    // Assess
    expect(notices).toEqual(['Nothing is open between you and Marcus — a clean slate for Thursday.']);
    expect(listed).toBe(0);
    await page.close();
  });

  it('shows a report with nothing open in the roll-up as a clean slate', async () => {
    // Prepare
    const [first, second] = rollup.reports;
    const reports = [first, second && { ...second, open: 0, oldest: null }].filter((r) => r !== undefined);
    const { page } = await open(375, renderRollupMail(danaRollup({ reports })).html);

    // Act
    const empty = page.locator('.ft-empty');

    // Assess
    expect(await empty.allTextContents()).toEqual(['Nothing open — a clean slate.']);
    expect(await empty.isVisible()).toBe(true);
    await page.close();
  });
});
