import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ParsedAttachment, type ParsedEmail, parseEmail } from '../../../../functions/domain/email/parse-email';
import {
  calendarParts,
  deriveNextMeeting,
  loadCalendarReader,
  nextMeetingByCadence,
  nextMeetingFromCalendar,
  seriesIdOf,
} from '../../../../functions/domain/series/next-meeting';
import { fixtureBytes } from '../../../support/fixtures';

// What storeMeeting does before any invite is read: ical.js is loaded on demand.
beforeAll(loadCalendarReader);

const calendar = (name: string): string =>
  readFileSync(join(import.meta.dirname, '..', '..', '..', 'fixtures', 'calendar', name), 'utf8');

/** Thursdays 17:00 in Los Angeles from 8 Oct 2026, no end: Google's invite with its VTIMEZONE. */
const GOOGLE_WEEKLY = calendar('google-weekly.ics');
/** Every other Tuesday 16:00 "Eastern Standard Time" from 15 Sep 2026 until 2 Mar 2027: Outlook's, with a VTIMEZONE. */
const OUTLOOK_BIWEEKLY = calendar('outlook-biweekly.ics');
/**
 * Mondays 09:30 in London from 2 Nov 2026, 12 times; 16 Nov, 21 and 28 Dec excluded; 23 Nov moved to Tue 24 Nov 14:00.
 */
const WEEKLY_EXDATE = calendar('weekly-exdate.ics');

function ics(...lines: string[]): string {
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', ...lines, 'END:VCALENDAR', ''].join('\r\n');
}

function vevent(...lines: string[]): string[] {
  return ['BEGIN:VEVENT', 'UID:one@test', 'DTSTAMP:20261101T000000Z', ...lines, 'END:VEVENT'];
}

function email(attachments: ParsedAttachment[]): ParsedEmail {
  return {
    messageId: '<x@test>',
    subject: 'notes',
    dateHeader: null,
    from: null,
    to: [],
    cc: [],
    headers: new Map(),
    text: null,
    html: null,
    attachments,
    cuts: [],
  };
}

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text.replace(/\r?\n/g, '\r\n'));

describe('seriesIdOf', () => {
  const dana = { address: 'dana.whitfield@northwind.example', name: 'Dana Whitfield' };
  const marcus = { address: 'marcus.lee@northwind.example', name: 'Marcus' };

  it('is "s" and the first 20 hex digits of the sha256 of the sorted addresses, one a line', () => {
    const expected = createHash('sha256')
      .update('dana.whitfield@northwind.example\nmarcus.lee@northwind.example')
      .digest('hex')
      .slice(0, 20);

    expect(seriesIdOf([marcus, dana])).toBe(`s${expected}`);
  });

  it('does not depend on the order of the attendees', () => {
    expect(seriesIdOf([dana, marcus])).toBe(seriesIdOf([marcus, dana]));
  });

  it('does not depend on letter case, spaces or names', () => {
    expect(seriesIdOf([{ address: ' Dana.Whitfield@Northwind.Example', name: null }, marcus])).toBe(
      seriesIdOf([dana, marcus]),
    );
  });

  it('counts an attendee listed twice once', () => {
    expect(seriesIdOf([dana, marcus, { ...dana, name: 'D.' }])).toBe(seriesIdOf([dana, marcus]));
  });

  it('differs for different people', () => {
    const priya = { address: 'priya@northwind.example', name: null };

    expect(seriesIdOf([dana, priya])).not.toBe(seriesIdOf([dana, marcus]));
  });
});

