/*
 * What the render functions scripts/build-templates.ts generates into templates/compiled/ call at send time: the
 * parts of Mustache 4.2's semantics that cannot be settled at build time. The build turns each template's Mustache
 * tokens into string concatenation with the context-stack lookups written out, so a Lambda parses no template;
 * these helpers give every filled value the escaping, function calls and section rules Mustache.render gives it
 * (tests/unit/render/precompiled.test.ts holds the output byte for byte against Mustache.render).
 */

/** A compiled template: the view in, the filled HTML out, as Mustache.render(html, view) writes it. */
export type TemplateFill = (view: object) => string;

/** What a dotted name ("intro.date") resolves to in a context that does not hold it: look in the next one out. */
export const MISS: unique symbol = Symbol('miss');

// Mustache's escapeHtml map: & < > " ' ` = / become entities, byte for byte as Mustache.render writes them.
const entities: (string | undefined)[] = [];
for (const [character, entity] of Object.entries({
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '/': '&#x2F;',
  '`': '&#x60;',
  '=': '&#x3D;',
})) {
  entities[character.charCodeAt(0)] = entity;
}
// Global so that test() leaves lastIndex after the match it found: the scan stays in the regex engine, allocation-free.
const ESCAPABLE = /[&<>"'`=/]/g;

// The start of the last value that needed escaping, up to its last escaped character, and what it became. A mail's
// links all start with the same "https://host/a/", and escaping is character by character, so a value that starts
// the same way reuses that part and scans only the rest: ~70 ns a signed link instead of ~170 ns.
let lastHead = '';
let lastHeadEscaped = '';

/**
 * Mustache's escapeHtml. Most values (names, dates, labels) need nothing; the rest (links, mostly) are cut at each
 * character the regex finds rather than rebuilt by a replace with a callback per match.
 */
export function escapeHtml(text: string): string {
  ESCAPABLE.lastIndex = 0;
  if (!ESCAPABLE.test(text)) return text;
  let out = '';
  let last = 0;
  // slice and === compare ~30 ns faster than startsWith here.
  if (lastHead !== '' && text.slice(0, lastHead.length) === lastHead) {
    out = lastHeadEscaped;
    last = lastHead.length;
    ESCAPABLE.lastIndex = last;
    if (!ESCAPABLE.test(text)) return out + text.slice(last);
  }
  do {
    const at = ESCAPABLE.lastIndex - 1;
    out += text.slice(last, at) + entities[text.charCodeAt(at)];
    last = at + 1;
  } while (ESCAPABLE.test(text));
  lastHead = text.slice(0, last);
  lastHeadEscaped = out;
  return last < text.length ? out + text.slice(last) : out;
}

/** A looked-up value as Mustache uses it: a function is called with the innermost context as `this`. */
export function called(value: unknown, context: unknown): unknown {
  return typeof value === 'function' ? value.call(context) : value;
}

/** `{{name}}`: nothing for null and undefined, a number as it prints, anything else escaped. */
export function escaped(value: unknown, context: unknown): string {
  const v = typeof value === 'function' ? value.call(context) : value;
  if (v == null) return '';
  return typeof v === 'number' ? String(v) : escapeHtml(String(v));
}

/** `{{{name}}}` and `{{& name}}`: the value as `+=` writes it, unescaped. */
export function unescaped(value: unknown, context: unknown): string {
  const v = typeof value === 'function' ? value.call(context) : value;
  // biome-ignore lint/style/useTemplate: `+` converts an object by valueOf first, as Mustache's `buffer += value` does.
  return v == null ? '' : '' + (v as string);
}

/**
 * The context a `{{#section}}` renders its body in for a value that is not a list: an object, string or number
 * becomes the innermost context; any other truthy value (true) leaves the enclosing one innermost.
 */
export function sectionContext(value: unknown, enclosing: unknown): unknown {
  if (typeof value === 'object' || typeof value === 'string' || typeof value === 'number') return value;
  // A function here is a Mustache lambda, which needs the template's source text: no view of ours holds one.
  if (typeof value === 'function') throw new TypeError('Precompiled templates do not support Mustache lambdas.');
  return enclosing;
}

// What a context that holds no names is looked up in: a string, a number, a function, true.
const NO_NAMES: object = Object.freeze(Object.create(null));

// A null or undefined context (a list item): Mustache reads view[name] before it asks whether the view is an object,
// and fails there; so does a name looked up in it here, unless an inner context had it.
const NO_VIEW: object = new Proxy(NO_NAMES, {
  has(_, name) {
    throw new TypeError(`Cannot read properties of a null or undefined context (reading '${String(name)}')`);
  },
});

/**
 * A context as the generated code looks names up in it, with one `in` a level: the object itself, or a stand-in for
 * a context that holds no names (Mustache hits only in objects) or cannot be read.
 */
export function lookupContext(context: unknown): object {
  if (typeof context === 'object') return context === null ? NO_VIEW : context;
  return context === undefined ? NO_VIEW : NO_NAMES;
}

/**
 * A dotted name ("intro.date", "topics.length") looked up in one context, as Mustache does: followed key by key; a
 * hit when the last holder has the key (in an object, or as an own property of a primitive, like a string's length).
 */
export function dotted(context: unknown, names: readonly string[]): unknown {
  let value = context;
  let hit = false;
  for (let index = 0; value != null && index < names.length; index++) {
    const name = names[index] as string;
    if (index === names.length - 1) {
      hit = typeof value === 'object' ? name in value : Object.hasOwn(value as object, name);
    }
    value = (value as Record<string, unknown>)[name];
  }
  return hit ? value : MISS;
}
