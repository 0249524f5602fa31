import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SendRawEmailCommand } from '@aws-sdk/client-ses';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createScheduledSendLambda } from '../../../functions/handlers/scheduled-send';
import { createWeeklyPagesHandler } from '../../../functions/handlers/weekly-pages';
import type { WeeklyPage } from '../../../functions/ports/page-queue';
import { ingestEmail } from '../../../functions/use-cases/ingest-email';
import { mailRef } from '../../../functions/use-cases/outgoing';
import { pageLeaseKey } from '../../../functions/use-cases/send-weekly';
import { AWS, type AwsWorld, fixtureEvent, lambdaContext, startAwsWorlds } from '../../support/aws-world';

const loop = join(import.meta.dirname, '../../fixtures/emails/loop');
const slotFiring = fixtureEvent<{ schedule: string; scheduledTime: string }>('scheduler-weekly-slot.json');
type SqsEvent = { Records: Array<{ messageId: string; body: string; eventSource: string }> };
const sqsSample = fixtureEvent<SqsEvent>('sqs-weekly-page.json');
const dana = 'dana.whitfield@acme-sales.example';
const marcus = 'marcus.reid@acme-sales.example';
const priya = 'priya.natarajan@acme-sales.example';

/** The SQS delivery of these messages to the weekly-pages function, as the event source mapping makes it. */
const delivery = (...bodies: string[]): SqsEvent => {
  const [record] = sqsSample.Records;
  if (record === undefined) throw new Error('the sample has no record');
  return { Records: bodies.map((body, n) => ({ ...record, messageId: `message-${n}`, body })) };
};

