/**
 * Bench 2, Lambda bundles: each function built exactly as the CDK deploys it (infra/bundling.ts buildHandler: the
 * esbuild settings with code splitting, the SDK left to the runtime), then
 * - `bundle <name> cold-start KB`: index.mjs and the chunks it imports statically, what a cold start loads;
 * - `bundle <name> total KB`: every chunk, the ones imported on demand (mail sending, HTML, invites…) included;
 * - `bundle <name> cold import p50`: importing index.mjs in a fresh `node`, with the SDK clients it imports already
 *   loaded, so that the figure is our code's own;
 * - `bundle <name> aws sdk import p50`: importing those SDK clients first, in the same fresh process: what the
 *   runtime's SDK costs on its own (it is part of every cold start, and out of our hands);
 * - `bundle <name> forbidden modules`: MJML, the CDK or a bundled SDK inside it, or an SDK client imported for
 *   nothing (a bare `import "@aws-sdk/…"`, which only an unused import leaves): 0 or it fails.
 * The processes import from a directory under node_modules/.cache, so `@aws-sdk/*` resolve from node_modules as
 * they do from /var/runtime on Lambda. Node here is 20; Lambda runs 22.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  buildHandler,
  bundleSizes,
  coldStartFiles,
  type HandlerBuild,
  type HandlerName,
  handlerFile,
  handlerNames,
  projectRoot,
  sdkImports,
} from '../infra/bundling';
import { type Figure, figure, runModule } from './figures';

/** Fresh processes per function; the median of them is held against the budget. */
const RUNS = 9;
const KB = 1024;

/** What a fresh process runs: the SDK clients first, then the bundle, each timed; JSON on stdout. */
const importer = `
const [entry, ...sdk] = process.argv.slice(1);
const t0 = performance.now();
for (const name of sdk) await import(name);
const t1 = performance.now();
const bundle = await import(entry);
const t2 = performance.now();
if (typeof bundle.handler !== 'function') throw new Error(entry + ' exports no handler');
process.stdout.write(JSON.stringify({ sdk: t1 - t0, ours: t2 - t1 }));
`;

interface Built {
  name: HandlerName;
  entry: string;
  build: HandlerBuild;
}

function forbiddenModules(build: HandlerBuild): string[] {
  const bundled = Object.keys(build.metafile.inputs).filter((input) =>
    /node_modules\/(?:mjml[^/]*|aws-cdk-lib|@aws-sdk\/[^/]+)\//.test(input),
  );
  const unusedClients = Object.keys(build.metafile.outputs)
    .filter((path) => path.endsWith('.mjs'))
    .flatMap((path) => [...readFileSync(path, 'utf8').matchAll(/import\s*["'](@aws-sdk\/[^"']+)["']/g)])
    .map((match) => `unused ${match[1]}`);
  return [...bundled, ...unusedClients];
}

function importOnce(built: Built): { sdk: number; ours: number } {
  const sdk = sdkImports(built.build.metafile).coldStart;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', importer, built.entry, ...sdk], {
    cwd: projectRoot,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  if (run.status !== 0) throw new Error(`importing ${built.name} failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as { sdk: number; ours: number };
}

async function measure(): Promise<Figure[]> {
  const cache = join(projectRoot, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, 'followthrough-bundles-'));
  try {
    const built: Built[] = [];
    // One at a time: esbuild already uses both cores.
    for (const name of handlerNames) {
      const outdir = join(dir, name);
      built.push({
        name,
        entry: pathToFileURL(join(outdir, handlerFile)).href,
        build: await buildHandler(name, outdir),
      });
    }
    const samples = new Map(built.map((b) => [b.name, { sdk: [] as number[], ours: [] as number[] }]));
    // Round-robin, so that a burst of load on the machine spreads over every function instead of one.
    for (let run = 0; run < RUNS; run++) {
      for (const b of built) {
        const { sdk, ours } = importOnce(b);
        samples.get(b.name)?.sdk.push(sdk);
        samples.get(b.name)?.ours.push(ours);
      }
    }
    return built.flatMap((b) => {
      const sizes = bundleSizes(b.build.metafile);
      const times = samples.get(b.name) ?? { sdk: [], ours: [] };
      const forbidden = forbiddenModules(b.build);
      if (forbidden.length > 0) console.error(`bundle ${b.name} holds ${forbidden.join(', ')}`);
      console.error(
        `bundle ${b.name}: ${coldStartFiles(b.build.metafile).size} cold-start files; SDK on cold start ${sdkImports(b.build.metafile).coldStart.join(' ')}`,
      );
      return [
        figure(`bundle ${b.name} cold-start KB`, [sizes.coldStart / KB], 'KB', { atMost: 500 }),
        figure(`bundle ${b.name} total KB`, [sizes.total / KB], 'KB', null),
        figure(`bundle ${b.name} cold import p50`, times.ours, 'ms', { atMost: 60 }),
        figure(`bundle ${b.name} aws sdk import p50`, times.sdk, 'ms', null),
        figure(`bundle ${b.name} forbidden modules`, [forbidden.length], 'modules', { atMost: 0 }),
      ];
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await runModule(measure);
