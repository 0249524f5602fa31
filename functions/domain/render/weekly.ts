import { fillWeekly } from '../../../templates/compiled/weekly';
import { FollowthroughError } from '../errors';
import type { Person } from '../model';
import type { TemplateFill } from './fill';
import { countOf, displayName, firstName, formatIsoDate, formatShortDate, mondayOf, parseCalendarDate } from './format';
import type { ListedItem, RenderedMail, WeeklyInput } from './inputs';
import {
  commands,
  type Detail,
  dateDetail,
  detail,
  type GroupView,
  group,
  listedItemView,
  renderItemMail,
  unsubscribeFooterLink,
} from './items';

/**
 * One person's weekly digest of what they own: overdue first, each with the 1:1 it came from.
 *
 * `fill` fills the template in: its precompiled function; the equivalence test and the bench pass Mustache.render.
 */
export function renderWeeklyMail(input: WeeklyInput, fill: TemplateFill = fillWeekly): RenderedMail {
  // Nobody gets an empty weekly mail: the use case skips such people, so an empty list here is a bug upstream.
  if (input.items.length === 0) {
    throw new FollowthroughError(
      `renderWeeklyMail: no items for ${input.person.address}; an empty weekly is never sent.`,
    );
  }
  const today = parseCalendarDate(input.today);
  const year = today?.year;
  const week = today === null ? input.today : formatShortDate(mondayOf(today), year);
  // The items come from a handful of 1:1s: each counterpart's name is cleaned once, not once an item.
  const counterparts = new Map<Person, string>();
  const view = (listed: ListedItem) => listedItemView(listed, details(listed, year, counterparts), input.links, year);
  const overdue = input.items.filter((listed) => listed.overdue);
  const rest = input.items.filter((listed) => !listed.overdue);
  const groups: GroupView[] = [
    ...(overdue.length === 0 ? [] : [group('Overdue', overdue.map(view))]),
    ...(rest.length === 0 ? [] : [group(overdue.length === 0 ? 'Open' : 'Still open', rest.map(view))]),
  ];
  const summary = `${firstName(input.person)}, you own ${countOf(input.items.length, 'open item')}${
    overdue.length === 0 ? '' : `, ${overdue.length} overdue`
  }.`;

  return renderItemMail(fill, {
    subject: `Your open items — week of ${week}`,
    preview: summary,
    intro: { heading: 'Your open items', date: `week of ${week}`, lines: [summary] },
    groups,
    notices: [],
    footer: {
      commands,
      reason: 'You are getting this because you own open items from your 1:1s. It comes once a week.',
      unsubscribe: unsubscribeFooterLink('Unsubscribe from the weekly digest', input.unsubscribeUrl),
    },
  });
}

function details(listed: ListedItem, year: number | undefined, counterparts: Map<Person, string>): Detail[] {
  const { counterpart } = listed;
  let from = 'from a 1:1';
  if (counterpart !== null) {
    from = counterparts.get(counterpart) ?? `1:1 with ${displayName(counterpart)}`;
    counterparts.set(counterpart, from);
  }
  return [
    dateDetail('Due', listed.item.due, year, 'no date'),
    detail('', from, 'plain'),
    detail('', `agreed ${formatIsoDate(listed.item.meetingDate, year)}`, 'plain', true),
  ];
}
