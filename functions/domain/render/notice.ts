import { fillNotice } from '../../../templates/compiled/notice';
import type { Cut } from '../email/limits';
import type { Person } from '../model';
import type { TemplateFill } from './fill';
import { collapseWhitespace, firstName } from './format';
import type { RenderedMail } from './inputs';
import { type FooterView, footerText, headingText, type IntroView, noticesText } from './items';

/** Why the notice goes out: part of an email was left unread, or all of it was, for its size. */
export type NoticeReason = { kind: 'cuts'; cuts: Cut[] } | { kind: 'too-large'; bytes: number; limitBytes: number };

export interface NoticeInput {
  to: Person;
  /** The subject of the sender's email, as they wrote it. */
  about: string;
  reason: NoticeReason;
}

const copy = {
  cutHeading: 'Part of your email was not read',
  refusedHeading: 'Your email was too large to read',
  cutAfter:
    'What was read is followed up as usual. To have the rest read, send it in a new email, not as a reply to this one.',
  refusedAfter: 'Send the notes again as text, without large attachments.',
  reason: 'You are getting this because you sent an email to followthrough.',
} as const;

const number = new Intl.NumberFormat('en-US');
const count = (n: number) => number.format(n);

/**
 * What each cut left unread, in the sender's terms. Empty when nothing was left unread: HTML nested too deep loses
 * only its layout, its text is all read.
 */
export function cutLines(cuts: readonly Cut[]): string[] {
  return cuts.map(cutLine).filter((line) => line !== null);
}

function cutLine(cut: Cut): string | null {
  switch (cut.limit) {
    case 'notes-length':
      return `Your notes were ${count(cut.total)} characters; followthrough read the first ${count(cut.kept)} — ${
        cut.from === '' ? 'the rest was not read.' : `the part from “${cut.from}” on was not read.`
      }`;
    case 'parts':
      return `Your email had ${count(cut.total)} parts; followthrough read the first ${count(cut.kept)} and skipped the other ${count(cut.total - cut.kept)}, with any attachments among them.`;
    case 'attached-depth':
      return 'Your email holds messages attached inside attached messages; followthrough does not open them that deep, so what they hold was not read.';
    case 'forward-depth':
      return `Your email holds forwards inside forwards more than ${count(cut.kept)} deep; followthrough unwrapped the outer ${count(cut.kept)} and did not read the ones inside.`;
    case 'items':
      return `Your notes listed ${count(cut.total)} action items; followthrough kept the first ${count(cut.kept)} and left out the other ${count(cut.total - cut.kept)}.`;
    case 'html-depth':
      return null;
  }
}

/**
 * The one short mail that tells a verified sender what of their email was not read, and why (issue 7, R9).
 *
 * `fill` fills the template in: its precompiled function; the equivalence test and the bench pass Mustache.render.
 */
export function renderNoticeMail(input: NoticeInput, fill: TemplateFill = fillNotice): RenderedMail {
  const { reason } = input;
  const subject = reason.kind === 'cuts' ? copy.cutHeading : copy.refusedHeading;
  const about = shorten(collapseWhitespace(input.about)) || '(no subject)';
  const notices =
    reason.kind === 'cuts'
      ? [...cutLines(reason.cuts), copy.cutAfter]
      : [
          `Your email was ${megabytes(reason.bytes)}; followthrough reads emails of up to ${megabytes(reason.limitBytes)}, so none of it was read and nothing was stored.`,
          copy.refusedAfter,
        ];
  const intro: IntroView = {
    heading: subject,
    date: null,
    lines: [`${firstName(input.to)}, this is about your email “${about}”.`],
  };
  const footer: FooterView = { commands: null, reason: copy.reason };
  const html = fill({
    title: subject,
    preview: notices[0],
    intro,
    hasNotices: true,
    notices,
    footer,
  });
  const text = `${headingText(intro)}\n${noticesText(notices)}${footerText(footer)}`;
  return { subject, html, text };
}

/** A subject quoted in a sentence: the first 80 characters, cut at a space. */
function shorten(subject: string): string {
  if (subject.length <= 80) return subject;
  const space = subject.lastIndexOf(' ', 80);
  return `${subject.slice(0, space > 40 ? space : 80)}…`;
}

function megabytes(bytes: number): string {
  return `${(Math.ceil((bytes / (1024 * 1024)) * 10) / 10).toString()} MB`;
}
