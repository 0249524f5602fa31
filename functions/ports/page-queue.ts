/**
 * One page of a weekly slot's job: up to PAGE_SIZE people whose weekly digest of `date` one worker sends
 * (sendWeeklyPage). Addresses only: the worker reads the people afresh, so an opt-out made after the dispatch counts.
 */
export interface WeeklyPage {
  /** The slot occurrence's local date (YYYY-MM-DD), in the zone every person of the page shares. */
  date: string;
  addresses: string[];
}

/**
 * Where the dispatcher hands the pages: on AWS the weekly-pages SQS queue, which a Lambda drains a page per
 * invocation at a bounded concurrency; on the local stack this process, a few pages at a time.
 */
export interface WeeklyPageQueue {
  /** Up to 10 pages a call (SendMessageBatch's limit); resolves once every one of them is accepted. */
  send(pages: readonly WeeklyPage[]): Promise<void>;
}

/** SQS SendMessageBatch takes at most 10 entries. */
export const MAX_PAGES_PER_SEND = 10;

/**
 * How long a page worker holds a page's lease. Longer than the worker may run (the weekly-pages Lambda's timeout,
 * infra/stacks/service-stack.ts), so that no lease runs out under a live worker; shorter than the queue's visibility
 * timeout, so that a page whose worker crashed is free again when the queue hands it out again.
 */
export const PAGE_LEASE_SECONDS = 5 * 60;
