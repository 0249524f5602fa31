import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import PostalMime, { type Email } from 'postal-mime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer } from '../../functions/adapters/local/http-server';
import { ENV } from '../../functions/config/env';
import type { Person, StoredItem } from '../../functions/domain/model';
import { renderConfirmationMail } from '../../functions/domain/render/confirmation';
import { renderDigestMail } from '../../functions/domain/render/digest';
import type { RenderedMail } from '../../functions/domain/render/inputs';
import {
  confirmPage,
  errorPage,
  indexPage,
  outboxMessagePage,
  outboxPage,
  resultPage,
} from '../../functions/domain/render/pages';
import { renderRollupMail } from '../../functions/domain/render/rollup';
import { renderWeeklyMail } from '../../functions/domain/render/weekly';
import { renderWrapupMail } from '../../functions/domain/render/wrapup';
import { ingestWebhookNotes } from '../../functions/use-cases/ingest-webhook';
import { openLocalStack } from '../../functions/wiring';
import { confirmationHtml } from '../../templates/compiled/confirmation';
import { digestHtml } from '../../templates/compiled/digest';
import { rollupHtml } from '../../templates/compiled/rollup';
import { weeklyHtml } from '../../templates/compiled/weekly';
import { wrapupHtml } from '../../templates/compiled/wrapup';
import { fixtureBytes } from '../support/fixtures';
import { danaDigest, danaRollup, danaWeekly, linkFor, marcusConfirmation } from '../support/mail-fixtures';
import { storedItems, weeklyOneOnOne } from '../support/wrapup-fixtures';

/*
 * [R13] Every payload of tests/fixtures/xss-payloads.txt goes where people's words go — the item text of real notes
 * (by email, and by webhook as text, Markdown and HTML), attendees' display names, subjects, reply lines — and every
 * mail and page that shows them is opened in Chromium. A payload that runs calls window.__pwned(n) or alert(n);
 * neither may happen, and the DOM may hold no element our templates do not write, no on* attribute, and no
 * href/src/action whose scheme is not http or https.
 *
 * mailto: is not allowed either: nothing we send or serve needs one, and one written from notes would open a
 * message, addressed and worded by whoever wrote the notes, from inside a mail people trust.
 */

const payloads = readFileSync(join(import.meta.dirname, '../fixtures/xss-payloads.txt'), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '' && !line.startsWith('# '));

const dana = 'dana.whitfield@acme-sales.example';
const marcus = 'marcus.reid@acme-sales.example';
const hostileSubject = '1:1 <script>__pwned(1)</script> {{{title}}} "><img src=x onerror=__pwned(2)>';
// First names stay readable, so that "Marcus:" in the notes still finds Marcus; the rest of each name is hostile.
const danaName = 'Dana "><img src=x onerror=__pwned(2)> Whitfield';
const marcusName = "Marcus <svg onload=__pwned(3)> '-alert(12)-' Reid";

/**
 * Four words of its own per line: the extractor merges items that share most of their words (a recap says each task
 * twice), and the payloads share "script", "pwned", "onerror"…
 */
const tagOf = (index: number): string =>
  ['kilo', 'lima', 'mike', 'oscar']
    .map(
      (word) => `${word}${String.fromCharCode(97 + (index % 26))}${String.fromCharCode(97 + Math.floor(index / 26))}`,
    )
    .join(' ');

const notesLines = payloads.map((payload, index) => `- Marcus: check ${tagOf(index)} ${payload} by Friday`);

function hostileNotes(): Uint8Array {
  const quote = (name: string) => `"${name.replace(/["\\]/g, '\\$&')}"`;
  return new TextEncoder().encode(
    [
      `From: ${quote(danaName)} <${dana}>`,
      `To: ${quote(marcusName)} <${marcus}>`,
      'Cc: notes@followthrough.example',
      `Subject: ${hostileSubject}`,
      'Date: Thu, 12 Nov 2026 15:50:12 -0500',
      'Message-ID: <xss-notes-1@mail.acme-sales.example>',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset="utf-8"',
      'Content-Transfer-Encoding: 8bit',
      '',
      'Action items',
      ...notesLines,
      '',
      'Next 1:1 Thu 11/19.',
      '',
      'Dana',
      '',
    ].join('\r\n'),
  );
}

