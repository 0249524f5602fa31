import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { MAX_PAGES_PER_SEND, type WeeklyPage, type WeeklyPageQueue } from '../../ports/page-queue';

export interface SqsPageQueueOptions {
  client: SQSClient;
  /** The weekly-pages queue, which the weekly-pages Lambda drains a page per invocation. */
  queueUrl: string;
}

/**
 * A batch entry SQS refuses on its side (throttled, or an internal error) is sent again, with exponential backoff
 * and full jitter from 100 ms, for 5 attempts; one refused for our own fault (SenderFault) is not, and fails the job.
 */
const maxAttempts = 5;

/**
 * The weekly-pages queue on AWS: each page is one SQS message (JSON `{date, addresses}`, ≈ 4 KB for 100 people),
 * ten to a SendMessageBatch. A standard queue: it delivers at least once and in no set order, which the page
 * worker's lease and the outbox records make harmless.
 */
export class SqsPageQueue implements WeeklyPageQueue {
  readonly #client: SQSClient;
  readonly #queueUrl: string;

  constructor(options: SqsPageQueueOptions) {
    this.#client = options.client;
    this.#queueUrl = options.queueUrl;
  }

  async send(pages: readonly WeeklyPage[]): Promise<void> {
    if (pages.length > MAX_PAGES_PER_SEND) {
      throw new Error(`SendMessageBatch takes ${MAX_PAGES_PER_SEND} messages at most, not ${pages.length}`);
    }
    let entries = pages.map((page, index) => ({ Id: String(index), MessageBody: JSON.stringify(page) }));
    for (let attempt = 1; entries.length > 0; attempt += 1) {
      const { Failed = [] } = await this.#client.send(
        new SendMessageBatchCommand({ QueueUrl: this.#queueUrl, Entries: entries }),
      );
      const ours = Failed.find((failure) => failure.SenderFault);
      if (ours !== undefined || (Failed.length > 0 && attempt >= maxAttempts)) {
        const failure = ours ?? Failed[0];
        throw new Error(
          `SQS refused ${Failed.length} of ${entries.length} weekly pages: ${failure?.Code} ${failure?.Message ?? ''}`,
        );
      }
      const failed = new Set(Failed.map((failure) => failure.Id));
      entries = entries.filter((entry) => failed.has(entry.Id));
      if (entries.length > 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * 100 * 2 ** attempt));
    }
  }
}
