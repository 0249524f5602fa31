import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ScheduledJob, ScheduleRequest, Scheduler } from '../../ports/scheduler';

export interface LocalSchedule extends ScheduleRequest {
  state: 'pending' | 'done' | 'failed';
  attempts: number;
  lastError?: string;
  firedAt?: string;
}

/** Like EventBridge Scheduler's retry policy: a job that keeps failing stops being retried (the DLQ on AWS). */
const MAX_ATTEMPTS = 3;

/**
 * EventBridge Scheduler for one machine: one-time schedules kept in a JSON file in the data dir, fired by
 * `followthrough tick` through the same handler that the scheduler invokes on AWS.
 */
export class FileScheduler implements Scheduler {
  constructor(private readonly path: string) {}

  async scheduleOnce(request: ScheduleRequest): Promise<'created' | 'exists'> {
    const schedules = this.read();
    if (schedules.some((s) => s.name === request.name)) return 'exists';
    schedules.push({ ...request, state: 'pending', attempts: 0 });
    this.write(schedules);
    return 'created';
  }

  async cancel(name: string): Promise<void> {
    this.write(this.read().filter((s) => s.name !== name));
  }

  list(): LocalSchedule[] {
    return this.read();
  }

  /** Runs every pending schedule due at or before `now`, oldest first; returns what ran and how. */
  async runDue(now: Date, run: (job: ScheduledJob) => Promise<void>): Promise<LocalSchedule[]> {
    const ran: LocalSchedule[] = [];
    const due = this.read()
      .filter((s) => s.state === 'pending' && Date.parse(s.at) <= now.getTime())
      .sort((a, b) => a.at.localeCompare(b.at) || a.name.localeCompare(b.name));
    for (const schedule of due) {
      let outcome: Partial<LocalSchedule>;
      try {
        await run(schedule.job);
        outcome = { state: 'done', attempts: schedule.attempts + 1, firedAt: now.toISOString() };
      } catch (error) {
        const attempts = schedule.attempts + 1;
        outcome = {
          state: attempts >= MAX_ATTEMPTS ? 'failed' : 'pending',
          attempts,
          lastError: error instanceof Error ? error.message : String(error),
        };
      }
      // Re-read before writing: the job itself may have added schedules.
      const schedules = this.read().map((s) => (s.name === schedule.name ? { ...s, ...outcome } : s));
      this.write(schedules);
      ran.push({ ...schedule, ...outcome });
    }
    return ran;
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
