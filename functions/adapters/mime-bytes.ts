import type MimeNode from 'nodemailer/lib/mime-node';

/**
 * The bytes nodemailer's MimeNode.build() writes for a compiled tree, written without its stream pipeline: build()
 * pipes every part through a PassThrough, a quoted-printable or base64 encoder stream, a last-newline stream and a
 * CRLF stream, a setImmediate per part, and a byte-at-a-time JavaScript loop in the encoder and in the CRLF stream:
 * ≈ 0.86 ms of CPU for a 41 KB weekly digest, where composeMime now takes ≈ 0.39 ms in all (3,000 digests of the
 * fan-out, measured). Every step below is the stream's own, in the same order, on the same chunks, done on whole
 * strings with native searches; tests/unit/adapters/mime-bytes.test.ts holds the bytes against build()'s.
 *
 * Only the trees composeMime makes are written here: text parts with string content, under at most multipart
 * nodes, with CRLF newlines and no raw message, transform or DKIM. Anything else answers null, and the caller builds
 * it with nodemailer's streams.
 */
export function mimeBytes(root: MimeNode, scanned: readonly Escapes[] = []): Buffer | null {
  const internals = root as unknown as NodeInternals;
  if (root.newline !== 'windows' || internals._transforms.length > 0 || internals._processFuncs.length > 0) {
    return null;
  }
  // Checked before anything is built: building headers sets some on the node, and build() would build them again.
  if (!writable(root)) return null;
  const message: Message = { chunks: [], ascii: true };
  writeNode(root, message, scanned);
  // LastNewline: the message ends with a line break (a CR before the LF it adds keeps LeWindows off it).
  const last = message.chunks.at(-1) ?? '';
  const lastCode = last.charCodeAt(last.length - 1);
  if (lastCode === CR) message.chunks.push('\n');
  else if (lastCode !== LF) message.chunks.push('\r\n');
  // The stream writes its strings in UTF-8; the same bytes in Latin-1 when all of them are ASCII, which is cheaper.
  return Buffer.from(message.chunks.join(''), message.ascii ? 'latin1' : 'utf8');
}

/** What MimeNode keeps to itself and build() honours. */
interface NodeInternals {
  _raw: unknown;
  _transforms: unknown[];
  _processFuncs: unknown[];
}

/**
 * The message as chunks, each with its line ends made CRLF already (LeWindows): it changes every LF that no CR comes
 * right before. Doing so chunk by chunk comes to the same, since no chunk starts with an LF after one that ends with
 * a CR (a part's content follows its headers' blank line; a boundary line starts with CR or "-").
 */
interface Message {
  chunks: string[];
  /** Whether every chunk is ASCII (bodies always are once encoded; a header may not be). */
  ascii: boolean;
}

const CR = 0x0d;
const LF = 0x0a;
const LONE_LF = /(?<!\r)\n/g;
const NON_ASCII = /[\u0080-\uffff]/;

/** LeWindows on a chunk: every LF without a CR before it becomes CRLF. */
const crlf = (text: string): string =>
  text.includes('\r') ? text.replace(LONE_LF, '\r\n') : text.replaceAll('\n', '\r\n');

/**
 * A tree of text parts with string content (a part that is not text/* would be quoted-printable in binary mode,
 * where a lone CR or LF is data), and of multipart nodes; no raw message anywhere.
 */
