import Mustache from 'mustache';
import { FollowthroughError } from '../errors';
import type { Person, StoredItem } from '../model';
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
  /** For screen readers, which read a row of "Done" links otherwise without saying which item each closes. */
  ariaLabel: string;
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

export function actionLinks(item: StoredItem, actions: LinkAction[], links: LinkFor): ActionLink[] {
  // A closed item has nothing left to do; the use cases list open ones, but a stale list must not offer Done twice.
  if (item.status !== 'open') return [];
  const text = collapseWhitespace(item.text);
  return actions.map((action) => ({
    label: linkLabels[action],
    url: safeHref(links(item, action)),
    primary: action === 'done',
    ariaLabel: `${linkLabels[action]}: ${text}`,
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
export function ownerLabel(item: Pick<StoredItem, 'owner' | 'ownerName'>, people: Person[]): string | null {
  if (item.owner === null) return null;
  const owner = item.owner;
  const person = people.find((p) => p.address.toLowerCase() === owner.toLowerCase());
  const label = person !== undefined ? displayName(person) : collapseWhitespace(item.ownerName ?? owner);
  return label === '' ? null : label;
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
    details: parts.details.map((part, index) => ({ ...part, first: index === 0 })),
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
  const agreed = formatIsoDate(listed.item.meetingDate, contextYear);
  return itemView({
    number: listed.number,
    text: listed.item.text,
    details,
    badges: listed.overdue ? [overdueBadge(listed.daysOverdue)] : [],
    callout: listed.stalled ? stalledCallout(listed, agreed) : null,
    links: actionLinks(listed.item, ['done', 'drop', 'snooze'], links),
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
export function renderItemMail(template: string, view: ItemMailView): RenderedMail {
  // Names in a subject come from the notes; the subject goes into a header, where a line break would write another.
  const subject = headerText(view.subject);
  const html = Mustache.render(template, {
    ...view,
    subject,
    title: subject,
    hasNotices: view.notices.length > 0,
  });
  const text = [
    ...headingText(view.intro),
    '',
    ...view.groups.flatMap(groupText),
    ...view.notices.flatMap((notice) => [notice, '']),
    ...footerText(view.footer),
  ];
  return { subject, html, text: text.join('\n') };
}

/** Both parts of a mail start with the same heading; the text part underlines it. */
export function headingText(intro: IntroView): string[] {
  const heading = intro.date === null ? intro.heading : `${intro.heading} — ${intro.date}`;
  return [heading, '='.repeat([...heading].length), ...intro.lines];
}

export function itemText(item: ItemView): string[] {
  // Continuation lines line up under the item's text, whatever the width of its number.
  const indent = ' '.repeat(`${item.number}. `.length);
  const lines = [`${item.number}. ${item.text}`];
  if (item.hasDetails) {
    lines.push(
      indent +
        item.details.map((part) => (part.label === '' ? part.value : `${part.label}: ${part.value}`)).join(' · '),
    );
  }
  if (item.hasBadges) lines.push(`${indent}[${item.badges.map((badge) => badge.label).join(', ')}]`);
  if (item.callout !== null) lines.push(`${indent}${item.callout.title} — ${item.callout.body}`);
  for (const link of item.links) lines.push(`${indent}${link.label}: ${link.url}`);
  lines.push('');
  return lines;
}

export function groupText(view: GroupView): string[] {
  const lines = [view.heading, '-'.repeat([...view.heading].length)];
  if (view.note !== null) lines.push(view.note);
  lines.push('');
  if (view.empty !== null) lines.push(view.empty, '');
  for (const item of view.items) lines.push(...itemText(item));
  for (const topic of view.topics) lines.push(`- ${topic}`);
  if (view.topics.length > 0) lines.push('');
  return lines;
}

export function footerText(footer: FooterView): string[] {
  // "-- " is the signature delimiter, so mail clients leave the footer out of quoted replies.
  const lines = ['-- '];
  if (footer.commands !== null) lines.push(commandsText(footer.commands));
  lines.push(footer.reason);
  if (footer.unsubscribe) lines.push(`${footer.unsubscribe.label}: ${footer.unsubscribe.url}`);
  lines.push('');
  return lines;
}

export function commandsText(view: CommandsView): string {
  return `${view.intro} ${view.examples.map((example) => example.text).join(' · ')}`;
}
