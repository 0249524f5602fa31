import Mustache from 'mustache';
import type { OptOutKind } from '../model';
import type { LinkAction } from './inputs';

/**
 * The pages people see in a browser: the confirm and result pages behind the links in every mail, error pages,
 * and the local stack's own index and outbox. Plain HTML with one shared layout, no script: every value goes
 * through Mustache's escaping (`{{ }}`), never `{{{ }}}`, except the page body the layout wraps.
 */

/** An item as the action pages show it, already in words: no addresses-as-keys, no ISO dates. */
export interface PageItem {
  text: string;
  owner: string | null;
  /** "Fri 13 Nov" */
  due: string | null;
  /** "1:1 Dana / Marcus — Thu 12 Nov" */
  meetingName: string;
  /** "Wed 2 Dec" while the item is snoozed; absent or null otherwise. */
  snoozedUntil?: string | null;
}

export interface ConfirmPageInput {
  action: LinkAction;
  item: PageItem;
  /** Where the one button posts: the same signed path the link opened. */
  formAction: string;
}

export type ResultState = 'applied' | 'already' | 'undone';

export interface ResultPageInput {
  state: ResultState;
  action: LinkAction;
  item: PageItem;
  /** Where the Undo button posts; null when the change cannot be undone from here. */
  undoAction: string | null;
}

export interface ErrorPageInput {
  status: number;
  title: string;
  message: string;
}

export interface IndexPageInput {
  /** "http://127.0.0.1:8787": where the example posts to. */
  origin: string;
}

export interface OutboxRow {
  /** ISO instant, or '' when the message had no readable Date. */
  sentAt: string;
  kind: string;
  to: string[];
  subject: string;
  /** The message page's path. */
  href: string;
}

export interface OutboxPageInput {
  /** Newest first. */
  messages: OutboxRow[];
}

export interface OutboxMessagePageInput {
  file: string;
  sentAt: string;
  kind: string;
  to: string[];
  subject: string;
  html: string | null;
  text: string | null;
}

// The emails' palette (#2f5d8a accent, #1f2933 text, #f3f4f6 page) so that a click from a mail lands somewhere
// that looks like the same product. Mobile first: the wide-screen rules only add room.
const styles = `
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0; background: #f3f4f6; color: #1f2933; font-family: -apple-system, BlinkMacSystemFont, 'Segoe UI', Helvetica, Arial, sans-serif; font-size: 16px; line-height: 1.5; }
.brand { max-width: 640px; margin: 0 auto; padding: 20px 16px 8px; font-size: 13px; line-height: 20px; font-weight: 700; letter-spacing: 0.08em; color: #3e4c59; }
.brand a { color: inherit; text-decoration: none; }
main { max-width: 640px; margin: 0 auto 32px; padding: 24px 16px 32px; background: #ffffff; overflow-wrap: anywhere; }
main.wide { max-width: 720px; }
.wide-brand { max-width: 720px; }
h1 { margin: 0 0 16px; font-size: 24px; line-height: 1.3; }
h2 { margin: 32px 0 12px; font-size: 18px; line-height: 1.35; }
p { margin: 0 0 16px; }
a { color: #2f5d8a; }
.lede { color: #3e4c59; }
.status { margin: 0 0 8px; font-size: 13px; font-weight: 700; letter-spacing: 0.06em; text-transform: uppercase; color: #2f5d8a; }
.status.error { color: #9b1c1c; }
.item { margin: 0 0 24px; padding: 16px; border-left: 4px solid #2f5d8a; background: #f5f8fb; }
.item-text { margin: 0 0 8px; font-size: 18px; line-height: 1.4; font-weight: 600; }
.facts { margin: 0; display: grid; grid-template-columns: max-content 1fr; gap: 4px 12px; font-size: 15px; }
.facts dt { color: #52606d; }
.facts dd { margin: 0; }
.missing { color: #52606d; font-style: italic; }
form { margin: 0 0 16px; }
.button { display: block; width: 100%; min-height: 48px; padding: 12px 24px; border: 2px solid #2f5d8a; border-radius: 6px; background: #2f5d8a; color: #ffffff; font: inherit; font-weight: 600; line-height: 20px; cursor: pointer; }
.button.secondary { background: #ffffff; color: #2f5d8a; }
.button:focus-visible { outline: 3px solid #1f2933; outline-offset: 2px; }
.note { font-size: 14px; color: #52606d; }
.messages { margin: 0; padding: 0; list-style: none; }
.messages li { padding: 12px 0; border-top: 1px solid #e4e7eb; }
.messages li:last-child { border-bottom: 1px solid #e4e7eb; }
.messages a { display: block; font-weight: 600; padding: 10px 0; }
.meta { margin: 0; font-size: 14px; color: #52606d; }
.kind { display: inline-block; padding: 0 6px; border-radius: 4px; background: #e6eef6; color: #1f3f5f; font-size: 13px; font-weight: 600; }
pre, code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 14px; }
pre { margin: 0 0 16px; padding: 12px; background: #f5f7fa; border: 1px solid #e4e7eb; border-radius: 4px; white-space: pre-wrap; overflow-wrap: anywhere; }
/* A command is copied, not read: it keeps its lines and scrolls inside its box rather than wrapping. */
pre.command { white-space: pre; overflow-wrap: normal; overflow-x: auto; font-size: 13px; }
/* On a phone the message gets the whole width, as it would in a mail app. */
iframe { display: block; width: calc(100% + 32px); margin: 0 -16px; height: 75vh; min-height: 480px; border: 0; border-top: 1px solid #e4e7eb; border-bottom: 1px solid #e4e7eb; background: #f3f4f6; }
@media (min-width: 600px) {
  .brand { padding: 24px 24px 8px; }
  main { padding: 32px 32px 40px; border-radius: 8px; }
  .button { display: inline-block; width: auto; min-width: 200px; }
  iframe { width: 100%; margin: 0; border: 1px solid #e4e7eb; }
}
`;