describe('nextMeetingFromCalendar: the fixtures', () => {
  it.each([
    ['Google weekly, after a Thursday', GOOGLE_WEEKLY, '2026-11-12', 'America/Los_Angeles', '2026-11-19'],
    ['Google weekly, before it starts', GOOGLE_WEEKLY, '2026-10-01', 'America/Los_Angeles', '2026-10-08'],
    ['Google weekly, on a Wednesday', GOOGLE_WEEKLY, '2026-11-18', 'America/Los_Angeles', '2026-11-19'],
    // Thursday 17:00 in Los Angeles is already Friday 01:00 in London.
    ['Google weekly, seen from London', GOOGLE_WEEKLY, '2026-11-12', 'Europe/London', '2026-11-13'],
    [
      'Google weekly across the end of US summer time',
      GOOGLE_WEEKLY,
      '2026-10-29',
      'America/Los_Angeles',
      '2026-11-05',
    ],
    ['Outlook biweekly, after a week off', OUTLOOK_BIWEEKLY, '2026-11-12', 'America/New_York', '2026-11-24'],
    ['Outlook biweekly, on a meeting day', OUTLOOK_BIWEEKLY, '2026-11-10', 'America/New_York', '2026-11-24'],
    ['Outlook biweekly, the day before one', OUTLOOK_BIWEEKLY, '2026-11-09', 'America/New_York', '2026-11-10'],
    ['Outlook biweekly, the last one (UNTIL)', OUTLOOK_BIWEEKLY, '2027-03-01', 'America/New_York', '2027-03-02'],
    // Tuesday 16:00 in New York is Wednesday 06:00 in Tokyo.
    ['Outlook biweekly, seen from Tokyo', OUTLOOK_BIWEEKLY, '2026-11-12', 'Asia/Tokyo', '2026-11-25'],
    ['weekly, the first week', WEEKLY_EXDATE, '2026-11-02', 'Europe/London', '2026-11-09'],
    ['weekly, over an EXDATE to a moved meeting', WEEKLY_EXDATE, '2026-11-09', 'Europe/London', '2026-11-24'],
    ['weekly, after the moved meeting', WEEKLY_EXDATE, '2026-11-24', 'Europe/London', '2026-11-30'],
    ['weekly, over two EXDATEs on separate lines', WEEKLY_EXDATE, '2026-12-14', 'Europe/London', '2027-01-04'],
    ['weekly, the last of its COUNT', WEEKLY_EXDATE, '2027-01-11', 'Europe/London', '2027-01-18'],
  ])('reads %s', (_name, text, after, timeZone, expected) => {
    expect(nextMeetingFromCalendar([text], after, timeZone)).toBe(expected);
  });

  it('gives null once a series has ended by UNTIL', () => {
    expect(nextMeetingFromCalendar([OUTLOOK_BIWEEKLY], '2027-03-02', 'America/New_York')).toBeNull();
  });

  it('gives null once a series has ended by COUNT', () => {
    expect(nextMeetingFromCalendar([WEEKLY_EXDATE], '2027-01-18', 'Europe/London')).toBeNull();
  });

  it('takes the earliest date of several calendars', () => {
    expect(nextMeetingFromCalendar([GOOGLE_WEEKLY, OUTLOOK_BIWEEKLY], '2026-11-12', 'America/New_York')).toBe(
      '2026-11-19',
    );
    expect(nextMeetingFromCalendar([GOOGLE_WEEKLY, OUTLOOK_BIWEEKLY], '2026-11-20', 'America/New_York')).toBe(
      '2026-11-24',
    );
  });

  it('reads a calendar written with LF line ends', () => {
    expect(nextMeetingFromCalendar([GOOGLE_WEEKLY.replace(/\r\n/g, '\n')], '2026-11-12', 'America/Los_Angeles')).toBe(
      '2026-11-19',
    );
  });
});

