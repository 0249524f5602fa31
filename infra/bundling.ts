import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, type BuildResult, build, type Metafile, type Plugin } from 'esbuild';

/** The repository root: the lock file and every entry live under it, whatever directory the synth runs from. */
export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** One Lambda per file in functions/handlers, each exporting `handler`. */
export const handlerNames = [
  'ses-inbound',
  'webhook',
  'scheduled-send',
  'action-links',
  'delivery-feedback',
  'weekly-pages',
] as const;

export type HandlerName = (typeof handlerNames)[number];

export const handlerEntry = (name: HandlerName): string => join(projectRoot, 'functions', 'handlers', `${name}.ts`);

/**
 * ESM has no `require`, and a CommonJS dependency bundled into ESM calls it. None of today's does (no bundle holds a
 * CommonJS module since iconv-lite left), but one that came in would throw "Dynamic require … is not supported" at
 * its first call, on AWS only: the bundle makes a `require` before anything runs.
 */
const esmRequireBanner = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/**
 * How every Lambda is bundled, in esbuild's own terms. `buildHandler` adds code splitting; the CDK construct, the
 * bundle test and bench/bundles.ts all build through it, so the bundle measured is the one deployed.
 */
export const esbuildSettings = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  minify: true,
  sourcemap: true,
  keepNames: true,
  // Prefer packages' ESM builds: they tree-shake, CommonJS builds do not.
  mainFields: ['module', 'main'],
  // The Node.js 22 Lambda runtime ships SDK v3; bundling our own copy would add ~700 KB and ~70 ms of cold start.
  external: ['@aws-sdk/*'],
  banner: { js: esmRequireBanner },
} as const satisfies BuildOptions;

/** The file of a function's asset directory that Lambda loads: the handler is `index.handler`. */
export const handlerFile = 'index.mjs';

/**
 * The Node.js 22 runtime provides SDK v3, so every `@aws-sdk/*` import stays an import. Declared free of side effects,
 * an import that nothing in the bundle uses is dropped: aws-wiring.ts imports every client we have, and a function
 * must not load the ones it never calls (20–80 ms of cold start each, measured). Without the declaration esbuild keeps
 * `import "@aws-sdk/client-s3"` for a package it must assume does something on import.
 */
const sdkFromTheRuntime: Plugin = {
  name: 'aws-sdk-from-the-runtime',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^@aws-sdk\// }, (args) => ({
      path: args.path,
      external: true,
      sideEffects: false,
    }));
  },
};

/**
 * The esbuild options of one function's asset: esbuildSettings with code splitting, so that what a cold start must
 * load (index.mjs and the chunks it imports statically) leaves out what is imported on demand with `import()` —
 * the mail-sending path, HTML-to-text, calendars, the Public Suffix List — each in chunks/ of its own.
 */
export function handlerBuildOptions(name: HandlerName, outdir: string) {
  return {
    ...esbuildSettings,
    entryPoints: { index: handlerEntry(name) },
    outdir,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    plugins: [sdkFromTheRuntime],
    metafile: true,
    logLevel: 'warning',
  } as const satisfies BuildOptions;
}

export type HandlerBuild = BuildResult<{ metafile: true }>;

/** Builds one function's asset directory; with `write: false` it returns the files instead of writing them. */
export function buildHandler(
  name: HandlerName,
  outdir: string,
  options: { write?: boolean } = {},
): Promise<HandlerBuild> {
  return build({ ...handlerBuildOptions(name, outdir), write: options.write ?? true });
}

/** The JavaScript files of a build (source maps apart), by path. */
const jsOutputs = (metafile: Metafile) =>
  new Map(Object.entries(metafile.outputs).filter(([path]) => path.endsWith('.mjs')));

/** The files a cold start loads: index.mjs and every chunk it imports statically, transitively. */
export function coldStartFiles(metafile: Metafile): Set<string> {
  const outputs = jsOutputs(metafile);
  const entry = [...outputs].find(([, output]) => output.entryPoint !== undefined);
  if (entry === undefined) throw new Error('the build has no entry point');
  const seen = new Set<string>();
  const pending = [entry[0]];
  for (let path = pending.pop(); path !== undefined; path = pending.pop()) {
    if (seen.has(path)) continue;
    seen.add(path);
    for (const imported of outputs.get(path)?.imports ?? []) {
      if (!imported.external && imported.kind === 'import-statement') pending.push(imported.path);
    }
  }
  return seen;
}

/** What one built function holds, in bytes of JavaScript: what a cold start loads, and everything. */
export function bundleSizes(metafile: Metafile): { coldStart: number; total: number } {
  const outputs = jsOutputs(metafile);
  const bytes = (paths: Iterable<string>) => [...paths].reduce((sum, path) => sum + (outputs.get(path)?.bytes ?? 0), 0);
  return { coldStart: bytes(coldStartFiles(metafile)), total: bytes(outputs.keys()) };
}

/** The `@aws-sdk/*` packages a built function imports: on its cold start, and only on demand. */
export function sdkImports(metafile: Metafile): { coldStart: string[]; onDemand: string[] } {
  const cold = coldStartFiles(metafile);
  const coldStart = new Set<string>();
  const all = new Set<string>();
  for (const [path, output] of jsOutputs(metafile)) {
    for (const imported of output.imports) {
      if (!imported.external || !imported.path.startsWith('@aws-sdk/')) continue;
      all.add(imported.path);
      if (cold.has(path) && imported.kind === 'import-statement') coldStart.add(imported.path);
    }
  }
  return { coldStart: [...coldStart].sort(), onDemand: [...all].filter((p) => !coldStart.has(p)).sort() };
}
