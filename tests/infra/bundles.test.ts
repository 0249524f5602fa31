import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildHandler,
  bundleSizes,
  coldStartFiles,
  type HandlerBuild,
  type HandlerName,
  handlerNames,
} from '../../infra/bundling';
import { handlerBundling } from '../../infra/constructs/followthrough-function';

/**
 * Each function as the CDK builds it (buildHandler: esbuild with code splitting). The performance issue budgets
 * 500 KB for what a cold start loads — index.mjs and the chunks it imports statically; what is imported on demand
 * (mail sending, HTML to text, calendar invites, the Public Suffix List) is not loaded until a message needs it.
 * bench/bundles.ts reports the same sizes, the total and the import times.
 */
const maxColdStartBytes = 500 * 1024;

const bundles = new Map<HandlerName, HandlerBuild>();

beforeAll(async () => {
  // One at a time: two cores, and esbuild already uses both.
  for (const name of handlerNames) bundles.set(name, await buildHandler(name, `/bundle/${name}`, { write: false }));
});

const bundleOf = (name: HandlerName) => {
  const result = bundles.get(name);
  if (result === undefined) throw new Error(`${name} was not built`);
  return result;
};
const inputsOf = (name: HandlerName) => Object.keys(bundleOf(name).metafile.inputs);
const javaScriptOf = (name: HandlerName) =>
  (bundleOf(name).outputFiles ?? []).filter((file) => file.path.endsWith('.mjs'));

describe.each(handlerNames)('the %s bundle', (name) => {
  it('leaves out the MJML compiler: templates are compiled at build time', () => {
    expect(inputsOf(name).filter((input) => input.includes('node_modules/mjml'))).toEqual([]);
  });

  it('holds zod/mini alone: not the full zod, nor a locale but English', () => {
    // `import { z } from 'zod/mini'` bundles every locale (≈ 400 KB): the Lambdas import `* as z`.
    const zod = Object.values(bundleOf(name).metafile.outputs)
      .flatMap((output) => Object.entries(output.inputs))
      .filter(([input, { bytesInOutput }]) => input.includes('node_modules/zod/') && bytesInOutput > 0)
      .map(([input]) => input);

    expect(zod.filter((input) => /\/v4\/classic\/|\/v4\/locales\/(?!en\.js)/.test(input))).toEqual([]);
  });

  it('leaves out the CDK', () => {
    expect(inputsOf(name).filter((input) => input.includes('aws-cdk-lib'))).toEqual([]);
  });

  it('leaves the AWS SDK to the Lambda runtime: imported, not bundled', () => {
    expect(inputsOf(name).filter((input) => input.includes('@aws-sdk/'))).toEqual([]);
    const imports = Object.values(bundleOf(name).metafile.outputs).flatMap((output) => output.imports);
    expect(imports.filter((i) => i.external && i.path.startsWith('@aws-sdk/')).length).toBeGreaterThan(0);
  });

  it('imports no SDK client it does not use (a bare import "@aws-sdk/…" is what an unused one leaves)', () => {
    const bare = javaScriptOf(name).flatMap((file) => file.text.match(/import\s*["']@aws-sdk\/[^"']+["']/g) ?? []);

    expect(bare).toEqual([]);
  });

  it('loads at most 500 KB on a cold start', () => {
    expect(bundleSizes(bundleOf(name).metafile).coldStart).toBeLessThanOrEqual(maxColdStartBytes);
  });
});

describe('the ses-inbound cold start', () => {
  it.each([
    ['nodemailer', 'MIME composition'],
    ['html-to-text', 'HTML-only bodies'],
    ['ical.js', 'calendar invites'],
    ['tldts', 'alignment when DMARC does not settle the sender'],
    ['templates/compiled/', 'rendering a reply confirmation or a notice'],
  ])('leaves %s (%s) to a chunk imported on demand', (module) => {
    const { metafile } = bundleOf('ses-inbound');
    const coldInputs = [...coldStartFiles(metafile)].flatMap((path) =>
      Object.keys(metafile.outputs[path]?.inputs ?? {}),
    );

    expect(coldInputs.filter((input) => input.includes(module))).toEqual([]);
    expect(inputsOf('ses-inbound').some((input) => input.includes(module))).toBe(true);
  });
});

describe('the CDK asset', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'followthrough-asset-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is the build the budgets are checked on: the same files, byte for byte', async () => {
    const bundling = handlerBundling('delivery-feedback');
    bundling.local?.tryBundle(dir, bundling);
    const expected = (await buildHandler('delivery-feedback', dir, { write: false })).outputFiles ?? [];

    const written = readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => relative(dir, join(entry.parentPath, entry.name)));
    expect(written.sort()).toEqual(expected.map((file) => relative(dir, file.path)).sort());
    for (const file of expected) expect(readFileSync(file.path, 'utf8'), file.path).toBe(file.text);
  });
});
