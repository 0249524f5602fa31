import type {
  ItemChange,
  Meeting,
  OutboxRecord,
  PersonRecord,
  SentMailRecord,
  Series,
  StoredItem,
} from '../../functions/domain/model';

/** Dana manages Priya; the notes of their 1:1 were forwarded from Dana's mailbox. */
export const dana = { address: 'dana.okafor@northwind.example', name: 'Dana Okafor' };
export const priya = { address: 'priya.raman@northwind.example', name: 'Priya Raman' };
/** Dana's other report. */
export const sam = { address: 'sam.whitfield@northwind.example', name: 'Sam Whitfield' };

/** The series of Dana's 1:1s with Priya. */
export const seriesId = 'se_5d1c0a7e9b2f4c83';

export const aMeeting = (overrides: Partial<Meeting> = {}): Meeting => ({
  id: 'm_3f2a9c1e7b4d4e0f',
  messageId: '<CAOk3x9bQ2f7Lm1@mail.northwind.example>',
  rawKey: 'raw/2025/03/12/m_3f2a9c1e7b4d4e0f.eml',
  receivedAt: '2025-03-12T16:04:11.208Z',
  state: 'pending',
  itemCount: 3,
  wrapupSentAt: null,
  seriesId,
  date: '2025-03-12',
  sentAt: '2025-03-12T16:03:58.000Z',
  utcOffsetMinutes: -300,
  timeZone: null,
  subject: 'Fwd: Dana / Priya 1:1 — notes',
  attendees: [dana, priya],
  author: dana,
  nextMeetingDate: '2025-03-26',
  agenda: ['Promo timeline for H2', 'Conference budget'],
  ...overrides,
});

export const anItem = (overrides: Partial<StoredItem> = {}): StoredItem => ({
  meetingId: 'm_3f2a9c1e7b4d4e0f',
  seq: 1,
  status: 'open',
  createdAt: '2025-03-12T16:04:12.031Z',
  updatedAt: '2025-03-12T16:04:12.031Z',
  seriesId,
  meetingDate: '2025-03-12',
  snoozedUntil: null,
  lastChange: null,
  text: 'Draft the Q2 on-call rotation proposal',
  owner: priya.address,
  ownerName: priya.name,
  due: '2025-03-19',
  source: '- Priya: draft the Q2 on-call rotation proposal by next Wednesday',
  ownerSource: 'Priya:',
  dueSource: 'by next Wednesday',
  flags: [],
  section: 'action',
  ...overrides,
});

/** The three items of the fixture meeting as the ingest stores them, nulls and flags included. */
export const meetingItems = (meetingId: string): StoredItem[] => [
  anItem({ meetingId, seq: 1 }),
  anItem({
    meetingId,
    seq: 2,
    text: 'Send Priya the promo packet template',
    owner: dana.address,
    ownerName: dana.name,
    due: '2025-03-14',
    source: '- I will send Priya the promo packet template by Friday',
  }),
  anItem({
    meetingId,
    seq: 3,
    text: 'Ask Marcus about a data-platform mentor',
    owner: 'Marcus',
    ownerName: 'Marcus',
    due: null,
    source: '- Marcus to suggest someone from data platform as a mentor?',
    flags: ['owner-not-attendee', 'no-date'],
    section: 'growth',
  }),
];

/** Priya snoozing item 1 from a reply: the change, with the item as it was before. */
export const aChange = (overrides: Partial<ItemChange> = {}): ItemChange => ({
  action: 'snooze',
  by: priya.address,
  at: '2025-03-14T08:30:00.000Z',
  previous: {
    status: 'open',
    due: '2025-03-19',
    owner: priya.address,
    ownerName: priya.name,
    snoozedUntil: null,
    flags: [],
  },
  ...overrides,
});

export const aSeries = (overrides: Partial<Series> = {}): Series => ({
  id: seriesId,
  members: [dana, priya],
  author: dana,
  meetings: [
    { id: 'm_3f2a9c1e7b4d4e0f', date: '2025-03-12' },
    { id: 'm_8c41d07a25e94b6b', date: '2025-03-26' },
  ],
  nextMeeting: { date: '2025-04-09', source: 'cadence' },
  timeZone: 'America/New_York',
  version: 1,
  updatedAt: '2025-03-26T15:10:41.000Z',
  ...overrides,
});

export const aPerson = (overrides: Partial<PersonRecord> = {}): PersonRecord => ({
  address: priya.address,
  name: priya.name,
  timeZone: 'America/New_York',
  weekly: { day: 'MON', time: '08:00' },
  createdAt: '2025-03-12T16:04:12.031Z',
  updatedAt: '2025-03-12T16:04:12.031Z',
  ...overrides,
});

/** The wrap-up of the fixture meeting as the send records it. */
/** The outbox claim of Priya's wrap-up, before it is sent: its key is internal, its ref random. */
export const anOutboxClaim = (
  overrides: Partial<Omit<OutboxRecord, 'state' | 'sentAt'>> = {},
): Omit<OutboxRecord, 'state' | 'sentAt'> => ({
  key: 'p7m3kq2xv4wz5nb6rc2hd7jf3a',
  ref: 'x4k2m7qp3vz6nd5w',
  messageId: '<5f0c2a1e-7d1b-4c8e-9a53-0c1d2e3f4a5b@followthrough.northwind.example>',
  kind: 'wrapup',
  to: [priya.address],
  subject: 'Wrap-up: Dana / Priya 1:1 (12 March) [ft-x4k2m7qp3vz6nd5w]',
  meetingId: 'm_3f2a9c1e7b4d4e0f',
  seriesId,
  items: [
    { number: 1, meetingId: 'm_3f2a9c1e7b4d4e0f', seq: 1 },
    { number: 2, meetingId: 'm_3f2a9c1e7b4d4e0f', seq: 2 },
  ],
  claimedAt: '2025-03-12T16:34:10.000Z',
  ...overrides,
});

export const aSentMail = (overrides: Partial<SentMailRecord> = {}): SentMailRecord => ({
  ref: 'wrapup-m_3f2a9c1e7b4d4e0f-priya.raman@northwind.example',
  kind: 'wrapup',
  messageId: '<wrapup.m_3f2a9c1e7b4d4e0f.1741796051@followthrough.northwind.example>',
  to: [priya.address],
  subject: 'Wrap-up: Dana / Priya 1:1 (12 March)',
  sentAt: '2025-03-12T16:34:11.000Z',
  meetingId: 'm_3f2a9c1e7b4d4e0f',
  seriesId,
  items: [
    { number: 1, meetingId: 'm_3f2a9c1e7b4d4e0f', seq: 1 },
    { number: 2, meetingId: 'm_3f2a9c1e7b4d4e0f', seq: 2 },
  ],
  ...overrides,
});
