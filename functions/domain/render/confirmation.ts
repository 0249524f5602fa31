import { fillConfirmation } from '../../../templates/compiled/confirmation';
import type { TemplateFill } from './fill';
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
  noticesText,
} from './items';

const copy = {
  noCommands: 'Your reply held no commands, so nothing changed.',
  reason: 'You are getting this because you replied to a followthrough email.',
} as const;

/**
 * The answer to a reply with commands: what changed, what was not changed and why, what was not understood.
 *
 * `fill` fills the template in: its precompiled function; the equivalence test and the bench pass Mustache.render.
 */
export function renderConfirmationMail(input: ConfirmationInput, fill: TemplateFill = fillConfirmation): RenderedMail {
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

  const html = fill({
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
  let text = `${headingText(intro)}\n`;
  for (const group of groups) text += groupText(group);
  if (refused.length > 0) {
    text += sectionText('Not changed');
    for (const entry of refused) text += `> ${entry.line}\n  ${entry.reason}\n\n`;
  }
  if (notUnderstood.length > 0) {
    text += sectionText('Not understood');
    for (const line of notUnderstood) text += `> ${line}\n`;
    text += `\n${commandsText(reminder)}\n\n`;
  }
  text += noticesText(notices) + footerText(footer);
  return { subject, html, text };
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

function sectionText(heading: string): string {
  return `${heading}\n${'-'.repeat(heading.length)}\n\n`;
}
