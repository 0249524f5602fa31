import { type BuildResult, build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { cdkBundling, esbuildSettings, type HandlerName, handlerEntry, handlerNames } from '../../infra/bundling';

/**
 * The bundle as the CDK builds it. This catches a gross regression only: the performance issue budgets 500 KB, and
 * today's largest (ses-inbound, ≈ 2.0 MB) carries iconv-lite's every codec (≈ 480 KB, CJK tables included, which
 * international mail needs), zod with its locales (≈ 460 KB), nodemailer (≈ 240 KB) and tldts's public suffix list
 * (≈ 130 KB, for DMARC-style alignment of the sender's domain). The performance issue brings them down.
 */
const maxBundleBytes = 2_200 * 1024;

const bundles = new Map<HandlerName, BuildResult<{ metafile: true; write: false }>>();

beforeAll(async () => {
  // One at a time: two cores, and esbuild already uses both.
  for (const name of handlerNames) {
    bundles.set(
      name,
      await build({
        ...esbuildSettings,
        entryPoints: [handlerEntry(name)],
        outfile: `/bundle/${name}/index.mjs`,
        metafile: true,
        write: false,
        logLevel: 'silent',
      }),
    );
  }
});

const bundleOf = (name: HandlerName) => {
  const result = bundles.get(name);
  if (result === undefined) throw new Error(`${name} was not built`);
  return result;
};
const inputsOf = (name: HandlerName) => Object.keys(bundleOf(name).metafile.inputs);

describe('the esbuild settings', () => {
  it('are the ones the CDK construct bundles with', () => {
    expect(cdkBundling()).toEqual({
      forceDockerBundling: false,
      target: esbuildSettings.target,
      format: esbuildSettings.format,
      minify: esbuildSettings.minify,
      sourceMap: esbuildSettings.sourcemap,
      keepNames: esbuildSettings.keepNames,
      mainFields: esbuildSettings.mainFields,
      externalModules: esbuildSettings.external,
      banner: esbuildSettings.banner.js,
    });
  });
});

describe.each(handlerNames)('the %s bundle', (name) => {
  it('leaves out the MJML compiler: templates are compiled at build time', () => {
    expect(inputsOf(name).filter((input) => input.includes('node_modules/mjml'))).toEqual([]);
  });

  it('leaves out the CDK', () => {
    expect(inputsOf(name).filter((input) => input.includes('aws-cdk-lib'))).toEqual([]);
  });

  it('leaves the AWS SDK to the Lambda runtime: imported, not bundled', () => {
    expect(inputsOf(name).filter((input) => input.includes('@aws-sdk/'))).toEqual([]);
    const imports = Object.values(bundleOf(name).metafile.outputs).flatMap((output) => output.imports);
    expect(imports.filter((i) => i.external && i.path.startsWith('@aws-sdk/')).length).toBeGreaterThan(0);
  });

  it('is under 2,200 KB', () => {
    const js = bundleOf(name).outputFiles.find((file) => file.path.endsWith('.mjs'));
    expect(js?.contents.byteLength).toBeLessThan(maxBundleBytes);
  });
});
