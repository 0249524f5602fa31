import { buildHandler, type HandlerName, handlerNames } from './bundling';

/**
 * `tsx infra/bundle-handler.ts <handler> <outdir>`: one function's asset, for the CDK's local bundling. A process of
 * its own because the CDK asks for the asset synchronously and esbuild's plugins (bundling.ts) run only in its
 * asynchronous API.
 */
const [name, outdir] = process.argv.slice(2);
if (name === undefined || outdir === undefined || !(handlerNames as readonly string[]).includes(name)) {
  console.error(`usage: bundle-handler.ts <${handlerNames.join('|')}> <outdir>`);
  process.exit(2);
}
await buildHandler(name as HandlerName, outdir);