function writable(node: MimeNode): boolean {
  const { content } = node;
  if ((node as unknown as NodeInternals)._raw) return false;
  if (content !== undefined && typeof content !== 'string') return false;
  if (content && !/^text\//i.test(String(node.getHeader('Content-Type') ?? ''))) return false;
  return node.childNodes.every(writable);
}

/** MimeNode.stream(): headers, a blank line, the encoded content, then each child between boundary lines. */
function writeNode(node: MimeNode, message: Message, scanned: readonly Escapes[]): void {
  const content = node.content as string | undefined;
  const transferEncoding = node.getTransferEncoding();
  const headers = `${node.buildHeaders()}\r\n\r\n`;
  if (message.ascii && NON_ASCII.test(headers)) message.ascii = false;
  message.chunks.push(crlf(headers));
  // stream() skips a falsy content, the empty string included.
  if (content) {
    if (transferEncoding === 'quoted-printable') {
      message.chunks.push(
        quotedPrintable(
          content,
          scanned.find((escapes) => escapes.text === content),
        ),
      );
    } else if (transferEncoding === 'base64') message.chunks.push(base64Lines(content));
    // 7bit: nodemailer chose it because the text is ASCII with short lines.
    else message.chunks.push(crlf(content));
  }
  if (node.multipart) {
    // Each child's headers are built after its parent's and the children before it, as stream() builds them.
    for (const [index, child] of node.childNodes.entries()) {
      message.chunks.push(`${index > 0 ? '\r\n' : ''}--${node.boundary}\r\n`);
      writeNode(child, message, scanned);
    }
    message.chunks.push(`\r\n--${node.boundary}--\r\n`);
  }
}

/** base64.Encoder with its default 76 characters a line: the whole encoding, a CRLF after every full line. */
function base64Lines(content: string): string {
  const encoded = Buffer.from(content, 'utf8').toString('base64');
  if (encoded.length <= LINE) return encoded;
  const lines: string[] = [];
  for (let start = 0; start < encoded.length; start += LINE) lines.push(encoded.slice(start, start + LINE));
  return lines.join('\r\n');
}

const LINE = 76;
/** qp.Encoder encodes and wraps its input this many bytes at a time (ENCODE_SLICE_SIZE). */
const SLICE = 64 * 1024;

/**
 * qp.Encoder (lineLength 76, text mode) fed the content as build() feeds it, in one chunk, then LeWindows: the
 * whitespace the chunk ends with is held back and encoded at the end, as if a chunk followed; each 64 KB slice is
 * encoded knowing the byte after it, and wrapped together with the unfinished last line of the slice before.
 *
 * Content without a CR that fits one slice (a digest's HTML) is encoded as a string, without a copy in bytes, and
 * its soft line breaks are written "=\n" so that one replace of every LF makes all line ends CRLF: the LFs of the
 * content are all lone, and those are the ones LeWindows changes.
 */
export function quotedPrintable(content: string, escapes?: Escapes): string {
  const fits = content.length * 3 <= SLICE || utf8Length(content, escapes) <= SLICE;
  if (fits && !content.includes('\r')) {
    let end = content.length;
    while (end > 0 && isBlank(content.charCodeAt(end - 1))) end -= 1;
    // The runs found in the content all lie before the blanks it ends with.
    const main = encodeText(content.slice(0, end), escapes?.runs);
    const written = wrappedSlices([main, encodeText(content.slice(end))], '=\n');
    return written.replaceAll('\n', '\r\n');
  }
  let bytes = Buffer.from(content, 'utf8');
  let end = bytes.length;
  while (end > 0 && isBlank(bytes[end - 1])) end -= 1;
  let held: Buffer | null = null;
  if (bytes.length - end <= SLICE) {
    held = end < bytes.length ? bytes.subarray(end) : null;
    bytes = bytes.subarray(0, end);
  }
  const encoded: string[] = [];
  for (const buffer of held === null ? [bytes] : [bytes, held]) {
    for (let start = 0; start < buffer.length; start += SLICE) {
      const sliceEnd = Math.min(start + SLICE, buffer.length);
      encoded.push(encodeQuotedPrintable(buffer.subarray(start, sliceEnd), buffer[sliceEnd]));
    }
  }
  return crlf(wrappedSlices(encoded, '=\r\n'));
}

/** Each encoded slice wrapped after the unfinished last line of the one before, as qp.Encoder does. */
function wrappedSlices(slices: readonly string[], softBreak: string): string {
  // An empty slice (no held whitespace) is not one: the encoder never sees it.
  const encoded = slices.filter((slice) => slice !== '');
  let written = '';
  let line = '';
  for (const [index, slice] of encoded.entries()) {
    const wrapped = wrapQuotedPrintable(line + slice, LINE, softBreak);
    // The last slice's last line is written as it is: no need to split it off.
    if (index === encoded.length - 1) return written + wrapped;
    const lastLf = wrapped.lastIndexOf('\n');
    line = wrapped.substring(lastLf + 1);
    written += wrapped.substring(0, lastLf + 1);
  }
  return written + line;
}

/** The UTF-8 length of the text, from its runs when they are known: the rest is ASCII, a byte a character. */
function utf8Length(text: string, escapes: Escapes | undefined): number {
  if (escapes === undefined) return Buffer.byteLength(text, 'utf8');
  let length = text.length;
  for (const { run } of escapes.runs) length += Buffer.byteLength(run, 'utf8') - run.length;
  return length;
}

const isBlank = (byte: number | undefined): boolean => byte === 0x20 || byte === 0x09;

/** "=XX" for every byte value, upper-case hex as nodemailer writes it. */
const ESCAPED = Array.from({ length: 256 }, (_, byte) => `=${byte.toString(16).toUpperCase().padStart(2, '0')}`);

// Bytes qp writes as they are (RFC 2045 6.7): TAB, LF, CR, and printable ASCII but "="; a blank before a line break
// is written encoded. Matched in the bytes read as Latin-1, one character a byte.
const ENCODED = /[^\t\n\r\x20-\x3c\x3e-\x7e]|[\t ](?=[\r\n])/g;

const escapeByte = (char: string): string => ESCAPED[char.charCodeAt(0)] as string;

/**
 * qp's encodeBytes in text mode, for bytes followed by `next` (undefined at the end of the input): a blank that ends
 * the bytes is encoded when nothing or a line break follows.
 */
export function encodeQuotedPrintable(bytes: Buffer, next: number | undefined): string {
  const text = bytes.toString('latin1');
  const lastByte = bytes[bytes.length - 1];
  if (isBlank(lastByte) && (next === undefined || next === LF || next === CR)) {
    return text.slice(0, -1).replace(ENCODED, escapeByte) + ESCAPED[lastByte as number];
  }
  return text.replace(ENCODED, escapeByte);
}

// Characters other than "=" that qp writes as the escapes of their UTF-8 bytes: controls but TAB, LF and CR, DEL and
// everything beyond ASCII. A surrogate pair is always in one run; a lone surrogate is U+FFFD's bytes, as in a Buffer.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the class lists the control characters that are escaped.
const ESCAPED_RUN = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\uffff]+/g;

