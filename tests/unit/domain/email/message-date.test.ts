import { describe, expect, it } from 'vitest';
import { localDateOf } from '../../../../functions/domain/email/message-date';

describe('localDateOf', () => {
  it('reads an RFC 5322 Date header as the sender’s local day, offset and instant', () => {
    // Act
    const written = localDateOf('Thu, 12 Nov 2026 15:08:44 -0500');

    // Assess
    expect(written).toEqual({ date: '2026-11-12', offsetMinutes: -300, instant: '2026-11-12T20:08:44.000Z' });
  });

  it('reads 29 February of a leap year', () => {
    // Act
    const written = localDateOf('Tue, 29 Feb 2028 10:00:00 +0000');

    // Assess
    expect(written?.date).toBe('2028-02-29');
  });

  it('reads no date from a header whose day does not exist in its month', () => {
    // Act
    const days = ['Mon, 32 Jan 2026 10:00:00 +0000', '31 Feb 2026 10:00:00 +0000', 'Sun, 29 Feb 2026 10:00:00 +0000'];

    // Assess
    expect(days.map((d) => localDateOf(d))).toEqual([null, null, null]);
  });

  it('reads no date from a header whose time does not exist', () => {
    // Act
    const times = [
      'Thu, 12 Nov 2026 25:61:00 +0000',
      'Thu, 12 Nov 2026 25:00:00 +0000',
      'Thu, 12 Nov 2026 10:61:00 +0000',
    ];

    // Assess
    expect(times.map((t) => localDateOf(t))).toEqual([null, null, null]);
  });

  it('reads no date from a forwarded "Date:" line whose day does not exist', () => {
    // Act
    const written = localDateOf('Thu, Feb 31, 2026 at 5:47 PM');

    // Assess
    expect(written).toBeNull();
  });
});
