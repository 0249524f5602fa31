import Mustache from 'mustache';
import { confirmationHtml } from '../../../templates/compiled/confirmation';
import { collapseWhitespace, countOf, firstName, headerText } from './format';
import type { ConfirmationInput, RenderedMail } from './inputs';
import {
  type CommandsView,
  commands,
  commandsText,
  detail,
  type FooterView,
  footerText,
  type GroupView,
  group,
  groupText,
  headingText,
  type IntroView,
  itemView,
} from './items';

Mustache.parse(confirmationHtml);

const copy = {
  noCommands: 'Your reply held no commands, so nothing changed.',
  reason: 'You are getting this because you replied to a followthrough email.',
} as const;

/** The answer to a reply with commands: what changed, what was not changed and why, what was not understood. */
export function renderConfirmationMail(input: ConfirmationInput): RenderedMail {
  const about = collapseWhitespace(input.about);
  // `about` quotes the subject of the mail replied to, whose names came from the notes: it goes into a header.
  const subject = headerText(`${input.applied.length === 0 ? 'Nothing changed' : 'Updated'}: ${about}`);
  const refused = input.refused.map((entry) => ({ line: collapseWhitespace(entry.line), reason: entry.reason }));
  const notUnderstood = input.notUnderstood.map(collapseWhitespace);
  const groups: GroupView[] =
    input.applied.length === 0
      ? []
      : [
          group(
            'What changed',
            input.applied.map((change) =>
              itemView({ number: change.number, text: change.text, details: [detail('', change.change, 'strong')] }),
            ),
          ),
        ];
  const summary = summaryLine(input);
  const intro: IntroView = {
    heading: subject,
    date: null,
    lines: summary === null ? [] : [`${firstName(input.to)}, ${summary}`],
  };
  const notices = summary === null ? [copy.noCommands] : [];
  const reminder: CommandsView = { ...commands, intro: 'Commands look like this, one per line:' };
  // The reminder under "Not understood" already shows the commands; the footer says them only when it is absent.
  const footer: FooterView = {
    commands: input.applied.length > 0 && notUnderstood.length === 0 ? commands : null,
    reason: copy.reason,
  };

  const html = Mustache.render(confirmationHtml, {
    title: subject,
    preview: summary ?? copy.noCommands,
    intro,
    groups,
    hasRefused: refused.length > 0,
    refused,
    hasNotUnderstood: notUnderstood.length > 0,
    notUnderstood,
    reminder,
    hasNotices: notices.length > 0,
    notices,
    footer,
  });
  const text = [...headingText(intro), '', ...groups.flatMap(groupText)];
  if (refused.length > 0) {
    text.push(...sectionText('Not changed'));
    for (const entry of refused) text.push(`> ${entry.line}`, `  ${entry.reason}`, '');
  }
  if (notUnderstood.length > 0) {
    text.push(...sectionText('Not understood'));
    for (const line of notUnderstood) text.push(`> ${line}`);
    text.push('', commandsText(reminder), '');
  }
  text.push(...notices.flatMap((notice) => [notice, '']), ...footerText(footer));
  return { subject, html, text: text.join('\n') };
}

/** "your reply made 2 changes; 1 was not made and 1 line was not understood." */
function summaryLine(input: ConfirmationInput): string | null {
  const parts = [
    input.applied.length > 0 ? `${countOf(input.applied.length, 'change')} made` : '',
    input.refused.length > 0 ? `${countOf(input.refused.length, 'change')} not made` : '',
    input.notUnderstood.length > 0 ? `${countOf(input.notUnderstood.length, 'line')} not understood` : '',
  ].filter(Boolean);
  if (parts.length === 0) return null;
  return `here is what your reply did: ${parts.join(', ')}.`;
}

function sectionText(heading: string): string[] {
  return [heading, '-'.repeat(heading.length), ''];
}
