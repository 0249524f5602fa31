import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');
const REQUIREMENTS = 26;

function testSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'fixtures' ? [] : testSources(path);
    // The store contract's cases live in tests/contract/store-contract.ts, run by one test file per server.
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every `it`/`test`/`describe` title that starts with [Rn], as written in the source, by file. */
const titled = testSources(join(root, 'tests')).flatMap((file) => {
  const source = readFileSync(file, 'utf8');
  return [
    ...source.matchAll(
      /\b(?:it|test|describe)(?:\.each\([^)]{0,400}\))?\(\s*(['"`])\[R(\d{1,2})\] ([^'"`\n]{1,300})\1/g,
    ),
  ].map((match) => ({
    file: relative(root, file),
    requirement: Number(match[2]),
    title: `[R${match[2]}] ${match[3]}`,
  }));
});

const security = readFileSync(join(root, 'SECURITY.md'), 'utf8');

describe('SECURITY.md and the [Rn] tests', () => {
  it.each(Array.from({ length: REQUIREMENTS }, (_, i) => i + 1))('requirement R%i has at least one test', (n) => {
    expect(titled.filter((t) => t.requirement === n).length).toBeGreaterThan(0);
  });

  it('names in SECURITY.md only tests that exist', () => {
    const named = [...security.matchAll(/“(\[R\d{1,2}\] [^”]+)”/g)].map((m) => m[1]);
    const known = new Set(titled.map((t) => t.title));

    expect(named.length).toBeGreaterThanOrEqual(REQUIREMENTS);
    expect(named.filter((title) => title !== undefined && !known.has(title))).toEqual([]);
  });

  it('gives every requirement a row in SECURITY.md', () => {
    const rows = Array.from({ length: REQUIREMENTS }, (_, i) => i + 1).filter(
      (n) => !new RegExp(`^\\|\\s*R${n}\\s*\\|`, 'm').test(security),
    );

    expect(rows).toEqual([]);
  });
});
