import { convert, type FormatCallback } from 'html-to-text';

// A table row becomes one line of cells joined by " | ", so that an Owner/Due/Status table reads like the
// pipe rows people type in plain text and the extractor handles both the same way.
const cell: FormatCallback = (elem, walk, builder) => {
  walk(elem.children, builder);
  builder.addInline(' | ');
};

const OPTIONS = {
  wordwrap: false as const,
  formatters: { cell },
  selectors: [
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'img', format: 'skip' },
    { selector: 'table', format: 'block' },
    { selector: 'tr', format: 'block', options: { leadingLineBreaks: 1, trailingLineBreaks: 1 } },
    { selector: 'td', format: 'cell' },
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

/** HTML to text that keeps lists as bullets and table rows as `a | b | c` lines. */
export function htmlToText(html: string): string {
  return convert(html, OPTIONS)
    .split('\n')
    .map((line) => line.replace(/(\s*\|\s*)+$/, '').trimEnd())
    .join('\n');
}
