/**
 * What windows-1252 makes of bytes 0x80–0x9F, in order ("\ufffd" for the five it leaves undefined: 0x81, 0x8D, 0x8F,
 * 0x90, 0x9D), as the WHATWG Encoding Standard's index-windows-1252 and Unicode's CP1252.TXT give them. Bytes below
 * 0x80 and from 0xA0 up are their own code points. A literal rather than iconv-lite's codec: these 32 characters
 * were all it was used for, and it brought every other codec with it (≈ 480 KB of bundle, CJK tables included).
 */
export const WINDOWS_1252_80_9F =
  '\u20ac\ufffd\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\ufffd\u017d\ufffd' +
  '\ufffd\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\ufffd\u017e\u0178';
