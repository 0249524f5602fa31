import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { awsIdempotencyClient, awsScheduledSendDeps, once } from '../aws-wiring';
import { isTimeZone } from '../domain/time';
import { englishMessages } from '../domain/zod-messages';
import type { WeeklyPageQueue } from '../ports/page-queue';
import type { ScheduledJob } from '../ports/scheduler';
import type { OutgoingDeps } from '../use-cases/outgoing';
import { sendDigest } from '../use-cases/send-digest';
import { dispatchWeekly, sendWeekly } from '../use-cases/send-weekly';
import { sendWrapup } from '../use-cases/send-wrapup';
import { logger as defaultLogger } from './logger';

const isoDate = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD'));

/** The payload a schedule carries: the `job` of EventBridge Scheduler's Input on AWS, the schedules file locally. */
export const scheduledJobSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('wrapup'), meetingId: z.string().check(z.minLength(1)) }),
  z.object({
    kind: z.literal('digest'),
    seriesId: z.string().check(z.minLength(1)),
    recipient: z.email(),
    meetingDate: isoDate,
  }),
  z.object({ kind: z.literal('weekly'), person: z.email() }),
  z.object({
    kind: z.literal('weekly-slot'),
    day: z.enum(['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN']),
    time: z.string().check(z.regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, 'a time as HH:MM, 24-hour')),
    timeZone: z.string().check(z.refine(isTimeZone, 'an IANA time zone')),
  }),
]);

/**
 * What EventBridge Scheduler hands the function: our job, with the schedule's ARN and the time it was due filled in
 * by Scheduler's context attributes (see the scheduler adapter's targetInput). Together they name one firing: a
 * weekly schedule fires under the same name every week, and a retried firing keeps its scheduled time.
 */
export const scheduledInvocationSchema = z.object({
  schedule: z.string().check(z.startsWith('arn:')),
  scheduledTime: z.iso.datetime(),
  job: scheduledJobSchema,
});

/** What the jobs need: a weekly slot's job hands its pages to the weekly-pages queue. */
export type ScheduledSendDeps = OutgoingDeps & { weeklyPages: WeeklyPageQueue };

/**
 * The entry point every schedule fires, on AWS and on the local stack alike: validate the job, run its use case.
 * `occurrence` is when the schedule was due (Scheduler's scheduled time on AWS): a weekly slot's mails are those of
 * that occurrence's date, however late the firing runs; the local stack fires at its clock's now.
 */
export function createScheduledSendHandler(deps: ScheduledSendDeps) {
  return async (event: unknown, occurrence: Date = deps.clock.now()): Promise<void> => {
    const job: ScheduledJob = scheduledJobSchema.parse(event, englishMessages);
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
      case 'weekly-slot': {
        const { day, time, timeZone } = job;
        await dispatchWeekly(deps, { day, time, timeZone }, occurrence);
        return;
      }
    }
  };
}

export interface ScheduledSendLambdaDeps {
  outgoing: ScheduledSendDeps;
  persistenceStore: BasePersistenceLayer;
  logger?: Logger;
}

/**
 * The Lambda around it. Scheduler delivers at least once, so each firing runs once (Powertools Idempotency keyed on
 * schedule ARN + scheduled time); inside, each mail is also sent once by its outbox record (sendOnce), which covers
 * a retry after a crash half-way through a weekly digest's recipients, and a redrive that Powertools sees as new.
 * A failure throws: Scheduler invokes the function asynchronously, so Lambda retries it twice and then puts the
 * event on the function's on-failure queue (Scheduler's own dead-letter queue takes what it could not hand to
 * Lambda at all); both have an alarm.
 */
export function createScheduledSendLambda(deps: ScheduledSendLambdaDeps) {
  const log = deps.logger ?? defaultLogger;
  const run = createScheduledSendHandler(deps.outgoing);
  const config = new IdempotencyConfig({
    eventKeyJmesPath: '[schedule, scheduledTime]',
    throwOnNoIdempotencyKey: true,
  });
  const fireOnce = makeIdempotent(
    async (invocation: z.infer<typeof scheduledInvocationSchema>) => {
      await run(invocation.job, new Date(invocation.scheduledTime));
      log.info('scheduled job done', { schedule: scheduleName(invocation.schedule), kind: invocation.job.kind });
      return { done: invocation.job.kind };
    },
    { persistenceStore: deps.persistenceStore, config },
  );
  return async (event: unknown, context: Context): Promise<{ done: ScheduledJob['kind'] }> => {
    const invocation = scheduledInvocationSchema.parse(event, englishMessages);
    config.registerLambdaContext(context);
    return fireOnce(invocation);
  };
}

/** The schedule's name from its ARN (`…:schedule/<group>/<name>`): names carry hashes, never addresses. */
function scheduleName(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

const live = once(async () => {
  const idempotency = awsIdempotencyClient(process.env);
  return createScheduledSendLambda({
    outgoing: await awsScheduledSendDeps(process.env),
    persistenceStore: new DynamoDBPersistenceLayer({
      tableName: idempotency.tableName,
      awsSdkV3Client: idempotency.client,
    }),
  });
});

export const handler = async (event: unknown, context: Context): Promise<{ done: ScheduledJob['kind'] }> =>
  (await live())(event, context);
