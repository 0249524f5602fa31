import type { FormatCallback } from 'html-to-text';

// A table row becomes one line of cells joined by " | ", so that an Owner/Due/Status table reads like the
// pipe rows people type in plain text and the extractor handles both the same way.
const cell: FormatCallback = (elem, walk, builder) => {
  walk(elem.children, builder);
  builder.addInline(' | ');
};

interface Node {
  name?: string | undefined;
  parent?: Node | null | undefined;
}

function insideCell(elem: Node): boolean {
  let node = elem.parent;
  for (let depth = 0; node && depth < 50; depth++, node = node.parent) {
    if (node.name === 'td' || node.name === 'th') return true;
  }
  return false;
}

const blockUnlessInCell =
  (lineBreaks: number): FormatCallback =>
  (elem, walk, builder) => {
    if (insideCell(elem)) {
      walk(elem.children, builder);
      builder.addInline(' ');
      return;
    }
    builder.openBlock({ leadingLineBreaks: lineBreaks });
    walk(elem.children, builder);
    builder.closeBlock({ trailingLineBreaks: lineBreaks });
  };

const lineBreakUnlessInCell: FormatCallback = (elem, _walk, builder) => {
  if (insideCell(elem)) builder.addInline(' ');
  else builder.addLineBreak();
};

const OPTIONS = {
  wordwrap: false as const,
  formatters: {
    cell,
    paragraphUnlessInCell: blockUnlessInCell(2),
    blockUnlessInCell: blockUnlessInCell(1),
    lineBreakUnlessInCell,
  },
  selectors: [
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'img', format: 'skip' },
    { selector: 'table', format: 'block' },
    { selector: 'tr', format: 'block', options: { leadingLineBreaks: 1, trailingLineBreaks: 1 } },
    { selector: 'td', format: 'cell' },
    // Outlook and Word wrap every cell's text in <p class=MsoNormal>: inside a cell it is one line of text.
    { selector: 'p', format: 'paragraphUnlessInCell' },
    { selector: 'div', format: 'blockUnlessInCell' },
    { selector: 'br', format: 'lineBreakUnlessInCell' },
    { selector: 'h1', options: { uppercase: false } },
    { selector: 'h2', options: { uppercase: false } },
    { selector: 'h3', options: { uppercase: false } },
    { selector: 'h4', options: { uppercase: false } },
    { selector: 'th', format: 'cell', options: { uppercase: false } },
    { selector: 'ul', options: { itemPrefix: ' - ' } },
    { selector: 'style', format: 'skip' },
    { selector: 'head', format: 'skip' },
  ],
};

/**
 * HTML to text that keeps lists as bullets and table rows as `a | b | c` lines. html-to-text is imported on the first
 * call: with its parser and entity tables it is ≈ 190 KB of bundle, and notes with a text part never need it.
 */
export async function htmlToText(html: string): Promise<string> {
  const { convert } = await import('html-to-text');
  return convert(html, OPTIONS).split('\n').map(trimEmptyCells).join('\n');
}

/** The " | " after the last cell (and after empty trailing cells), in one pass: a regex like /(\s*\|\s*)+$/
 * backtracks exponentially on a row of empty cells followed by text. */
function trimEmptyCells(line: string): string {
  let end = line.length;
  while (end > 0 && (line[end - 1] === '|' || /\s/.test(line[end - 1] ?? ''))) end--;
  return line.slice(0, end);
}
