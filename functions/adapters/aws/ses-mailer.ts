import { type SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import type { Clock } from '../../ports/clock';
import type { Mailer, OutgoingMail, SentMail } from '../../ports/mailer';

export interface SesMailerOptions {
  client: SESClient;
  /** Where SES publishes the sends, deliveries, bounces and complaints of every message. */
  configurationSet: string;
  clock: Clock;
}

/**
 * The Mailer on AWS: the same MIME bytes as the local outbox, sent with SendRawEmail so that our own headers
 * (In-Reply-To, References, List-Unsubscribe, X-Followthrough-*) go out as they are. Errors (MessageRejected,
 * throttling once the client's own retries are spent) propagate: the Lambda's retries and DLQ own them.
 *
 * Not idempotent, and it cannot be: SendRawEmail takes no idempotency token, and SES replaces the Message-ID we
 * write with one of its own, new for every call ("If you provide a Message-ID header, Amazon SES overrides the
 * header with its own value", SES developer guide, "Amazon SES header fields"). The same mail sent twice is two
 * messages to the recipient. The outbox record (sendOnce) is what keeps a retry from calling this again, except in
 * the window between SES's answer and the record being marked sent.
 */
export class SesMailer implements Mailer {
  readonly #client: SESClient;
  readonly #configurationSet: string;
  readonly #clock: Clock;

  constructor(options: SesMailerOptions) {
    this.#client = options.client;
    this.#configurationSet = options.configurationSet;
    this.#clock = options.clock;
  }

  async send(mail: OutgoingMail): Promise<SentMail> {
    // SES replaces both the Date and the Message-ID header; they are set all the same so that the bytes are a
    // complete message, identical in form to the local outbox's.
    // Loaded on the first send, not at cold start: nodemailer's composer is ≈ 140 KB of bundle, and the inbound
    // functions send only the odd reply confirmation or limit notice.
    const { composeMime } = await import('../mime');
    const message = await composeMime(mail, { date: this.#clock.now(), messageId: mail.messageId });
    const output = await this.#client.send(
      new SendRawEmailCommand({
        RawMessage: { Data: message },
        // The plain address: SES would otherwise read the envelope sender from the From header, display name and all.
        Source: mail.from.address,
        Destinations: mail.to.map((person) => person.address),
        ConfigurationSetName: this.#configurationSet,
      }),
    );
    if (output.MessageId === undefined) throw new Error('SES accepted the message but returned no MessageId');
    const region = await this.#client.config.region();
    return { messageId: sesMessageId(output.MessageId, region), location: output.MessageId };
  }
}

/**
 * The Message-ID header SES writes in place of ours, hence the one a reply's In-Reply-To and References carry:
 * `<MessageId@REGION.amazonses.com>`, except in us-east-1, SES's first region, where it is
 * `<MessageId@email.amazonses.com>`.
 */
export function sesMessageId(messageId: string, region: string): string {
  const host = region === 'us-east-1' ? 'email.amazonses.com' : `${region}.amazonses.com`;
  return `<${messageId}@${host}>`;
}
