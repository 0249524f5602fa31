import { z } from 'zod';
import type { ScheduledJob } from '../ports/scheduler';
import { type SendWrapupDeps, sendWrapup } from '../use-cases/send-wrapup';

/** The payload a schedule carries: EventBridge Scheduler's Input on AWS, the schedules file locally. */
export const scheduledJobSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('wrapup'), meetingId: z.string().min(1) }),
]);

/**
 * The entry point every schedule fires, on AWS and on the local stack alike: validate the job, run its use case.
 */
export function createScheduledSendHandler(deps: SendWrapupDeps) {
  return async (event: unknown): Promise<void> => {
    const job: ScheduledJob = scheduledJobSchema.parse(event);
    switch (job.kind) {
      case 'wrapup':
        await sendWrapup(deps, job.meetingId);
        return;
    }
  };
}
