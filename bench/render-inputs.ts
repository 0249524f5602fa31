import type { Meeting, Person, Series, StoredItem } from '../functions/domain/model';
import type { DigestInput, LinkFor, ListedItem, WeeklyInput, WrapupInput } from '../functions/domain/render/inputs';

/*
 * The three mails bench/render.ts renders, 10 items each, as a sales team's 1:1s yield them: owners among the
 * attendees and outside them, due dates set, missing and overdue, a stalled item, a growth goal. The links look like
 * the signed ones the use cases build (a base64url claim and signature); signing them is not rendering, so the
 * LinkFor only assembles the string.
 */

const dana: Person = { address: 'dana.whitfield@acme-sales.example', name: 'Dana Whitfield' };
const marcus: Person = { address: 'marcus.reid@acme-sales.example', name: 'Marcus Reid' };
const priya: Person = { address: 'priya.natarajan@acme-sales.example', name: 'Natarajan, Priya' };

const seriesId = 'ser_dana-whitfield_marcus-reid';
const meetingDate = '2026-11-12';

export const links: LinkFor = (item, action) =>
  `https://api.followthrough.example/a/eyJ2IjoxLCJpIjoi${item.meetingId}${item.seq}${action}In0.Yk9xR2tJd1V0c1N0aE5yM2Q`;

interface Spec {
  text: string;
  owner: string | null;
  ownerName?: string;
  due: string | null;
  dueSource?: string;
  flags?: StoredItem['flags'];
  section?: StoredItem['section'];
  meetingDate?: string;
}

const specs: Spec[] = [
  { text: 'Send the revised mutual action plan to the Globex champion', owner: marcus.address, due: '2026-11-13' },
  { text: 'Ask Solutions Engineering for a sandbox for the Initech pilot', owner: dana.address, due: '2026-11-17' },
  {
    text: "Book a QBR with Initech's CFO before the renewal conversation",
    owner: marcus.address,
    due: null,
    dueSource: 'before the renewal',
    flags: ['no-date'],
  },
  { text: 'Find out who fills in the Hooli security questionnaire', owner: null, due: '2026-11-19' },
  {
    text: 'Share the Q4 forecast call notes with Legal',
    owner: 'Priya',
    ownerName: 'Priya',
    due: '2026-11-20',
    flags: ['owner-not-attendee'],
  },
  {
    text: 'Update the Umbrella opportunity   stage and close date in the CRM',
    owner: marcus.address,
    due: '2026-11-16',
  },
  {
    text: 'Draft the pricing exception request for Vandelay (20% multi-year)',
    owner: dana.address,
    due: '2026-11-18',
    dueSource: "before Friday's call",
    flags: ['ambiguous-date'],
  },
  { text: 'Get two reference customers lined up for Soylent', owner: marcus.address, due: '2026-11-24' },
  {
    text: 'Shadow a discovery call run by a senior AE',
    owner: marcus.address,
    due: '2026-12-04',
    section: 'growth',
  },
  {
    text: 'Send Initech the revised renewal quote',
    owner: marcus.address,
    due: '2026-11-10',
    meetingDate: '2026-11-05',
  },
];

function item(spec: Spec, seq: number): StoredItem {
  const date = spec.meetingDate ?? meetingDate;
  return {
    meetingId: date === meetingDate ? 'mtg_01JCDANAMARCUS1112' : 'mtg_01JBDANAMARCUS1105',
    seq,
    status: 'open',
    createdAt: `${date}T17:42:11.000Z`,
    updatedAt: `${date}T17:42:11.000Z`,
    text: spec.text,
    owner: spec.owner,
    ownerName: spec.ownerName ?? null,
    due: spec.due,
    source: `- ${spec.text}`,
    ownerSource: spec.owner === null ? null : 'the list heading',
    dueSource: spec.dueSource ?? (spec.due === null ? null : 'by the date written'),
    flags: spec.flags ?? [],
    section: spec.section ?? 'action',
    seriesId,
    meetingDate: date,
    snoozedUntil: null,
    lastChange: null,
  };
}

