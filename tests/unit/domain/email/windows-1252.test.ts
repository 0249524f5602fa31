import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { WINDOWS_1252_80_9F } from '../../../../functions/domain/email/windows-1252';

describe('WINDOWS_1252_80_9F', () => {
  it('holds what a windows-1252 codec decodes bytes 0x80–0x9F to', () => {
    const bytes = Buffer.from(Array.from({ length: 32 }, (_, i) => 0x80 + i));

    expect(WINDOWS_1252_80_9F).toBe(iconv.decode(bytes, 'win1252'));
  });

  it('leaves the five bytes windows-1252 does not define as U+FFFD', () => {
    const undefinedBytes = [...WINDOWS_1252_80_9F].flatMap((char, i) => (char === '\ufffd' ? [0x80 + i] : []));

    expect(undefinedBytes).toEqual([0x81, 0x8d, 0x8f, 0x90, 0x9d]);
  });
});
