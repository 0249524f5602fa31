import * as z from 'zod/mini';
import { InvalidInputError } from '../domain/errors';
import type { SuppressionRecord } from '../domain/model';
import { englishMessages } from '../domain/zod-messages';
import type { Clock } from '../ports/clock';
import type { Store } from '../ports/store';

export interface DeliveryFeedbackDeps {
  store: Store;
  clock: Clock;
}

export interface DeliveryFeedbackResult {
  /** The addresses that get no more mail, lower-case; already suppressed ones are listed too. */
  suppressed: string[];
  /** Why the record suppressed nothing, when it did not. */
  ignored?: string;
}

/**
 * A recipient as SES names it: usually a bare address, but the address as the mail was sent to it, so it may carry
 * a display name ("Priya Raman <priya@example.com>"). Only the address counts, in lower case.
 */
const recipientAddress = z.pipe(
  z.string(),
  z
    .transform((value: string) => (/<([^<>]*)>\s*$/.exec(value)?.[1] ?? value).trim().toLowerCase())
    .check(z.refine((address) => /^[^\s@<>]+@[^\s@<>]+$/.test(address), 'must be an email address')),
);

const nonEmpty = z.string().check(z.minLength(1));

const bounceSchema = z.object({
  bounceType: z.enum(['Permanent', 'Transient', 'Undetermined']),
  bounceSubType: z.string(),
  bouncedRecipients: z.array(
    z.object({
      emailAddress: recipientAddress,
      status: z.optional(z.string()),
      diagnosticCode: z.optional(z.string()),
    }),
  ),
  feedbackId: nonEmpty,
  timestamp: nonEmpty,
});

const complaintSchema = z.object({
  complainedRecipients: z.array(z.object({ emailAddress: recipientAddress })),
  /** The ISP's Feedback-Type ("abuse", "not-spam"…); many ISPs send none. */
  complaintFeedbackType: z.optional(z.string()),
  feedbackId: nonEmpty,
  timestamp: nonEmpty,
});

export type SesBounce = z.infer<typeof bounceSchema>;
export type SesComplaint = z.infer<typeof complaintSchema>;

/** A feedback record reduced to what it means here: a bounce, a complaint, or something we do not act on. */
export type SesFeedback =
  | { kind: 'bounce'; messageId: string; bounce: SesBounce }
  | { kind: 'complaint'; messageId: string; complaint: SesComplaint }
  | { kind: 'other'; messageId: string; eventType: string };

/**
 * One SES feedback record, as SNS carries it in its Message (after JSON.parse). Configuration-set event publishing
 * names the type `eventType`; the older identity notifications name it `notificationType` and are otherwise the
 * same for bounces and complaints. Fields we do not use (headers, tags, reportingMTA…) are dropped.
 */
const feedbackRecordSchema = z.object({
  eventType: z.optional(nonEmpty),
  notificationType: z.optional(nonEmpty),
  mail: z.object({ messageId: nonEmpty, destination: z.array(z.string()) }),
  bounce: z.optional(bounceSchema),
  complaint: z.optional(complaintSchema),
});

export const sesFeedbackSchema = z.pipe(
  feedbackRecordSchema,
  z.transform((record: z.infer<typeof feedbackRecordSchema>, ctx): SesFeedback => {
    const eventType = record.eventType ?? record.notificationType;
    const { messageId } = record.mail;
    const missing = (field: string, message: string): never => {
      ctx.issues.push({ code: 'custom', path: [field], message, input: record });
      return z.NEVER;
    };
    if (eventType === undefined) return missing('eventType', 'is required (or notificationType)');
    if (eventType === 'Bounce') {
      if (record.bounce !== undefined) return { kind: 'bounce', messageId, bounce: record.bounce };
      return missing('bounce', 'is required in a Bounce record');
    }
    if (eventType === 'Complaint') {
      if (record.complaint !== undefined) return { kind: 'complaint', messageId, complaint: record.complaint };
      return missing('complaint', 'is required in a Complaint record');
    }
    return { kind: 'other', messageId, eventType };
  }),
);

/**
 * Record what SES says about mail we sent: a recipient whose mail bounced for good, or who marked it as spam, gets
 * nothing from us again (sendOnce checks). SNS delivers at least once, so the same record may come twice: the
 * store keeps the first suppression of an address, and a repeat changes nothing.
 *
 * 1. Read the record (an object, or the SNS Message string); one that is not a feedback record is refused
 *    naming the field.
 * 2. A Permanent bounce suppresses each bounced recipient. A Transient or Undetermined one (mailbox full, message
 *    too large, a server that was down) suppresses nothing: SES has retried already, and the next mail may arrive.
 * 3. A complaint suppresses each complained recipient, whatever its feedback type (many ISPs send none): SES
 *    counts every complaint against the account.
 * 4. Every other event type (Delivery, Send, Open…) is ignored with its name as the reason.
 */
export async function recordDeliveryFeedback(
  deps: DeliveryFeedbackDeps,
  record: unknown,
): Promise<DeliveryFeedbackResult> {
  const feedback = parseFeedback(record);
  const at = deps.clock.now().toISOString();
  let suppressions: SuppressionRecord[];
  switch (feedback.kind) {
    case 'other':
      return { suppressed: [], ignored: `${feedback.eventType} event` };
    case 'bounce': {
      const { bounce } = feedback;
      if (bounce.bounceType !== 'Permanent') {
        return { suppressed: [], ignored: `${bounce.bounceType.toLowerCase()} bounce` };
      }
      suppressions = bounce.bouncedRecipients.map((recipient) => ({
        address: recipient.emailAddress,
        reason: 'bounce',
        detail: `${bounce.bounceType}/${bounce.bounceSubType}`,
        feedbackId: bounce.feedbackId,
        at,
      }));
      break;
    }
    case 'complaint': {
      const { complaint } = feedback;
      suppressions = complaint.complainedRecipients.map((recipient) => ({
        address: recipient.emailAddress,
        reason: 'complaint',
        detail: complaint.complaintFeedbackType ?? 'unspecified',
        feedbackId: complaint.feedbackId,
        at,
      }));
      break;
    }
  }
  const unique = [...new Map(suppressions.map((s) => [s.address, s])).values()];
  for (const suppression of unique) await deps.store.suppressAddress(suppression);
  return { suppressed: unique.map((s) => s.address) };
}

function parseFeedback(record: unknown): SesFeedback {
  let json = record;
  if (typeof record === 'string') {
    try {
      json = JSON.parse(record);
    } catch (error) {
      throw new InvalidInputError('Message', 'The SNS message is not valid JSON.', { cause: error });
    }
  }
  const parsed = sesFeedbackSchema.safeParse(json, englishMessages);
  if (parsed.success) return parsed.data;
  const [issue] = parsed.error.issues;
  const field = fieldName(issue?.path ?? []);
  const missing = issue?.code === 'invalid_type' && /received undefined/.test(issue.message);
  throw new InvalidInputError(field, `${field}: ${missing ? 'is required' : (issue?.message ?? 'is not valid')}`, {
    cause: parsed.error,
  });
}

/** "bounce.bouncedRecipients[0].emailAddress", as InvalidInputError names fields. */
const fieldName = (path: PropertyKey[]): string =>
  path.length === 0
    ? 'record'
    : path
        .map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`))
        .join('');
