import { FollowthroughError } from '../errors';
import type { Person, StoredItem } from '../model';
import type { TemplateFill } from './fill';
import { collapseWhitespace, countOf, displayName, formatIsoDate, headerText } from './format';
import type { LinkAction, LinkFor, ListedItem, RenderedMail } from './inputs';

/*
 * The parts every mail with items shares — the item row, its action links, the footer — as one view model that
 * both parts of a mail are written from: templates/partials/_item.mjml and _footer.mjml for the HTML,
 * the `…Text` functions below for the plain text. Every key a partial reads is always present (false, null or
 * empty), because Mustache looks a missing key up in the enclosing item, group or mail instead.
 */

/** One "Label: value" of the line under an item's text. */
export interface Detail {
  /** Empty for a detail that reads on its own ("agreed Thu 12 Nov"). */
  label: string;
  value: string;
  /** Shown in bold. */
  strong: boolean;
  /** A value that is not there ("no owner"), shown in amber italics. */
  missing: boolean;
  /** Neither bold nor missing. */
  plain: boolean;
  /** Dates are kept on one line; names and other text may wrap. */
  nowrap: boolean;
  /** No separator before the first detail. */
  first: boolean;
}

export interface Badge {
  label: string;
  /** Red: overdue. */
  alert: boolean;
  /** Amber: needs a human look (no owner, no date). */
  warn: boolean;
}

/** The stalled block: why the item is stuck, and what to ask about it. */
export interface Callout {
  title: string;
  body: string;
}

export interface ActionLink {
  label: string;
  url: string;
  /** Done is the button people want most; the others are outlined. */
  primary: boolean;
  /**
   * The item's text, which the link's aria-label gives after its label ("Done: Send the plan"): screen readers read a
   * row of "Done" links otherwise without saying which item each closes. The template joins the two, rather than
   * each link carrying a joined copy: the text is then one string, escaped as it is rather than copied per link.
   */
  itemText: string;
}

export type Tone = 'plain' | 'warn' | 'alert';

export interface ItemView {
  number: number;
  text: string;
  hasDetails: boolean;
  details: Detail[];
  hasBadges: boolean;
  badges: Badge[];
  callout: Callout | null;
  hasLinks: boolean;
  links: ActionLink[];
  plain: boolean;
  warn: boolean;
  alert: boolean;
}

/** A heading and the items under it; `empty` is the line shown when there are none. */
export interface GroupView {
  heading: string;
  note: string | null;
  empty: string | null;
  items: ItemView[];
  /** Plain points with no owner or date, listed after the items (a digest's agenda topics). */
  topics: string[];
}

export interface IntroView {
  heading: string;
  /** Kept on one line after the heading's dash ("Wrap-up: 1:1 Dana / Marcus — Thu 12 Nov"). */
  date: string | null;
  lines: string[];
}

export interface FooterView {
  /** Only mails with numbered items invite commands: the numbers are what the commands refer to. */
  commands: CommandsView | null;
  reason: string;
  /**
   * The digests' unsubscribe link (RFC 8058's URL, also in List-Unsubscribe); absent from transactional mail —
   * wrap-ups, confirmations, notices — which answers something the person did.
   */
  unsubscribe?: FooterLink | null;
}

export interface FooterLink {
  label: string;
  url: string;
}

/** The footer's unsubscribe link, checked as every link that goes into a mail is. */
export function unsubscribeFooterLink(label: string, url: string): FooterLink {
  return { label, url: safeHref(url) };
}

export interface CommandsView {
  intro: string;
  examples: { text: string; first: boolean }[];
}

/** What the reply parser understands, one of each kind: the numbers are examples, not this mail's items. */
const commandExamples = ['done 2', 'drop 3', '2 due friday', 'snooze 1 to 12/1', '2 owner Jordan'];

export const commands: CommandsView = {
  intro: 'Reply with:',
  examples: commandExamples.map((text, index) => ({ text, first: index === 0 })),
};

const linkLabels: Record<LinkAction, string> = {
  done: 'Done',
  drop: 'Drop',
  snooze: 'Snooze 1 week',
};

const stalledQuestions = 'Still needed? Right owner? New date?';

