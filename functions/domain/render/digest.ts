import { fillDigest } from '../../../templates/compiled/digest';
import type { TemplateFill } from './fill';
import { countOf, displayName, firstName, formatIsoDate, longWeekday, parseCalendarDate } from './format';
import type { DigestInput, ListedItem, RenderedMail } from './inputs';
import {
  commands,
  type Detail,
  dateDetail,
  detail,
  type GroupView,
  group,
  type IntroView,
  listedItemView,
  type OwnerLabel,
  ownerLabels,
  renderItemMail,
  unsubscribeFooterLink,
} from './items';

/**
 * The pre-meeting digest: what is still open from earlier meetings (overdue and stalled ones called out) first,
 * because that is where the articles say every 1:1 should start; then the agenda, then growth items.
 *
 * `fill` fills the template in: its precompiled function; the equivalence test and the bench pass Mustache.render.
 */
export function renderDigestMail(input: DigestInput, fill: TemplateFill = fillDigest): RenderedMail {
  const { series, recipient } = input;
  const other = series.members.find((p) => p.address.toLowerCase() !== recipient.address.toLowerCase()) ?? null;
  const withWhom = other === null ? '' : ` with ${firstName(other)}`;
  const year = parseCalendarDate(input.meetingDate)?.year;
  const day = formatIsoDate(input.meetingDate, year);
  const owners = ownerLabels(series.members);
  const count = input.open.length + input.agenda.length + input.growth.length + input.topics.length;

  const view = (listed: ListedItem, dueLabel: string, agreedWord: string) =>
    listedItemView(listed, details(listed, owners, year, dueLabel, agreedWord), input.links, year);
  const groups: GroupView[] =
    count === 0
      ? []
      : [
          group(
            'Still open from earlier meetings',
            input.open.map((listed) => view(listed, 'Due', 'agreed')),
            { empty: 'Nothing is still open from earlier meetings.' },
          ),
          ...(input.agenda.length === 0 && input.topics.length === 0
            ? []
            : [
                group(
                  'Agenda',
                  input.agenda.map((listed) => view(listed, 'Due', 'noted')),
                  { topics: input.topics },
                ),
              ]),
          ...(input.growth.length === 0
            ? []
            : [
                group(
                  'Growth',
                  input.growth.map((listed) => view(listed, 'Follow up', 'agreed')),
                  { note: 'Development goals, each with the date to follow up on it.' },
                ),
              ]),
        ];
  const cleanSlate = `Nothing is open between you and ${other === null ? 'your 1:1' : firstName(other)} — a clean slate for ${longWeekday(input.meetingDate) ?? day}.`;
  const summary = openSummary(input.open);
  const intro: IntroView = {
    heading: `Before your 1:1${withWhom}`,
    date: day,
    lines: summary === null ? [] : [summary],
  };

  return renderItemMail(fill, {
    subject: `Before your 1:1${withWhom} — ${day}`,
    preview: count === 0 ? cleanSlate : (summary ?? `${countOf(count, 'item')} for your 1:1`),
    intro,
    groups,
    notices: count === 0 ? [cleanSlate] : [],
    footer: {
      commands: count === 0 ? null : commands,
      reason: `You are getting this because you have a 1:1${other === null ? '' : ` with ${displayName(other)}`} on ${day}.`,
      unsubscribe: unsubscribeFooterLink('Unsubscribe from these digests', input.unsubscribeUrl),
    },
  });
}

function details(
  listed: ListedItem,
  owners: OwnerLabel,
  year: number | undefined,
  dueLabel: string,
  agreedWord: string,
): Detail[] {
  const { item } = listed;
  const owner = owners(item);
  const agenda = item.section === 'agenda';
  const parts: Detail[] = [];
  // An agenda point needs neither an owner nor a date; an action or a growth item without one is a gap to show.
  if (owner !== null) parts.push(detail('Owner', owner, 'strong'));
  else if (!agenda) parts.push(detail('Owner', 'no owner', 'missing'));
  if (item.due !== null || !agenda) parts.push(dateDetail(dueLabel, item.due, year, 'no date'));
  parts.push(detail('', `${agreedWord} ${formatIsoDate(item.meetingDate, year)}`, 'plain', true));
  return parts;
}

function openSummary(open: ListedItem[]): string | null {
  if (open.length === 0) return null;
  const overdue = open.filter((listed) => listed.overdue).length;
  const stalled = open.filter((listed) => listed.stalled).length;
  const marks = [overdue > 0 ? `${overdue} overdue` : '', stalled > 0 ? `${stalled} stalled` : ''].filter(Boolean);
  const still = `${countOf(open.length, 'item')} still open from earlier meetings`;
  return marks.length === 0 ? `${still}.` : `${still}: ${marks.join(', ')}.`;
}
