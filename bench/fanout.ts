/**
 * Bench 5, the weekly digest fan-out on the local store. dynalite runs in a child process of its own, spoken to
 * through the real @aws-sdk/client-dynamodb; two tables are seeded once with BatchWriteItem, from records built by
 * the store's own record functions (storedPerson, storedSeries, storedItem):
 *
 * - 1,000 and 10,000 people, in series of 5 distinct members (200 and 2,000 series), each person owning 5 open
 *   items of their series (one overdue, two due later, two undated); the first member of each series wrote its
 *   notes (PersonRecord.authored), so a fifth of the people cost an author-index Query, and none manages two series
 *   (no roll-up goes);
 * - everyone gets their weekly mail on Monday 08:00 in one of four zones: four weekly slots.
 *
 * Each run is the whole job in a fresh process (bench/fanout-job.ts, bundled as the Lambdas are): every slot's
 * dispatcher and every page, through the local page queue and the outbox mailer, timed from the first dispatch to the
 * last page's end, its DynamoDB requests counted by command, its peak RSS read at the end. Five runs of each size on
 * five consecutive Mondays, so that every run sends afresh without seeding again; the sizes alternate, and the
 * 10k/1k ratio is taken run by run.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Documents } from '../functions/adapters/aws/dynamodb-documents';
import { storedItem, storedPerson, storedSeries } from '../functions/adapters/aws/dynamodb-store';
import { ensureTable } from '../functions/adapters/aws/dynamodb-table';
import { createLocalDynamoClient } from '../functions/adapters/local/local-dynamodb-client';
import type { PersonRecord, Series, StoredItem } from '../functions/domain/model';
import { esbuildSettings } from '../infra/bundling';
import type { FanoutRun } from './fanout-job';
import { type Figure, figure, runModule } from './figures';

const RUNS = 5;
const SIZES = [1_000, 10_000] as const;
const MEMBERS = 5;
const ITEMS_EACH = 5;
const ZONES = ['America/New_York', 'Europe/London', 'Asia/Kolkata', 'UTC'];
/** Five consecutive Mondays, one run of each size on each. */
const MONDAYS = ['2026-01-05', '2026-01-12', '2026-01-19', '2026-01-26', '2026-02-02'];
const NOTES_DATE = '2025-12-29';
const NOTES_AT = '2025-12-29T15:00:00.000Z';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** dynalite in memory, in a child process: its CPU and memory are not the job's. */
async function startDynaliteProcess(): Promise<{ endpoint: string; child: ChildProcess }> {
  const script = `const server = require('dynalite')({ createTableMs: 0 });
server.listen(0, '127.0.0.1', () => console.log(server.address().port));`;
  const child = spawn(process.execPath, ['-e', script], { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolvePort, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`dynalite exited with ${code}`)));
    child.stdout?.once('data', (data: Buffer) => resolvePort(data.toString().trim()));
  });
  return { endpoint: `http://127.0.0.1:${port}`, child };
}

const address = (n: number): string => `person${String(n).padStart(6, '0')}@bench.example`;

/** The records of one series: its people, the series, and the items each person owns in it. */
function seriesRecords(index: number): Array<Record<string, unknown>> {
  const timeZone = ZONES[index % ZONES.length] as string;
  const members = Array.from({ length: MEMBERS }, (_, k) => ({
    address: address(index * MEMBERS + k),
    name: `Person ${index * MEMBERS + k}`,
  }));
  const meetingId = `m_bench_${index}`;
  const series: Series = {
    id: `se_bench_${index}`,
    members,
    author: members[0] ?? null,
    meetings: [{ id: meetingId, date: NOTES_DATE }],
    nextMeeting: null,
    timeZone,
    version: 1,
    updatedAt: NOTES_AT,
  };
  const people = members.map(
    (member, k): PersonRecord => ({
      ...member,
      timeZone,
      weekly: { day: 'MON', time: '08:00' },
      createdAt: NOTES_AT,
      updatedAt: NOTES_AT,
      authored: k === 0,
    }),
  );
  const items = members.flatMap((member, k) =>
    Array.from({ length: ITEMS_EACH }, (_, j): StoredItem => {
      const due = j === 0 ? '2026-01-02' : j < 3 ? `2026-03-${String(10 + j).padStart(2, '0')}` : null;
      return {
        meetingId,
        seq: k * ITEMS_EACH + j + 1,
        status: 'open',
        createdAt: NOTES_AT,
        updatedAt: NOTES_AT,
        seriesId: series.id,
        meetingDate: NOTES_DATE,
        snoozedUntil: null,
        lastChange: null,
        text: `Send the Q${j + 1} account review for territory ${index}`,
        owner: member.address,
        ownerName: member.name,
        due,
        source: `- ${member.name}: send the Q${j + 1} account review`,
        ownerSource: `${member.name}:`,
        dueSource: due === null ? null : 'by the date',
        flags: due === null ? ['no-date'] : [],
        section: 'action',
      };
    }),
  );
  return [...people.map(storedPerson), storedSeries(series), ...items.map((item) => storedItem(item))];
}

/**
 * BatchWriteItem, 25 records a request, 4 requests at once, retrying what dynalite left unprocessed, through the
 * store's own marshalling (Documents). dynalite is what bounds the seeding (≈ 9.5 s of its CPU for the 10,000, at 2,
 * 4 or 8 requests at once alike, measured): 4 keep it busy, with less of this process's CPU beside it.
 */
