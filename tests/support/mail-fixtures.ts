import type { ItemSection, Person, Series, StoredItem } from '../../functions/domain/model';
import type {
  ConfirmationInput,
  DigestInput,
  LinkFor,
  ListedItem,
  RollupInput,
  WeeklyInput,
} from '../../functions/domain/render/inputs';
import { dana, danaMarcusSeries, marcus } from './wrapup-fixtures';

/*
 * A sales team as the mails see it: Dana Whitfield manages Marcus Reid and Priya Natarajan and holds a Thursday 1:1
 * with Marcus (5, 12, 19 Nov 2026) and a Monday 1:1 with Priya (16 Nov). The ListedItem numbers follow the rules the
 * use cases apply (overdue before the day, stalled after two later meetings or a week overdue), so the mails built
 * from them read like the real thing.
 */

export { dana, marcus };
export const priya: Person = { address: 'priya.natarajan@acme.example', name: 'Priya Natarajan' };

export const linkFor: LinkFor = (item, action) => `http://127.0.0.1:8787/a/tok-${item.meetingId}-${item.seq}-${action}`;

/** The unsubscribe URL a sender would sign for this recipient and kind of digest. */
export const unsubscribeUrlFor = (address: string, kind: string): string =>
  `http://127.0.0.1:8787/u/unsub-${kind}-${address}`;

export const hostile = '<img src=x onerror=alert(1)>';

const meetingIds: Record<string, string> = {
  '2026-11-05': 'mtg_01JBDANAMARCUS1105',
  '2026-11-12': 'mtg_01JCDANAMARCUS1112',
  '2026-11-16': 'mtg_01JCDANAPRIYA1116',
};

export const danaPriyaSeries = 'ser_dana-whitfield_priya-natarajan';

export function marcusSeries(overrides: Partial<Series> = {}): Series {
  return {
    id: danaMarcusSeries,
    members: [dana, marcus],
    author: dana,
    meetings: [
      { id: 'mtg_01JBDANAMARCUS1105', date: '2026-11-05' },
      { id: 'mtg_01JCDANAMARCUS1112', date: '2026-11-12' },
    ],
    nextMeeting: { date: '2026-11-19', source: 'notes' },
    timeZone: 'America/Chicago',
    version: 4,
    updatedAt: '2026-11-12T17:42:12.000Z',
    ...overrides,
  };
}

export interface MailItemSpec {
  text: string;
  owner: string | null;
  due: string | null;
  /** The meeting it was agreed at; also picks the series. */
  agreed: keyof typeof meetingIds;
  seq: number;
  section?: ItemSection;
}