/** The runs of a text that qp escapes other than "=", found once (escapesIn) for both the choice and the encoding. */
export interface Escapes {
  text: string;
  runs: ReadonlyArray<{ index: number; run: string }>;
}

/** One scan of the text for the characters other than "=" that qp escapes. */
export function escapesIn(text: string): Escapes {
  const runs: Array<{ index: number; run: string }> = [];
  // The module's own pattern, not a new one per text: V8 runs a new pattern interpreted until it has been used a
  // while (≈ 3× slower on a digest, measured). Nothing runs between its exec calls, so its lastIndex is this loop's.
  ESCAPED_RUN.lastIndex = 0;
  for (let match = ESCAPED_RUN.exec(text); match !== null; match = ESCAPED_RUN.exec(text)) {
    runs.push({ index: match.index, run: match[0] });
  }
  return { text, runs };
}

/**
 * How many characters of the text nodemailer counts as binary or 8-bit when it chooses between quoted-printable and
 * base64: those of the runs, but DEL, which qp escapes and nodemailer counts as neither.
 */
export function binaryOrEightBit(escapes: Escapes): number {
  let count = 0;
  for (const { run } of escapes.runs) {
    count += run.length;
    for (let at = run.indexOf('\x7f'); at >= 0; at = run.indexOf('\x7f', at + 1)) count -= 1;
  }
  return count;
}

function escapeRun(run: string): string {
  let escaped = '';
  for (const byte of Buffer.from(run, 'utf8')) escaped += ESCAPED[byte];
  return escaped;
}

