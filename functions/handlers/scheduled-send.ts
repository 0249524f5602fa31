import { z } from 'zod';
import type { ScheduledJob } from '../ports/scheduler';
import type { OutgoingDeps } from '../use-cases/outgoing';
import { sendDigest } from '../use-cases/send-digest';
import { sendWeekly } from '../use-cases/send-weekly';
import { sendWrapup } from '../use-cases/send-wrapup';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');

/** The payload a schedule carries: EventBridge Scheduler's Input on AWS, the schedules file locally. */
export const scheduledJobSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('wrapup'), meetingId: z.string().min(1) }),
  z.object({ kind: z.literal('digest'), seriesId: z.string().min(1), recipient: z.email(), meetingDate: isoDate }),
  z.object({ kind: z.literal('weekly'), person: z.email() }),
]);

/**
 * The entry point every schedule fires, on AWS and on the local stack alike: validate the job, run its use case.
 */
export function createScheduledSendHandler(deps: OutgoingDeps) {
  return async (event: unknown): Promise<void> => {
    const job: ScheduledJob = scheduledJobSchema.parse(event);
    switch (job.kind) {
      case 'wrapup':
        await sendWrapup(deps, job.meetingId);
        return;
      case 'digest':
        await sendDigest(deps, job);
        return;
      case 'weekly':
        await sendWeekly(deps, job.person);
        return;
    }
  };
}
