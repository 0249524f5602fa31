import { describe, expect, it } from 'vitest';
import { describeChange, nextState, snoozeFromToday, stateOf } from '../../../../functions/domain/items/changes';
import { assess, byAge, byUrgency, isListed } from '../../../../functions/domain/items/listing';
import type { Series, StoredItem } from '../../../../functions/domain/model';

const item = (overrides: Partial<StoredItem> = {}): StoredItem => ({
  meetingId: 'm1',
  seq: 1,
  status: 'open',
  createdAt: '2026-11-12T21:00:00.000Z',
  updatedAt: '2026-11-12T21:00:00.000Z',
  text: 'Send Initech the revised renewal quote',
  owner: 'marcus.reid@acme-sales.example',
  ownerName: 'Marcus',
  due: '2026-11-16',
  source: '- Marcus: send Initech the revised renewal quote by Monday 11/16',
  ownerSource: 'Marcus:',
  dueSource: 'by Monday 11/16',
  flags: [],
  section: 'action',
  seriesId: 's1',
  meetingDate: '2026-11-12',
  snoozedUntil: null,
  lastChange: null,
  ...overrides,
});

const series = (dates: string[]): Series => ({
  id: 's1',
  members: [],
  author: null,
  meetings: dates.map((date, i) => ({ id: `m${i + 1}`, date })),
  nextMeeting: null,
  timeZone: 'UTC',
  version: 1,
  updatedAt: '2026-11-19T00:00:00.000Z',
});

describe('assess', () => {
  it('counts the later meetings an item stayed open across, the upcoming one included', () => {
    const at = assess(item({ due: null }), '2026-11-26', series(['2026-11-12', '2026-11-19']), '2026-11-26');

    expect(at).toEqual({ overdue: false, daysOverdue: 0, meetingsOpen: 2, stalled: true });
  });

  it('is not stalled after one later meeting and a few days overdue', () => {
    const at = assess(
      item({ meetingDate: '2026-11-19', due: '2026-11-24' }),
      '2026-11-26',
      series(['2026-11-12', '2026-11-19']),
      '2026-11-26',
    );

    expect(at).toEqual({ overdue: true, daysOverdue: 2, meetingsOpen: 1, stalled: false });
  });

  it('calls an item overdue by a week stalled even with no meeting since', () => {
    expect(assess(item({ due: '2026-11-13' }), '2026-11-20', series(['2026-11-12']), null).stalled).toBe(true);
    expect(assess(item({ due: '2026-11-14' }), '2026-11-20', series(['2026-11-12']), null).stalled).toBe(false);
  });

  it('lets a growth goal run across meetings until its follow-up date is a week past', () => {
    const goal = item({ section: 'growth', due: '2026-12-15' });

    expect(assess(goal, '2026-11-26', series(['2026-11-12', '2026-11-19']), '2026-11-26').stalled).toBe(false);
    expect(assess(goal, '2026-12-22', series(['2026-11-12', '2026-11-19']), null).stalled).toBe(true);
  });
});

describe('isListed', () => {
  it('leaves out closed items and items snoozed past the day', () => {
    expect(isListed(item(), '2026-11-20')).toBe(true);
    expect(isListed(item({ status: 'done' }), '2026-11-20')).toBe(false);
    expect(isListed(item({ snoozedUntil: '2026-11-21' }), '2026-11-20')).toBe(false);
    expect(isListed(item({ snoozedUntil: '2026-11-20' }), '2026-11-20')).toBe(true);
  });
});

describe('ordering', () => {
  const listed = (due: string | null, daysOverdue: number, meetingDate = '2026-11-12', seq = 1) => ({
    item: item({ due, meetingDate, seq }),
    daysOverdue,
  });

  it('byUrgency: most overdue first, then by due date, undated last', () => {
    const sorted = [listed(null, 0), listed('2026-12-04', 0), listed('2026-11-24', 2), listed('2026-11-13', 13)].sort(
      byUrgency,
    );

    expect(sorted.map((l) => l.item.due)).toEqual(['2026-11-13', '2026-11-24', '2026-12-04', null]);
  });

  it('byAge: most overdue first, then the oldest agreement first', () => {
    const sorted = [
      listed('2026-12-04', 0, '2026-11-19'),
      listed(null, 0, '2026-11-12'),
      listed('2026-11-24', 2, '2026-11-19'),
    ].sort(byAge);

    expect(sorted.map((l) => [l.item.due, l.item.meetingDate])).toEqual([
      ['2026-11-24', '2026-11-19'],
      [null, '2026-11-12'],
      ['2026-12-04', '2026-11-19'],
    ]);
  });
});

