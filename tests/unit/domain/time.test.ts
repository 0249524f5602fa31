import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../functions/domain/errors';
import {
  isTimeZone,
  localDate,
  nextWeeklyOccurrence,
  timeZoneForOffset,
  weekdayOf,
  zonedInstant,
} from '../../../functions/domain/time';

describe('isTimeZone', () => {
  it.each(['America/New_York', 'Europe/London', 'Asia/Kolkata', 'Etc/GMT+5', 'Etc/GMT-14', 'UTC'])(
    'accepts the IANA name %s',
    (name) => {
      expect(isTimeZone(name)).toBe(true);
    },
  );

  it.each(['+05:30', '-0500', 'Mars/Olympus_Mons', 'Etc/GMT+13', ''])('refuses %j', (name) => {
    expect(isTimeZone(name)).toBe(false);
  });
});

describe('timeZoneForOffset', () => {
  it('gives UTC when the header named no offset', () => {
    expect(timeZoneForOffset(null)).toBe('UTC');
  });

  it('gives UTC for an offset of zero', () => {
    expect(timeZoneForOffset(0)).toBe('UTC');
  });

  it.each([
    [-300, 'Etc/GMT+5'],
    [-720, 'Etc/GMT+12'],
    [60, 'Etc/GMT-1'],
    [540, 'Etc/GMT-9'],
    [840, 'Etc/GMT-14'],
  ])('gives the Etc zone of inverted sign for the whole-hour offset %i', (offset, zone) => {
    expect(timeZoneForOffset(offset)).toBe(zone);
  });

  it.each([
    [330, 'Asia/Kolkata'],
    [345, 'Asia/Kathmandu'],
    [270, 'Asia/Kabul'],
    [210, 'Asia/Tehran'],
    [390, 'Asia/Yangon'],
    [570, 'Australia/Darwin'],
    [630, 'Australia/Adelaide'],
    [525, 'Australia/Eucla'],
    [765, 'Pacific/Chatham'],
    [-210, 'America/St_Johns'],
    [-570, 'Pacific/Marquesas'],
  ])('gives a city for the fractional offset %i', (offset, zone) => {
    expect(timeZoneForOffset(offset)).toBe(zone);
  });

  it('gives Lord Howe for +10:30 in the southern winter, when Adelaide is at +09:30', () => {
    expect(timeZoneForOffset(630, new Date('2025-07-01T00:00:00Z'))).toBe('Australia/Lord_Howe');
  });

  it('gives Adelaide for +10:30 in the southern summer', () => {
    expect(timeZoneForOffset(630, new Date('2025-01-15T00:00:00Z'))).toBe('Australia/Adelaide');
  });

  it('gives Newfoundland for its summer offset of −02:30', () => {
    expect(timeZoneForOffset(-150, new Date('2025-07-01T12:00:00Z'))).toBe('America/St_Johns');
  });

  it('rounds an offset it has no city for to the nearest whole hour', () => {
    expect(timeZoneForOffset(-320)).toBe('Etc/GMT+5');
    expect(timeZoneForOffset(100)).toBe('Etc/GMT-2');
  });

  it('keeps an out-of-range offset within the Etc zones', () => {
    expect(timeZoneForOffset(-900)).toBe('Etc/GMT+12');
    expect(timeZoneForOffset(960)).toBe('Etc/GMT-14');
  });

  it('gives a zone Intl accepts for every offset a Date header can carry in whole minutes', () => {
    const refused = Array.from({ length: 26 * 60 + 1 }, (_, i) => i - 12 * 60).filter(
      (offset) => !isTimeZone(timeZoneForOffset(offset)),
    );
    expect(refused).toStrictEqual([]);
  });
});

describe('localDate', () => {
  it('gives the previous day in New York for an early-morning UTC instant', () => {
    expect(localDate(new Date('2025-03-12T03:30:00Z'), 'America/New_York')).toBe('2025-03-11');
  });

  it('gives the next year in Kolkata while it is still New Year’s Eve in UTC', () => {
    expect(localDate(new Date('2025-12-31T18:30:00Z'), 'Asia/Kolkata')).toBe('2026-01-01');
  });

  it('gives the old year in Kolkata one minute before its midnight', () => {
    expect(localDate(new Date('2025-12-31T18:29:00Z'), 'Asia/Kolkata')).toBe('2025-12-31');
  });

  it('follows the inverted sign of an Etc zone', () => {
    expect(localDate(new Date('2026-01-01T02:00:00Z'), 'Etc/GMT+5')).toBe('2025-12-31');
    expect(localDate(new Date('2025-12-31T20:00:00Z'), 'Etc/GMT-5')).toBe('2026-01-01');
  });

  it('refuses a zone Intl does not know', () => {
    expect(() => localDate(new Date('2025-03-12T03:30:00Z'), '+05:30')).toThrow(InvalidInputError);
  });
});