/**
 * encodeBytes in text mode on the UTF-8 bytes of the text, as the end of the input, written from the string: "="
 * first (the escapes are made of it), then the other characters, then a blank before a line break or at the end.
 * Each step is one native replace, or a search that finds nothing, where encodeBytes looks at every byte in turn.
 */
export function encodeText(text: string, runs?: Escapes['runs']): string {
  let encoded: string;
  if (runs === undefined) {
    encoded = escapeEquals(text).replace(ESCAPED_RUN, escapeRun);
  } else {
    // From the runs already found: the text between them with its "=" escaped, each run by its bytes. The escaped
    // text is ASCII: kept one byte a character, the searches and copies after this one go over half the bytes.
    const parts: string[] = [];
    let from = 0;
    for (const { index, run } of runs) {
      parts.push(escapeEquals(text.slice(from, index)), escapeRun(run));
      from = index + run.length;
    }
    parts.push(escapeEquals(text.slice(from)));
    encoded = Buffer.from(parts.join(''), 'latin1').toString('latin1');
  }
  encoded = escapeBlanksBeforeBreaks(encoded);
  const last = encoded.charCodeAt(encoded.length - 1);
  return isBlank(last) ? encoded.slice(0, -1) + ESCAPED[last] : encoded;
}

const escapeEquals = (text: string): string => (text.includes('=') ? text.replaceAll('=', '=3D') : text);

/**
 * A blank before a line break, escaped. Without CRs, the LFs are looked up and the character before each looked at:
 * a search for one character is a fast native scan, where a pattern starting with a blank stops at every space of
 * the HTML (≈ 45 µs against ≈ 11 µs for a weekly digest, measured).
 */
function escapeBlanksBeforeBreaks(text: string): string {
  if (text.includes('\r')) return text.replace(BLANK_BEFORE_BREAK, escapeByte);
  let escaped = '';
  let from = 0;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) {
    const before = text.charCodeAt(at - 1);
    if (!isBlank(before)) continue;
    escaped += text.slice(from, at - 1) + ESCAPED[before];
    from = at;
  }
  return from === 0 ? text : escaped + text.slice(from);
}

const BLANK_BEFORE_BREAK = /[\t ](?=[\r\n])/g;

const isHex = (code: number): boolean =>
  (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x46) || (code >= 0x61 && code <= 0x66);

const hexValue = (code: number): number => (code <= 0x39 ? code - 0x30 : (code | 0x20) - 0x57);

/** Whether str[start, end) ends with a whole escape "=XX" (/[=][\da-f]{2}$/i). */
const endsInEscape = (str: string, start: number, end: number): boolean =>
  end - start >= 3 &&
  str.charCodeAt(end - 3) === 0x3d &&
  isHex(str.charCodeAt(end - 2)) &&
  isHex(str.charCodeAt(end - 1));

/** Whether str[start, end) is one to four escapes and nothing else (/^(?:=[\da-f]{2}){1,4}$/i). */
function isOnlyEscapes(str: string, start: number, end: number): boolean {
  const length = end - start;
  if (length % 3 !== 0 || length < 3 || length > 12) return false;
  for (let i = start; i < end; i += 3) {
    if (str.charCodeAt(i) !== 0x3d || !isHex(str.charCodeAt(i + 1)) || !isHex(str.charCodeAt(i + 2))) return false;
  }
  return true;
}

/** " \t.,!?": where qp's wrap prefers to break a line. */
const isBreakable = (code: number): boolean =>
  code === 0x20 || code === 0x09 || code === 0x2e || code === 0x2c || code === 0x21 || code === 0x3f;

/**
 * indexOf(needle, from) for positions that mostly grow: the last answer stands for every position up to it, so a
 * string searched line by line is scanned about once, not once a line.
 */
function finder(str: string, needle: string): (from: number) => number {
  let askedFrom = Number.POSITIVE_INFINITY;
  let found = -1;
  return (from) => {
    if (from >= askedFrom && (found < 0 || from <= found)) return found;
    askedFrom = from;
    found = str.indexOf(needle, from);
    return found;
  };
}

