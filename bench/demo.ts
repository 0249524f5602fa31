/**
 * Bench 6, demo latency: `npm run demo`, the real command, in a fresh child process and a fresh data dir each run
 * (`npm run demo -- --data DIR`), timed on the wall from spawn to the first wrap-up .eml in the outbox and to exit.
 * The outbox is polled: the mailer links each message into place whole, so a name that is there is a message.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Figure, figure, runModule } from './figures';

const RUNS = 5;
/** Budget from the issue: the wrap-up in the outbox within 5 s of `npm run demo`, after `npm install`. */
const WRAPUP_BUDGET_S = 5;
/** How often the outbox is looked at: fine enough for a figure in seconds, cheap enough not to slow the demo. */
const POLL_MS = 5;
/** A demo that hangs must not hang the bench. */
const TIMEOUT_MS = 60_000;

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface DemoRun {
  toWrapupS: number;
  totalS: number;
}

function hasWrapup(outbox: string): boolean {
  try {
    return readdirSync(outbox).some((name) => /-wrapup-[\w-]+\.eml$/.test(name));
  } catch {
    return false;
  }
}

function runDemo(): Promise<DemoRun> {
  const data = mkdtempSync(join(tmpdir(), 'followthrough-bench-demo-'));
  const outbox = join(data, 'outbox');
  const started = performance.now();
  const child = spawn('npm', ['run', 'demo', '--silent', '--', '--data', data], {
    cwd: repo,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  let toWrapup: number | undefined;
  const poll = setInterval(() => {
    if (toWrapup === undefined && hasWrapup(outbox)) toWrapup = performance.now() - started;
  }, POLL_MS);
  const timeout = setTimeout(() => child.kill('SIGTERM'), TIMEOUT_MS);
  return new Promise((done, fail) => {
    child.once('error', fail);
    child.once('exit', (code, signal) => {
      const total = performance.now() - started;
      clearInterval(poll);
      clearTimeout(timeout);
      rmSync(data, { recursive: true, force: true });
      if (code !== 0) {
        fail(new Error(`npm run demo exited with ${code ?? signal}:\n${stderr.slice(-2000)}`));
        return;
      }
      if (toWrapup === undefined) {
        fail(new Error('npm run demo finished without a wrap-up in its outbox'));
        return;
      }
      done({ toWrapupS: toWrapup / 1000, totalS: total / 1000 });
    });
  });
}

async function measure(): Promise<Figure[]> {
  const runs: DemoRun[] = [];
  for (let run = 0; run < RUNS; run += 1) runs.push(await runDemo());
  return [
    figure(
      'demo to wrap-up in outbox',
      runs.map((r) => r.toWrapupS),
      's',
      { atMost: WRAPUP_BUDGET_S },
    ),
    figure(
      'demo total',
      runs.map((r) => r.totalS),
      's',
      null,
    ),
  ];
}

await runModule(measure);