describe('nextMeetingFromCalendar: times and zones', () => {
  it.each([
    ['UTC, seen from UTC', ['DTSTART:20261119T233000Z'], 'UTC', '2026-11-19'],
    ['UTC, seen from Tokyo', ['DTSTART:20261119T233000Z'], 'Asia/Tokyo', '2026-11-20'],
    ['UTC, seen from Los Angeles', ['DTSTART:20261120T033000Z'], 'America/Los_Angeles', '2026-11-19'],
    ['floating, anywhere', ['DTSTART:20261119T233000'], 'Asia/Tokyo', '2026-11-19'],
    ['all day, anywhere', ['DTSTART;VALUE=DATE:20261119'], 'Pacific/Kiritimati', '2026-11-19'],
    [
      'an IANA TZID with no VTIMEZONE, at home',
      ['DTSTART;TZID=America/New_York:20261119T220000'],
      'America/New_York',
      '2026-11-19',
    ],
    [
      'an IANA TZID with no VTIMEZONE, from Berlin',
      ['DTSTART;TZID=America/New_York:20261119T220000'],
      'Europe/Berlin',
      '2026-11-20',
    ],
    // 19:30 in New York is 00:30 UTC the next day in winter (UTC-5), 23:30 the same day in summer (UTC-4).
    [
      'an IANA TZID with no VTIMEZONE, in winter',
      ['DTSTART;TZID=America/New_York:20261119T193000'],
      'UTC',
      '2026-11-20',
    ],
    [
      'an IANA TZID with no VTIMEZONE, in summer',
      ['DTSTART;TZID=America/New_York:20270617T193000'],
      'UTC',
      '2027-06-17',
    ],
    [
      'an unknown TZID with no VTIMEZONE, as floating',
      ['DTSTART;TZID=Mountain Standard Time:20261119T233000'],
      'Asia/Tokyo',
      '2026-11-19',
    ],
  ])('reads %s', (_name, lines, timeZone, expected) => {
    expect(nextMeetingFromCalendar([ics(...vevent(...lines))], '2026-11-12', timeZone)).toBe(expected);
  });

  it('gives null for a single event on or before the day', () => {
    expect(nextMeetingFromCalendar([ics(...vevent('DTSTART:20261112T090000Z'))], '2026-11-12', 'UTC')).toBeNull();
  });

  it('reads a weekly rule on two days', () => {
    const text = ics(...vevent('DTSTART:20261102T150000Z', 'RRULE:FREQ=WEEKLY;BYDAY=MO,TH;UNTIL=20261231T000000Z'));

    expect(nextMeetingFromCalendar([text], '2026-11-12', 'UTC')).toBe('2026-11-16');
  });

  it('reads a monthly rule on the first Tuesday', () => {
    const text = ics(...vevent('DTSTART:20261006T150000Z', 'RRULE:FREQ=MONTHLY;BYDAY=1TU'));

    expect(nextMeetingFromCalendar([text], '2026-11-12', 'UTC')).toBe('2026-12-01');
  });

  it('reads a daily rule', () => {
    const text = ics(...vevent('DTSTART:20261102T150000Z', 'RRULE:FREQ=DAILY;INTERVAL=3'));

    expect(nextMeetingFromCalendar([text], '2026-11-12', 'UTC')).toBe('2026-11-14');
  });

  it('leaves out a single occurrence cancelled on its own', () => {
    const text = ics(
      ...vevent('DTSTART:20261105T150000Z', 'RRULE:FREQ=WEEKLY'),
      ...vevent('RECURRENCE-ID:20261119T150000Z', 'DTSTART:20261119T150000Z', 'STATUS:CANCELLED'),
    );

    expect(nextMeetingFromCalendar([text], '2026-11-12', 'UTC')).toBe('2026-11-26');
  });

  it('counts an occurrence moved earlier where it moved to', () => {
    const text = ics(
      ...vevent('DTSTART:20261105T150000Z', 'RRULE:FREQ=WEEKLY'),
      ...vevent('RECURRENCE-ID:20261126T150000Z', 'DTSTART:20261117T150000Z'),
    );

    expect(nextMeetingFromCalendar([text], '2026-11-12', 'UTC')).toBe('2026-11-17');
  });

  it('leaves out a cancelled series', () => {
    const text = ics(...vevent('DTSTART:20261105T150000Z', 'RRULE:FREQ=WEEKLY', 'STATUS:CANCELLED'));

    expect(nextMeetingFromCalendar([text], '2026-11-12', 'UTC')).toBeNull();
  });

  it('leaves out a cancellation notice', () => {
    const text = ics('METHOD:CANCEL', ...vevent('DTSTART:20261119T150000Z'));

    expect(nextMeetingFromCalendar([text], '2026-11-12', 'UTC')).toBeNull();
  });

  it('reads two calendars in one text', () => {
    const text = `${ics(...vevent('DTSTART:20261126T150000Z'))}${ics(...vevent('DTSTART:20261119T150000Z'))}`;

    expect(nextMeetingFromCalendar([text], '2026-11-12', 'UTC')).toBe('2026-11-19');
  });
});

