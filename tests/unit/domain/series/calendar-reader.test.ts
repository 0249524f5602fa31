import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deriveNextMeeting, nextMeetingFromCalendar } from '../../../../functions/domain/series/next-meeting';

// A file of its own: every test file gets fresh modules, so ical.js is not loaded here until something loads it.
const GOOGLE_WEEKLY = readFileSync(
  join(import.meta.dirname, '..', '..', '..', 'fixtures', 'calendar', 'google-weekly.ics'),
  'utf8',
);

describe('reading calendar invites before loadCalendarReader', () => {
  it('throws rather than skip the invite', () => {
    expect(() => nextMeetingFromCalendar([GOOGLE_WEEKLY], '2026-11-12', 'America/Los_Angeles')).toThrow(
      /loadCalendarReader/,
    );
  });

  it('needs no reader for mail without invites', () => {
    const base = { fromNotes: null, calendars: [], meetingDates: ['2026-11-05', '2026-11-12'], timeZone: 'UTC' };

    expect(deriveNextMeeting({ ...base, meetingDate: '2026-11-12' })).toEqual({
      date: '2026-11-19',
      source: 'cadence',
    });
  });
});