describe('zonedInstant', () => {
  it('reads a New York wall time in winter at UTC−5', () => {
    expect(zonedInstant('2025-01-15', '09:00', 'America/New_York').toISOString()).toBe('2025-01-15T14:00:00.000Z');
  });

  it('reads a New York wall time in summer at UTC−4', () => {
    expect(zonedInstant('2025-07-15', '09:00', 'America/New_York').toISOString()).toBe('2025-07-15T13:00:00.000Z');
  });

  it('moves a New York time in the spring-forward gap to the first minute after it', () => {
    expect(zonedInstant('2025-03-09', '02:30', 'America/New_York').toISOString()).toBe('2025-03-09T07:00:00.000Z');
  });

  it('reads the minute before the New York gap at the old offset', () => {
    expect(zonedInstant('2025-03-09', '01:59', 'America/New_York').toISOString()).toBe('2025-03-09T06:59:00.000Z');
  });

  it('takes the earlier of the two New York 01:30s on the fall-back night', () => {
    expect(zonedInstant('2025-11-02', '01:30', 'America/New_York').toISOString()).toBe('2025-11-02T05:30:00.000Z');
  });

  it('moves a London time in the spring-forward gap to 02:00 BST', () => {
    expect(zonedInstant('2025-03-30', '01:30', 'Europe/London').toISOString()).toBe('2025-03-30T01:00:00.000Z');
  });

  it('takes the BST reading of a London time that happens twice in October', () => {
    expect(zonedInstant('2025-10-26', '01:30', 'Europe/London').toISOString()).toBe('2025-10-26T00:30:00.000Z');
  });

  it('reads a London time after the October change at GMT', () => {
    expect(zonedInstant('2025-10-26', '02:00', 'Europe/London').toISOString()).toBe('2025-10-26T02:00:00.000Z');
  });

  it('reads Kolkata at +05:30 across New Year', () => {
    expect(zonedInstant('2026-01-01', '00:00', 'Asia/Kolkata').toISOString()).toBe('2025-12-31T18:30:00.000Z');
  });

  it('reads an Etc zone at its inverted sign', () => {
    expect(zonedInstant('2025-06-01', '09:00', 'Etc/GMT+5').toISOString()).toBe('2025-06-01T14:00:00.000Z');
  });

  it('gives back the wall time it was asked for, through localDate', () => {
    const instant = zonedInstant('2025-12-31', '23:59', 'America/New_York');
    expect(instant.toISOString()).toBe('2026-01-01T04:59:00.000Z');
    expect(localDate(instant, 'America/New_York')).toBe('2025-12-31');
  });

  it('refuses a date that does not exist', () => {
    expect(() => zonedInstant('2025-02-29', '09:00', 'UTC')).toThrow(InvalidInputError);
  });

  it('refuses a time past 23:59', () => {
    expect(() => zonedInstant('2025-02-28', '24:00', 'UTC')).toThrow(InvalidInputError);
  });
});

describe('weekdayOf', () => {
  it.each([
    ['1970-01-01', 'THU'],
    ['2025-03-09', 'SUN'],
    ['2025-12-29', 'MON'],
    ['2026-01-01', 'THU'],
    ['2024-02-29', 'THU'],
    ['1969-12-31', 'WED'],
  ])('gives %s as %s', (date, day) => {
    expect(weekdayOf(date)).toBe(day);
  });
});

describe('nextWeeklyOccurrence', () => {
  it('gives this week’s slot when it is still ahead', () => {
    const after = new Date('2025-12-29T12:00:00Z');
    expect(nextWeeklyOccurrence(after, 'MON', '08:00', 'America/New_York').toISOString()).toBe(
      '2025-12-29T13:00:00.000Z',
    );
  });

  it('gives next week’s slot across the year end once this week’s has passed', () => {
    const after = new Date('2025-12-29T13:00:00Z');
    expect(nextWeeklyOccurrence(after, 'MON', '08:00', 'America/New_York').toISOString()).toBe(
      '2026-01-05T13:00:00.000Z',
    );
  });

  it('follows the local day, not the UTC one', () => {
    // Sunday 22:00 in New York is already Monday in UTC.
    const after = new Date('2025-06-02T02:00:00Z');
    expect(nextWeeklyOccurrence(after, 'MON', '08:00', 'America/New_York').toISOString()).toBe(
      '2025-06-02T12:00:00.000Z',
    );
  });

  it('keeps the local time across the New York spring-forward', () => {
    const after = new Date('2025-03-03T14:00:00Z');
    expect(nextWeeklyOccurrence(after, 'MON', '08:00', 'America/New_York').toISOString()).toBe(
      '2025-03-10T12:00:00.000Z',
    );
  });

  it('keeps the local time across the London autumn change', () => {
    const after = new Date('2025-10-21T08:00:00Z');
    expect(nextWeeklyOccurrence(after, 'TUE', '09:00', 'Europe/London').toISOString()).toBe('2025-10-28T09:00:00.000Z');
  });

  it('lands a slot that falls in the gap on the first minute after it', () => {
    const after = new Date('2025-03-02T12:00:00Z');
    expect(nextWeeklyOccurrence(after, 'SUN', '02:30', 'America/New_York').toISOString()).toBe(
      '2025-03-09T07:00:00.000Z',
    );
  });

  it('gives the next slot when asked at the slot itself', () => {
    const slot = zonedInstant('2025-06-09', '08:00', 'Asia/Kolkata');
    expect(nextWeeklyOccurrence(slot, 'MON', '08:00', 'Asia/Kolkata').toISOString()).toBe('2025-06-16T02:30:00.000Z');
  });
});
