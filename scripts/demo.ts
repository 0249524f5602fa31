/**
 * `npm run demo`: the follow-up loop end to end on the embedded local stack, in a few seconds — a manager's notes
 * arrive by email, the wrap-up goes out, a reply closes an item, the next notes arrive, the pre-meeting digest
 * lists what is still open (stalled items called out), and Monday brings the weekly digests and the roll-up.
 * Every step is a `followthrough` command; every mail is a real .eml in the outbox. Its data dir is `.data/demo`,
 * emptied first; `npm run demo -- --data DIR` names another, which must be empty or not yet exist (the bench runs
 * the demo in a fresh one each time).
 */
import { readdir, readFile, rm, stat, utimes } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import PostalMime from 'postal-mime';

/**
 * The compiled templates are built by `npm install` (prepare) and `npm run build`. The demo builds them again only
 * when a template, a partial or the build script is newer than what was built: building them every time, in a
 * process of its own, made the first wrap-up come ≈ 3.6 s after `npm run demo` instead of ≈ 2.6 s (bench/demo.ts,
 * both on one busy 2-core machine).
 */
async function buildTemplatesIfStale(): Promise<void> {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const templates = join(root, 'templates');
  const names = (await readdir(templates, { recursive: true })).filter((name) => name.endsWith('.mjml'));
  const sources = [...names.map((name) => join(templates, name)), join(root, 'scripts', 'build-templates.ts')];
  // As build-templates makes them: one module per top-level template; partials and `_` files are only included.
  const outputs = names
    .filter((name) => basename(name) === name && !name.startsWith('_'))
    .map((name) => join(templates, 'compiled', name.replace(/\.mjml$/, '.ts')));
  const mtime = (file: string) =>
    stat(file).then(
      (s) => s.mtimeMs,
      () => Number.NaN,
    );
  const newestInput = Math.max(...(await Promise.all(sources.map(mtime))));
  const oldestOutput = Math.min(...(await Promise.all(outputs.map(mtime))));
  // NaN (an output missing) compares false: built.
  if (oldestOutput >= newestInput) return;
  const { buildTemplates } = await import('./build-templates');
  const built = await buildTemplates();
  // An output whose bytes did not change is not rewritten, so it is marked as built now, or it would stay older.
  const now = new Date();
  await Promise.all(built.map((template) => utimes(template.output, now, now)));
}

// As bin/followthrough does: the SDK is pinned and Lambda runs Node 22, so its warning about Node 20 is not news here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { values: options } = parseArgs({ options: { data: { type: 'string' } } });
const dataDir = resolve(options.data ?? '.data/demo');
const data = relative(process.cwd(), dataDir);
if (options.data === undefined) await rm(dataDir, { recursive: true, force: true });
else if ((await readdir(dataDir).catch(() => [])).length > 0) {
  // Someone's own data dir must not be emptied by a demo.
  console.error(`The demo needs an empty data dir, and ${data} is not empty.`);
  process.exit(2);
}
await buildTemplatesIfStale();
// After the build: the CLI renders mail with the compiled templates.
const { main } = await import('../functions/cli');
const { openLocalStack } = await import('../functions/wiring');

const loop = 'tests/fixtures/emails/loop';
const started = performance.now();
const rule = (title: string) => console.log(`\n── ${title} ${'─'.repeat(Math.max(0, 74 - title.length))}`);

async function run(...args: string[]): Promise<void> {
  console.log(`$ followthrough ${args.join(' ')}`);
  const code = await main([...args, '--data', dataDir]);
  if (code !== 0) throw new Error(`followthrough ${args[0]} exited with ${code}`);
}

/** The text part of the latest mail of a kind to one person, with the long signed links left out. */
async function show(kind: string, to: string): Promise<void> {
  const stack = await openLocalStack(dataDir);
  const mails = await stack.listOutbox().finally(() => stack.close());
  const mail = mails.filter((m) => m.kind === kind && m.to.includes(to)).at(-1);
  if (!mail) throw new Error(`The demo expected a ${kind} to ${to} in the outbox and found none.`);
  const parsed = await PostalMime.parse(await readFile(mail.file));
  console.log(`\nTo: ${to}\nSubject: ${mail.subject}\n`);
  const text = (parsed.text ?? '').replace(/^ *(Done|Drop|Snooze 1 week): https?:\/\/\S+\n/gm, '');
  console.log(text.trim().replace(/^/gm, '  │ '));
  console.log(`  (${relative(process.cwd(), mail.file)}; the Done / Drop / Snooze links are left out above)`);
}

rule('1. Dana forwards the notes of her 1:1 with Marcus (Thu 12 Nov)');
await run('ingest', `${loop}/01-dana-marcus-nov12.eml`, '--now', '2026-11-12T21:00:00Z');

rule('2. Thirty minutes later each of them gets the wrap-up');
await run('tick', '--to', '+30m');
await show('wrapup', 'marcus.reid@acme-sales.example');

rule('3. Marcus replies "done 1"');
await run(
  'reply',
  '--from',
  'marcus.reid@acme-sales.example',
  '--kind',
  'wrapup',
  'done 1',
  '--now',
  '2026-11-12T22:41:00Z',
);
await show('confirmation', 'marcus.reid@acme-sales.example');

rule('4. Dana’s 1:1 with Priya (Tue 17 Nov) and her next one with Marcus (Thu 19 Nov)');
await run('ingest', `${loop}/02-dana-priya-nov17.eml`, '--now', '2026-11-17T16:10:00Z');
await run('ingest', `${loop}/03-dana-marcus-nov19.eml`, '--now', '2026-11-19T21:15:00Z');

rule('5. 08:00 on the day of their next 1:1: the pre-meeting digest');
await run('tick', '--to', '2026-11-26T13:00:00Z');
await show('digest', 'dana.whitfield@acme-sales.example');

rule('6. Monday 08:00: weekly digests, and Dana’s roll-up of her reports');
await run('tick', '--to', '2026-11-30T13:00:00Z');
await show('rollup', 'dana.whitfield@acme-sales.example');

rule('Where to look');
console.log(`Every mail:     npx followthrough outbox --data ${data}`);
console.log(`In a browser:   npm start -- --data ${data}   then open http://127.0.0.1:8787/outbox`);
console.log('                (the Done / Drop / Snooze links in the mails work there)');
console.log(`Demo took ${((performance.now() - started) / 1000).toFixed(1)} s.`);
