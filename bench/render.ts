/**
 * Bench 1, render: the wrap-up, the pre-meeting digest and the weekly digest with 10 items each (bench/render-inputs.ts),
 * each rendered whole — view building, HTML fill-in, text part, subject — two ways, in the same run:
 * - precompiled: what production runs, renderWrapupMail / renderDigestMail / renderWeeklyMail with the fill function
 *   scripts/build-templates.ts generated from the template's Mustache tokens;
 * - runtime MJML: mjml2html of templates/<name>.mjml and its includes, with the options of the build, then the same
 *   render with Mustache.render filling the HTML that came out.
 * A run times each call on its own and keeps the p50; a ratio of a run is of two p50s taken a moment apart, so a busy
 * machine slows both sides of it. Two ratios, because the view (10 items, 30 signed links, dates and labels, the text
 * part) costs both ways the same ~20 µs:
 * - the template step, the budgeted one: the precompiled fill-in of the view against compiling the MJML and filling
 *   the same view with Mustache — what precompiling changes;
 * - the whole mail, reported: view building included on both sides.
 * Also: what `require('mjml')` costs a fresh process, the price a Lambda that compiled at run time would pay on every
 * cold start.
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
import { fillDigest } from '../templates/compiled/digest';
import { fillWeekly } from '../templates/compiled/weekly';
import { fillWrapup } from '../templates/compiled/wrapup';
import { type Figure, figure, quantile, runModule } from './figures';
import { digestInput, weeklyInput, wrapupInput } from './render-inputs';

const RUNS = 7;
/** Calls per run, each timed: ~2000 × 30 µs and ~25 × 4 ms, some 0.1 s a side. */
const PRECOMPILED_CALLS = 2000;
const RUNTIME_CALLS = 25;
const REQUIRE_RUNS = 5;
/**
 * Warm-up, in time rather than calls, every kind in turn: on a busy machine TurboFan took ~0.6 s to compile a fill
 * function, and mjml's code kept getting faster for its first few hundred compiles (measured first, the wrap-up's
 * compile came out ~20% slower than the digest's, from the same MJML).
 */
const PRECOMPILED_WARM_UP_MS = 1500;
const RUNTIME_WARM_UP_MS = 3000;

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface Kind {
  name: string;
  render: (fill?: TemplateFill) => RenderedMail;
  /** The precompiled fill-in production calls for this template. */
  fill: TemplateFill;
}

const kinds: Kind[] = [
  { name: 'wrapup', render: (fill) => renderWrapupMail(wrapupInput, fill), fill: fillWrapup },
  { name: 'digest', render: (fill) => renderDigestMail(digestInput, fill), fill: fillDigest },
  { name: 'weekly', render: (fill) => renderWeeklyMail(weeklyInput, fill), fill: fillWeekly },
];

/** The view the renderer hands its template for the bench inputs. */
function viewOf(kind: Kind): object {
  let captured: object | undefined;
  kind.render((view) => {
    captured = view;
    return kind.fill(view);
  });
  if (captured === undefined) throw new Error(`render ${kind.name}: the template was never filled`);
  return captured;
}

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

function fillP50(kind: Kind, view: object, calls: number): number {
  const samples = new Float64Array(calls);
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    sink += kind.fill(view).length;
    samples[i] = performance.now() - started;
  }
  return quantile([...samples], 0.5);
}

async function templateAtRuntimeP50(kind: Kind, source: string, view: object, calls: number): Promise<number> {
  const samples = new Float64Array(calls);
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    sink += Mustache.render(await compileAtRuntime(kind.name, source), view).length;
    samples[i] = performance.now() - started;
  }
  return quantile([...samples], 0.5);
}

interface Samples {
  precompiledUs: number[];
  runtimeMs: number[];
  ratios: number[];
  fillUs: number[];
  templateRuntimeMs: number[];
  templateRatios: number[];
}

/** Both ways must write the same mail, or the ratio compares different work. */
async function checkSameMail(kind: Kind, source: string): Promise<void> {
  const [precompiled, runtime] = [kind.render(), await renderAtRuntime(kind, source)];
  if (precompiled.html !== runtime.html || precompiled.text !== runtime.text) {
    throw new Error(`render ${kind.name}: the precompiled and the runtime MJML mail differ`);
  }
}

async function warmUp(sources: Map<Kind, string>): Promise<void> {
  for (const started = performance.now(); performance.now() - started < PRECOMPILED_WARM_UP_MS; ) {
    for (const kind of kinds) precompiledP50(kind, 200);
  }
  for (const started = performance.now(); performance.now() - started < RUNTIME_WARM_UP_MS; ) {
    for (const kind of kinds) await runtimeP50(kind, sources.get(kind) as string, 3);
  }
}

function figuresOf(kind: Kind, samples: Samples): Figure[] {
  return [
    figure(`render ${kind.name} whole mail p50`, samples.precompiledUs, 'µs', { atMost: 100 }),
    figure(`render ${kind.name} fill-in p50`, samples.fillUs, 'µs', null),
    figure(`render ${kind.name} runtime mjml + fill p50`, samples.templateRuntimeMs, 'ms', null),
    figure(`render ${kind.name} fill-in vs runtime mjml`, samples.templateRatios, '×', { atLeast: 100 }),
    figure(`render ${kind.name} whole mail vs runtime mjml`, samples.ratios, '×', null),
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
  const sources = new Map(
    kinds.map((kind) => [kind, readFileSync(join(repo, 'templates', `${kind.name}.mjml`), 'utf8')] as const),
  );
  for (const kind of kinds) await checkSameMail(kind, sources.get(kind) as string);
  await warmUp(sources);
  const views = new Map(kinds.map((kind) => [kind, viewOf(kind)] as const));
  const samples = new Map(
    kinds.map(
      (kind) =>
        [
          kind,
          { precompiledUs: [], runtimeMs: [], ratios: [], fillUs: [], templateRuntimeMs: [], templateRatios: [] },
        ] as [Kind, Samples],
    ),
  );
  // Run after run, every kind in turn: each kind's ratio is of two figures taken a moment apart.
  for (let run = 0; run < RUNS; run++) {
    for (const kind of kinds) {
      const precompiledMs = precompiledP50(kind, PRECOMPILED_CALLS);
      const runtimeMs = await runtimeP50(kind, sources.get(kind) as string, RUNTIME_CALLS);
      const taken = samples.get(kind) as Samples;
      taken.precompiledUs.push(precompiledMs * 1000);
      taken.runtimeMs.push(runtimeMs);
      taken.ratios.push(runtimeMs / precompiledMs);
      const view = views.get(kind) as object;
      const fillMs = fillP50(kind, view, PRECOMPILED_CALLS);
      const templateRuntimeMs = await templateAtRuntimeP50(kind, sources.get(kind) as string, view, RUNTIME_CALLS);
      taken.fillUs.push(fillMs * 1000);
      taken.templateRuntimeMs.push(templateRuntimeMs);
      taken.templateRatios.push(templateRuntimeMs / fillMs);
    }
  }
  const figures = kinds.flatMap((kind) => figuresOf(kind, samples.get(kind) as Samples));
  const requireTimes = Array.from({ length: REQUIRE_RUNS }, requireMjmlMs);
  figures.push(figure('render require mjml', requireTimes, 'ms', null));
  if (sink === 0) throw new Error('rendered nothing');
  return figures;
}

await runModule(measure);
