import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  collapseWhitespace,
  countOf,
  formatIsoDate,
  formatShortDate,
  headerText,
  longWeekday,
  mondayOf,
  parseCalendarDate,
} from '../../../functions/domain/render/format';

describe('formatIsoDate', () => {
  it('formats a stored date as weekday, day and month, with the year when it is not the context year', () => {
    // Prepare
    const dates = ['2026-11-13', '2027-01-08'];

    // Act
    const shown = dates.map((date) => formatIsoDate(date, 2026));

    // Assess
    expect(shown).toEqual(['Fri 13 Nov', 'Fri 8 Jan 2027']);
  });

  it('shows a date it cannot read as stored', () => {
    // Prepare
    const stored = '2026-02-30';

    // Act
    const shown = formatIsoDate(stored);

    // Assess
    expect(shown).toBe('2026-02-30');
  });
});

describe('longWeekday', () => {
  it('names the day of the week in full', () => {
    // Prepare
    const date = '2026-11-19';

    // Act
    const day = longWeekday(date);

    // Assess
    expect(day).toBe('Thursday');
  });
});

describe('mondayOf', () => {
  it.each([
    ['2026-11-23', 23],
    ['2026-11-25', 23],
    ['2026-11-29', 23],
    ['2026-11-30', 30],
  ])('puts %s in the week of Monday the %i', (date, monday) => {
    // Prepare
    const [year, month, day] = date.split('-').map(Number) as [number, number, number];

    // Act
    const week = mondayOf({ year, month, day });

    // Assess
    expect(week).toEqual({ year: 2026, month: 11, day: monday });
  });

  it('crosses a year boundary', () => {
    // Prepare
    const friday = { year: 2027, month: 1, day: 1 };

    // Act
    const week = mondayOf(friday);

    // Assess
    expect(week).toEqual({ year: 2026, month: 12, day: 28 });
  });
});

describe('countOf', () => {
  it('uses the singular for one and the plural otherwise', () => {
    // Prepare
    const counts = [0, 1, 9];

    // Act
    const words = counts.map((count) => countOf(count, 'day'));

    // Assess
    expect(words).toEqual(['0 days', '1 day', '9 days']);
  });
});

/*
 * The helpers a mail calls a dozen times an item were rewritten without regexes and Date objects where they could
 * be; these are the versions they replaced, and the new ones must answer as they did for any input.
 */
const reference = {
  collapseWhitespace: (text: string) => text.replace(/\s+/g, ' ').trim(),
  headerText(text: string, max: number): string {
    const line = reference.collapseWhitespace(
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the characters headerText removes.
      text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g, ' '),
    );
    const characters = Array.from(line);
    return characters.length <= max
      ? line
      : `${characters
          .slice(0, max - 1)
          .join('')
          .trimEnd()}…`;
  },
  parseCalendarDate(iso: string): { year: number; month: number; day: number } | null {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
    if (!match) return null;
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const probe = new Date(Date.UTC(year, month - 1, day));
    if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) return null;
    return { year, month, day };
  },
  weekday: (year: number, month: number, day: number) => new Date(Date.UTC(year, month - 1, day)).getUTCDay(),
};

const text = fc.string({
  unit: fc.constantFrom(
    'a',
    'Z',
    ' ',
    '  ',
    '\t',
    '\n',
    '\r',
    '\u000b',
    '\f',
    '\u00a0',
    '\u1680',
    '\u2000',
    '\u200a',
    '\u2028',
    '\u2029',
    '\u202f',
    '\u205f',
    '\u3000',
    '\ufeff',
    '\u200b',
    '\u0000',
    '\u0085',
    '\u202e',
    '\u2066',
    '😀',
    'é',
  ),
  maxLength: 30,
});
const digit = fc.constantFrom('0', '1', '2', '3', '9', '٣', 'x');
const isoLike = fc.oneof(
  fc
    .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }))
    .map(
      ([year, month, day]) =>
        `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
    ),
  fc.array(fc.oneof(digit, fc.constantFrom('-', ' ', '\n')), { maxLength: 11 }).map((chars) => chars.join('')),
);

describe('format helpers against the versions they replaced', () => {
  it('collapses whitespace as the regex did', () => {
    // Act
    const check = () =>
      fc.assert(
        fc.property(text, (value) => collapseWhitespace(value) === reference.collapseWhitespace(value)),
        { numRuns: 5000, seed: 1 },
      );

    // Assess
    expect(check).not.toThrow();
  });

  it('cleans a header line as before, cut or not', () => {
    // Act
    const check = () =>
      fc.assert(
        fc.property(
          text,
          fc.integer({ min: 1, max: 12 }),
          (value, max) => headerText(value, max) === reference.headerText(value, max),
        ),
        { numRuns: 5000, seed: 2 },
      );

    // Assess
    expect(check).not.toThrow();
  });

  it('reads calendar dates as the Date probe did, years before 100 included', () => {
    // Act
    const check = () =>
      fc.assert(
        fc.property(
          isoLike,
          (iso) => JSON.stringify(parseCalendarDate(iso)) === JSON.stringify(reference.parseCalendarDate(iso)),
        ),
        { numRuns: 10_000, seed: 3 },
      );

    // Assess
    expect(check).not.toThrow();
  });

  it('names the weekday as Date does, for any year, month and day it is given', () => {
    // Prepare
    const date = fc.record({
      year: fc.oneof(fc.integer({ min: 0, max: 10_050 }), fc.constantFrom(1.5, -1)),
      month: fc.oneof(fc.integer({ min: 0, max: 13 }), fc.constant(2.5)),
      day: fc.oneof(fc.integer({ min: -40, max: 70 }), fc.constant(3.5)),
    });

    // Act
    const check = () =>
      fc.assert(
        fc.property(date, ({ year, month, day }) => {
          const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][reference.weekday(year, month, day)];
          return formatShortDate({ year, month, day }).startsWith(`${weekday} `);
        }),
        { numRuns: 10_000, seed: 4 },
      );

    // Assess
    expect(check).not.toThrow();
  });
});
