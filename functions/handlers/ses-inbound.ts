import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { awsIdempotencyClient, awsIngestDeps, once } from '../aws-wiring';
import { loadAwsConfig } from '../config/aws-env';
import { type SenderEvidence, senderTrust, singleFromAddress } from '../domain/email/sender-trust';
import { englishMessages } from '../domain/zod-messages';
import { type IngestDeps, ingestEmail, RejectedInputError } from '../use-cases/ingest-email';
import { logger as defaultLogger, errorFields } from './logger';

const verdict = z.object({ status: z.enum(['PASS', 'FAIL', 'GRAY', 'PROCESSING_FAILED']) });

const header = z.object({ name: z.string(), value: z.string() });

/**
 * The receipt rule's Lambda event, as the SES developer guide's sample shows it. Powertools' SesSchema requires
 * `receipt.dmarcPolicy`, which SES sends only when the DMARC verdict is FAIL, so it refuses the guide's own sample:
 * this is that schema with the field optional, and only the parts we read. `mail.source` is the envelope sender
 * (SMTP MAIL FROM), the identity SPF checked; `mail.headers` are the message's headers as SES received them, capped
 * in size (`headersTruncated`), where the DKIM-Signature headers and their `d=` domains are.
 */
export const sesReceiptEventSchema = z.object({
  Records: z
    .array(
      z.object({
        eventSource: z.literal('aws:ses'),
        ses: z.object({
          mail: z.object({
            messageId: z.string().check(z.regex(/^[\w-]{1,200}$/, 'an SES message id')),
            source: z.string(),
            headersTruncated: z.boolean(),
            headers: z.array(header),
            commonHeaders: z.object({ from: z.optional(z.array(z.string())) }),
          }),
          receipt: z.object({
            recipients: z.array(z.string()),
            spamVerdict: verdict,
            virusVerdict: verdict,
            spfVerdict: verdict,
            dkimVerdict: verdict,
            dmarcVerdict: verdict,
            dmarcPolicy: z.optional(z.enum(['none', 'quarantine', 'reject'])),
          }),
        }),
      }),
    )
    .check(z.minLength(1)),
});

type SesMessage = z.infer<typeof sesReceiptEventSchema>['Records'][number]['ses'];

export interface SesInboundDeps {
  ingest: IngestDeps;
  /** Where the receipt rule's S3 action put the message: `<prefix><SES messageId>`. */
  inboundPrefix: string;
  persistenceStore: BasePersistenceLayer;
  logger?: Logger;
}

/** A small, JSON-safe summary: it is what the idempotency record keeps for a repeated delivery. */
export type InboundOutcome =
  | { outcome: 'ingested' | 'duplicate'; meetingId: string; items: number }
  | { outcome: 'applied-reply' | 'refused-reply' | 'ignored'; detail: string }
  | { outcome: 'rejected'; field: string; rawKey: string }
  | { outcome: 'dropped'; reason: string }
  | { outcome: 'unverified'; meetingId: string; reason: string };

/**
 * SES inbox → the same ingestEmail as `followthrough ingest` and the local SMTP inbox.
 *
 * 1. Validate the receipt event. SES invokes us asynchronously, at least once.
 * 2. Once per SES messageId (Powertools Idempotency on DynamoDB): a second delivery returns the first outcome.
 * 3. A message SES scanned as spam or a virus is dropped here; its bytes stay under the inbound prefix.
 * 4. Whether the From is the sender's own, from the SPF, DKIM and DMARC verdicts: see senderTrust.
 * 5. Read the bytes the S3 action wrote (the Lambda event carries headers only) and ingest them.
 * 6. Input we cannot read is an outcome, not an error: retrying would not make it readable. Our own faults throw,
 *    so that Lambda retries and then hands the event to the on-failure queue, whose alarm a person sees.
 */
