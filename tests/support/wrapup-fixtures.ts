import type { ItemFlag, Meeting, StoredItem } from '../../functions/domain/model';

export const dana = { address: 'dana.whitfield@acme.example', name: 'Dana Whitfield' };
export const marcus = { address: 'marcus.reid@acme.example', name: 'Marcus Reid' };
export const danaMarcusSeries = 'ser_dana-whitfield_marcus-reid';

/** Dana's Thursday 1:1 with Marcus, as the ingest stores it once the notes are in. */
export function weeklyOneOnOne(overrides: Partial<Meeting> = {}): Meeting {
  return {
    id: 'mtg_01JCDANAMARCUS1112',
    messageId: '<CAF8d1x2=notes@mail.acme.example>',
    rawKey: 'raw/2026/11/12/CAF8d1x2.eml',
    receivedAt: '2026-11-12T17:42:10.000Z',
    state: 'complete',
    itemCount: 5,
    wrapupSentAt: null,
    date: '2026-11-12',
    sentAt: '2026-11-12T17:41:55.000Z',
    utcOffsetMinutes: -300,
    timeZone: null,
    subject: 'Marcus / Dana 1:1 — pipeline and Initech renewal',
    attendees: [marcus, dana],
    author: dana,
    nextMeetingDate: '2026-11-19',
    agenda: [],
    seriesId: danaMarcusSeries,
    ...overrides,
  };
}

export interface ItemSpec {
  text: string;
  owner: string | null;
  due: string | null;
  flags?: ItemFlag[];
}

export function storedItems(specs: ItemSpec[], meetingId = 'mtg_01JCDANAMARCUS1112'): StoredItem[] {
  return specs.map((spec, index) => ({
    meetingId,
    seq: index + 1,
    status: 'open',
    createdAt: '2026-11-12T17:42:11.000Z',
    updatedAt: '2026-11-12T17:42:11.000Z',
    text: spec.text,
    owner: spec.owner,
    ownerName: null,
    due: spec.due,
    source: `- ${spec.text}`,
    ownerSource: spec.owner === null ? null : 'the list heading',
    dueSource: spec.due === null ? null : 'by the date written',
    flags: spec.flags ?? [],
    section: 'action',
    seriesId: danaMarcusSeries,
    meetingDate: '2026-11-12',
    snoozedUntil: null,
    lastChange: null,
  }));
}

/** Five items as the notes of a real pipeline 1:1 yield them: two complete, three that need a human. */
export const pipelineItems: ItemSpec[] = [
  { text: 'Send the revised mutual action plan to the Globex champion', owner: marcus.address, due: '2026-11-13' },
  {
    text: 'Ask Solutions Engineering for a sandbox for the Initech pilot',
    owner: dana.address,
    due: '2026-11-17',
  },
  { text: "Book a QBR with Initech's CFO before the renewal conversation", owner: marcus.address, due: null },
  { text: 'Find out who fills in the Hooli security questionnaire', owner: null, due: '2026-11-19' },
  {
    text: 'Share the Q4 forecast call notes with Legal',
    owner: 'Priya',
    due: '2026-11-20',
    flags: ['owner-not-attendee'],
  },
];