/**
 * The action URL, checked: only http(s) may reach an href. The LinkFor is ours, but a misconfigured base URL
 * ("javascript:", a bare host) must stop the send rather than go out as a dead or dangerous button.
 */
export function safeHref(url: string): string {
  // A URL already written as the parser would write it back goes through as it is: parsing one costs ~0.5 µs, and a
  // digest has three links an item. Anything else is parsed, and refused or normalised as before.
  if (isCanonicalHttpUrl(url)) return url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new FollowthroughError(`Refusing to link to ${JSON.stringify(url)}: not an absolute URL.`, { cause });
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new FollowthroughError(`Refusing to link to ${JSON.stringify(url)}: only http(s) links go into a mail.`);
  }
  return parsed.href;
}

/*
 * An http(s) URL that `new URL(url).href` returns unchanged, by construction: a lower-case scheme; a host that is a
 * lower-case ASCII name whose last label starts with a letter (so it is not read as an IPv4 number) and has no
 * "xn--" label (punycode is decoded and checked), or a dotted-decimal IPv4 address without leading zeros; a port
 * without leading zeros; a path, query and fragment of characters no part of the URL percent-encodes (no "%", no
 * "\\", no quote or space). tests/unit/render/items.test.ts holds it against the parser on generated URLs.
 */