describe('nextMeetingFromCalendar: what it cannot read', () => {
  it.each([
    ['nothing', []],
    ['an empty text', ['']],
    ['text that is not iCalendar', ['Meeting on Thursday at 5']],
    ['a calendar without events', [ics()]],
    ['an event without DTSTART', [ics(...vevent('SUMMARY:1:1'))]],
    ['a broken DTSTART', [ics(...vevent('DTSTART:2026-11-19'))]],
    ['an RRULE ical.js refuses', [ics(...vevent('DTSTART:20261105T150000Z', 'RRULE:FREQ=WEEKLY;BYDAY=XX'))]],
  ])('gives null for %s', (_name, texts) => {
    expect(nextMeetingFromCalendar(texts, '2026-11-12', 'UTC')).toBeNull();
  });

  it('gives null rather than throwing for a time zone Intl does not know', () => {
    expect(nextMeetingFromCalendar([GOOGLE_WEEKLY], '2026-11-12', 'Mars/Olympus_Mons')).toBeNull();
  });

  it('gives null for a day that is not a date', () => {
    expect(nextMeetingFromCalendar([GOOGLE_WEEKLY], '12/11/2026', 'UTC')).toBeNull();
  });

  it.each([['FREQ=DAILY;INTERVAL=7;BYDAY=TU'], ['FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30'], ['FREQ=DAILY;BYDAY=1MO']])(
    'skips %s, on which ical.js would never return',
    (rule) => {
      const text = ics(...vevent('DTSTART:20261112T150000Z', `RRULE:${rule}`));

      expect(nextMeetingFromCalendar([text], '2026-11-12', 'UTC')).toBeNull();
    },
  );

  it('still reads the other events of a calendar with a rule it skips', () => {
    const text = ics(
      ...vevent('DTSTART:20261112T150000Z', 'RRULE:FREQ=DAILY;INTERVAL=7;BYDAY=TU'),
      'BEGIN:VEVENT',
      'UID:two@test',
      'DTSTART:20261119T150000Z',
      'END:VEVENT',
    );

    expect(nextMeetingFromCalendar([text], '2026-11-12', 'UTC')).toBe('2026-11-19');
  });

  it('gives up on a series with more than 1,000 occurrences before the day', () => {
    const since1990 = ics(...vevent('DTSTART:19900104T150000Z', 'RRULE:FREQ=WEEKLY'));
    const since2010 = ics(...vevent('DTSTART:20100107T150000Z', 'RRULE:FREQ=WEEKLY'));

    expect(nextMeetingFromCalendar([since1990], '2026-11-12', 'UTC')).toBeNull();
    expect(nextMeetingFromCalendar([since2010], '2026-11-12', 'UTC')).toBe('2026-11-19');
  });

  it('reads many calendars of secondly events quickly', () => {
    const secondly = ics(...vevent('DTSTART:20200101T000000Z', 'RRULE:FREQ=SECONDLY'));
    const everyDay = ics(...vevent('DTSTART:20200101T000000Z', 'RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU'));
    const started = performance.now();

    expect(
      nextMeetingFromCalendar([...Array(20).fill(secondly), ...Array(20).fill(everyDay)], '2026-11-12', 'UTC'),
    ).toBeNull();
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe('calendarParts', () => {
  it('finds the invite inside a notes mail forwarded as an attachment', async () => {
    const parsed = await parseEmail(fixtureBytes('fwd-with-invite.eml'));

    expect(calendarParts(parsed)).toEqual([GOOGLE_WEEKLY]);
  });

  it('relies on postal-mime keeping a message attached as a file whole, notes and all', async () => {
    const parsed = await parseEmail(fixtureBytes('fwd-with-invite.eml'));

    expect(parsed.attachments.map((a) => [a.mimeType, a.filename])).toEqual([
      ['message/rfc822', '1_1 Dana _ Marcus - notes.eml'],
    ]);
    expect(parsed.text).not.toContain('Action items');
  });

  it('finds an invite sent twice (calendar alternative and invite.ics) in an inline message once', async () => {
    const parsed = await parseEmail(fixtureBytes('notes-with-inline-invitation.eml'));

    // postal-mime lifts the parts of an inline message/rfc822 into the attachments itself.
    expect(parsed.attachments.map((a) => a.mimeType)).toEqual(['text/calendar', 'application/ics']);
    expect(calendarParts(parsed)).toEqual([OUTLOOK_BIWEEKLY]);
  });

  it('finds nothing in a mail without an invite', async () => {
    expect(calendarParts(await parseEmail(fixtureBytes('demo-one-on-one.eml')))).toEqual([]);
  });

  it('takes a part by its .ics name whatever its type', () => {
    const part = { filename: 'Meeting.ICS', mimeType: 'application/octet-stream', content: bytes(GOOGLE_WEEKLY) };

    expect(calendarParts(email([part]))).toEqual([GOOGLE_WEEKLY]);
  });

  it('leaves out a calendar part that holds no calendar', () => {
    const part = { filename: 'invite.ics', mimeType: 'text/calendar', content: bytes('not a calendar') };

    expect(calendarParts(email([part]))).toEqual([]);
  });

  it('leaves out other attachments', () => {
    const part = { filename: 'notes.txt', mimeType: 'text/plain', content: bytes(GOOGLE_WEEKLY) };

    expect(calendarParts(email([part]))).toEqual([]);
  });

  it('finds a quoted-printable invite in a message inside an attached message', () => {
    const qp = GOOGLE_WEEKLY.replace(/=/g, '=3D').replace(/Dana \/ Marcus/, 'Dana =\r\n/ Marcus');
    const inner = [
      'Subject: Invitation',
      'Content-Type: multipart/alternative; boundary=inner',
      '',
      '--inner',
      'Content-Type: text/plain',
      '',
      'You are invited',
      '--inner',
      'Content-Type: text/calendar; method=REQUEST; charset=UTF-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      qp,
      '--inner--',
      '',
    ].join('\r\n');
    const middle = [
      'Subject: Fwd: Invitation',
      'Content-Type: multipart/mixed;',
      ' boundary="middle"',
      '',
      '--middle',
      'Content-Type: message/rfc822',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from(inner).toString('base64'),
      '--middle--',
      '',
    ].join('\r\n');
    const part = { filename: 'Fwd.eml', mimeType: 'message/rfc822', content: new TextEncoder().encode(middle) };

    const [found] = calendarParts(email([part]));

    expect(found?.trimEnd()).toBe(GOOGLE_WEEKLY.trimEnd());
  });

  it('stops looking four messages deep', () => {
    let message = ['Content-Type: text/calendar', '', GOOGLE_WEEKLY].join('\r\n');
    for (let i = 0; i < 5; i++) message = ['Content-Type: message/rfc822', '', message].join('\r\n');

    const part = { filename: null, mimeType: 'message/rfc822', content: new TextEncoder().encode(message) };

    expect(calendarParts(email([part]))).toEqual([]);
  });
});

describe('nextMeetingByCadence', () => {
  it.each([
    ['no meetings', [], '2026-11-19'],
    ['one meeting', ['2026-11-12'], '2026-11-19'],
    ['weekly', ['2026-10-22', '2026-10-29', '2026-11-05', '2026-11-12'], '2026-11-19'],
    ['every other week', ['2026-10-15', '2026-10-29', '2026-11-12'], '2026-11-26'],
    ['weekly with one skipped week', ['2026-10-22', '2026-10-29', '2026-11-12'], '2026-11-23'],
    ['weekly with one week skipped among more', ['2026-10-15', '2026-10-22', '2026-10-29', '2026-11-12'], '2026-11-19'],
    ['out of order, with a repeat', ['2026-11-12', '2026-10-29', '2026-11-05', '2026-11-12'], '2026-11-19'],
    ['two meetings 90 days apart (held to 35)', ['2026-08-14', '2026-11-12'], '2026-12-17'],
    ['with dates that are not dates', ['2026-11-05', 'soon', '2026-02-30', '2026-11-12'], '2026-11-19'],
    [
      'a monthly past and a weekly present: only the last six count',
      [
        '2026-06-01',
        '2026-07-01',
        '2026-08-01',
        '2026-10-08',
        '2026-10-15',
        '2026-10-22',
        '2026-10-29',
        '2026-11-05',
        '2026-11-12',
      ],
      '2026-11-19',
    ],
  ])('reads %s', (_name, dates, expected) => {
    expect(nextMeetingByCadence(dates, '2026-11-12')).toBe(expected);
  });

  it('rounds a median between two gaps', () => {
    // Gaps 7 and 14: 10.5 days.
    expect(nextMeetingByCadence(['2026-10-22', '2026-10-29', '2026-11-12'], '2026-11-12')).toBe('2026-11-23');
  });

  it('counts from the day it is given', () => {
    expect(nextMeetingByCadence(['2026-10-29', '2026-11-12'], '2026-12-31')).toBe('2027-01-14');
  });

  it('throws on a day that is not a date', () => {
    expect(() => nextMeetingByCadence([], '2026-13-01')).toThrow(RangeError);
  });
});

describe('deriveNextMeeting', () => {
  const base = {
    fromNotes: null,
    calendars: [GOOGLE_WEEKLY],
    meetingDates: ['2026-10-29', '2026-11-12'],
    meetingDate: '2026-11-12',
    timeZone: 'America/Los_Angeles',
  };

  it('takes the date the notes name', () => {
    expect(deriveNextMeeting({ ...base, fromNotes: '2026-11-17' })).toEqual({ date: '2026-11-17', source: 'notes' });
  });

  it.each([['2026-11-12'], ['2026-11-05']])('passes over a notes date of %s, not after the meeting', (fromNotes) => {
    expect(deriveNextMeeting({ ...base, fromNotes })).toEqual({ date: '2026-11-19', source: 'calendar' });
  });

  it('takes the calendar when the notes name no date', () => {
    expect(deriveNextMeeting(base)).toEqual({ date: '2026-11-19', source: 'calendar' });
  });

  it('reads the calendar in the series time zone', () => {
    expect(deriveNextMeeting({ ...base, timeZone: 'Europe/London' })).toEqual({
      date: '2026-11-13',
      source: 'calendar',
    });
  });

  it('takes the cadence when the calendar has nothing after the meeting', () => {
    expect(deriveNextMeeting({ ...base, calendars: [OUTLOOK_BIWEEKLY], meetingDate: '2027-03-04' })).toEqual({
      date: '2027-03-18',
      source: 'cadence',
    });
  });

  it('takes the cadence when there is no calendar', () => {
    expect(deriveNextMeeting({ ...base, calendars: [] })).toEqual({ date: '2026-11-26', source: 'cadence' });
  });

  it('takes a week when there is nothing else', () => {
    expect(deriveNextMeeting({ ...base, calendars: ['garbage'], meetingDates: [] })).toEqual({
      date: '2026-11-19',
      source: 'cadence',
    });
  });
});
