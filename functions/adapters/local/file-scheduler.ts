import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
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

/**
 * EventBridge Scheduler for one machine: one-time and weekly schedules kept in a JSON file in the data dir, fired by
 * `followthrough tick` through the same handler that the scheduler invokes on AWS. The clock places a new weekly
 * schedule's first occurrence, so it must be the one `tick` moves.
 */
export class FileScheduler implements Scheduler {
  constructor(
    private readonly path: string,
    private readonly clock: Clock = { now: () => new Date() },
  ) {}

  async scheduleOnce(request: ScheduleRequest): Promise<'created' | 'exists'> {
    const schedules = this.read();
    if (schedules.some((s) => s.name === request.name)) return 'exists';
    schedules.push({ ...request, state: 'pending', attempts: 0 });
    this.write(schedules);
    return 'created';
  }

  async reschedule(request: ScheduleRequest): Promise<'created' | 'moved' | 'unchanged'> {
    const existing = this.read().find((s) => s.name === request.name);
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
    const existing = this.read().find((s) => s.name === name);
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
    this.write(this.read().filter((s) => s.name !== name));
  }

  list(): LocalSchedule[] {
    return this.read();
  }

  /**
   * A job that failed for good and then ran by hand (`followthrough retry`): a one-time schedule is done now. A weekly
   * one has moved on to its next occurrence already and stays as it is.
   */
  markRetried(name: string, at: Date): void {
    this.write(
      this.read().map((s) =>
        s.name === name && !isWeekly(s) && s.state === 'failed'
          ? { ...s, state: 'done', firedAt: at.toISOString() }
          : s,
      ),
    );
  }

  /**
   * Runs every schedule due at or before `now`, earliest first; returns what ran and how. A weekly schedule that
   * missed several occurrences runs once, as a late run would, and moves on to its first occurrence after `now`.
   */
  async runDue(now: Date, run: (job: ScheduledJob) => Promise<void>): Promise<LocalSchedule[]> {
    const ran: LocalSchedule[] = [];
    const due = this.read()
      .filter((s) => isDue(s, now))
      .sort((a, b) => dueAt(a) - dueAt(b) || a.name.localeCompare(b.name));
    for (const schedule of due) {
      const after = isWeekly(schedule)
        ? await this.runWeekly(schedule, now, run)
        : await this.runOnce(schedule, now, run);
      // Re-read before writing: the job itself may have added schedules, or moved this one to its next date, and a
      // moved schedule must stay armed rather than take this run's outcome.
      this.write(this.read().map((s) => (s.name === schedule.name && sameOccurrence(s, schedule) ? after : s)));
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
    const schedules = this.read();
    const index = schedules.findIndex((s) => s.name === schedule.name);
    if (index === -1) schedules.push(schedule);
    else schedules[index] = schedule;
    this.write(schedules);
    return index === -1 ? 'created' : 'moved';
  }

  private read(): LocalSchedule[] {
    return existsSync(this.path) ? (JSON.parse(readFileSync(this.path, 'utf8')) as LocalSchedule[]) : [];
  }

  private write(schedules: LocalSchedule[]): void {
    mkdirSync(dirname(this.path), { recursive: true });
    // Write then rename, so that a crash never leaves half a file.
    const temp = `${this.path}.tmp`;
    writeFileSync(temp, `${JSON.stringify(schedules, null, 2)}\n`);
    renameSync(temp, this.path);
  }
}
