import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Figure } from './figures';

/**
 * `npm run bench [-- module…]`: runs each bench module in a fresh process of its own (no JIT state, heap or open
 * handles carried from one to the next), one after the other (two cores: a module measuring speed gets them both),
 * prints every figure against its budget and writes bench/results.json. Exits 1 when a budget is missed.
 */
const modules = ['render', 'bundles', 'extraction', 'ingest', 'fanout', 'demo'] as const;

const benchDir = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(modules as readonly string[]).includes(name));
if (unknown.length > 0) {
  console.error(`unknown bench module ${unknown.join(', ')}: expected ${modules.join(', ')}`);
  process.exit(2);
}
const chosen = wanted.length > 0 ? modules.filter((name) => wanted.includes(name)) : [...modules];

const scratch = mkdtempSync(join(tmpdir(), 'followthrough-bench-'));
const figures: Figure[] = [];
const failedModules: string[] = [];
const started = performance.now();
for (const name of chosen) {
  const out = join(scratch, `${name}.json`);
  const moduleStarted = performance.now();
  process.stderr.write(`bench ${name}…\n`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(benchDir, `${name}.ts`), out], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  const seconds = ((performance.now() - moduleStarted) / 1000).toFixed(1);
  if (run.status !== 0) {
    failedModules.push(name);
    process.stderr.write(`bench ${name} failed (exit ${run.status ?? run.signal}) after ${seconds} s\n`);
    continue;
  }
  figures.push(...(JSON.parse(readFileSync(out, 'utf8')) as Figure[]));
  process.stderr.write(`bench ${name} done in ${seconds} s\n`);
}
rmSync(scratch, { recursive: true, force: true });
const wallSeconds = (performance.now() - started) / 1000;

writeFileSync(join(benchDir, 'results.json'), `${JSON.stringify({ figures }, null, 2)}\n`);
console.log(table(figures));
console.log(
  `\n${figures.length} figures, ${figures.filter((f) => !f.ok).length} over budget, in ${wallSeconds.toFixed(0)} s`,
);
if (failedModules.length > 0) console.log(`modules that failed to run: ${failedModules.join(', ')}`);
if (failedModules.length > 0 || figures.some((f) => !f.ok)) process.exit(1);

function table(rows: Figure[]): string {
  const header = ['figure', 'median', 'min', 'max', 'unit', 'budget', ''];
  const body = rows.map((f) => [
    f.name,
    String(f.median),
    String(f.min),
    String(f.max),
    f.unit,
    f.budget ?? '—',
    f.ok ? 'ok' : 'OVER',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] as string).length)));
  const line = (cells: string[]) =>
    `| ${cells.map((cell, i) => (i >= 1 && i <= 3 ? cell.padStart(widths[i] as number) : cell.padEnd(widths[i] as number))).join(' | ')} |`;
  return [
    line(header),
    `|${widths.map((w, i) => (i >= 1 && i <= 3 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`,
    ...body.map(line),
  ].join('\n');
}
