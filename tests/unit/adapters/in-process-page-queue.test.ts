import { describe, expect, it } from 'vitest';
import { InProcessPageQueue } from '../../../functions/adapters/local/in-process-page-queue';
import type { WeeklyPage } from '../../../functions/ports/page-queue';

const pages = (count: number): WeeklyPage[] =>
  Array.from({ length: count }, (_, n) => ({ date: '2026-11-23', addresses: [`person${n}@acme-sales.example`] }));

describe('InProcessPageQueue', () => {
  it('runs every page it is handed before it returns', async () => {
    const ran: string[] = [];
    const queue = new InProcessPageQueue(async (page) => {
      await new Promise((resolve) => setImmediate(resolve));
      ran.push(page.addresses[0] ?? '');
    });

    await queue.send(pages(10));

    expect(ran.sort()).toEqual(
      pages(10)
        .map((p) => p.addresses[0])
        .sort(),
    );
  });

  it('runs no more pages at once than it was told', async () => {
    let running = 0;
    let most = 0;
    const queue = new InProcessPageQueue(async () => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setImmediate(resolve));
      running -= 1;
    }, 3);

    await queue.send(pages(10));

    expect(most).toBe(3);
  });

  it('runs the other pages when one fails, then fails with that page’s error', async () => {
    const ran: string[] = [];
    const queue = new InProcessPageQueue(async (page) => {
      if (page.addresses[0] === 'person2@acme-sales.example') throw new Error('DynamoDB gave up');
      ran.push(page.addresses[0] ?? '');
    });

    await expect(queue.send(pages(5))).rejects.toThrow('DynamoDB gave up');
    expect(ran).toHaveLength(4);
  });
});