// One layout for every page; each page's template is the `body` partial, rendered with the same view.
const layout = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>{{title}} · followthrough</title>
<style>{{{styles}}}</style>
</head>
<body>
<div class="brand{{#wide}} wide-brand{{/wide}}"><a href="/">FOLLOWTHROUGH</a></div>
<main{{#wide}} class="wide"{{/wide}}>
{{>body}}
</main>
</body>
</html>
`;

const itemCard = `<div class="item">
{{#showText}}<p class="item-text">{{item.text}}</p>{{/showText}}
<dl class="facts">
<dt>Owner</dt><dd>{{#item.owner}}{{item.owner}}{{/item.owner}}{{^item.owner}}<span class="missing">nobody yet</span>{{/item.owner}}</dd>
<dt>Due</dt><dd>{{#item.due}}{{item.due}}{{/item.due}}{{^item.due}}<span class="missing">no date</span>{{/item.due}}</dd>
<dt>From</dt><dd>{{item.meetingName}}</dd>
</dl>
</div>`;

const confirmBody = `<h1>{{question}}</h1>
${itemCard}
<p class="lede">{{explanation}}</p>
<form method="post" action="{{formAction}}">
<button class="button" type="submit">{{button}}</button>
</form>
<p class="note">Nothing changes until you press the button.</p>`;

const resultBody = `<p class="status">{{status}}</p>
<h1>{{headline}}</h1>
${itemCard}
<p class="lede">{{explanation}}</p>
{{#undoAction}}<form method="post" action="{{undoAction}}">
<button class="button secondary" type="submit">Undo</button>
</form>{{/undoAction}}`;

const errorBody = `<p class="status error">Error {{status}}</p>
<h1>{{title}}</h1>
<p>{{message}}</p>`;

const indexBody = `<h1>followthrough, running on this machine</h1>
<p>It reads the notes of your 1:1s, keeps the action items, and emails both people. Here nothing leaves this
machine: every email it sends is written to the outbox.</p>
<p><a href="/outbox">See the outbox</a> — every email sent, newest first.</p>
<h2>Send notes from a tool</h2>
<p>POST the notes as JSON to <code>/webhooks/notes</code>, signed as Standard Webhooks sign (HMAC-SHA256 with this
data dir's secret, from <code>npx followthrough webhook-secret</code>); the answer says how many action items were
found and when the wrap-up goes out. The CLI signs and posts a file for you:</p>
<pre class="command">npx followthrough post notes.json \\
  --url {{origin}}/webhooks/notes</pre>
<p class="note">Bodies up to 1 MB; an unsigned or stale request gets a 401. The links in every email open a page here
that asks before it changes anything.</p>`;

const outboxBody = `<h1>Outbox</h1>
{{#hasMessages}}<p class="lede">{{countLine}}, newest first.</p>
<ul class="messages">
{{#messages}}<li>
<a href="{{href}}">{{subject}}</a>
<p class="meta"><span class="kind">{{kind}}</span> {{sentLabel}}</p>
<p class="meta">To {{toLine}}</p>
</li>
{{/messages}}</ul>{{/hasMessages}}
{{^hasMessages}}<p class="lede">Nothing has been sent yet. Wrap-ups and digests appear here as they go out.</p>{{/hasMessages}}`;

const outboxMessageBody = `<p><a href="/outbox">← Outbox</a></p>
<h1>{{subject}}</h1>
<dl class="facts">
<dt>To</dt><dd>{{toLine}}</dd>
<dt>Sent</dt><dd>{{sentLabel}}</dd>
<dt>Kind</dt><dd>{{kind}}</dd>
<dt>File</dt><dd><code>{{file}}</code></dd>
</dl>
<h2>HTML part</h2>
{{#hasHtml}}<iframe title="The HTML part of the message" sandbox="allow-top-navigation-by-user-activation" srcdoc="{{srcdoc}}"></iframe>{{/hasHtml}}
{{^hasHtml}}<p class="missing">This message has no HTML part.</p>{{/hasHtml}}
<h2>Text part</h2>
{{#hasText}}<pre>{{text}}</pre>{{/hasText}}
{{^hasText}}<p class="missing">This message has no text part.</p>{{/hasText}}`;

const questions: Record<LinkAction, { question: string; explanation: string; button: string }> = {
  done: {
    question: 'Mark this item done?',
    explanation: 'It leaves the open items in the digests; both of you see it as done.',
    button: 'Mark done',
  },
  drop: {
    question: 'Drop this item?',
    explanation: 'Dropping says it will not be done: it leaves the digests without counting as done.',
    button: 'Drop item',
  },
  snooze: {
    question: 'Snooze this item for a week?',
    explanation: 'It stays open but is left out of the digests and reminders for the next seven days.',
    button: 'Snooze 1 week',
  },
};

const applied: Record<LinkAction, { headline: string; explanation: string }> = {
  done: { headline: 'Done', explanation: 'It no longer appears among the open items.' },
  drop: { headline: 'Dropped', explanation: 'It no longer appears in the digests.' },
  snooze: { headline: 'Snoozed for a week', explanation: 'It comes back in the digests a week from now.' },
};

const already: Record<LinkAction, string> = {
  done: 'Already done — nothing changed',
  drop: 'Already dropped — nothing changed',
  snooze: 'Already snoozed — nothing changed',
};

// Parsed once per process; Mustache caches the tokens, so each render is a fill-in only.
for (const template of [layout, confirmBody, resultBody, errorBody, indexBody, outboxBody, outboxMessageBody]) {
  Mustache.parse(template);
}

export function confirmPage(input: ConfirmPageInput): string {
  const words = questions[input.action];
  return page(words.question, confirmBody, {
    ...words,
    item: input.item,
    showText: true,
    formAction: input.formAction,
  });
}

export function resultPage(input: ResultPageInput): string {
  const { headline, explanation, status } = resultWords(input);
  return page(headline, resultBody, {
    status,
    headline,
    explanation,
    item: input.item,
    showText: !headline.includes(input.item.text),
    undoAction: input.undoAction,
  });
}

export function errorPage(input: ErrorPageInput): string {
  return page(input.title, errorBody, input);
}

export function indexPage(input: IndexPageInput): string {
  return page('followthrough', indexBody, input);
}

export function outboxPage(input: OutboxPageInput): string {
  const count = input.messages.length;
  return page('Outbox', outboxBody, {
    hasMessages: count > 0,
    countLine: `${count} email${count === 1 ? '' : 's'}`,
    messages: input.messages.map((row) => ({ ...row, sentLabel: sentLabel(row.sentAt), toLine: toLine(row.to) })),
  });
}

export function outboxMessagePage(input: OutboxMessagePageInput): string {
  return page(
    input.subject === '' ? input.file : input.subject,
    outboxMessageBody,
    {
      subject: input.subject === '' ? '(no subject)' : input.subject,
      toLine: toLine(input.to),
      sentLabel: sentLabel(input.sentAt),
      kind: input.kind === '' ? 'unknown' : input.kind,
      file: input.file,
      hasHtml: input.html !== null,
      srcdoc: input.html === null ? '' : framed(input.html),
      hasText: input.text !== null,
      text: input.text ?? '',
    },
    { wide: true },
  );
}

function page(title: string, body: string, view: object, options: { wide?: boolean } = {}): string {
  return Mustache.render(layout, { ...view, title, styles, wide: options.wide ?? false }, { body });
}

function resultWords(input: ResultPageInput): { headline: string; explanation: string; status: string } {
  const text = input.item.text;
  switch (input.state) {
    case 'applied': {
      const words = applied[input.action];
      const undo = input.undoAction === null ? '' : ' Pressed by mistake? Undo puts it back as it was.';
      const until = input.item.snoozedUntil;
      const explanation =
        input.action === 'snooze' && until ? `It comes back in the digests on ${until}.` : words.explanation;
      return { status: 'Saved', headline: `${words.headline}: ${text}`, explanation: `${explanation}${undo}` };
    }
    case 'already':
      return {
        status: 'Nothing to do',
        headline: already[input.action],
        explanation: 'Someone got here first, or the link was opened twice. The item is as it was.',
      };
    case 'undone':
      return { status: 'Undone', headline: `Open again: ${text}`, explanation: 'It is back among the open items.' };
  }
}

// The message is shown as its recipient's client would: links leave the preview for the whole tab (a link that
// opened inside the sandboxed frame would land on a confirm page whose button the sandbox refuses to submit).
function framed(html: string): string {
  const base = '<base target="_top">';
  // The first "<head>" or "<head …>" tag; the closing ">" found with indexOf, since /<head(\s[^>]*)?>/ reads to the
  // end of the page from every "<head " that is never closed.
  const head = /<head[\s>]/i.exec(html);
  const close = head === null ? -1 : html.indexOf('>', head.index + 5);
  if (head === null || close === -1) return `${base}${html}`;
  const end = close + 1;
  return `${html.slice(0, end)}${base}${html.slice(end)}`;
}

function toLine(to: string[]): string {
  return to.length === 0 ? 'nobody' : to.join(', ');
}

function sentLabel(iso: string): string {
  const date = new Date(iso);
  if (iso === '' || Number.isNaN(date.getTime())) return 'no date';
  // The local stack's clock can be anywhere in time; UTC keeps the label the same whatever this machine's zone.
  const day = date.toLocaleDateString('en-GB', {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  });
  const time = date.toISOString().slice(11, 16);
  return `${day.replace(',', '')}, ${time} UTC`;
}

/**
 * The headers of every page, on the local server and behind API Gateway alike. The local outbox page frames mail
 * HTML through srcdoc, which inherits this policy: inline styles render, remote images (tracking pixels) and
 * scripts do not. frame-ancestors keeps other sites from framing a confirm button.
 */
export const PAGE_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-src 'self'; base-uri 'none'; frame-ancestors 'self'",
  'X-Content-Type-Options': 'nosniff',
  // Not no-referrer: under no-referrer a browser sends `Origin: null` with our own forms' POSTs (Fetch,
  // "append a request Origin header"), which the same-origin check could not tell from a sandboxed attacker.
  // same-origin still keeps the capability URL out of any other site's Referer.
  'Referrer-Policy': 'same-origin',
  'Cache-Control': 'no-store',
} as const;

/** What an action link's use case answered, as the page mapping needs it. */
export type ActionPageOutcome =
  | { ok: true; state: 'confirm' | ResultState; action: LinkAction; item: PageItem; token: string; undoable: boolean }
  | { ok: false; status: number; title: string; message: string };

/** The page for an action link's outcome; `path` is the link's own path (`/a/<token>`), where its forms post. */
export function actionOutcomePage(outcome: ActionPageOutcome, path: string): { status: number; html: string } {
  if (!outcome.ok) return { status: outcome.status, html: errorPage(outcome) };
  if (outcome.state === 'confirm') {
    return { status: 200, html: confirmPage({ action: outcome.action, item: outcome.item, formAction: path }) };
  }
  return {
    status: 200,
    html: resultPage({
      state: outcome.state,
      action: outcome.action,
      item: outcome.item,
      undoAction: outcome.undoable ? `${path}/undo` : null,
    }),
  };
}

/** The headers of every JSON answer (the webhook's), on the local server and behind API Gateway alike. */
export const JSON_HEADERS = {
  'Content-Type': 'application/json; charset=utf-8',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
  'Cache-Control': 'no-store',
} as const;

/** The answer to a POST that came from another site: nothing changes. */
export const foreignOriginPage = (): string =>
  errorPage({
    status: 403,
    title: 'Not sent from this page',
    message: 'This change came from another site, so nothing was changed. Open the link from your email again.',
  });

export const notFoundPage = (): string =>
  errorPage({ status: 404, title: 'Nothing here', message: 'There is no page at this address.' });

/** A POST to an unsubscribe link with a body far larger than any provider or form of ours sends. */
export const unsubscribeTooLargePage = (limitBytes: number): string =>
  errorPage({
    status: 413,
    title: 'Too large',
    message: `An unsubscribe request is a few bytes; this one is over ${limitBytes}.`,
  });

/** An action link whose path does not decode: a copy cut short, or mangled by a mail client. */
export const damagedLinkPage = (): string =>
  errorPage({
    status: 400,
    title: 'This link is damaged',
    message:
      'The address is not one followthrough wrote. If you copied it from an email, copy the whole link, or use the button in the email instead.',
  });

/**
 * The token in the path is the capability; this is defence in depth against a page elsewhere that learnt a link
 * and posts to it. A browser sends Origin with every POST; Referer is the fallback for older clients. A request
 * with neither (a mail client's own POST, curl) is let through: it carries the token, which is what counts.
 */
export function isForeignPost(
  headers: { origin?: string | undefined; referer?: string | undefined },
  ownOrigin: string,
): boolean {
  const claimed = headers.origin ?? refererOrigin(headers.referer);
  return claimed !== undefined && claimed !== ownOrigin;
}

function refererOrigin(referer: string | undefined): string | undefined {
  if (referer === undefined) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    // An unreadable Referer is treated as a foreign one: it is present, and it is not ours.
    return 'null';
  }
}

/** What an unsubscribe link's use case answered, as the page mapping needs it. */
export type UnsubscribePageOutcome =
  | {
      ok: true;
      state: 'confirm' | 'unsubscribed' | 'already-unsubscribed' | 'resubscribed' | 'already-subscribed';
      kind: OptOutKind;
      address: string;
    }
  | { ok: false; status: number; title: string; message: string };

const unsubscribeConfirmBody = `<h1>{{headline}}</h1>
<p class="lede">{{explanation}}</p>
<form method="post" action="{{formAction}}">
<button class="button" type="submit">Unsubscribe</button>
</form>
<p class="note">Nothing changes until you press the button.</p>`;

const unsubscribeResultBody = `<p class="status">{{status}}</p>
<h1>{{headline}}</h1>
<p class="lede">{{explanation}}</p>
{{#resubscribe}}<form method="post" action="{{formAction}}">
<input type="hidden" name="resubscribe" value="1">
<button class="button secondary" type="submit">Resubscribe</button>
</form>{{/resubscribe}}`;

for (const template of [unsubscribeConfirmBody, unsubscribeResultBody]) Mustache.parse(template);

const digestNames: Record<OptOutKind, { name: string; what: string }> = {
  digest: { name: 'the pre-meeting digests', what: 'the open items mailed the morning of each 1:1' },
  weekly: { name: 'the weekly digest', what: 'the weekly list of the items they own' },
  rollup: { name: 'the team roll-up', what: 'the weekly counts of their reports’ open items' },
};

/**
 * The page for an unsubscribe link's outcome; `path` is the link's own path (`/u/<token>`), where its forms post.
 * Wrap-ups and reply confirmations are named as still coming: they answer something the person did.
 */
export function unsubscribeOutcomePage(
  outcome: UnsubscribePageOutcome,
  path: string,
): { status: number; html: string } {
  if (!outcome.ok) return { status: outcome.status, html: errorPage(outcome) };
  const { name, what } = digestNames[outcome.kind];
  const still = 'Wrap-ups after each 1:1 and answers to your replies still come.';
  const words = (
    status: string,
    headline: string,
    explanation: string,
    resubscribe: boolean,
  ): { status: number; html: string } => ({
    status: 200,
    html: page(headline, unsubscribeResultBody, { status, headline, explanation, resubscribe, formAction: path }),
  });
  switch (outcome.state) {
    case 'confirm': {
      const headline = `Unsubscribe from ${name}?`;
      return {
        status: 200,
        html: page(headline, unsubscribeConfirmBody, {
          headline,
          explanation: `${outcome.address} will no longer get ${what}. ${still}`,
          formAction: path,
        }),
      };
    }
    case 'unsubscribed':
      return words(
        'Saved',
        `Unsubscribed from ${name}`,
        `${outcome.address} will get no more of them. ${still} Pressed by mistake? Resubscribe puts it back.`,
        true,
      );
    case 'already-unsubscribed':
      return words(
        'Nothing to do',
        `Already unsubscribed from ${name}`,
        `${outcome.address} gets none of them; nothing changed.`,
        true,
      );
    case 'resubscribed':
      return words('Saved', `Subscribed again to ${name}`, `${outcome.address} gets them again.`, false);
    case 'already-subscribed':
      return words(
        'Nothing to do',
        `Still subscribed to ${name}`,
        `${outcome.address} gets them; nothing changed.`,
        false,
      );
  }
}