const CANONICAL_HTTP_URL =
  /^https?:\/\/(?:(?:(?!xn--)[a-z0-9-]+\.)*(?!xn--)[a-z][a-z0-9-]*|(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9]))(?::[1-9][0-9]{0,4})?\/[\w.~!$&()*+,;=:@/-]*(?:\?[\w.~!$&()*+,;=:@/?-]*)?(?:#[\w.~!$&()*+,;=:@/?-]*)?$/;
// "." and ".." segments are resolved away by the parser.
const DOT_SEGMENT = /\/\.\.?(?:[/?#]|$)/;

// After the last "/" of a path: one more segment (not "." or ".."), then the query and fragment, as above.
const CANONICAL_TAIL =
  /(?!\.\.?(?:[?#]|$))[\w.~!$&()*+,;=:@-]*(?:\?[\w.~!$&()*+,;=:@/?-]*)?(?:#[\w.~!$&()*+,;=:@/?-]*)?$/y;

// The last canonical URL up to the last "/" of its path. A mail's links come from one LinkFor and differ only in
// their last segment (the signed token), so each is checked from there: ~60 ns less a link than the whole regex.
let canonicalHead = '';

function isCanonicalHttpUrl(url: string): boolean {
  if (canonicalHead !== '' && url.slice(0, canonicalHead.length) === canonicalHead) {
    CANONICAL_TAIL.lastIndex = canonicalHead.length;
    if (CANONICAL_TAIL.test(url)) return true;
  }
  if (!isCanonicalWhole(url)) return false;
  const end = url.search(/[?#]/);
  canonicalHead = url.slice(0, url.lastIndexOf('/', end === -1 ? url.length : end) + 1);
  return true;
}

function isCanonicalWhole(url: string): boolean {
  if (!CANONICAL_HTTP_URL.test(url)) return false;
  // Signed links have no "/." at all: the regex runs only for the rare URL that does.
  if (url.includes('/.') && DOT_SEGMENT.test(url)) return false;
  const host = url.indexOf('//') + 2;
  const path = url.indexOf('/', host);
  const colon = url.indexOf(':', host);
  if (colon === -1 || colon > path) return true;
  // The parser drops the scheme's default port and refuses one past 65535.
  const port = Number(url.slice(colon + 1, path));
  return port <= 65535 && port !== (url.startsWith('https:') ? 443 : 80);
}

/** `text` is the item's text as the mail shows it, when the caller has it already. */
export function actionLinks(
  item: StoredItem,
  actions: LinkAction[],
  links: LinkFor,
  text = collapseWhitespace(item.text),
): ActionLink[] {
  // A closed item has nothing left to do; the use cases list open ones, but a stale list must not offer Done twice.
  if (item.status !== 'open') return [];
  return actions.map((action) => ({
    label: linkLabels[action],
    url: safeHref(links(item, action)),
    primary: action === 'done',
    itemText: text,
  }));
}

export function detail(label: string, value: string, style: 'strong' | 'missing' | 'plain', nowrap = false): Detail {
  return {
    label,
    value,
    strong: style === 'strong',
    missing: style === 'missing',
    plain: style === 'plain',
    nowrap,
    first: false,
  };
}

/** "Due: Fri 13 Nov", or "Due: no date" in amber. */
export function dateDetail(
  label: string,
  iso: string | null,
  contextYear: number | undefined,
  missing: string,
): Detail {
  return iso === null
    ? detail(label, missing, 'missing', true)
    : detail(label, formatIsoDate(iso, contextYear), 'strong', true);
}

/** The owner as people know them: an attendee by display name, anyone else as the notes wrote them. */
export type OwnerLabel = (item: Pick<StoredItem, 'owner' | 'ownerName'>) => string | null;

/**
 * The owner as people know them: an attendee by display name, anyone else as the notes wrote them. The people's
 * names are cleaned once per mail rather than once per item.
 */
export function ownerLabels(people: readonly Person[]): OwnerLabel {
  const names = new Map<string, string>();
  for (const person of people) {
    // The first of two people with the same address wins, as a search of the list would find it.
    const key = person.address.toLowerCase();
    if (!names.has(key)) names.set(key, displayName(person));
  }
  return (item) => {
    if (item.owner === null) return null;
    const label = names.get(item.owner.toLowerCase()) ?? collapseWhitespace(item.ownerName ?? item.owner);
    return label === '' ? null : label;
  };
}

export function overdueBadge(daysOverdue: number): Badge {
  return { label: `OVERDUE · ${countOf(daysOverdue, 'day')}`, alert: true, warn: false };
}

export function warnBadge(label: string): Badge {
  return { label, alert: false, warn: true };
}

/**
 * Why a stalled item is worth reassessing, in the terms of the digest rules: the meetings it has sat through, else
 * how late it is. Not both: the OVERDUE mark beside it already says how late.
 */
export function stalledCallout(listed: ListedItem, agreed: string): Callout {
  const reason =
    listed.meetingsOpen >= 2
      ? `Open for ${listed.meetingsOpen} meetings.`
      : listed.overdue
        ? `Overdue by ${countOf(listed.daysOverdue, 'day')}.`
        : `Open since ${agreed}.`;
  return { title: 'STALLED', body: `${reason} ${stalledQuestions}` };
}

export function itemView(parts: {
  number: number;
  text: string;
  details: Detail[];
  badges?: Badge[];
  callout?: Callout | null;
  links?: ActionLink[];
  tone?: Tone;
}): ItemView {
  const badges = parts.badges ?? [];
  const links = parts.links ?? [];
  const tone = parts.tone ?? 'plain';
  return {
    number: parts.number,
    text: collapseWhitespace(parts.text),
    hasDetails: parts.details.length > 0,
    details: parts.details.map((part, index) => ({
      label: part.label,
      value: part.value,
      strong: part.strong,
      missing: part.missing,
      plain: part.plain,
      nowrap: part.nowrap,
      first: index === 0,
    })),
    hasBadges: badges.length > 0,
    badges,
    callout: parts.callout ?? null,
    hasLinks: links.length > 0,
    links,
    plain: tone === 'plain',
    warn: tone === 'warn',
    alert: tone === 'alert',
  };
}

/** An item of a reminder (digest, weekly): overdue marked, stalled called out, Done / Drop / Snooze links. */
export function listedItemView(
  listed: ListedItem,
  details: Detail[],
  links: LinkFor,
  contextYear: number | undefined,
): ItemView {
  const text = collapseWhitespace(listed.item.text);
  return itemView({
    number: listed.number,
    text,
    details,
    badges: listed.overdue ? [overdueBadge(listed.daysOverdue)] : [],
    callout: listed.stalled ? stalledCallout(listed, formatIsoDate(listed.item.meetingDate, contextYear)) : null,
    links: actionLinks(listed.item, ['done', 'drop', 'snooze'], links, text),
    tone: listed.overdue ? 'alert' : listed.stalled ? 'warn' : 'plain',
  });
}

export function group(
  heading: string,
  items: ItemView[],
  options: { note?: string; empty?: string; topics?: string[] } = {},
): GroupView {
  const topics = options.topics ?? [];
  const empty = items.length === 0 && topics.length === 0 ? (options.empty ?? null) : null;
  return { heading, note: options.note ?? null, empty, items, topics };
}

/** What a mail made of item groups shows (wrap-up, digest, weekly): templates/partials/_groups.mjml and around. */
export interface ItemMailView {
  subject: string;
  /** The inbox preview line after the subject. */
  preview: string;
  intro: IntroView;
  groups: GroupView[];
  /** Sentences in a grey box after the items: the empty state, what to do about flagged items. */
  notices: string[];
  footer: FooterView;
}

/** Fills a compiled template that includes _intro, _groups, _notices and _footer, and writes the same copy as text. */
export function renderItemMail(fill: TemplateFill, view: ItemMailView): RenderedMail {
  // Names in a subject come from the notes; the subject goes into a header, where a line break would write another.
  const subject = headerText(view.subject);
  // An object literal, not {...view, subject}: the spread made the view a slow object for every lookup the fill does
  // in it (~4 µs of a wrap-up).
  const html = fill({
    subject,
    title: subject,
    preview: view.preview,
    intro: view.intro,
    groups: view.groups,
    hasNotices: view.notices.length > 0,
    notices: view.notices,
    footer: view.footer,
  });
  let text = `${headingText(view.intro)}\n`;
  for (const group of view.groups) text += groupText(group);
  text += noticesText(view.notices) + footerText(view.footer);
  return { subject, html, text };
}

/*
 * The text part is written as lines that each end in "\n", concatenated: a wrap-up's text was ~12 µs of arrays,
 * spreads and a join before. Every mail ends with footerText, so the text ends with one newline, as it always has.
 */

/** Both parts of a mail start with the same heading; the text part underlines it. */
export function headingText(intro: IntroView): string {
  const heading = intro.date === null ? intro.heading : `${intro.heading} — ${intro.date}`;
  let text = `${heading}\n${'='.repeat(characterCount(heading))}\n`;
  for (const line of intro.lines) text += `${line}\n`;
  return text;
}

export function itemText(item: ItemView): string {
  // Continuation lines line up under the item's text, whatever the width of its number.
  const indent = ' '.repeat(`${item.number}. `.length);
  let text = `${item.number}. ${item.text}\n`;
  if (item.hasDetails) {
    text += indent;
    item.details.forEach((part, index) => {
      text += `${index === 0 ? '' : ' · '}${part.label === '' ? part.value : `${part.label}: ${part.value}`}`;
    });
    text += '\n';
  }
  if (item.hasBadges) text += `${indent}[${item.badges.map((badge) => badge.label).join(', ')}]\n`;
  if (item.callout !== null) text += `${indent}${item.callout.title} — ${item.callout.body}\n`;
  for (const link of item.links) text += `${indent}${link.label}: ${link.url}\n`;
  return `${text}\n`;
}

export function groupText(view: GroupView): string {
  let text = `${view.heading}\n${'-'.repeat(characterCount(view.heading))}\n`;
  if (view.note !== null) text += `${view.note}\n`;
  text += '\n';
  if (view.empty !== null) text += `${view.empty}\n\n`;
  for (const item of view.items) text += itemText(item);
  for (const topic of view.topics) text += `- ${topic}\n`;
  if (view.topics.length > 0) text += '\n';
  return text;
}

/** Each notice as a paragraph of its own. */
export function noticesText(notices: readonly string[]): string {
  let text = '';
  for (const notice of notices) text += `${notice}\n\n`;
  return text;
}

export function footerText(footer: FooterView): string {
  // "-- " is the signature delimiter, so mail clients leave the footer out of quoted replies.
  let text = '-- \n';
  if (footer.commands !== null) text += `${commandsText(footer.commands)}\n`;
  text += `${footer.reason}\n`;
  if (footer.unsubscribe) text += `${footer.unsubscribe.label}: ${footer.unsubscribe.url}\n`;
  return text;
}

export function commandsText(view: CommandsView): string {
  return `${view.intro} ${view.examples.map((example) => example.text).join(' · ')}`;
}

/** Characters, not UTF-16 units, so that an underline is as long as its heading; a heading rarely holds a pair. */
function characterCount(text: string): number {
  let count = text.length;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    // A high surrogate followed by a low one is one character, as the string iterator counts it.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        count--;
        i++;
      }
    }
  }
  return count;
}