export function mailItem(spec: MailItemSpec): StoredItem {
  const meetingId = meetingIds[spec.agreed] ?? 'mtg_unknown';
  return {
    meetingId,
    seq: spec.seq,
    status: 'open',
    createdAt: `${spec.agreed}T17:42:11.000Z`,
    updatedAt: `${spec.agreed}T17:42:11.000Z`,
    text: spec.text,
    owner: spec.owner,
    ownerName: null,
    due: spec.due,
    source: `- ${spec.text}`,
    ownerSource: spec.owner === null ? null : 'the list heading',
    dueSource: spec.due === null ? null : 'by the date written',
    flags: [],
    section: spec.section ?? 'action',
    seriesId: meetingId.includes('PRIYA') ? danaPriyaSeries : danaMarcusSeries,
    meetingDate: spec.agreed,
    snoozedUntil: null,
    lastChange: null,
  };
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** Numbers the items in the order given and assesses them on `day` the way the use cases do. */
export function listedItems(
  entries: { item: StoredItem; meetingsOpen: number; counterpart: Person | null }[],
  day: string,
  start = 1,
): ListedItem[] {
  return entries.map(({ item, meetingsOpen, counterpart }, index) => {
    const daysOverdue = item.due !== null && item.due < day ? daysBetween(item.due, day) : 0;
    return {
      number: start + index,
      item,
      overdue: daysOverdue > 0,
      daysOverdue,
      stalled: meetingsOpen >= 2 || daysOverdue >= 7,
      meetingsOpen,
      counterpart,
    };
  });
}

/** Dana's digest the morning of her Thursday 19 Nov 1:1 with Marcus: overdue, stalled, agenda and growth items. */
export function danaDigest(overrides: Partial<DigestInput> = {}): DigestInput {
  const day = '2026-11-19';
  const open = listedItems(
    [
      {
        item: mailItem({
          text: 'Send Initech the revised renewal quote',
          owner: marcus.address,
          due: '2026-11-10',
          agreed: '2026-11-05',
          seq: 1,
        }),
        meetingsOpen: 2,
        counterpart: marcus,
      },
      {
        item: mailItem({
          text: 'Get the Globex security review on the calendar',
          owner: marcus.address,
          due: '2026-11-16',
          agreed: '2026-11-12',
          seq: 1,
        }),
        meetingsOpen: 1,
        counterpart: marcus,
      },
      {
        item: mailItem({
          text: 'Draft the Hooli close plan with their procurement lead',
          owner: marcus.address,
          due: null,
          agreed: '2026-11-05',
          seq: 3,
        }),
        meetingsOpen: 2,
        counterpart: marcus,
      },
      {
        item: mailItem({
          text: 'Ask Solutions Engineering for a sandbox for the Initech pilot',
          owner: dana.address,
          due: '2026-11-24',
          agreed: '2026-11-12',
          seq: 2,
        }),
        meetingsOpen: 1,
        counterpart: marcus,
      },
    ],
    day,
  );
  const agenda = listedItems(
    [
      {
        item: mailItem({
          text: 'Hooli expansion: who runs the security questionnaire?',
          owner: null,
          due: null,
          agreed: '2026-11-12',
          seq: 5,
          section: 'agenda',
        }),
        meetingsOpen: 1,
        counterpart: marcus,
      },
      {
        item: mailItem({
          text: 'Q1 territory split between Marcus and Priya',
          owner: dana.address,
          due: null,
          agreed: '2026-11-12',
          seq: 6,
          section: 'agenda',
        }),
        meetingsOpen: 1,
        counterpart: marcus,
      },
    ],
    day,
    open.length + 1,
  );
  const growth = listedItems(
    [
      {
        item: mailItem({
          text: 'Lead the Umbrella Corp discovery call, with Dana shadowing',
          owner: marcus.address,
          due: '2026-12-03',
          agreed: '2026-11-05',
          seq: 4,
          section: 'growth',
        }),
        meetingsOpen: 2,
        counterpart: marcus,
      },
      {
        item: mailItem({
          text: 'Finish the negotiation course on the learning portal',
          owner: marcus.address,
          due: '2026-11-17',
          agreed: '2026-11-12',
          seq: 7,
          section: 'growth',
        }),
        meetingsOpen: 1,
        counterpart: marcus,
      },
    ],
    day,
    open.length + agenda.length + 1,
  );
  return {
    series: marcusSeries(),
    recipient: dana,
    meetingDate: day,
    open,
    agenda,
    topics: ['Walk through the Q1 territory split'],
    growth,
    links: linkFor,
    unsubscribeUrl: unsubscribeUrlFor(dana.address, 'digest'),
    ...overrides,
  };
}

/** Dana's weekly digest on Monday 23 Nov: what she owns from both her 1:1s, overdue first. */
export function danaWeekly(overrides: Partial<WeeklyInput> = {}): WeeklyInput {
  const today = '2026-11-23';
  return {
    person: dana,
    today,
    items: listedItems(
      [
        {
          item: mailItem({
            text: 'Ask Solutions Engineering for a sandbox for the Initech pilot',
            owner: dana.address,
            due: '2026-11-17',
            agreed: '2026-11-12',
            seq: 2,
          }),
          meetingsOpen: 1,
          counterpart: marcus,
        },
        {
          item: mailItem({
            text: "Approve Priya's discount request for the Hooli expansion",
            owner: dana.address,
            due: '2026-11-20',
            agreed: '2026-11-16',
            seq: 1,
          }),
          meetingsOpen: 0,
          counterpart: priya,
        },
        {
          item: mailItem({
            text: 'Introduce Priya to the Umbrella Corp executive sponsor',
            owner: dana.address,
            due: '2026-11-27',
            agreed: '2026-11-16',
            seq: 2,
          }),
          meetingsOpen: 0,
          counterpart: priya,
        },
        {
          item: mailItem({
            text: 'Send Marcus the Q1 territory map',
            owner: dana.address,
            due: null,
            agreed: '2026-11-05',
            seq: 5,
          }),
          meetingsOpen: 2,
          counterpart: marcus,
        },
      ],
      today,
    ),
    links: linkFor,
    unsubscribeUrl: unsubscribeUrlFor(dana.address, 'weekly'),
    ...overrides,
  };
}

/** Dana's roll-up of her two reports on Monday 23 Nov. */
export function danaRollup(overrides: Partial<RollupInput> = {}): RollupInput {
  return {
    manager: dana,
    today: '2026-11-23',
    reports: [
      {
        report: marcus,
        seriesId: danaMarcusSeries,
        open: 6,
        overdue: 3,
        stalled: 2,
        oldest: { text: 'Send Initech the revised renewal quote', due: '2026-11-10', meetingDate: '2026-11-05' },
      },
      {
        report: priya,
        seriesId: danaPriyaSeries,
        open: 2,
        overdue: 0,
        stalled: 0,
        oldest: {
          text: 'Update the Umbrella Corp close plan in the CRM',
          due: '2026-11-30',
          meetingDate: '2026-11-16',
        },
      },
    ],
    unsubscribeUrl: unsubscribeUrlFor(dana.address, 'rollup'),
    ...overrides,
  };
}

/** What Marcus's reply to the 12 Nov wrap-up did: two changes, one refused, one line that was no command. */
export function marcusConfirmation(overrides: Partial<ConfirmationInput> = {}): ConfirmationInput {
  return {
    to: marcus,
    about: '1:1 Dana / Marcus — Thu 12 Nov',
    applied: [
      { number: 1, text: 'Send the revised mutual action plan to the Globex champion', change: 'marked done' },
      {
        number: 3,
        text: "Book a QBR with Initech's CFO before the renewal conversation",
        change: 'due date moved to Fri 4 Dec',
      },
    ],
    refused: [{ line: 'drop 9', reason: 'there is no item 9 in that email' }],
    notUnderstood: ['Thanks Dana, can we push Thursday to 3pm?'],
    ...overrides,
  };
}

const entities: Record<string, string> = {
  '&nbsp;': ' ',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
  '&#x2F;': '/',
  '&#x60;': '`',
  '&#x3D;': '=',
  '&amp;': '&',
};

function decode(text: string): string {
  return text.replace(/&(?:nbsp|lt|gt|quot|amp|#39|#x2F|#x60|#x3D);/g, (entity) => entities[entity] ?? entity);
}

/** The HTML part as a reader sees it: tags gone, entities decoded, whitespace collapsed. */
export function visibleText(html: string): string {
  return decode(
    html
      .replace(/<(style|title)[^>]*>[\s\S]*?<\/\1>/g, ' ')
      .replace(/<!--[\s\S]*?-->/g, ' ')
      .replace(/<div style="display:none[\s\S]*?<\/div>/, ' ')
      .replace(/<\/?(strong|em|span|a)\b[^>]*>/g, '')
      .replace(/<[^>]+>/g, ' ')
      // mjml pads the hidden preview with invisible characters.
      .replace(/&#(?!39;)\d+;/g, ' '),
  )
    .replace(/\s+/g, ' ')
    .trim();
}

/** Every href of the HTML part, decoded as a mail client reads the attribute. */
export function hrefsOf(html: string): string[] {
  return [...html.matchAll(/\shref="([^"]*)"/g)].map((match) => decode(match[1] ?? ''));
}

/** How many times a class appears on an element of the HTML part. */
export function countClass(html: string, name: string): number {
  return [...html.matchAll(/\sclass="([^"]*)"/g)].filter((match) => (match[1] ?? '').split(/\s+/).includes(name))
    .length;
}