describe('nextState', () => {
  it('closes an open item and says nothing changes the second time', () => {
    const done = nextState(item(), { action: 'done' });

    expect(done).toEqual({ ...stateOf(item()), status: 'done' });
    expect(nextState(item({ status: 'done' }), { action: 'done' })).toBeNull();
  });

  it('refuses to snooze, re-date or re-assign a closed item', () => {
    const closed = item({ status: 'dropped' });

    expect(nextState(closed, { action: 'snooze', until: '2026-12-01' })).toBe('closed');
    expect(nextState(closed, { action: 'due', due: '2026-12-01' })).toBe('closed');
    expect(nextState(closed, { action: 'owner', owner: 'jordan', ownerName: 'Jordan', attendee: false })).toBe(
      'closed',
    );
  });

  it('ends a snooze that would hide the item past its new due date', () => {
    const snoozed = item({ snoozedUntil: '2026-12-10' });

    expect(nextState(snoozed, { action: 'due', due: '2026-12-01' })).toMatchObject({
      due: '2026-12-01',
      snoozedUntil: null,
    });
  });

  it('treats an owner written in another case as the same owner', () => {
    expect(
      nextState(item(), {
        action: 'owner',
        owner: 'Marcus.Reid@acme-sales.example',
        ownerName: 'Marcus',
        attendee: true,
      }),
    ).toBeNull();
  });
});

describe('nextState: a date or an owner settles the matching flags', () => {
  it('takes a due date for an item with no date and clears its no-date flag', () => {
    // Prepare
    const undated = item({ due: null, dueSource: null, flags: ['no-date'] });

    // Act
    const next = nextState(undated, { action: 'due', due: '2026-11-20' });

    // Assess
    expect(next).toEqual({ ...stateOf(undated), due: '2026-11-20', flags: [] });
  });

  it('clears the ambiguous-date flag along with no-date, and leaves the owner flags', () => {
    // Prepare
    const doubtful = item({ owner: null, ownerName: null, flags: ['no-owner', 'ambiguous-date'] });

    // Act
    const next = nextState(doubtful, { action: 'due', due: '2026-12-04' });

    // Assess
    expect(next).toMatchObject({ due: '2026-12-04', flags: ['no-owner'] });
  });

  it('counts confirming the same date of an ambiguous item as a change that clears the flag', () => {
    // Prepare
    const ambiguous = item({ due: '2026-11-16', flags: ['ambiguous-date'] });

    // Act
    const next = nextState(ambiguous, { action: 'due', due: '2026-11-16' });

    // Assess
    expect(next).toEqual({ ...stateOf(ambiguous), flags: [] });
  });

  it('counts the same date on an item with no doubt about it as no change', () => {
    // Act
    const next = nextState(item({ due: '2026-11-16', flags: [] }), { action: 'due', due: '2026-11-16' });

    // Assess
    expect(next).toBeNull();
  });

  it('clears no-owner when an attendee is given the item', () => {
    // Prepare
    const unowned = item({ owner: null, ownerName: null, ownerSource: null, flags: ['no-owner', 'no-date'] });

    // Act
    const next = nextState(unowned, {
      action: 'owner',
      owner: 'dana.whitfield@acme-sales.example',
      ownerName: 'Dana Whitfield',
      attendee: true,
    });

    // Assess
    expect(next).toEqual({
      ...stateOf(unowned),
      owner: 'dana.whitfield@acme-sales.example',
      ownerName: 'Dana Whitfield',
      flags: ['no-date'],
    });
  });

  it('clears owner-not-attendee when an attendee takes over from someone who was not there', () => {
    // Prepare
    const outsider = item({ owner: 'Tomas', ownerName: 'Tomas', flags: ['owner-not-attendee'] });

    // Act
    const next = nextState(outsider, {
      action: 'owner',
      owner: 'marcus.reid@acme-sales.example',
      ownerName: 'Marcus',
      attendee: true,
    });

    // Assess
    expect(next).toMatchObject({ owner: 'marcus.reid@acme-sales.example', flags: [] });
  });

  it('flags an owner who was not at the meeting as owner-not-attendee, in place of no-owner', () => {
    // Prepare
    const unowned = item({ owner: null, ownerName: null, flags: ['no-owner'] });

    // Act
    const next = nextState(unowned, { action: 'owner', owner: 'Jordan', ownerName: 'Jordan', attendee: false });

    // Assess
    expect(next).toMatchObject({ owner: 'Jordan', ownerName: 'Jordan', flags: ['owner-not-attendee'] });
  });
});

describe('describeChange', () => {
  it('says each change in plain words with readable dates', () => {
    const state = { ...stateOf(item()), snoozedUntil: snoozeFromToday('2026-11-24'), due: '2026-12-04' };

    expect(describeChange('snooze', state)).toBe('snoozed until Tue 1 Dec');
    expect(describeChange('due', state)).toBe('due date moved to Fri 4 Dec');
    expect(describeChange('owner', { ...state, ownerName: 'Jordan Lee' })).toBe('owner now Jordan Lee');
  });
});
