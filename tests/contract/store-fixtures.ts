import type { Meeting, StoredItem } from '../../functions/domain/model';

/** Dana manages Priya; the notes of their 1:1 were forwarded from Dana's mailbox. */
export const dana = { address: 'dana.okafor@northwind.example', name: 'Dana Okafor' };
export const priya = { address: 'priya.raman@northwind.example', name: 'Priya Raman' };

export const aMeeting = (overrides: Partial<Meeting> = {}): Meeting => ({
  id: 'm_3f2a9c1e7b4d4e0f',
  messageId: '<CAOk3x9bQ2f7Lm1@mail.northwind.example>',
  rawKey: 'raw/2025/03/12/m_3f2a9c1e7b4d4e0f.eml',
  receivedAt: '2025-03-12T16:04:11.208Z',
  state: 'pending',
  itemCount: 3,
  wrapupSentAt: null,
  date: '2025-03-12',
  sentAt: '2025-03-12T16:03:58.000Z',
  utcOffsetMinutes: -300,
  subject: 'Fwd: Dana / Priya 1:1 — notes',
  attendees: [dana, priya],
  author: dana,
  nextMeetingDate: '2025-03-26',
  ...overrides,
});

export const anItem = (overrides: Partial<StoredItem> = {}): StoredItem => ({
  meetingId: 'm_3f2a9c1e7b4d4e0f',
  seq: 1,
  status: 'open',
  createdAt: '2025-03-12T16:04:12.031Z',
  updatedAt: '2025-03-12T16:04:12.031Z',
  text: 'Draft the Q2 on-call rotation proposal',
  owner: priya.address,
  ownerName: priya.name,
  due: '2025-03-19',
  source: '- Priya: draft the Q2 on-call rotation proposal by next Wednesday',
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