describe('the weekly fan-out on AWS', () => {
  let worlds: Awaited<ReturnType<typeof startAwsWorlds>>;
  let world: AwsWorld;
  let pages: ReturnType<typeof createWeeklyPagesHandler>;

  /** What SES was asked to send: sender, recipients and configuration set. */
  const sesSends = () =>
    world.sesMock
      .commandCalls(SendRawEmailCommand)
      .map((call) => ({
        Source: call.args[0].input.Source,
        Destinations: call.args[0].input.Destinations,
        ConfigurationSetName: call.args[0].input.ConfigurationSetName,
      }))
      .sort((a, b) => String(a.Destinations).localeCompare(String(b.Destinations)));
  const sesSendTo = (...addresses: string[]) =>
    addresses.map((address) => ({
      Source: 'notes@followthrough.example',
      Destinations: [address],
      ConfigurationSetName: AWS.configurationSet,
    }));

  beforeAll(async () => {
    worlds = await startAwsWorlds();
  });
  afterAll(async () => {
    await worlds.close();
  });
  beforeEach(async () => {
    world = await worlds.world('2026-11-12T21:00:03Z');
    for (const [name, at] of [
      ['01-dana-marcus-nov12.eml', '2026-11-12T21:00:03Z'],
      ['02-dana-priya-nov17.eml', '2026-11-17T16:10:00Z'],
      ['03-dana-marcus-nov19.eml', '2026-11-19T21:15:00Z'],
    ] as const) {
      world.clock.set(at);
      await ingestEmail(world.deps, readFileSync(join(loop, name)));
    }
    world.sesMock.resetHistory();
    world.clock.set('2026-11-23T13:00:02Z');
    pages = createWeeklyPagesHandler({ outgoing: world.deps });
  });

  it('puts the slot’s people on the weekly-pages queue as one page, and sends no mail itself', async () => {
    const scheduledSend = createScheduledSendLambda({ outgoing: world.deps, persistenceStore: world.persistenceStore });

    await scheduledSend(slotFiring, lambdaContext());

    expect(world.sqsMock.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input)).toEqual([
      {
        QueueUrl: AWS.weeklyPagesQueue,
        Entries: [
          {
            Id: '0',
            MessageBody: JSON.stringify({ date: '2026-11-23', addresses: [dana, marcus, priya] }),
          },
        ],
      },
    ]);
    expect(world.sesMock.commandCalls(SendRawEmailCommand)).toEqual([]);
  });

  it('dates the page with the firing’s scheduled time, however late it runs', async () => {
    const scheduledSend = createScheduledSendLambda({ outgoing: world.deps, persistenceStore: world.persistenceStore });
    // Lambda's retry of the firing, the next morning: Scheduler's scheduled time still says Monday.
    world.clock.set('2026-11-24T14:00:00Z');

    await scheduledSend(slotFiring, lambdaContext());

    expect(world.weeklyPages().map((page) => page.date)).toEqual(['2026-11-23']);
  });

  it('sends each person of a page their weekly mail through SES, and the manager her roll-up', async () => {
    const page: WeeklyPage = { date: '2026-11-23', addresses: [dana, marcus, priya] };

    const answer = await pages(delivery(JSON.stringify(page)));

    expect(answer).toEqual({ batchItemFailures: [] });
    expect(sesSends()).toEqual(sesSendTo(dana, dana, marcus, priya));
    const kinds = (await world.sentMail()).map(
      (m) => m.email.headers.find((h) => h.key === 'x-followthrough-kind')?.value,
    );
    expect(kinds.sort()).toEqual(['rollup', 'weekly', 'weekly', 'weekly']);
  });

  it('[R22] sends nothing again when SQS delivers the same page a second time', async () => {
    const body = JSON.stringify({ date: '2026-11-23', addresses: [marcus] });
    await pages(delivery(body));

    const answer = await pages(delivery(body));

    expect(answer).toEqual({ batchItemFailures: [] });
    expect(sesSends()).toEqual(sesSendTo(marcus));
  });

  it('[R22] hands back a page another worker is sending, and sends nothing', async () => {
    const page: WeeklyPage = { date: '2026-11-23', addresses: [marcus] };
    // The store of this world reads the wall clock: a lease an hour from now is live whenever the test runs.
    await world.store.claimWeeklyPage(pageLeaseKey(page), new Date(Date.now() + 3_600_000).toISOString());

    const answer = await pages(delivery(JSON.stringify(page)));

    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: 'message-0' }] });
    expect(sesSends()).toEqual([]);
  });

  it('hands back a page SES failed, and marks the mail it did send', async () => {
    let calls = 0;
    world.sesMock.on(SendRawEmailCommand).callsFake(async () => {
      calls += 1;
      if (calls === 1) throw new Error('Throttling: Maximum sending rate exceeded.');
      return { MessageId: `0102019a-test-${calls}-000000` };
    });

    const answer = await pages(delivery(JSON.stringify({ date: '2026-11-23', addresses: [dana, marcus, priya] })));

    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: 'message-0' }] });
    const states = await Promise.all(
      [
        mailRef('weekly', dana, '2026-11-23'),
        mailRef('rollup', dana, '2026-11-23'),
        mailRef('weekly', marcus, '2026-11-23'),
        mailRef('weekly', priya, '2026-11-23'),
      ].map(async (key) => (await world.store.getOutbox(key))?.state),
    );
    const accepted = world.sesMock.commandCalls(SendRawEmailCommand).length - 1;
    expect(states.filter((state) => state === 'sent')).toHaveLength(accepted);
    expect(states.filter((state) => state === 'pending')).toHaveLength(4 - accepted);
  });

  it('hands back a message that is not a page, so that it ends in the dead-letter queue', async () => {
    const answer = await pages(
      delivery('{"date":"Monday","addresses":[]}', JSON.stringify({ date: '2026-11-23', addresses: [priya] })),
    );

    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: 'message-0' }] });
    expect(sesSends()).toEqual(sesSendTo(priya));
  });

  it('refuses an event that is not an SQS delivery', async () => {
    await expect(pages({ Records: [] })).rejects.toThrow();
  });
});
