import type { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod/mini';
import { awsFeedbackDeps } from '../aws-wiring';
import { InvalidInputError } from '../domain/errors';
import { englishMessages } from '../domain/zod-messages';
import { type DeliveryFeedbackDeps, recordDeliveryFeedback } from '../use-cases/record-delivery-feedback';
import { logger as defaultLogger, errorFields } from './logger';

/**
 * An SNS delivery, the parts this function reads. Not Powertools' SnsSchema: its schemas import the full zod
 * (≈ 460 KB of bundle, measured).
 */
const snsEventSchema = z.object({
  Records: z
    .array(
      z.object({
        EventSource: z.literal('aws:sns'),
        Sns: z.object({ Type: z.literal('Notification'), MessageId: z.string(), Message: z.string() }),
      }),
    )
    .check(z.minLength(1)),
});

export interface DeliveryFeedbackLambdaDeps {
  feedback: DeliveryFeedbackDeps;
  logger?: Logger;
}

/**
 * SES configuration-set events (bounces, complaints) by way of SNS → recordDeliveryFeedback: the address gets no
 * more mail from us. A record we cannot read is logged and skipped — SNS redelivering it would not help; a store
 * failure throws: SNS invokes the function asynchronously, so Lambda retries it twice and then puts the event on
 * the function's on-failure queue, which has an alarm.
 */
export function createDeliveryFeedbackHandler(deps: DeliveryFeedbackLambdaDeps) {
  const log = deps.logger ?? defaultLogger;
  return async (event: unknown): Promise<{ suppressed: number; skipped: number }> => {
    const { Records } = snsEventSchema.parse(event, englishMessages);
    let suppressed = 0;
    let skipped = 0;
    for (const record of Records) {
      const messageId = record.Sns.MessageId;
      try {
        const result = await recordDeliveryFeedback(deps.feedback, record.Sns.Message);
        suppressed += result.suppressed.length;
        // Counts only: the addresses are in the table, where they belong, not in the logs.
        log.info('delivery feedback', { messageId, suppressed: result.suppressed.length, ignored: result.ignored });
      } catch (error) {
        if (!(error instanceof InvalidInputError)) throw error;
        skipped += 1;
        log.error('delivery feedback unreadable', { messageId, ...errorFields(error) });
      }
    }
    return { suppressed, skipped };
  };
}

let live: ReturnType<typeof createDeliveryFeedbackHandler> | undefined;

export const handler = (event: unknown): Promise<{ suppressed: number; skipped: number }> => {
  live ??= createDeliveryFeedbackHandler({ feedback: awsFeedbackDeps(process.env) });
  return live(event);
};