async function seed(endpoint: string, tableName: string, people: number): Promise<void> {
  const client = createLocalDynamoClient(endpoint, { cacheMiddleware: true });
  await ensureTable(client, tableName);
  const documents = new Documents(client);
  const records = Array.from({ length: people / MEMBERS }, (_, s) => seriesRecords(s)).flat();
  let next = 0;
  const writer = async () => {
    while (next < records.length) {
      let pending = records.slice(next, next + 25).map((Item) => ({ PutRequest: { Item } }));
      next += 25;
      while (pending.length > 0) {
        const { UnprocessedItems } = await documents.batchWrite({ RequestItems: { [tableName]: pending } });
        pending = (UnprocessedItems?.[tableName] ?? []).flatMap(({ PutRequest }) =>
          PutRequest?.Item === undefined ? [] : [{ PutRequest: { Item: PutRequest.Item } }],
        );
      }
    }
  };
  await Promise.all(Array.from({ length: 4 }, writer));
  client.destroy();
}

/**
 * The job bundled once, with the esbuild settings the Lambdas are bundled with (infra/bundling.ts): each run's
 * process then runs the code as a Lambda would, and starts in ≈ 0.2 s rather than the ≈ 0.6 s of tsx compiling it.
 * Written under node_modules/.cache, where its imports of the SDK resolve.
 */
async function bundleJob(): Promise<string> {
  const outfile = join(repo, 'node_modules', '.cache', 'followthrough-bench', 'fanout-job.mjs');
  await build({
    ...esbuildSettings,
    sourcemap: false,
    entryPoints: [join(repo, 'bench', 'fanout-job.ts')],
    outfile,
    logLevel: 'warning',
  });
  return outfile;
}

function runJob(job: string, endpoint: string, tableName: string, monday: string): FanoutRun {
  const outbox = mkdtempSync(join(tmpdir(), 'followthrough-fanout-'));
  try {
    const run = spawnSync(process.execPath, [job, endpoint, tableName, monday, outbox, ...ZONES], {
      cwd: repo,
      encoding: 'utf8',
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    if (run.status !== 0) throw new Error(`the fan-out job failed (exit ${run.status ?? run.signal}):\n${run.stderr}`);
    return JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '') as FanoutRun;
  } finally {
    rmSync(outbox, { recursive: true, force: true });
  }
}

/** CPU seconds a process has used (Linux /proc; NaN elsewhere): how much of a run dynalite's share was. */
function cpuSecondsOf(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

const totalRequests = (run: FanoutRun): number => Object.values(run.requests).reduce((a, b) => a + b, 0);

async function measure(): Promise<Figure[]> {
  const [{ endpoint, child }, job] = await Promise.all([startDynaliteProcess(), bundleJob()]);
  try {
    const seedStarted = performance.now();
    for (const size of SIZES) await seed(endpoint, `fanout-${size}`, size);
    process.stderr.write(`fanout: seeded in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s\n`);

    const runs = new Map<number, FanoutRun[]>(SIZES.map((size) => [size, []]));
    for (const monday of MONDAYS.slice(0, RUNS)) {
      for (const size of SIZES) {
        const dynaliteBefore = cpuSecondsOf(child.pid);
        const run = runJob(job, endpoint, `fanout-${size}`, monday);
        const dynaliteCpu = cpuSecondsOf(child.pid) - dynaliteBefore;
        // Every person has open items and a weekly mail; nobody manages two series.
        if (run.people !== size || run.mails.weekly !== size || run.mails.rollup !== 0) {
          throw new Error(`fan-out of ${size} on ${monday}: ${JSON.stringify(run)}`);
        }
        process.stderr.write(
          `fanout: ${size} people on ${monday}: ${run.seconds.toFixed(2)} s ` +
            `(CPU: job ${run.cpuSeconds.toFixed(1)} s, dynalite ${dynaliteCpu.toFixed(1)} s), ` +
            `${(totalRequests(run) / size).toFixed(3)} requests a person ${JSON.stringify(run.requests)}, ` +
            `${run.retries} retries, ${run.peakRssMB.toFixed(0)} MB\n`,
        );
        runs.get(size)?.push(run);
      }
    }
    const small = runs.get(1_000) ?? [];
    const large = runs.get(10_000) ?? [];
    const all = [...small, ...large];
    return [
      figure(
        'weekly fan-out 10k people',
        large.map((r) => r.seconds),
        's',
        { atMost: 60 },
      ),
      figure(
        'weekly fan-out 1k people',
        small.map((r) => r.seconds),
        's',
        null,
      ),
      figure(
        'weekly fan-out 10k/1k time ratio',
        large.map((r, i) => r.seconds / (small[i]?.seconds ?? Number.NaN)),
        '×',
        {
          atMost: 12,
        },
      ),
      figure(
        'weekly fan-out requests per person',
        large.map((r) => totalRequests(r) / r.people),
        'count',
        {
          atMost: 2,
        },
      ),
      figure(
        'weekly fan-out scans',
        all.map((r) =>
          Object.entries(r.requests)
            .filter(([name]) => /scan/i.test(name))
            .reduce((a, [, n]) => a + n, 0),
        ),
        'count',
        { atMost: 0 },
      ),
      figure(
        'weekly fan-out peak memory',
        large.map((r) => r.peakRssMB),
        'MB',
        { atMost: 512 },
      ),
    ];
  } finally {
    child.kill();
  }
}

await runModule(measure);
