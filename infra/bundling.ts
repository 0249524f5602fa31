import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';

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
 * ESM bundles still contain CommonJS dependencies that call `require` (iconv-lite, html-to-text's deps); ESM has
 * no `require`, so the bundle makes one before any of them runs.
 */
const esmRequireBanner = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/**
 * How every Lambda is bundled, in esbuild's own terms: the CDK construct maps these into `NodejsFunction`'s
 * `bundling`, and the bundle test hands them to esbuild's JS API, so the bundle the test measures is the one
 * that is deployed.
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

/** The same settings as `NodejsFunction` takes them. */
export function cdkBundling(): BundlingOptions {
  return {
    // Docker is not needed (esbuild is a devDependency) and not running on the build machines.
    forceDockerBundling: false,
    target: esbuildSettings.target,
    format: OutputFormat.ESM,
    minify: esbuildSettings.minify,
    sourceMap: esbuildSettings.sourcemap,
    keepNames: esbuildSettings.keepNames,
    mainFields: [...esbuildSettings.mainFields],
    externalModules: [...esbuildSettings.external],
    banner: esbuildSettings.banner.js,
  };
}
