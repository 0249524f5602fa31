/**
 * The weekly job of bench/fanout.ts, in a process of its own so that its peak RSS is the job's alone (dynalite runs
 * in another): every slot's dispatcher, and every page through the local page queue, sendWeeklyPage and the outbox
 * mailer, on the local wiring's adapters. Every DynamoDB request of the job is counted by a middleware on the store's
 * client, by command, with the retries the SDK made. Prints one JSON line: FanoutRun.
 *
 * `tsx bench/fanout-job.ts ENDPOINT TABLE MONDAY OUTBOX_DIR ZONE…`
 */
import { DynamoDbStore } from '../functions/adapters/aws/dynamodb-store';
import { InProcessPageQueue } from '../functions/adapters/local/in-process-page-queue';
import { createLocalDynamoClient } from '../functions/adapters/local/local-dynamodb-client';
import { OutboxMailer } from '../functions/adapters/local/outbox-mailer';
import { parseSigningKeys } from '../functions/domain/links/token';
import { zonedInstant } from '../functions/domain/time';
import type { OutgoingDeps } from '../functions/use-cases/outgoing';
import { dispatchWeekly, sendWeeklyPage } from '../functions/use-cases/send-weekly';

export interface FanoutRun {
  seconds: number;
  /** CPU time of this process over the same span (user + system): what a busy machine cannot take away. */
  cpuSeconds: number;
  people: number;
  pages: number;
  /** Requests by SDK command name (QueryCommand, BatchGetItemCommand, …), retries not included. */
  requests: Record<string, number>;
  /** Attempts beyond the first, summed over every request. */
  retries: number;
  mails: { weekly: number; rollup: number };
  /** process.resourceUsage().maxRSS, in MB (of 1,048,576 bytes). */
  peakRssMB: number;
}

const [endpoint, tableName, monday, outboxDir, ...zones] = process.argv.slice(2);
if (endpoint === undefined || tableName === undefined || monday === undefined || outboxDir === undefined) {
  throw new Error('usage: fanout-job.ts ENDPOINT TABLE MONDAY OUTBOX_DIR ZONE…');
}

// As the local wiring builds the store's client (cacheMiddleware); the counting middleware is added before any request.
const client = createLocalDynamoClient(endpoint, { cacheMiddleware: true });
const requests: Record<string, number> = {};
let retries = 0;
client.middlewareStack.add(
  (next, context) => async (args) => {
    const command = context.commandName ?? 'unnamed';
    requests[command] = (requests[command] ?? 0) + 1;
    try {
      const result = await next(args);
      retries += Math.max(0, ((result.output as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1) - 1);
      return result;
    } catch (error) {
      retries += Math.max(0, ((error as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1) - 1);
      throw error;
    }
  },
  { step: 'initialize', name: 'countRequests' },
);

// The clock stands at the slots' Monday: the mails' Date header, and what the store counts as expired.
const now = zonedInstant(monday, '08:00', 'UTC');
const clock = { now: () => new Date(now) };
const store = new DynamoDbStore({ client, tableName, now: () => clock.now() });
const deps: OutgoingDeps = {
  store,
  mailer: new OutboxMailer({ dir: outboxDir, clock }),
  clock,
  config: { fromAddress: 'notes@followthrough.example', baseUrl: 'http://127.0.0.1:8787' },
  signingKeys: parseSigningKeys('bench1:0123456789abcdef0123456789abcdef-bench'),
};
const mails = { weekly: 0, rollup: 0 };
const weeklyPages = new InProcessPageQueue(async (page) => {
  const result = await sendWeeklyPage(deps, page);
  if (result.outcome !== 'sent') return;
  for (const person of result.people.values()) {
    if (person.weekly === 'sent') mails.weekly += 1;
    if (person.rollup === 'sent') mails.rollup += 1;
  }
});

const started = performance.now();
const cpuAtStart = process.cpuUsage();
let people = 0;
let pages = 0;
// One slot after the other, as `followthrough tick` fires them; each slot's occurrence is 08:00 on Monday there.
for (const timeZone of zones) {
  const dispatched = await dispatchWeekly(
    { store, weeklyPages },
    { day: 'MON', time: '08:00', timeZone },
    zonedInstant(monday, '08:00', timeZone),
  );
  people += dispatched.people;
  pages += dispatched.pages;
}
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuAtStart);
client.destroy();

const run: FanoutRun = {
  seconds,
  cpuSeconds: (cpu.user + cpu.system) / 1e6,
  people,
  pages,
  requests,
  retries,
  mails,
  peakRssMB: process.resourceUsage().maxRSS / 1024,
};
process.stdout.write(`${JSON.stringify(run)}\n`);
