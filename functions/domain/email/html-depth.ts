import { MAIL_LIMITS } from './limits';

// Elements that never hold others, and those the HTML parser closes by itself when the next one opens (a <p> ends
// the open <p>, an <li> the open <li>): neither makes nesting deeper, so neither is counted.
const UNCOUNTED = new Set([
  'area',
  'base',
  'br',
  'col',
  'dd',
  'dt',
  'embed',
  'hr',
  'img',
  'input',
  'li',
  'link',
  'meta',
  'option',
  'p',
  'param',
  'source',
  'td',
  'th',
  'tr',
  'track',
  'wbr',
]);
// Their content is text to the parser, whatever it looks like: a "<div>" inside a <style> opens nothing.
const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title', 'xmp']);
const TAG_NAME = /[a-z][a-z0-9-]{0,40}/iy;

/**
 * The HTML with every tag nested deeper than `maxDepth` dropped (their text stays, one level up), or the HTML as it
 * is when nothing nests that deep. The HTML parser behind html-to-text keeps its stack of open elements in a way
 * that costs the square of the depth: 100,000 nested <div>s take it tens of seconds and then overflow the call
 * stack. This pass is one linear scan that only counts; it never needs to understand the document, because HTML
 * that real mail clients write stays far below the limit and is returned untouched.
 */
export function capHtmlDepth(
  html: string,
  maxDepth: number = MAIL_LIMITS.htmlDepth,
): { html: string; capped: boolean } {
  const kept: string[] = [];
  let depth = 0;
  let copiedUpTo = 0;
  let capped = false;
  let at = html.indexOf('<');
  while (at !== -1) {
    if (html.startsWith('<!--', at)) {
      const end = html.indexOf('-->', at + 4);
      if (end === -1) break;
      at = html.indexOf('<', end + 3);
      continue;
    }
    const end = html.indexOf('>', at + 1);
    if (end === -1) break;
    const closing = html[at + 1] === '/';
    TAG_NAME.lastIndex = at + (closing ? 2 : 1);
    const name = TAG_NAME.exec(html)?.[0].toLowerCase();
    let next = end + 1;
    if (name !== undefined && !UNCOUNTED.has(name)) {
      if (closing) {
        if (depth > maxDepth) drop(at, end + 1);
        depth = Math.max(0, depth - 1);
      } else if (html[end - 1] !== '/') {
        depth++;
        if (depth > maxDepth) drop(at, end + 1);
        if (RAW_TEXT.has(name)) next = closingTag(html, name, end + 1);
      }
    }
    at = html.indexOf('<', next);
  }
  if (!capped) return { html, capped: false };
  kept.push(html.slice(copiedUpTo));
  return { html: kept.join(''), capped: true };

  function drop(from: number, to: number): void {
    kept.push(html.slice(copiedUpTo, from));
    copiedUpTo = to;
    capped = true;
  }
}

/** Where `</name` next starts (any case), or the end of the HTML. */
function closingTag(html: string, name: string, from: number): number {
  for (let at = html.indexOf('</', from); at !== -1; at = html.indexOf('</', at + 2)) {
    if (html.slice(at + 2, at + 2 + name.length).toLowerCase() === name) return at;
  }
  return html.length;
}
