/**
 * Bench 1, render: the wrap-up, the pre-meeting digest and the weekly digest with 10 items each (bench/render-inputs.ts),
 * each rendered whole — view building, HTML fill-in, text part, subject — two ways, in the same run:
 * - precompiled: what production runs, renderWrapupMail / renderDigestMail / renderWeeklyMail with the fill function
 *   scripts/build-templates.ts generated from the template's Mustache tokens;
 * - runtime MJML: mjml2html of templates/<name>.mjml and its includes, with the options of the build, then the same
 *   render with Mustache.render filling the HTML that came out.
 * A run times each call on its own and keeps the p50; the speed-up of a run is its runtime p50 over its precompiled
 * p50, so a busy machine slows both sides of the ratio. Also: what `require('mjml')` costs a fresh process, the
 * price a Lambda that compiled at run time would pay on every cold start.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import mjml2html from 'mjml';
import Mustache from 'mustache';
import { renderDigestMail } from '../functions/domain/render/digest';
import type { TemplateFill } from '../functions/domain/render/fill';
import type { RenderedMail } from '../functions/domain/render/inputs';
import { renderWeeklyMail } from '../functions/domain/render/weekly';
import { renderWrapupMail } from '../functions/domain/render/wrapup';
import { type Figure, figure, quantile, runModule } from './figures';
import { digestInput, weeklyInput, wrapupInput } from './render-inputs';

const RUNS = 7;
/** Calls per run, each timed: ~2000 × 30 µs and ~25 × 4 ms, some 0.1 s a side. */
const PRECOMPILED_CALLS = 2000;
const RUNTIME_CALLS = 25;
const REQUIRE_RUNS = 5;
/**
 * Warm-up per side and kind, in time rather than calls: on a busy machine TurboFan took ~0.6 s to compile a fill
 * function, and mjml's code needs a few dozen compiles before its own time settles.
 */
const WARM_UP_MS = 800;

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface Kind {
  name: string;
  render: (fill?: TemplateFill) => RenderedMail;
}

const kinds: Kind[] = [
  { name: 'wrapup', render: (fill) => renderWrapupMail(wrapupInput, fill) },
  { name: 'digest', render: (fill) => renderDigestMail(digestInput, fill) },
  { name: 'weekly', render: (fill) => renderWeeklyMail(weeklyInput, fill) },
];

// What a render's output is folded into, so that no call can be optimised away.
let sink = 0;

/** The same MJML compile scripts/build-templates.ts runs, at send time. */
async function compileAtRuntime(name: string, source: string): Promise<string> {
  const result = await mjml2html(source, {
    filePath: join(repo, 'templates', `${name}.mjml`),
    ignoreIncludes: false,
    validationLevel: 'strict',
    fonts: {},
    keepComments: false,
  });
  if (result.errors.length > 0) throw new Error(`${name}.mjml: ${result.errors[0]?.formattedMessage}`);
  return result.html;
}

async function renderAtRuntime(kind: Kind, source: string): Promise<RenderedMail> {
  const html = await compileAtRuntime(kind.name, source);
  return kind.render((view) => Mustache.render(html, view));
}

function precompiledP50(kind: Kind, calls: number): number {
  const samples = new Float64Array(calls);
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    sink += kind.render().html.length;
    samples[i] = performance.now() - started;
  }
  return quantile([...samples], 0.5);
}

async function runtimeP50(kind: Kind, source: string, calls: number): Promise<number> {
  const samples = new Float64Array(calls);
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    sink += (await renderAtRuntime(kind, source)).html.length;
    samples[i] = performance.now() - started;
  }
  return quantile([...samples], 0.5);
}

async function measureKind(kind: Kind): Promise<Figure[]> {
  const source = readFileSync(join(repo, 'templates', `${kind.name}.mjml`), 'utf8');
  // Both ways must write the same mail, or the ratio compares different work.
  const [precompiled, runtime] = [kind.render(), await renderAtRuntime(kind, source)];
  if (precompiled.html !== runtime.html || precompiled.text !== runtime.text) {
    throw new Error(`render ${kind.name}: the precompiled and the runtime MJML mail differ`);
  }
  for (const started = performance.now(); performance.now() - started < WARM_UP_MS; ) {
    precompiledP50(kind, 200);
  }
  for (const started = performance.now(); performance.now() - started < WARM_UP_MS; ) {
    await runtimeP50(kind, source, 5);
  }
  const fast: number[] = [];
  const slow: number[] = [];
  const ratios: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const precompiledMs = precompiledP50(kind, PRECOMPILED_CALLS);
    const runtimeMs = await runtimeP50(kind, source, RUNTIME_CALLS);
    fast.push(precompiledMs * 1000);
    slow.push(runtimeMs);
    ratios.push(runtimeMs / precompiledMs);
  }
  return [
    figure(`render ${kind.name} precompiled p50`, fast, 'µs', { atMost: 100 }),
    figure(`render ${kind.name} runtime mjml p50`, slow, 'ms', null),
    figure(`render ${kind.name} speed-up`, ratios, '×', { atLeast: 100 }),
  ];
}

/** `require('mjml')` in a fresh Node process, timed inside it: the module load alone, not the process start. */
function requireMjmlMs(): number {
  const child = spawnSync(
    process.execPath,
    ['-e', "const t = performance.now(); require('mjml'); process.stdout.write(String(performance.now() - t));"],
    { cwd: repo, encoding: 'utf8' },
  );
  if (child.status !== 0) throw new Error(`require('mjml') failed: ${child.stderr}`);
  return Number(child.stdout);
}

async function measure(): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const kind of kinds) figures.push(...(await measureKind(kind)));
  const requireTimes = Array.from({ length: REQUIRE_RUNS }, requireMjmlMs);
  figures.push(figure('render require mjml', requireTimes, 'ms', null));
  if (sink === 0) throw new Error('rendered nothing');
  return figures;
}

await runModule(measure);