export function createSesInboundHandler(deps: SesInboundDeps) {
  const log = deps.logger ?? defaultLogger;
  const config = new IdempotencyConfig({ eventKeyJmesPath: 'mail.messageId', throwOnNoIdempotencyKey: true });
  const receiveOnce = makeIdempotent((message: SesMessage) => receive(deps, log, message), {
    persistenceStore: deps.persistenceStore,
    config,
  });
  return async (event: unknown, context: Context): Promise<InboundOutcome[]> => {
    const { Records } = sesReceiptEventSchema.parse(event, englishMessages);
    config.registerLambdaContext(context);
    const outcomes: InboundOutcome[] = [];
    for (const record of Records) outcomes.push(await receiveOnce(record.ses));
    return outcomes;
  };
}

async function receive(deps: SesInboundDeps, log: Logger, message: SesMessage): Promise<InboundOutcome> {
  const { messageId } = message.mail;
  const { spamVerdict, virusVerdict } = message.receipt;
  if (spamVerdict.status === 'FAIL' || virusVerdict.status === 'FAIL') {
    const outcome = { outcome: 'dropped', reason: `spam ${spamVerdict.status}, virus ${virusVerdict.status}` } as const;
    log.warn('inbound mail dropped on its SES verdicts', { messageId, ...outcome });
    return outcome;
  }
  const trust = await senderTrust(evidenceOf(message));
  if (!trust.verified) log.info('inbound mail from an unverified sender', { messageId, reason: trust.reason });
  const raw = await deps.ingest.archive.get(`${deps.inboundPrefix}${messageId}`);
  let outcome: InboundOutcome;
  try {
    outcome = summarize(await ingestEmail(deps.ingest, raw, { senderVerified: trust.verified }));
  } catch (error) {
    if (!(error instanceof RejectedInputError)) throw error;
    outcome = { outcome: 'rejected', field: error.field, rawKey: error.rawKey };
    log.warn('inbound mail rejected', { messageId, ...outcome, ...errorFields(error) });
    return outcome;
  }
  log.info('inbound mail processed', { messageId, ...outcome });
  return outcome;
}

/** What SES knew of the sender, in the terms senderTrust reads. */
function evidenceOf(message: SesMessage): SenderEvidence {
  const { mail, receipt } = message;
  const named = (name: string) =>
    mail.headers.filter((h) => h.name.toLowerCase() === name.toLowerCase()).map((h) => h.value);
  // SES caps the headers it puts in the event; commonHeaders.from is there whatever the cap.
  const fromHeaders = mail.headersTruncated ? (mail.commonHeaders.from ?? []) : named('From');
  return {
    from: singleFromAddress(fromHeaders),
    envelopeFrom: mail.source,
    dkimSignatures: named('DKIM-Signature'),
    spf: receipt.spfVerdict.status,
    dkim: receipt.dkimVerdict.status,
    dmarc: receipt.dmarcVerdict.status,
  };
}

function summarize(result: Awaited<ReturnType<typeof ingestEmail>>): InboundOutcome {
  switch (result.outcome) {
    case 'ingested':
      return { outcome: 'ingested', meetingId: result.meeting.id, items: result.items.length };
    case 'duplicate':
      return { outcome: 'duplicate', meetingId: result.meeting.id, items: result.meeting.itemCount };
    case 'ignored':
      return { outcome: 'ignored', detail: result.reason };
    case 'reply':
      return {
        outcome: 'applied-reply',
        detail: `${result.applied.length} changed, ${result.refused.length} refused, ${result.notUnderstood.length} not understood`,
      };
    case 'reply-refused':
      return { outcome: 'refused-reply', detail: result.reason };
    case 'dropped':
      return { outcome: 'dropped', reason: result.reason };
    case 'unverified':
      return { outcome: 'unverified', meetingId: result.meeting.id, reason: result.reason };
  }
}

const live = once(async () => {
  const idempotency = awsIdempotencyClient(process.env);
  return createSesInboundHandler({
    ingest: await awsIngestDeps(process.env),
    inboundPrefix: loadAwsConfig(process.env, ['inboundPrefix']).inboundPrefix,
    persistenceStore: new DynamoDBPersistenceLayer({
      tableName: idempotency.tableName,
      awsSdkV3Client: idempotency.client,
    }),
  });
});

export const handler = async (event: unknown, context: Context): Promise<InboundOutcome[]> =>
  (await live())(event, context);
