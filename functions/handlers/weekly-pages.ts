import type { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod/mini';
import { awsWeeklyPageDeps, once } from '../aws-wiring';
import { englishMessages } from '../domain/zod-messages';
import type { OutgoingDeps } from '../use-cases/outgoing';
import { PAGE_SIZE, sendWeeklyPage, WeeklyPageBusyError } from '../use-cases/send-weekly';
import { logger as defaultLogger, errorFields } from './logger';

/** An SQS delivery, the parts this function reads (not Powertools' SqsSchema, which imports the full zod). */
const sqsEventSchema = z.object({
  Records: z
    .array(z.object({ eventSource: z.literal('aws:sqs'), messageId: z.string(), body: z.string() }))
    .check(z.minLength(1)),
});

/** One page as the dispatcher put it on the queue. */
export const weeklyPageSchema = z.object({
  date: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')),
  addresses: z.array(z.email()).check(z.minLength(1), z.maxLength(PAGE_SIZE)),
});

/** SQS's partial batch response: the messages that failed go back to the queue, the others are deleted. */
export interface BatchResponse {
  batchItemFailures: Array<{ itemIdentifier: string }>;
}

export interface WeeklyPagesLambdaDeps {
  outgoing: OutgoingDeps;
  logger?: Logger;
}

/**
 * The weekly-pages queue's worker: each message is one page of a weekly slot (sendWeeklyPage). The event source
 * hands one message at a time (batch size 1) and reports failures by item, so a page that fails — another worker
 * holds its lease, SES or DynamoDB gave up — becomes visible again after the queue's visibility timeout, and after
 * three receives goes to the dead-letter queue, which has an alarm. A message that is not a page is reported as
 * failed too, so that it ends there rather than vanishing.
 */
export function createWeeklyPagesHandler(deps: WeeklyPagesLambdaDeps) {
  const log = deps.logger ?? defaultLogger;
  return async (event: unknown): Promise<BatchResponse> => {
    const { Records } = sqsEventSchema.parse(event, englishMessages);
    const batchItemFailures: BatchResponse['batchItemFailures'] = [];
    for (const { messageId, body } of Records) {
      try {
        const page = weeklyPageSchema.parse(JSON.parse(body), englishMessages);
        const result = await sendWeeklyPage(deps.outgoing, page);
        // Counts only: who got what is in the table and the outbox, not in the logs.
        const people = result.outcome === 'sent' ? [...result.people.values()] : [];
        log.info('weekly page', {
          messageId,
          outcome: result.outcome,
          people: page.addresses.length,
          weekly: people.filter((p) => p.weekly === 'sent').length,
          rollup: people.filter((p) => p.rollup === 'sent').length,
        });
      } catch (error) {
        batchItemFailures.push({ itemIdentifier: messageId });
        if (error instanceof WeeklyPageBusyError) log.info('weekly page busy', { messageId });
        else log.error('weekly page failed', { messageId, ...errorFields(error) });
      }
    }
    return { batchItemFailures };
  };
}

const live = once(async () => createWeeklyPagesHandler({ outgoing: await awsWeeklyPageDeps(process.env) }));

export const handler = async (event: unknown): Promise<BatchResponse> => (await live())(event);
