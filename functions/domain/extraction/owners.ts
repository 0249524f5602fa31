import type { Person } from '../model';

export interface OwnerContext {
  attendees: Person[];
  /** Who wrote the notes: "I", "me", "my" and a joint "we" are this person. */
  author: Person | null;
}

export interface ResolvedOwner {
  /** The attendee's address, or the name as written for someone who did not attend. */
  owner: string;
  ownerName: string;
  attendee: boolean;
}

interface NameKeys {
  person: Person;
  full: string | null;
  first: string | null;
  last: string | null;
  initials: string | null;
  localParts: string[];
}

export function fold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .trim();
}

/**
 * Every "(…)" replaced, as text.replace(/\([^)]*\)/g, replacement) does, in one pass: that pattern reads to the end
 * of the text from every "(" that is never closed.
 */
function withoutParentheses(text: string, replacement: string): string {
  let out = '';
  let copied = 0;
  for (let open = text.indexOf('('); open !== -1; open = text.indexOf('(', copied)) {
    const close = text.indexOf(')', open + 1);
    if (close === -1) break;
    out += text.slice(copied, open) + replacement;
    copied = close + 1;
  }
  return out + text.slice(copied);
}

function keysOf(person: Person): NameKeys {
  const local = person.address.split('@')[0] ?? '';
  const localParts = local
    .split(/[._-]+/)
    .filter(Boolean)
    .map(fold);
  const nameParts = withoutParentheses(person.name ?? '', ' ')
    .split(/\s+/)
    .map((p) => p.replace(/[^\p{L}'’-]/gu, ''))
    .filter(Boolean);
  // Without a display name, "dana.whitfield@" still tells us the first and last name.
  const parts = nameParts.length > 0 ? nameParts.map(fold) : localParts.filter((p) => p.length > 1);
  return {
    person,
    full: parts.length > 1 ? parts.join(' ') : null,
    first: parts[0] ?? null,
    last: parts.length > 1 ? (parts.at(-1) ?? null) : null,
    initials: parts.length > 1 ? parts.map((p) => p[0]).join('') : null,
    localParts,
  };
}

/** What notes call the person: the display name, else one made from the address (dana.whitfield → Dana Whitfield). */
export function spokenName(person: Person): string {
  if (person.name) return person.name;
  const local = person.address.split('@')[0] ?? person.address;
  return local
    .split(/[._-]+/)
    .filter(Boolean)
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join(' ');
}

const SELF = new Set(['i', 'me', 'myself', 'my', 'we', 'us', 'our', 'mine', 'ich', 'moi', 'je']);
const OTHER = new Set(['you', 'your', 'yourself', 'u']);

export class OwnerResolver {
  private readonly keys: NameKeys[];
  constructor(private readonly context: OwnerContext) {
    this.keys = context.attendees.map(keysOf);
  }

  /** The other attendee of a 1:1: who "you" is in the author's notes. */
  get other(): Person | null {
    const author = this.context.author?.address;
    const others = this.context.attendees.filter((p) => p.address !== author);
    return others.length === 1 ? (others[0] ?? null) : null;
  }

  get author(): Person | null {
    return this.context.author;
  }

  fromPerson(person: Person | null): ResolvedOwner | null {
    return person ? { owner: person.address, ownerName: spokenName(person), attendee: true } : null;
  }

  /** A pronoun: I/me/we → the author, you → the other attendee. */
  pronoun(word: string): ResolvedOwner | null {
    const w = fold(word);
    if (SELF.has(w)) return this.fromPerson(this.author);
    if (OTHER.has(w)) return this.fromPerson(this.other);
    return null;
  }

  /** An attendee named by first name, full name, last name, initials or @handle; null when none matches. */
  attendee(written: string): Person | null {
    const raw = withoutParentheses(written.replace(/^@/, ''), '').trim();
    const w = fold(raw).replace(/[^\p{L}\s'’-]/gu, '');
    if (!w) return null;
    const unique = (matches: NameKeys[]) => (matches.length === 1 ? (matches[0]?.person ?? null) : null);
    const isInitials = /^[A-Z]{2,3}$/.test(raw);
    return (
      unique(this.keys.filter((k) => k.full === w)) ??
      (isInitials ? unique(this.keys.filter((k) => k.initials === w)) : null) ??
      unique(this.keys.filter((k) => k.first === w)) ??
      unique(this.keys.filter((k) => k.last === w)) ??
      unique(this.keys.filter((k) => k.localParts.includes(w) || k.localParts.join('') === w.replace(/\s+/g, ''))) ??
      unique(this.keys.filter((k) => w.includes(' ') && k.first === w.split(' ')[0])) ??
      // A short form of a first name: "Bev" for Beverly, "Chris" for Christopher.
      (w.length >= 3 && !w.includes(' ') ? unique(this.keys.filter((k) => k.first?.startsWith(w) === true)) : null)
    );
  }

  /** Resolves what the notes wrote as an owner: a pronoun, an attendee, or a non-attendee kept as written. */
  resolve(written: string): ResolvedOwner | null {
    const pronoun = this.pronoun(withoutParentheses(written, '').trim());
    if (pronoun) return pronoun;
    // "@Ava (me)" names the author explicitly.
    if (/\((?:me|myself)\)/i.test(written)) return this.fromPerson(this.author);
    const person = this.attendee(written);
    if (person) return this.fromPerson(person);
    const name = withoutParentheses(written.replace(/^@/, ''), '').trim();
    return name ? { owner: name, ownerName: name, attendee: false } : null;
  }
}