const items = specs.map((spec, index) => item(spec, index + 1));

const meeting: Meeting = {
  id: 'mtg_01JCDANAMARCUS1112',
  messageId: '<CAF8d1x2=notes@mail.acme-sales.example>',
  rawKey: 'raw/2026/11/12/CAF8d1x2.eml',
  receivedAt: '2026-11-12T17:42:10.000Z',
  state: 'complete',
  itemCount: items.length,
  wrapupSentAt: null,
  date: meetingDate,
  sentAt: '2026-11-12T17:41:55.000Z',
  utcOffsetMinutes: -300,
  timeZone: null,
  subject: 'Marcus / Dana 1:1 — pipeline and\tInitech renewal',
  attendees: [marcus, dana],
  author: dana,
  nextMeetingDate: '2026-11-19',
  agenda: [],
  seriesId,
};

export const wrapupInput: WrapupInput = { meeting, items, links };

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** Numbered in order and assessed on `day` as the use cases do: overdue before the day, stalled when long open. */
function listed(entries: StoredItem[], day: string, counterpart: Person | null, start = 1): ListedItem[] {
  return entries.map((entry, index) => {
    const daysOverdue = entry.due !== null && entry.due < day ? daysBetween(entry.due, day) : 0;
    const meetingsOpen = entry.meetingDate < meetingDate ? 2 : 1;
    return {
      number: start + index,
      item: entry,
      overdue: daysOverdue > 0,
      daysOverdue,
      stalled: meetingsOpen >= 2 || daysOverdue >= 7,
      meetingsOpen,
      counterpart,
    };
  });
}

const series: Series = {
  id: seriesId,
  members: [dana, marcus],
  author: dana,
  meetings: [
    { id: 'mtg_01JBDANAMARCUS1105', date: '2026-11-05' },
    { id: 'mtg_01JCDANAMARCUS1112', date: meetingDate },
  ],
  nextMeeting: { date: '2026-11-19', source: 'notes' },
  timeZone: 'America/Chicago',
  version: 4,
  updatedAt: '2026-11-12T17:42:12.000Z',
};

/** Dana's digest the morning of the next 1:1: seven still open (some overdue, one stalled), two agenda, one growth. */
const digestDay = '2026-11-19';
const actions = items.filter((entry) => entry.section === 'action');
const open = listed(actions.slice(0, 7), digestDay, marcus);
const agenda = listed(
  actions.slice(7, 9).map((entry) => ({ ...entry, section: 'agenda' as const })),
  digestDay,
  marcus,
  open.length + 1,
);
const growth = listed(
  items.filter((entry) => entry.section === 'growth'),
  digestDay,
  marcus,
  open.length + agenda.length + 1,
);

export const digestInput: DigestInput = {
  series,
  recipient: dana,
  meetingDate: digestDay,
  open,
  agenda,
  topics: ['Walk through the Q1 territory split', 'Hiring plan for the second SDR'],
  growth,
  links,
  unsubscribeUrl: 'https://api.followthrough.example/u/eyJ2IjoxLCJrIjoiZGlnZXN0In0.c2lnbmF0dXJl',
};

/** Marcus's weekly digest on a Monday: ten items he owns across two 1:1s, the overdue ones first. */
const weeklyDay = '2026-11-23';
const owned = listed(
  [...items].sort((a, b) => ((a.due ?? '9999') < (b.due ?? '9999') ? -1 : 1)),
  weeklyDay,
  dana,
).map((entry, index) => ({ ...entry, number: index + 1, counterpart: index % 4 === 3 ? priya : dana }));

export const weeklyInput: WeeklyInput = {
  person: marcus,
  today: weeklyDay,
  items: [...owned.filter((entry) => entry.overdue), ...owned.filter((entry) => !entry.overdue)].map(
    (entry, index) => ({ ...entry, number: index + 1 }),
  ),
  links,
  unsubscribeUrl: 'https://api.followthrough.example/u/eyJ2IjoxLCJrIjoid2Vla2x5In0.c2lnbmF0dXJl',
};