/**
 * qp's wrap(str, lineLength) with `softBreak` for its "=\r\n", step for step on the line str[pos, pos + lineLength),
 * each of its regular expressions replaced by the search it stands for (tests/unit/adapters/mime-bytes.test.ts
 * compares the two on generated input).
 */
export function wrapQuotedPrintable(str: string, lineLength: number, softBreak = '=\r\n'): string {
  if (str.length <= lineLength) return str;
  const len = str.length;
  const lineMargin = Math.floor(lineLength / 3);
  const nextCrlf = finder(str, '\r\n');
  const nextLf = finder(str, '\n');
  const nextCr = finder(str, '\r');
  let pos = 0;
  let result = '';
  while (pos < len) {
    const end = Math.min(pos + lineLength, len);
    // /\r\n/: up to the first CRLF in the line, as it is.
    const crlfAt = nextCrlf(pos);
    if (crlfAt >= 0 && crlfAt + 2 <= end) {
      result += str.slice(pos, crlfAt + 2);
      pos = crlfAt + 2;
      continue;
    }
    if (str.charCodeAt(end - 1) === LF) {
      result += str.slice(pos, end);
      pos = end;
      continue;
    }
    // /\n.*?$/ in the last lineMargin characters: the last LF there, when no CR (a line terminator to ".") follows.
    const tailStart = Math.max(pos, end - lineMargin);
    const firstLf = nextLf(pos);
    if (firstLf >= 0 && firstLf < end) {
      const lastLf = str.lastIndexOf('\n', end - 1);
      const crAfter = lastLf >= tailStart ? nextCr(lastLf + 1) : -1;
      if (lastLf >= tailStart && (crAfter < 0 || crAfter >= end)) {
        result += str.slice(pos, lastLf + 1);
        pos = lastLf + 1;
        continue;
      }
    }
    let lineEnd = end;
    // /[ \t.,!?][^ \t.,!?]*$/ in the last lineMargin characters: the last breakable character there.
    let breakAt = -1;
    if (end - pos > lineLength - lineMargin) {
      for (let i = end - 1; i >= tailStart; i -= 1) {
        if (isBreakable(str.charCodeAt(i))) {
          breakAt = i;
          break;
        }
      }
    }
    if (breakAt >= 0) {
      lineEnd = breakAt + 1;
    } else if (endsInPartialEscape(str, pos, end) || endsInEscape(str, pos, end)) {
      // An incomplete escape (/[=][\da-f]{0,1}$/i) goes to the next line.
      if (end - pos >= 2 && str.charCodeAt(end - 2) === 0x3d && isHex(str.charCodeAt(end - 1))) lineEnd = end - 2;
      else if (str.charCodeAt(end - 1) === 0x3d) lineEnd = end - 1;
      // Nor is a UTF-8 sequence split.
      while (
        lineEnd - pos > 3 &&
        lineEnd - pos < len - pos &&
        !isOnlyEscapes(str, pos, lineEnd) &&
        endsInEscape(str, pos, lineEnd)
      ) {
        const code = hexValue(str.charCodeAt(lineEnd - 2)) * 16 + hexValue(str.charCodeAt(lineEnd - 1));
        if (code < 128) break;
        lineEnd -= 3;
        if (code >= 0xc0) break;
      }
    }
    if (lineEnd === pos) lineEnd = end;
    if (lineEnd < len && str.charCodeAt(lineEnd - 1) !== LF) {
      if (lineEnd - pos === lineLength && endsInEscape(str, pos, lineEnd)) lineEnd -= 3;
      else if (lineEnd - pos === lineLength) lineEnd -= 1;
      result += str.slice(pos, lineEnd) + softBreak;
    } else {
      result += str.slice(pos, lineEnd);
    }
    pos = lineEnd;
  }
  return result;
}

/** Whether str[start, end) ends with "=" or "=" and one hex digit. */
const endsInPartialEscape = (str: string, start: number, end: number): boolean =>
  (end - start >= 1 && str.charCodeAt(end - 1) === 0x3d) ||
  (end - start >= 2 && str.charCodeAt(end - 2) === 0x3d && isHex(str.charCodeAt(end - 1)));
