/**
 * `npm run demo`: the main job end to end on the embedded local stack, in seconds — a 1:1's notes arrive by
 * email, the items are stored in DynamoDB (dynalite), the clock moves past the wrap-up's schedule, and the
 * wrap-up lands in the outbox as a real .eml addressed to both attendees.
 */
import { readFile, rm } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import PostalMime from 'postal-mime';
import { main } from '../functions/cli';
import { openLocalStack } from '../functions/wiring';

const dataDir = resolve('.data/demo');
const sample = 'tests/fixtures/emails/demo-one-on-one.eml';
const rule = (title: string) => console.log(`\n── ${title} ${'─'.repeat(Math.max(0, 72 - title.length))}`);
const started = performance.now();

await rm(dataDir, { recursive: true, force: true });

rule(`1. The notes arrive: followthrough ingest ${sample}`);
// The notes were sent at 16:42 New York time; the demo's clock starts a minute later.
await main(['ingest', sample, '--data', dataDir, '--now', '2026-11-17T21:43:00Z']);

rule('2. What was stored: followthrough items');
await main(['items', '--data', dataDir]);

rule('3. Thirty minutes later: followthrough tick --to +30m');
await main(['tick', '--to', '+30m', '--data', dataDir]);

const stack = await openLocalStack(dataDir);
const [wrapup] = (await stack.listOutbox().finally(() => stack.close())).filter((m) => m.kind === 'wrapup');
if (!wrapup) throw new Error('The demo expected a wrap-up in the outbox and found none.');
const parsed = await PostalMime.parse(await readFile(wrapup.file));
rule('4. The wrap-up, as its plain-text part reads');
console.log(`From:    ${parsed.from?.address}`);
console.log(`To:      ${wrapup.to.join(', ')}`);
console.log(`Subject: ${wrapup.subject}\n`);
console.log(parsed.text?.trim());

rule('Where to look');
console.log(`The wrap-up:  ${relative(process.cwd(), wrapup.file)} (open it in any mail client)`);
console.log(`The outbox:   npx followthrough outbox --data ${relative(process.cwd(), dataDir)}`);
console.log(`Demo took ${((performance.now() - started) / 1000).toFixed(1)} s.`);
