import { describe, expect, it } from 'vitest';
import { countOf, formatIsoDate, longWeekday, mondayOf } from '../../../functions/domain/render/format';

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
