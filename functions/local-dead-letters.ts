import type { DeadLetter, DeadLetterFolder } from './adapters/local/dead-letter-folder';
import type { FileScheduler, LocalSchedule } from './adapters/local/file-scheduler';
import type { Clock } from './ports/clock';
import type { RawMailArchive } from './ports/raw-mail';
import type { ScheduledJob } from './ports/scheduler';

export interface LocalDeadLetterDeps {
  folder: DeadLetterFolder;
  scheduler: FileScheduler;
  archive: RawMailArchive;
  clock: Clock;
  /** The handler every schedule fires (the scheduled-send Lambda's, on AWS). */
  runScheduledJob(job: ScheduledJob): Promise<void>;
  /** Mail as the local SMTP inbox takes it. */
  ingestMail(raw: Uint8Array): Promise<unknown>;
  /** A webhook body whose signature was checked when it arrived. */
  ingestNotes(body: Uint8Array): Promise<unknown>;
}

export type RetryOutcome =
  | { outcome: 'done'; letter: DeadLetter }
  /** It failed again: the record stays, with the new error. */
  | { outcome: 'failed-again'; letter: DeadLetter };

/** Jobs are flat objects; their keys sorted, the same job always reads the same. */
const jobKey = (job: ScheduledJob): string =>
  JSON.stringify(Object.entries(job).sort(([a], [b]) => a.localeCompare(b)));

/**
 * The local stack's dead letters (R24): what the schedules gave up on, and mail or webhook notes whose ingest failed
 * on our side, each recorded in the data dir's `failed/` folder and run again by `followthrough retry`. It keeps
 * what each source does besides: the schedule stays failed, the raw bytes stay archived, the SMTP client is told to
 * try again later and the webhook sender gets its 500.
 */
export function localDeadLetters(deps: LocalDeadLetterDeps) {
  return {
    /** Runs the schedules due at `now` (tick, serve); a job given up after its attempts becomes a dead letter. */
    async runDueSchedules(now: Date = deps.clock.now()): Promise<LocalSchedule[]> {
      const errors = new Map<string, unknown>();
      const ran = await deps.scheduler.runDue(now, async (job) => {
        try {
          await deps.runScheduledJob(job);
        } catch (error) {
          errors.set(jobKey(job), error);
          throw error;
        }
      });
      for (const schedule of ran) {
        if (schedule.state !== 'failed') continue;
        const error = errors.get(jobKey(schedule.job)) ?? new Error(schedule.lastError ?? 'failed');
        await deps.folder.record({ source: 'schedule', schedule: schedule.name, kind: schedule.job.kind }, error, now);
      }
      return ran;
    },

    /**
     * An ingest that failed on our side. The raw bytes are put in the archive again (the same bytes are the same
     * key, so this only makes sure they are there) and recorded under that key.
     */
    async ingestFailed(source: 'smtp' | 'webhook', raw: Uint8Array, error: unknown): Promise<DeadLetter> {
      const at = deps.clock.now();
      const rawKey = await deps.archive.put(raw, at);
      return deps.folder.record({ source, rawKey }, error, at);
    },

    /** Newest first. */
    list: (): Promise<DeadLetter[]> => deps.folder.list(),

    /** Runs it again: the schedule's job, or the ingest of the kept bytes. Gone from the folder once it succeeds. */
    async retry(id: string): Promise<RetryOutcome | null> {
      const letter = await deps.folder.get(id);
      if (letter === null) return null;
      try {
        if (letter.source === 'schedule') {
          const schedule = deps.scheduler.list().find((s) => s.name === letter.schedule);
          if (schedule === undefined) throw new Error(`The schedule ${letter.schedule} no longer exists.`);
          await deps.runScheduledJob(schedule.job);
          deps.scheduler.markRetried(schedule.name, deps.clock.now());
        } else {
          const raw = await deps.archive.get(letter.rawKey);
          await (letter.source === 'smtp' ? deps.ingestMail(raw) : deps.ingestNotes(raw));
        }
      } catch (error) {
        return { outcome: 'failed-again', letter: await deps.folder.failedAgain(letter, error) };
      }
      await deps.folder.remove(letter.id);
      return { outcome: 'done', letter };
    },
  };
}

export type LocalDeadLetters = ReturnType<typeof localDeadLetters>;

export type { DeadLetter };
