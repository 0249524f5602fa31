import type { WeeklyPage, WeeklyPageQueue } from '../../ports/page-queue';

/**
 * The weekly-pages queue for one machine: the pages run here, in the process that dispatched them, a few at a time
 * (on AWS, an SQS queue and a Lambda with the same bounded concurrency). `send` returns when its pages have run; a
 * page that failed fails it, after the others have run, and with it the slot's job: the local scheduler retries the
 * job and in the end keeps it as a dead letter, as it does any failed schedule. A retried job skips the pages that
 * were done (their lease says so).
 */
export class InProcessPageQueue implements WeeklyPageQueue {
  constructor(
    private readonly run: (page: WeeklyPage) => Promise<unknown>,
    private readonly atOnce = 5,
  ) {}

  async send(pages: readonly WeeklyPage[]): Promise<void> {
    let next = 0;
    const failures: unknown[] = [];
    const worker = async () => {
      for (let page = pages[next]; page !== undefined; page = pages[next]) {
        next += 1;
        try {
          await this.run(page);
        } catch (error) {
          failures.push(error);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.atOnce, pages.length) }, worker));
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new AggregateError(failures, `${failures.length} weekly pages failed`);
  }
}
