/**
 * `npm run load`: the local server under a burst, on loopback only — 200 signed webhook posts and 200 SMTP
 * deliveries at once, each channel with a share of exact repeats (a replayed webhook-id, a re-delivered
 * Message-ID), as a busy Monday morning and at-least-once senders produce. Afterwards every meeting must be stored
 * exactly once and every wrap-up scheduled exactly once. Prints the counts and the p50/p99 latency per channel;
 * exits non-zero when a count is off. Not part of `npm test`: it measures, and these machines are noisy.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';
import { Webhook } from 'standardwebhooks';
import type { Meeting } from '../functions/domain/model';
import { startLocalServers } from '../functions/serve';

const WEBHOOKS = 200;
const EMAILS = 200;
/** Every tenth message is sent a second time, as a retrying sender would. */
const REPEAT_EVERY = 10;

interface Timed {
  channel: 'webhook' | 'smtp';
  ms: number;
  ok: boolean;
  detail: string;
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;

function webhookBody(i: number): string {
  return JSON.stringify({
    id: `load-notes-${i}`,
    subject: `1:1 Manager ${i} / Seller ${i}`,
    date: '2026-11-23',
    timeZone: 'Europe/London',
    attendees: [
      { email: `manager${i}@load.example`, name: `Manager ${i}` },
      { email: `seller${i}@load.example`, name: `Seller ${i}` },
    ],
    notes: `Action items\n- Seller ${i}: send the revised proposal by Friday\n- Manager ${i}: review the pipeline by Thursday\n`,
  });
}

function notesEmail(i: number): { raw: string; from: string; to: string } {
  const from = `lead${i}@smtp-load.example`;
  const to = `rep${i}@smtp-load.example`;
  const raw = [
    `From: Lead ${i} <${from}>`,
    `To: Rep ${i} <${to}>, notes@followthrough.local`,
    `Subject: 1:1 Lead ${i} / Rep ${i}`,
    'Date: Mon, 23 Nov 2026 10:00:00 +0000',
    `Message-ID: <load-${i}@smtp-load.example>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Next steps',
    `- Rep ${i}: update the close plan by Wednesday`,
    `- Lead ${i}: intro to the VP by Friday`,
    '',
  ].join('\r\n');
  return { raw, from, to };
}

async function timed(channel: Timed['channel'], run: () => Promise<string>): Promise<Timed> {
  const started = performance.now();
  try {
    const detail = await run();
    return { channel, ms: performance.now() - started, ok: true, detail };
  } catch (error) {
    return { channel, ms: performance.now() - started, ok: false, detail: String(error) };
  }
}

const dataDir = await mkdtemp(join(tmpdir(), 'followthrough-load-'));
const serverLog: string[] = [];
const servers = await startLocalServers({
  dataDir,
  port: 0,
  smtpPort: 0,
  // The schedules must not fire during the run: what is counted is what was scheduled.
  tickMs: 3_600_000,
  log: (line) => serverLog.push(line),
});
const webhook = new Webhook(servers.stack.config.webhookSecret);

try {
  const posts = Array.from({ length: WEBHOOKS }, (_, i) => i).flatMap((i) => (i % REPEAT_EVERY === 0 ? [i, i] : [i]));
  const mails = Array.from({ length: EMAILS }, (_, i) => i).flatMap((i) => (i % REPEAT_EVERY === 0 ? [i, i] : [i]));
  const smtp = createTransport({ host: '127.0.0.1', port: servers.smtpPort, secure: false, ignoreTLS: true });

  const started = performance.now();
  const results = await Promise.all([
    ...posts.map((i) =>
      timed('webhook', async () => {
        const body = webhookBody(i);
        const id = `msg_load_${i}`;
        const signedAt = new Date(Math.floor(Date.now() / 1000) * 1000);
        const signature = webhook.sign(id, signedAt, body);
        const response = await fetch(`${servers.url}/webhooks/notes`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'webhook-id': id,
            'webhook-timestamp': String(signedAt.getTime() / 1000),
            'webhook-signature': signature,
          },
          body,
        });
        const answer = await response.text();
        if (response.status >= 300) throw new Error(`HTTP ${response.status}: ${answer}`);
        return `${response.status}`;
      }),
    ),
    ...mails.map((i) =>
      timed('smtp', async () => {
        const { raw, from, to } = notesEmail(i);
        const info = await smtp.sendMail({ envelope: { from, to: [to] }, raw });
        return info.response;
      }),
    ),
  ]);
  const wallMs = performance.now() - started;
  smtp.close();

  const meetings: Meeting[] = [];
  let cursor: string | undefined;
  do {
    const page = await servers.stack.store.listMeetings(cursor === undefined ? { limit: 100 } : { limit: 100, cursor });
    meetings.push(...page.items);
    cursor = page.cursor;
  } while (cursor !== undefined);
  const wrapups = servers.stack.scheduler.list().filter((s) => s.name.startsWith('wrapup-'));
  const perMeeting = new Map<string, number>();
  for (const s of wrapups) perMeeting.set(s.name, (perMeeting.get(s.name) ?? 0) + 1);

  const expected = WEBHOOKS + EMAILS;
  const distinctMeetings = new Set(meetings.map((m) => m.id)).size;
  const complete = meetings.filter((m) => m.state === 'complete').length;
  const scheduledOnce = meetings.filter((m) => perMeeting.get(`wrapup-${m.id}`) === 1).length;
  const failures = results.filter((r) => !r.ok);

  console.log(`\nfollowthrough load test — loopback, ${posts.length} webhook posts + ${mails.length} SMTP deliveries`);
  console.log(`(${posts.length - WEBHOOKS} replayed webhook-ids, ${mails.length - EMAILS} re-delivered Message-IDs)\n`);
  console.log('| channel | requests | failed | p50 ms | p99 ms | max ms |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const channel of ['webhook', 'smtp'] as const) {
    const mine = results.filter((r) => r.channel === channel);
    const ms = mine.map((r) => r.ms).sort((a, b) => a - b);
    const row = [
      channel,
      mine.length,
      mine.filter((r) => !r.ok).length,
      percentile(ms, 50).toFixed(0),
      percentile(ms, 99).toFixed(0),
      (ms.at(-1) ?? 0).toFixed(0),
    ];
    console.log(`| ${row.join(' | ')} |`);
  }
  console.log(`\nall ${results.length} requests in ${(wallMs / 1000).toFixed(1)} s`);
  console.log(`meetings stored:            ${meetings.length} (${distinctMeetings} distinct, expected ${expected})`);
  console.log(`meetings complete:          ${complete}`);
  console.log(`wrap-up schedules:          ${wrapups.length} (${perMeeting.size} distinct names)`);
  console.log(`meetings scheduled exactly once: ${scheduledOnce}`);
  for (const failure of failures.slice(0, 5)) console.log(`failed ${failure.channel}: ${failure.detail}`);

  const ok =
    failures.length === 0 &&
    meetings.length === expected &&
    distinctMeetings === expected &&
    complete === expected &&
    wrapups.length === expected &&
    scheduledOnce === expected;
  console.log(ok ? '\nload: OK' : '\nload: FAILED');
  process.exitCode = ok ? 0 : 1;
} finally {
  await servers.close();
  await rm(dataDir, { recursive: true, force: true });
}
