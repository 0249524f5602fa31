import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { check, type Diagnostics, type Parameters } from 'recheck';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { builtPatterns } from '../../../functions/domain/built-patterns';
import { parseEmail } from '../../../functions/domain/email/parse-email';
import { readNotesOf } from '../../../functions/domain/email/read-notes';
import { extract } from '../../../functions/domain/extraction/extract';
import { parseReplyCommands } from '../../../functions/domain/replies/commands';

/*
 * R12: every regular expression of ours is checked for super-linear backtracking (ReDoS) with recheck, which runs
 * its native binary (recheck-linux-x64) here. The regular expressions are read from the source with the TypeScript
 * compiler: every literal in functions/, infra/ and scripts/. Those built from strings (word lists: weekdays,
 * months, names) exist only at run time, so they are all built through builtPattern (functions/domain/
 * built-patterns.ts), which keeps each one; this test loads every module that uses it and checks the very RegExp
 * objects the code runs. Any other `new RegExp`/`RegExp()` in the source fails the first test below.
 */
const root = join(import.meta.dirname, '../../..');
const PATTERN_BUILDER = 'functions/domain/built-patterns.ts';

function typeScriptFiles(dir: string, recurse: boolean): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return recurse ? typeScriptFiles(path, true) : [];
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

const files = [
  ...typeScriptFiles('functions', true),
  ...typeScriptFiles('infra', true),
  ...typeScriptFiles('scripts', false),
];

interface Pattern {
  /** Where it is written, or which module built it. */
  where: string;
  source: string;
  flags: string;
}

const literals: Pattern[] = [];
/** `new RegExp(…)` and `RegExp(…)`: where the source builds a pattern from a string. */
const constructions: string[] = [];
/** Modules that build patterns through builtPattern. */
const builders: string[] = [];

for (const file of files) {
  const text = readFileSync(join(root, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const line = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const visit = (node: ts.Node): void => {
    if (ts.isRegularExpressionLiteral(node)) {
      const slash = node.text.lastIndexOf('/');
      literals.push({
        where: `${file}:${line(node)}`,
        source: node.text.slice(1, slash),
        flags: node.text.slice(slash + 1),
      });
    }
    if (
      (ts.isNewExpression(node) || ts.isCallExpression(node)) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === 'RegExp'
    ) {
      constructions.push(`${file}:${line(node)}`);
    }
    if (
      ts.isImportDeclaration(node) &&
      ts.isStringLiteral(node.moduleSpecifier) &&
      node.moduleSpecifier.text.endsWith('/built-patterns')
    ) {
      builders.push(file);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}

// Loading a module builds its patterns.
for (const file of builders) await import(join(root, file));
const built: Pattern[] = builtPatterns().map((pattern, index, all) => ({
  where: `built pattern ${index + 1} of ${all.length}`,
  source: pattern.source,
  flags: pattern.flags,
}));

/*
 * Two readings. The first uses recheck's defaults, whose time limits per step keep it quick, and it settles almost
 * every pattern as safe. Those limits are wall-clock time, so on a busy machine a slow step can read as an attack:
 * a pattern not found safe is read again with no time limit per step (the verdict then depends only on recheck's
 * step counts and its fixed random seed), within one overall limit. Only that second verdict fails the test, and
 * `unknown` (the overall limit reached) fails it as surely as `vulnerable`.
 */
const QUICK: Parameters = { timeout: 20_000 };
const THOROUGH: Parameters = { timeout: 120_000, incubationTimeout: null, attackTimeout: null, seedingTimeout: null };

async function verdict(source: string, flags: string): Promise<Diagnostics> {
  // The d flag (match indices) changes what a match reports, not how it is found; recheck does not know it.
  const readable = flags.replace('d', '');
  const quick = await check(source, readable, QUICK);
  return quick.status === 'safe' ? quick : check(source, readable, THOROUGH);
}

function describeVerdict(diagnostics: Diagnostics): string {
  switch (diagnostics.status) {
    case 'safe':
      return 'safe';
    case 'vulnerable':
      return `vulnerable: ${diagnostics.complexity.summary}, e.g. ${diagnostics.attack.pattern}`;
    default:
      return `unknown: ${JSON.stringify(diagnostics.error)}`;
  }
}

// Two checks at a time, one per core, started as soon as the file loads; each test waits for its own. The same
// pattern written twice is checked once.
const verdicts = new Map<string, Promise<Diagnostics>>();
const queue: Array<() => void> = [];
let running = 0;
function verdictOf(pattern: Pattern): Promise<Diagnostics> {
  const key = `/${pattern.source}/${pattern.flags}`;
  let found = verdicts.get(key);
  if (!found) {
    found = new Promise<Diagnostics>((resolve, reject) => {
      queue.push(() => {
        running++;
        verdict(pattern.source, pattern.flags)
          .then(resolve, reject)
          .finally(() => {
            running--;
            queue.shift()?.();
          });
      });
    });
    verdicts.set(key, found);
    if (running < 2) queue.shift()?.();
  }
  return found;
}

for (const pattern of [...literals, ...built]) void verdictOf(pattern).catch(() => undefined);

const named = (pattern: Pattern) => ({
  name: `${pattern.where} /${pattern.source.length > 90 ? `${pattern.source.slice(0, 90)}…` : pattern.source}/${pattern.flags}`,
  pattern,
});

const literalCases = literals.map(named);
const builtCases = built.map(named);

describe('regular expressions', () => {
  it('[R12] builds a RegExp from a string only in built-patterns.ts, which keeps every one for the check', () => {
    expect(constructions.filter((at) => !at.startsWith(`${PATTERN_BUILDER}:`))).toEqual([]);
    expect(constructions.length).toBe(1);
    expect(builders.length).toBeGreaterThan(0);
  });

  it('[R12] builds every pattern when its module loads, none while reading notes or replies', async () => {
    // Prepare
    const before = builtPatterns().length;
    const raw = readFileSync(join(root, 'tests/fixtures/emails/demo-one-on-one.eml'));

    // Act
    const notes = await readNotesOf(await parseEmail(new Uint8Array(raw)));
    const extraction = extract(notes, { inboxAddresses: ['notes@followthrough.example'] });
    const reply = parseReplyCommands('done 1\nsnooze 2 until friday\n3 due next tuesday\nowner 1 Priya', {
      today: '2026-11-18',
      dateOrder: 'mdy',
    });

    // Assess
    expect(extraction.items.length).toBeGreaterThan(0);
    expect(reply.commands.length).toBe(4);
    expect(builtPatterns().length).toBe(before);
  });

  it.each(literalCases)(
    '[R12] $name backtracks at most linearly',
    async ({ pattern }) => {
      expect(describeVerdict(await verdictOf(pattern))).toBe('safe');
    },
    180_000,
  );

  it.each(builtCases)(
    '[R12] $name backtracks at most linearly',
    async ({ pattern }) => {
      expect(describeVerdict(await verdictOf(pattern))).toBe('safe');
    },
    180_000,
  );
});