/** Marcus answers his wrap-up: one command, then every payload as a line the parser will not understand. */
function hostileReply(wrapup: Email): Uint8Array {
  return new TextEncoder().encode(
    [
      `From: ${JSON.stringify(marcusName)} <${marcus}>`,
      'To: followthrough <notes@followthrough.example>',
      `Subject: Re: ${wrapup.subject}`,
      'Date: Thu, 12 Nov 2026 17:40:00 -0500',
      'Message-ID: <xss-reply-1@mail.acme-sales.example>',
      `In-Reply-To: ${wrapup.messageId}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset="utf-8"',
      '',
      'done 1',
      ...payloads,
      '',
    ].join('\r\n'),
  );
}

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** The same notes as a tool would post them; HTML both escaped (the payload is text) and raw (it is markup). */
function webhookBody(format: 'text' | 'markdown' | 'html', id: string): Uint8Array {
  const notes =
    format === 'html'
      ? `<h2>Action items</h2><ul>${payloads
          .map((payload, index) => `<li>Marcus: check ${tagOf(index)} ${escapeHtml(payload)} by Friday</li>`)
          .join('')}</ul><p>Also: ${payloads.join(' ')}</p>`
      : format === 'markdown'
        ? `## Action items\n\n${notesLines.join('\n')}\n\n**Links:** [notes](https://docs.acme.example/1on1) ${payloads
            .filter((payload) => payload.startsWith('['))
            .join(' ')}\n`
        : `Action items\n${notesLines.join('\n')}\n`;
  return new TextEncoder().encode(
    JSON.stringify({
      id,
      subject: `${format} ${hostileSubject}`,
      date: '2026-11-12',
      timeZone: 'America/New_York',
      attendees: [
        { email: dana, name: danaName },
        { email: marcus, name: marcusName },
      ],
      notes,
      format,
    }),
  );
}

/*
 * What a document must not hold, looked at by Chromium's own parser: an element no template of ours writes, an on*
 * attribute, an href/src/action (and the like) that resolves to any scheme but http or https, a style, meta, base,
 * title or link outside the head, a meta refresh or a base href. In-page code is passed as source text: the
 * project's tsconfig has no DOM lib, so this runs in Chromium unchecked by tsc and returns plain data.
 */
const inspector = `(doc) => {
  const urlAttributes = new Set(['href', 'src', 'action', 'formaction', 'xlink:href', 'background', 'poster', 'data',
    'srcset', 'ping', 'cite', 'longdesc', 'codebase', 'manifest', 'lowsrc', 'dynsrc', 'icon', 'classid', 'archive']);
  const handlers = [];
  const urls = [];
  const misplaced = [];
  const tags = new Set();
  for (const el of doc.querySelectorAll('*')) {
    tags.add(el.localName);
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      if (name.startsWith('on')) handlers.push(el.localName + ' ' + name);
      if (urlAttributes.has(name)) {
        let scheme;
        try {
          scheme = new URL(attr.value.trim(), doc.baseURI).protocol;
        } catch {
          scheme = 'unreadable';
        }
        if (scheme !== 'http:' && scheme !== 'https:') urls.push(el.localName + ' ' + name + '=' + attr.value);
      }
    }
    if (['style', 'meta', 'base', 'title', 'link'].includes(el.localName) && !el.closest('head')) {
      misplaced.push(el.localName + ' in the body');
    }
    if (el.localName === 'meta' && /refresh/i.test(el.getAttribute('http-equiv') ?? '')) misplaced.push('meta refresh');
    if (el.localName === 'base' && el.hasAttribute('href')) misplaced.push('base href');
  }
  return { handlers, urls, misplaced, tags: [...tags], text: (doc.body?.textContent ?? '').replace(/\\s+/g, ' ') };
}`;

/** The page's document (or a frame's), as it stands after loading. */
const inspectDocument = `(${inspector})(document)`;

/** Documents given as HTML, parsed (inert: nothing runs) the way Chromium would load them, with any srcdoc frame. */
const inspectParsed = (
  docs: { label: string; html: string }[],
): string => `(${JSON.stringify(docs)}).map(({ label, html }) => {
  const inspect = ${inspector};
  const doc = new DOMParser().parseFromString(html, 'text/html');
  const frames = [...doc.querySelectorAll('iframe[srcdoc]')].map((frame) =>
    inspect(new DOMParser().parseFromString(frame.getAttribute('srcdoc'), 'text/html')),
  );
  return { label, main: inspect(doc), frames };
})`;

interface DocumentReport {
  handlers: string[];
  urls: string[];
  misplaced: string[];
  tags: string[];
  text: string;
}

/** What went wrong in one mail or page; every list empty means it is safe. */
interface Verdict {
  label: string;
  /** Payload numbers that called __pwned. */
  ran: number[];
  dialogs: string[];
  handlers: string[];
  urls: string[];
  /** Elements our templates never write: they came from the data. */
  strayTags: string[];
  misplaced: string[];
  /** Requests a mail made at all, or a page made to anywhere but our server. */
  requests: string[];
}

const withoutComments = (html: string): string => html.replace(/<!--[\s\S]*?-->/g, '');
const tagsIn = (...htmls: string[]): Set<string> =>
  new Set(
    htmls.flatMap((html) =>
      [...withoutComments(html).matchAll(/<([a-z][a-z0-9]*)\b/gi)].map((match) => (match[1] ?? '').toLowerCase()),
    ),
  );
// The parser adds these to any document; every other element must come from a template.
const implied = ['html', 'head', 'body', 'tbody'];
const mailTags = new Set([...implied, ...tagsIn(wrapupHtml, digestHtml, weeklyHtml, rollupHtml, confirmationHtml)]);
const benignItem = {
  text: 'Send the quote',
  owner: 'Marcus Reid',
  due: 'Fri 13 Nov',
  meetingName: '1:1 Dana / Marcus',
};
const pageTags = new Set([
  ...implied,
  ...tagsIn(
    confirmPage({ action: 'done', item: benignItem, formAction: '/a/x' }),
    resultPage({ state: 'applied', action: 'done', item: benignItem, undoAction: '/a/x/undo' }),
    errorPage({ status: 404, title: 'Nothing here', message: 'No page.' }),
    indexPage({ origin: 'http://127.0.0.1:1' }),
    outboxPage({ messages: [{ sentAt: '', kind: 'wrapup', to: [dana], subject: 'Hi', href: '/outbox/a.eml' }] }),
    outboxMessagePage({
      file: 'a.eml',
      sentAt: '',
      kind: 'wrapup',
      to: [dana],
      subject: 'Hi',
      html: '<p>x</p>',
      text: 'x',
    }),
  ),
]);
// A mail shown in the outbox page's frame carries the <base target="_top"> the page adds.
const framedMailTags = new Set([...mailTags, 'base']);

let browser: Browser;
let page: Page;
let ran: number[] = [];
let dialogs: string[] = [];
let requests: string[] = [];

function verdictFrom(label: string, reports: { report: DocumentReport; allowed: Set<string> }[]): Verdict {
  const verdict: Verdict = {
    label,
    ran: [],
    dialogs: [],
    handlers: [],
    urls: [],
    strayTags: [],
    misplaced: [],
    requests: [],
  };
  for (const { report, allowed } of reports) {
    verdict.handlers.push(...report.handlers);
    verdict.urls.push(...report.urls);
    verdict.misplaced.push(...report.misplaced);
    verdict.strayTags.push(...report.tags.filter((tag) => !allowed.has(tag)));
  }
  return verdict;
}

/** Inspects what the page loaded — every frame — and what ran or asked for something while it did. */
async function verdictOfPage(label: string, main: Set<string>, origin: string | null) {
  // Long enough for what fires after load without a click: autofocus, meta refresh, animation events, timers.
  await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 10)))');
  const reports: { report: DocumentReport; allowed: Set<string> }[] = [];
  for (const frame of page.frames()) {
    reports.push({
      report: await frame.evaluate<DocumentReport>(inspectDocument),
      allowed: frame === page.mainFrame() ? main : framedMailTags,
    });
  }
  const verdict = {
    ...verdictFrom(label, reports),
    ran,
    dialogs,
    requests: requests.filter((url) => origin === null || !url.startsWith(`${origin}/`)),
  };
  ran = [];
  dialogs = [];
  requests = [];
  return { verdict, text: reports.map(({ report }) => report.text).join(' ') };
}

/** Opens a mail's HTML as a mail client would (no server, no Content-Security-Policy) and inspects it. */
async function openMail(label: string, html: string) {
  await page.setContent(html, { waitUntil: 'load' });
  return verdictOfPage(label, mailTags, null);
}

/** Opens one of our pages from the local server, with the headers it really sends. */
async function openPage(label: string, url: string) {
  const response = await page.goto(url, { waitUntil: 'load' });
  return { ...(await verdictOfPage(label, pageTags, new URL(url).origin)), status: response?.status() ?? 0 };
}

/** Many pages at once, parsed but not run (the page must be on our origin, so that relative links resolve). */
async function parsePages(docs: { label: string; html: string }[]): Promise<Verdict[]> {
  const parsed = await page.evaluate<{ label: string; main: DocumentReport; frames: DocumentReport[] }[]>(
    inspectParsed(docs),
  );
  return parsed.map(({ label, main, frames }) =>
    verdictFrom(label, [
      { report: main, allowed: pageTags },
      ...frames.map((report) => ({ report, allowed: framedMailTags })),
    ]),
  );
}

const isClean = (verdict: Verdict): boolean =>
  [
    verdict.ran,
    verdict.dialogs,
    verdict.handlers,
    verdict.urls,
    verdict.strayTags,
    verdict.misplaced,
    verdict.requests,
  ].every((list) => list.length === 0);

const collapse = (text: string): string => text.replace(/\s+/g, ' ').trim();
// What Mustache would write for these characters; a text part is never HTML, so none may appear there unless typed.
const entities = ['&lt;', '&gt;', '&quot;', '&#39;', '&#x27;', '&#x2F;', '&#x3D;', '&#x60;', '&amp;'];
const strayEntities = (text: string, typed: string): string[] =>
  entities.filter((entity) => text.includes(entity) && !typed.includes(entity));

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
  const context = await browser.newContext();
  // In every frame of every page: the hook the payloads call, reported back here with the payload's number.
  await context.exposeFunction('__pwned', (n: unknown) => {
    ran.push(Number(n));
  });
  page = await context.newPage();
  page.on('dialog', (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('request', (request) => {
    requests.push(request.url());
  });
});

afterAll(async () => {
  await browser?.close();
});

describe('[R13] the payload list', () => {
  it('[R13] holds at least 30 payloads, each calling the hook with its own number', () => {
    expect(payloads.length).toBeGreaterThanOrEqual(30);
    payloads.forEach((payload, index) => {
      expect(payload, `payload ${index + 1}`).toMatch(new RegExp(`(?<![0-9])${index + 1}(?![0-9])`));
    });
  });
});

describe('[R13] payloads rendered straight into every kind of mail', () => {
  /*
   * One mail of each kind holds every payload, in every place a mail shows people's words: item text, display
   * names (one attendee, report or counterpart per payload, and one name of all of them, which is cut to the
   * header length), the notes' subject, an owner as the notes wrote them, the words a date was read from, agenda
   * topics, reply lines. One document per kind rather than per payload: a payload that escaped its text would leave
   * an element, an attribute or a request behind whatever the others did, and the inspection looks for those.
   */
  const everything = payloads.join(' ');
  const people: Person[] = payloads.map((payload, index) => ({
    address: `person${index}@acme.example`,
    name: payload,
  }));
  const hostileDana: Person = { address: 'dana.whitfield@acme.example', name: everything };
  const hostileMarcus: Person = { address: 'marcus.reid@acme.example', name: `Marcus ${everything}` };
  const digest = danaDigest();
  const weekly = danaWeekly();
  const rollup = danaRollup();
  const confirmation = marcusConfirmation();
  const [template] = digest.open;
  if (template === undefined) throw new Error('the digest fixture lists no open item');
  const listed = payloads.map((payload, index) => ({
    ...template,
    number: index + 1,
    item: { ...template.item, seq: index + 1, text: payload },
    counterpart: people[index] ?? null,
  }));
  const kinds: { kind: string; mail: RenderedMail }[] = [
    {
      kind: 'wrapup',
      mail: renderWrapupMail({
        meeting: weeklyOneOnOne({
          subject: everything,
          attendees: [hostileMarcus, hostileDana, ...people],
          author: hostileDana,
        }),
        items: storedItems(
          payloads.flatMap((payload) => [
            { text: payload, owner: hostileMarcus.address, due: '2026-11-13' },
            { text: payload, owner: 'Priya', due: null, flags: ['owner-not-attendee'] },
          ]),
        ).map(
          (item, index): StoredItem => ({
            ...item,
            ownerName: item.owner === 'Priya' ? (payloads[Math.floor(index / 2)] ?? null) : null,
            dueSource: payloads[Math.floor(index / 2)] ?? null,
          }),
        ),
        links: linkFor,
      }),
    },
    {
      kind: 'digest',
      mail: renderDigestMail({
        ...digest,
        series: { ...digest.series, members: [hostileDana, hostileMarcus, ...people], author: hostileDana },
        recipient: hostileDana,
        open: listed,
        agenda: listed.map((entry) => ({ ...entry, item: { ...entry.item, section: 'agenda' as const } })),
        growth: listed.map((entry) => ({ ...entry, item: { ...entry.item, section: 'growth' as const } })),
        topics: payloads,
      }),
    },
    { kind: 'weekly', mail: renderWeeklyMail({ ...weekly, person: hostileDana, items: listed }) },
    {
      kind: 'rollup',
      mail: renderRollupMail({
        ...rollup,
        manager: hostileDana,
        reports: payloads.map((payload, index) => ({
          report: people[index] ?? hostileMarcus,
          seriesId: `ser_${index}`,
          open: 1,
          overdue: 1,
          stalled: 0,
          oldest: { text: payload, due: '2026-11-10', meetingDate: '2026-11-05' },
        })),
      }),
    },
    {
      kind: 'confirmation',
      mail: renderConfirmationMail({
        ...confirmation,
        to: hostileDana,
        about: everything,
        applied: payloads.map((payload, index) => ({ number: index + 1, text: payload, change: 'marked done' })),
        refused: payloads.map((payload) => ({ line: payload, reason: 'There is no item 99 in that email.' })),
        notUnderstood: payloads,
      }),
    },
  ];

  it.each(kinds)(
    '[R13] the $kind runs no payload, fires no handler and links only to http(s)',
    async ({ kind, mail }) => {
      const { verdict } = await openMail(`the ${kind}`, mail.html);

      expect(verdict).toEqual({
        ...verdict,
        ran: [],
        dialogs: [],
        handlers: [],
        urls: [],
        strayTags: [],
        misplaced: [],
        requests: [],
      });
    },
  );

  it.each(kinds)(
    '[R13] the $kind shows every payload as the text it is, in its HTML and its text part',
    async ({ kind, mail }) => {
      const { text } = await openMail(`the ${kind}`, mail.html);

      expect(payloads.filter((payload) => !text.includes(collapse(payload)))).toEqual([]);
      expect(payloads.filter((payload) => !mail.text.includes(collapse(payload)))).toEqual([]);
      expect(strayEntities(mail.text, everything)).toEqual([]);
    },
  );
});

describe('[R13] hostile notes through the local stack, its outbox and its pages', () => {
  let data: string;
  let stack: Awaited<ReturnType<typeof openLocalStack>>;
  let server: { url: string; close(): Promise<void> };
  /** Every mail the loop sent, parsed. */
  let sent: { kind: string; to: string[]; subject: string; sentAt: string; file: string; email: Email }[];
  let meetingId: string;

  const meetingOf = (email: Email) => email.headers.find((h) => h.key === 'x-followthrough-meeting')?.value;
  /** Marcus's wrap-up of the mailed notes (the webhook's notes have wrap-ups of their own). */
  const marcusWrapup = () =>
    sent.find((m) => m.kind === 'wrapup' && m.to.includes(marcus) && meetingOf(m.email) === meetingId);
  /** The paths of the Done links in Marcus's wrap-up, in the order of the items' numbers. */
  const donePaths = () =>
    [...(marcusWrapup()?.email.text ?? '').matchAll(/Done: http:\/\/127\.0\.0\.1:8787(\/a\/\S+)/g)].map(
      (match) => match[1] ?? '',
    );
  const tick = async (to: string) => {
    stack.clock.set(new Date(to));
    await stack.scheduler.runDue(stack.clock.now(), stack.runScheduledJob);
  };
  const fetchPage = async (path: string, method: 'GET' | 'POST' = 'GET') =>
    (await fetch(`${server.url}${path}`, { method })).text();

  beforeAll(async () => {
    data = await mkdtemp(join(tmpdir(), 'followthrough-xss-'));
    stack = await openLocalStack(data, { [ENV.baseUrl]: 'http://127.0.0.1:8787' });
    stack.clock.set(new Date('2026-11-12T21:00:00Z'));
    const notes = await stack.ingestEmail(hostileNotes());
    if (notes.outcome !== 'ingested') throw new Error(`the hostile notes were ${notes.outcome}`);
    meetingId = notes.meeting.id;
    for (const format of ['text', 'markdown', 'html'] as const) {
      await ingestWebhookNotes(stack.deps, webhookBody(format, `xss-${format}`));
    }
    await tick('2026-11-12T21:31:00Z');
    const wrapups = await Promise.all(
      (await stack.listOutbox())
        .filter((entry) => entry.kind === 'wrapup' && entry.to.includes(marcus))
        .map(async (entry) => PostalMime.parse(await readFile(entry.file))),
    );
    const wrapup = wrapups.find((email) => meetingOf(email) === meetingId);
    if (wrapup === undefined) throw new Error('no wrap-up of the mailed notes to Marcus');
    stack.clock.set(new Date('2026-11-12T22:40:00Z'));
    await stack.ingestEmail(hostileReply(wrapup));
    // Dana's second series makes her a manager, who gets the roll-up.
    stack.clock.set(new Date('2026-11-17T16:10:00Z'));
    await stack.ingestEmail(fixtureBytes('loop/02-dana-priya-nov17.eml'));
    await tick('2026-11-19T13:00:00Z');
    await tick('2026-11-23T13:00:00Z');
    sent = await Promise.all(
      (await stack.listOutbox()).map(async (entry) => ({
        ...entry,
        email: await PostalMime.parse(await readFile(entry.file)),
      })),
    );
    server = await startHttpServer(stack.app, { port: 0 });
  });

  afterAll(async () => {
    await server?.close();
    await stack?.close();
    await rm(data, { recursive: true, force: true });
  });

  it('[R13] sends every kind of mail from the hostile notes', () => {
    const kinds = new Set(sent.filter((m) => m.to.includes(marcus)).map((m) => m.kind));

    expect([...kinds].sort()).toEqual(['confirmation', 'digest', 'weekly', 'wrapup']);
    expect(sent.some((m) => m.kind === 'rollup' && m.to.includes(dana))).toBe(true);
    // The mailed notes and the three posted to the webhook.
    expect(sent.filter((m) => m.kind === 'wrapup' && m.to.includes(marcus))).toHaveLength(4);
  });

  it('[R13] reads the payloads as text from webhook notes in text, Markdown and HTML', () => {
    const fromWebhook = (format: string) =>
      sent.find((m) => m.kind === 'wrapup' && m.to.includes(marcus) && m.email.text?.includes(`“${format} 1:1`));

    for (const format of ['text', 'markdown', 'html']) {
      const text = fromWebhook(format)?.email.text ?? '';
      expect(text, format).toContain('<script>__pwned(1)</script>');
      expect(text, format).toContain('<img src=x onerror=__pwned(2)>');
    }
  });

  it('[R13] runs no payload and links only to http(s) in any mail of the outbox', async () => {
    const unsafe: Verdict[] = [];
    for (const mail of sent) {
      const { verdict } = await openMail(`the ${mail.kind} to ${mail.to.join(', ')}`, mail.email.html ?? '');
      if (!isClean(verdict)) unsafe.push(verdict);
    }

    expect(sent.length).toBeGreaterThanOrEqual(14);
    expect(unsafe).toEqual([]);
  });

  it("[R13] shows each item's text, as stored, in the wrap-up's HTML and text part", async () => {
    const items = await stack.store.listMeetingItems(meetingId);
    const wrapup = marcusWrapup();
    await page.setContent(wrapup?.email.html ?? '', { waitUntil: 'load' });

    const shown = await page.locator('.ft-item-text').allTextContents();

    expect(items).toHaveLength(payloads.length);
    expect(shown.sort()).toEqual(items.map((item) => item.text).sort());
    for (const item of items) expect(wrapup?.email.text).toContain(`${item.seq}. ${item.text}\n`);
    expect(strayEntities(wrapup?.email.text ?? '', payloads.join(' '))).toEqual([]);
  });

  it('[R13] echoes the reply lines it did not understand as text in the confirmation', async () => {
    const confirmation = sent.find((m) => m.kind === 'confirmation');
    await page.setContent(confirmation?.email.html ?? '', { waitUntil: 'load' });

    const echoed = await page.locator('.ft-reply-line').allTextContents();

    // The reply parser echoes at most ten lines; the mails rendered straight above hold every payload.
    expect(echoed).toEqual(payloads.slice(0, 10).map(collapse));
    for (const line of echoed) expect(confirmation?.email.text).toContain(`> ${line}\n`);
  });

  it('[R13] keeps the payloads in names and subjects out of the header lines', () => {
    const wrapup = marcusWrapup();

    expect(wrapup?.email.subject).toMatch(/^Wrap-up: 1:1 Dana \/ Marcus — Thu 12 Nov \[ft-[a-z2-7]+\]$/);
    expect(wrapup?.email.to).toEqual([{ address: marcus, name: collapse(marcusName) }]);
    expect(wrapup?.email.text).toContain(`From the notes “${collapse(hostileSubject)}”`);
  });

  it('[R13] writes no element, handler or link from the notes on the confirm, result and undo page of any item', async () => {
    const pages: { label: string; html: string }[] = [];
    for (const [index, path] of donePaths().entries()) {
      // GET shows the confirm page; the POSTs are its button and the result page's Undo (a POST without an Origin,
      // as a mail client's own, is let through: the token in the path is what counts).
      pages.push({ label: `confirm page ${index + 1}`, html: await fetchPage(path) });
      pages.push({ label: `result page ${index + 1}`, html: await fetchPage(path, 'POST') });
      pages.push({ label: `undo page ${index + 1}`, html: await fetchPage(`${path}/undo`, 'POST') });
    }
    await page.goto(`${server.url}/`);

    const unsafe = (await parsePages(pages)).filter((verdict) => !isClean(verdict));

    expect(pages).toHaveLength(3 * payloads.length);
    expect(unsafe).toEqual([]);
  });

  it('[R13] shows each item’s text on its confirm page', async () => {
    const items = await stack.store.listMeetingItems(meetingId);
    const confirms = await Promise.all(donePaths().map(async (path) => ({ label: path, html: await fetchPage(path) })));
    await page.goto(`${server.url}/`);

    const parsed = await page.evaluate<{ main: DocumentReport }[]>(inspectParsed(confirms));

    const shown = parsed.map(({ main }) => main.text);
    expect(shown).toHaveLength(items.length);
    expect(items.filter((item) => !shown.some((text) => text.includes(collapse(item.text))))).toEqual([]);
  });

  it('[R13] runs no payload while a confirm page loads, posts and undoes, for items that attack each context', async () => {
    const paths = donePaths();
    const unsafe: Verdict[] = [];
    const steps: string[] = [];

    // Markup, an attribute breakout, a meta refresh, autofocus and a comment breakout (item 1 was closed by the reply).
    for (const number of [2, 10, 26, 29, 45]) {
      const confirm = await openPage(`confirm page ${number}`, `${server.url}${paths[number - 1]}`);
      if (!isClean(confirm.verdict)) unsafe.push(confirm.verdict);
      for (const step of ['result', 'undo']) {
        await Promise.all([page.waitForNavigation(), page.getByRole('button').click()]);
        const { verdict } = await verdictOfPage(`${step} page ${number}`, pageTags, server.url);
        if (!isClean(verdict)) unsafe.push(verdict);
        steps.push(`${number} ${step}: ${await page.locator('.status').textContent()}`);
      }
    }

    expect(steps).toEqual([2, 10, 26, 29, 45].flatMap((n) => [`${n} result: Saved`, `${n} undo: Undone`]));
    expect(unsafe).toEqual([]);
  });

  it('[R13] writes no element, handler or link from the notes on the outbox page or any message page, or in its frame', async () => {
    // The message pages as the server writes them (it reads each .eml as these were read); a few of them are loaded
    // from the server below, where re-reading the whole outbox for each would only make this slow.
    const pages = [
      { label: 'the outbox', html: await fetchPage('/outbox') },
      ...sent.map((mail) => ({
        label: `the ${mail.kind} message page for ${mail.to.join(', ')}`,
        html: outboxMessagePage({
          file: basename(mail.file),
          sentAt: mail.sentAt,
          kind: mail.kind,
          to: mail.to,
          subject: mail.subject,
          html: mail.email.html ?? null,
          text: mail.email.text ?? null,
        }),
      })),
    ];
    await page.goto(`${server.url}/`);

    const verdicts = await parsePages(pages);

    expect(verdicts).toHaveLength(sent.length + 1);
    expect(verdicts.filter((verdict) => !isClean(verdict))).toEqual([]);
  });

  it('[R13] runs no payload while the outbox page and a message page of each kind load', async () => {
    const unsafe: Verdict[] = [];
    const list = await openPage('the outbox', `${server.url}/outbox`);
    if (!isClean(list.verdict)) unsafe.push(list.verdict);
    const kinds = new Map<string, string>();
    for (const row of await page.locator('.messages li').all()) {
      const kind = (await row.locator('.kind').textContent()) ?? '';
      const href = await row.locator('a').getAttribute('href');
      if (!kinds.has(kind) && href !== null) kinds.set(kind, href);
    }

    for (const [kind, href] of kinds) {
      const message = await openPage(`the ${kind} message page`, `${server.url}${href}`);
      if (!isClean(message.verdict)) unsafe.push(message.verdict);
    }

    expect([...kinds.keys()].sort()).toEqual(['confirmation', 'digest', 'rollup', 'weekly', 'wrapup']);
    expect(unsafe).toEqual([]);
  });

  it('[R13] runs no payload on the error pages', async () => {
    const unsafe: Verdict[] = [];
    const paths = [
      `/${encodeURIComponent(payloads[0] ?? '')}`,
      `/a/${encodeURIComponent(payloads[1] ?? '')}`,
      `/a/${'x'.repeat(40)}`,
      `/outbox/${encodeURIComponent('<script>__pwned(1)</script>.eml')}`,
    ];
    const statuses: number[] = [];

    for (const path of paths) {
      const opened = await openPage(`error page ${path}`, `${server.url}${path}`);
      statuses.push(opened.status);
      if (!isClean(opened.verdict)) unsafe.push(opened.verdict);
    }

    expect(statuses.every((status) => status >= 400 && status < 500)).toBe(true);
    expect(unsafe).toEqual([]);
  });
});
