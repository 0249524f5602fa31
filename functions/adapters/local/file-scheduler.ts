import {
  type BigIntStats,
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import type { Weekday } from '../../domain/model';
import { nextWeeklyOccurrence } from '../../domain/time';
import type { Clock } from '../../ports/clock';
import type { ScheduledJob, ScheduleRequest, Scheduler, WeeklyScheduleRequest } from '../../ports/scheduler';

interface RunState {
  /**
   * One-time: pending until it has run (done) or failed MAX_ATTEMPTS times (failed). Weekly: how the latest
   * occurrence went; pending while it is due or being retried.
   */
  state: 'pending' | 'done' | 'failed';
  /** Runs of the schedule (one-time) or of its latest occurrence (weekly), failed ones included. */
  attempts: number;
  lastError?: string;
  firedAt?: string;
}

export interface LocalOnceSchedule extends ScheduleRequest, RunState {}

export interface LocalWeeklySchedule extends RunState {
  name: string;
  weekly: { day: Weekday; time: string; timeZone: string };
  job: ScheduledJob;
  /** The occurrence to run next, an ISO instant. */
  nextAt: string;
}

export type LocalSchedule = LocalOnceSchedule | LocalWeeklySchedule;

/** Like EventBridge Scheduler's retry policy: a job that keeps failing stops being retried (the DLQ on AWS). */
const MAX_ATTEMPTS = 3;

const isWeekly = (schedule: LocalSchedule): schedule is LocalWeeklySchedule => 'weekly' in schedule;

const dueAt = (schedule: LocalSchedule): number => Date.parse(isWeekly(schedule) ? schedule.nextAt : schedule.at);

const isDue = (schedule: LocalSchedule, now: Date): boolean =>
  // A weekly schedule is always armed: its nextAt moves on after every occurrence, run or given up.
  (isWeekly(schedule) || schedule.state === 'pending') && dueAt(schedule) <= now.getTime();

/** Jobs are flat objects that may come back from the file with their keys in another order. */
const sameJob = (a: ScheduledJob, b: ScheduledJob): boolean => {
  const canonical = (job: ScheduledJob) => JSON.stringify(Object.entries(job).sort(([x], [y]) => x.localeCompare(y)));
  return canonical(a) === canonical(b);
};

const sameWeekly = (a: LocalWeeklySchedule['weekly'], b: LocalWeeklySchedule['weekly']): boolean =>
  a.day === b.day && a.time === b.time && a.timeZone === b.timeZone;

/** Whether the stored entry is still the one that ran, and not one the job itself moved or replaced meanwhile. */
const sameOccurrence = (stored: LocalSchedule, ran: LocalSchedule): boolean => {
  if (!sameJob(stored.job, ran.job)) return false;
  if (isWeekly(stored) && isWeekly(ran)) return stored.nextAt === ran.nextAt && sameWeekly(stored.weekly, ran.weekly);
  return !isWeekly(stored) && !isWeekly(ran) && stored.at === ran.at;
};

const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** One line of the schedules file: a schedule as it now is, or the name of one that is gone. */
type JournalRecord = { put: LocalSchedule } | { cancel: string };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isSchedule = (value: unknown): value is LocalSchedule =>
  isObject(value) &&
  typeof value.name === 'string' &&
  isObject(value.job) &&
  (typeof value.at === 'string' || (isObject(value.weekly) && typeof value.nextAt === 'string'));

const isRecord = (value: unknown): value is JournalRecord =>
  isObject(value) && (isSchedule(value.put) || typeof value.cancel === 'string');

/** What changes whenever the file is appended to, rewritten or replaced, by this process or another. */
const signatureOf = (stats: BigIntStats): string =>
  `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}`;

/**
 * Records the file may hold beyond one per schedule before it is rewritten: rewriting costs as much as the schedules
 * it holds and happens once per as many appends, so each operation costs the same whatever their number.
 */
const SLACK = 64;

/**
 * EventBridge Scheduler for one machine: one-time and weekly schedules kept in a file in the data dir, fired by
 * `followthrough tick` (or `serve`) through the same handler that the scheduler invokes on AWS. The clock places a
 * new weekly schedule's first occurrence, so it must be the one `tick` moves.
 *
 * The file is a journal, one JSON record a line (`{"put": schedule}` or `{"cancel": name}`), the latest line of a
 * name winning; it is rewritten with one line per schedule (to a temporary file, then renamed over it) once it
 * holds twice as many lines as schedules. The schedules are kept in memory too, so an operation appends one line
 * and reads nothing: rewriting the whole file on every operation made `npm run load` quadratic (p50 ≈ 17 s for
 * 440 requests at once, 2,000 schedules). Each operation first compares the file's identity, size and times with
 * what this instance last saw, and reads it again when another process (`followthrough tick`, a test, a hand) has
 * changed, replaced or removed it. A file written by the earlier format, one JSON array, is read and rewritten.
 */
export class FileScheduler implements Scheduler {
  private readonly schedules = new Map<string, LocalSchedule>();
  /** The file as this instance last saw or left it; null when there was none. */
  private signature: string | null = null;
  private loaded = false;
  /** Lines in the file, to know when to rewrite it. */
  private records = 0;

  constructor(
    private readonly path: string,
    private readonly clock: Clock = { now: () => new Date() },
  ) {}

  async scheduleOnce(request: ScheduleRequest): Promise<'created' | 'exists'> {
    this.sync();
    if (this.schedules.has(request.name)) return 'exists';
    this.save({ ...request, state: 'pending', attempts: 0 });
    return 'created';
  }

  async reschedule(request: ScheduleRequest): Promise<'created' | 'moved' | 'unchanged'> {
    this.sync();
    const existing = this.schedules.get(request.name);
    if (
      existing !== undefined &&
      !isWeekly(existing) &&
      existing.state === 'pending' &&
      Date.parse(existing.at) === Date.parse(request.at) &&
      sameJob(existing.job, request.job)
    ) {
      return 'unchanged';
    }
    // A fresh entry, not a patched one: the attempts and error of a run that fired before belong to that run.
    return this.put({ ...request, state: 'pending', attempts: 0 });
  }

  async scheduleWeekly(request: WeeklyScheduleRequest): Promise<'created' | 'moved' | 'unchanged'> {
    const { name, day, time, timeZone, job } = request;
    const weekly = { day, time, timeZone };
    this.sync();
    const existing = this.schedules.get(name);
    if (
      existing !== undefined &&
      isWeekly(existing) &&
      sameWeekly(existing.weekly, weekly) &&
      sameJob(existing.job, job)
    ) {
      return 'unchanged';
    }
    const nextAt = nextWeeklyOccurrence(this.clock.now(), day, time, timeZone).toISOString();
    return this.put({ name, weekly, job, nextAt, state: 'pending', attempts: 0 });
  }

  async cancel(name: string): Promise<void> {
    this.sync();
    if (!this.schedules.has(name)) return;
    this.schedules.delete(name);
    this.append({ cancel: name });
  }

  /** Every schedule, in the order they were first made; copies, which the caller may change. */
  list(): LocalSchedule[] {
    this.sync();
    return structuredClone([...this.schedules.values()]);
  }

  /**
   * A job that failed for good and then ran by hand (`followthrough retry`): a one-time schedule is done now. A weekly
   * one has moved on to its next occurrence already and stays as it is.
   */
  markRetried(name: string, at: Date): void {
    this.sync();
    const schedule = this.schedules.get(name);
    if (schedule !== undefined && !isWeekly(schedule) && schedule.state === 'failed') {
      this.save({ ...schedule, state: 'done', firedAt: at.toISOString() });
    }
  }

  /**
   * Runs every schedule due at or before `now`, earliest first; returns what ran and how. A weekly schedule that
   * missed several occurrences runs once, as a late run would, and moves on to its first occurrence after `now`.
   */
  async runDue(now: Date, run: (job: ScheduledJob) => Promise<void>): Promise<LocalSchedule[]> {
    this.sync();
    const ran: LocalSchedule[] = [];
    const due = [...this.schedules.values()]
      .filter((s) => isDue(s, now))
      .sort((a, b) => dueAt(a) - dueAt(b) || a.name.localeCompare(b.name));
    for (const schedule of due) {
      const after = isWeekly(schedule)
        ? await this.runWeekly(schedule, now, run)
        : await this.runOnce(schedule, now, run);
      // Looked at again after the run: the job itself may have added schedules, or moved this one to its next
      // date, and a moved schedule must stay armed rather than take this run's outcome.
      this.sync();
      const stored = this.schedules.get(schedule.name);
      if (stored !== undefined && sameOccurrence(stored, schedule)) this.save(after);
      ran.push(after);
    }
    return ran;
  }

  private async runOnce(
    schedule: LocalOnceSchedule,
    now: Date,
    run: (job: ScheduledJob) => Promise<void>,
  ): Promise<LocalOnceSchedule> {
    const attempts = schedule.attempts + 1;
    try {
      await run(schedule.job);
      return { ...schedule, state: 'done', attempts, firedAt: now.toISOString() };
    } catch (error) {
      const state = attempts >= MAX_ATTEMPTS ? 'failed' : 'pending';
      return { ...schedule, state, attempts, lastError: errorMessage(error) };
    }
  }

  private async runWeekly(
    schedule: LocalWeeklySchedule,
    now: Date,
    run: (job: ScheduledJob) => Promise<void>,
  ): Promise<LocalWeeklySchedule> {
    // A new occurrence starts afresh, without the count or the error of the one before; only a pending one is a retry.
    const { lastError: _previous, ...fresh } = schedule;
    const occurrence: LocalWeeklySchedule =
      schedule.state === 'pending' ? schedule : { ...fresh, state: 'pending', attempts: 0 };
    const attempts = occurrence.attempts + 1;
    const { day, time, timeZone } = schedule.weekly;
    const nextAt = () => nextWeeklyOccurrence(now, day, time, timeZone).toISOString();
    try {
      await run(schedule.job);
      return { ...occurrence, state: 'done', attempts, firedAt: now.toISOString(), nextAt: nextAt() };
    } catch (error) {
      const lastError = errorMessage(error);
      // Given up: this occurrence is skipped and the schedule waits for the next one, as EventBridge would.
      if (attempts >= MAX_ATTEMPTS) return { ...occurrence, state: 'failed', attempts, lastError, nextAt: nextAt() };
      return { ...occurrence, state: 'pending', attempts, lastError };
    }
  }

  /** Puts the schedule in place of the one of the same name, or adds it. */
  private put(schedule: LocalSchedule): 'created' | 'moved' {
    const existed = this.schedules.has(schedule.name);
    this.save(schedule);
    return existed ? 'moved' : 'created';
  }

  private save(schedule: LocalSchedule): void {
    // Map.set keeps a replaced schedule where it was, as the list has always kept it.
    this.schedules.set(schedule.name, schedule);
    this.append({ put: schedule });
  }

  /** Brings the schedules in memory up to the file, reading it only when it is not as this instance left it. */
  private sync(): void {
    const stats = statSync(this.path, { bigint: true, throwIfNoEntry: false });
    const signature = stats === undefined ? null : signatureOf(stats);
    if (this.loaded && signature === this.signature) return;
    this.schedules.clear();
    this.records = 0;
    this.signature = signature;
    this.loaded = true;
    if (stats !== undefined) this.load(readFileSync(this.path, 'utf8'));
  }

  private load(text: string): void {
    // The format before the journal: the whole list as one JSON array, rewritten at once into the journal.
    if (text.trimStart().startsWith('[')) {
      const legacy: unknown = JSON.parse(text);
      if (!Array.isArray(legacy) || !legacy.every(isSchedule)) throw this.unreadable(1);
      for (const schedule of legacy) this.schedules.set(schedule.name, schedule);
      this.rewrite();
      return;
    }
    const end = text.lastIndexOf('\n') + 1;
    const lines = text.slice(0, end).split('\n');
    lines.pop();
    // A last line without its newline is an append cut short by a crash: the operation never returned, so its caller
    // retries it. It is dropped (and the file rewritten) rather than have the next record run on from it. A file
    // with nothing else is no journal at all.
    const cutShort = end < text.length;
    if (cutShort && end === 0) throw this.unreadable(1);
    lines.forEach((line, index) => {
      if (line === '') return;
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch {
        throw this.unreadable(index + 1);
      }
      if (!isRecord(record)) throw this.unreadable(index + 1);
      if ('put' in record) this.schedules.set(record.put.name, record.put);
      else this.schedules.delete(record.cancel);
    });
    this.records = lines.length;
    if (cutShort) this.rewrite();
  }

  private unreadable(line: number): Error {
    return new Error(`The schedules file ${this.path} is unreadable at line ${line}: not a schedule record.`);
  }

  private append(record: JournalRecord): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const fd = openSync(this.path, 'a');
    try {
      // One write of one line: with O_APPEND it lands whole after whatever else is there.
      writeSync(fd, `${JSON.stringify(record)}\n`);
      this.signature = signatureOf(fstatSync(fd, { bigint: true }));
    } finally {
      closeSync(fd);
    }
    this.records += 1;
    if (this.records > 2 * this.schedules.size + SLACK) this.rewrite();
  }

  /** The file with one line per schedule: written aside then renamed, so that a crash never leaves half of it. */
  private rewrite(): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const temp = `${this.path}.${process.pid}.tmp`;
    const lines = [...this.schedules.values()].map((schedule) => `${JSON.stringify({ put: schedule })}\n`);
    writeFileSync(temp, lines.join(''));
    renameSync(temp, this.path);
    this.signature = signatureOf(statSync(this.path, { bigint: true }));
    this.records = lines.length;
  }
}
