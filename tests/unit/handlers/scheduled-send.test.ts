import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SendRawEmailCommand } from '@aws-sdk/client-ses';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createScheduledSendLambda, scheduledInvocationSchema } from '../../../functions/handlers/scheduled-send';
import { ingestEmail } from '../../../functions/use-cases/ingest-email';
import { AWS, type AwsWorld, fixtureEvent, lambdaContext, startAwsWorlds } from '../../support/aws-world';

const loop = join(import.meta.dirname, '../../fixtures/emails/loop');
const wrapupFiring = fixtureEvent<{ schedule: string; scheduledTime: string; job: { meetingId: string } }>(
  'scheduler-wrapup.json',
);
const weeklyFiring = fixtureEvent<{ schedule: string; scheduledTime: string }>('scheduler-weekly.json');
const dana = 'dana.whitfield@acme-sales.example';
const marcus = 'marcus.reid@acme-sales.example';

describe('the scheduled-send handler', () => {
  let worlds: Awaited<ReturnType<typeof startAwsWorlds>>;
  let world: AwsWorld;
  let handler: ReturnType<typeof createScheduledSendLambda>;

  beforeAll(async () => {
    worlds = await startAwsWorlds();
  });
  afterAll(async () => {
    await worlds.close();
  });
  beforeEach(async () => {
    world = await worlds.world('2026-11-12T21:00:03Z');
    await ingestEmail(world.deps, readFileSync(join(loop, '01-dana-marcus-nov12.eml')));
    world.clock.set('2026-11-12T21:30:04Z');
    handler = createScheduledSendLambda({ outgoing: world.deps, persistenceStore: world.persistenceStore });
  });

  it('reads the invocation EventBridge Scheduler sends, with its context attributes filled in', () => {
    expect(scheduledInvocationSchema.parse(wrapupFiring).job).toEqual({
      kind: 'wrapup',
      meetingId: wrapupFiring.job.meetingId,
    });
  });

  it('sends the wrap-up through SES, one raw message per attendee, in the configuration set', async () => {
    await handler(wrapupFiring, lambdaContext());

    const sent = await world.sentMail();
    expect(sent.map((m) => m.input.Destinations)).toEqual(expect.arrayContaining([[dana], [marcus]]));
    expect(sent).toHaveLength(2);
    for (const { input, email } of sent) {
      expect(input).toMatchObject({
        Source: 'notes@followthrough.example',
        ConfigurationSetName: AWS.configurationSet,
      });
      expect(email.subject).toMatch(/\[ft-[a-z2-7]{16}\]$/);
      expect(email.html).toContain('a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com');
      expect(email.text).toContain('https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/a/');
    }
  });

  it('records the Message-ID SES gives the mail, so that a reply to it is found', async () => {
    await handler(wrapupFiring, lambdaContext());

    const [first] = await world.sentMail();
    const ref = /\[ft-([a-z2-7]{16})\]/.exec(first?.email.subject ?? '')?.[1] ?? '';
    const record = await world.store.getSentMail(ref);
    expect(record?.messageId).toMatch(/^<0102019a-test-\d-000000@eu-west-1\.amazonses\.com>$/);
    expect(await world.store.findSentMailByMessageId(record?.messageId ?? '')).toEqual(record);
  });

  it('marks the meeting’s wrap-up as sent', async () => {
    await handler(wrapupFiring, lambdaContext());

    expect((await world.store.getMeeting(wrapupFiring.job.meetingId))?.wrapupSentAt).toBe('2026-11-12T21:30:04.000Z');
  });

  /** The SendRawEmail commands SES received, in the fields that say who got what, in recipient order. */
  const sendRawEmails = async () =>
    (await world.sentMail())
      .map(({ input, email }) => ({
        Source: input.Source,
        Destinations: input.Destinations,
        ConfigurationSetName: input.ConfigurationSetName,
        kind: email.headers.find((h) => h.key === 'x-followthrough-kind')?.value,
      }))
      .sort((a, b) => String(a.Destinations).localeCompare(String(b.Destinations)));

  const oneWrapupEach = [dana, marcus].map((to) => ({
    Source: 'notes@followthrough.example',
    Destinations: [to],
    ConfigurationSetName: AWS.configurationSet,
    kind: 'wrapup',
  }));

  it('[R22] sends once when Scheduler delivers the same firing twice', async () => {
    await handler(wrapupFiring, lambdaContext());
    await handler(wrapupFiring, lambdaContext());

    expect(await sendRawEmails()).toEqual(oneWrapupEach);
  });

  it('[R22] sends once when the two deliveries of a firing run at the same time', async () => {
    // Powertools refuses the second while the first is in progress (Lambda retries it later, to the stored result).
    const runs = await Promise.allSettled([
      handler(wrapupFiring, lambdaContext()),
      handler(wrapupFiring, lambdaContext()),
    ]);

    expect(runs.filter((run) => run.status === 'fulfilled').length).toBeGreaterThanOrEqual(1);
    expect(await sendRawEmails()).toEqual(oneWrapupEach);
  });

  it('[R22] sends once when a firing comes back without its idempotency record (another scheduled time)', async () => {
    // A redrive from the on-failure queue, or a schedule re-created by hand: Powertools sees a new key, and the
    // meeting's wrap-up mark and each mail's outbox record are what stop it.
    await handler(wrapupFiring, lambdaContext());
    world.clock.set('2026-11-12T23:00:00Z');

    await handler({ ...wrapupFiring, scheduledTime: '2026-11-12T23:00:00Z' }, lambdaContext());

    expect(await sendRawEmails()).toEqual(oneWrapupEach);
  });

  it('[R22] sends only the missing mail when a delivery that failed half-way is delivered again', async () => {
    let calls = 0;
    world.sesMock.on(SendRawEmailCommand).callsFake(async () => {
      calls += 1;
      if (calls === 2) throw new Error('socket hang up');
      return { MessageId: `0102019a-test-${calls}-000000` };
    });
    await expect(handler(wrapupFiring, lambdaContext())).rejects.toThrow('socket hang up');

    await handler(wrapupFiring, lambdaContext());

    // Three calls: the first attendee's mail, the one that failed, and its retry; the first is not sent again.
    const destinations = world.sesMock.commandCalls(SendRawEmailCommand).map((call) => call.args[0].input.Destinations);
    expect(destinations).toHaveLength(3);
    expect(destinations[2]).toEqual(destinations[1]);
    expect(new Set(destinations.map(String))).toEqual(new Set([dana, marcus]));
  });

  it('runs a weekly schedule every week: each firing has its own scheduled time', async () => {
    world.clock.set('2026-11-16T13:00:01Z');
    await handler(weeklyFiring, lambdaContext());
    world.clock.set('2026-11-23T13:00:01Z');
    await handler({ ...weeklyFiring, scheduledTime: '2026-11-23T13:00:00Z' }, lambdaContext());

    const weekly = (await world.sentMail()).filter((m) => m.input.Destinations?.includes(marcus));
    expect(weekly).toHaveLength(2);
  });

  it.each([
    ['a job of an unknown kind', { ...wrapupFiring, job: { kind: 'nudge', meetingId: 'm1' } }],
    [
      'a digest without its recipient',
      { ...wrapupFiring, job: { kind: 'digest', seriesId: 's1', meetingDate: '2026-11-19' } },
    ],
    ['placeholders Scheduler did not fill in', { ...wrapupFiring, schedule: '<aws.scheduler.schedule-arn>' }],
    [
      'a weekly slot in a zone that does not exist',
      { ...wrapupFiring, job: { kind: 'weekly-slot', day: 'MON', time: '08:00', timeZone: 'Mars/Olympus_Mons' } },
    ],
    [
      'a weekly slot at a time that is not HH:MM',
      { ...wrapupFiring, job: { kind: 'weekly-slot', day: 'MON', time: '8am', timeZone: 'Europe/Paris' } },
    ],
  ])('throws on %s, so that Lambda retries it and then hands it to the on-failure queue', async (_name, invocation) => {
    await expect(handler(invocation, lambdaContext())).rejects.toThrow();
    expect(await world.sentMail()).toHaveLength(0);
  });
});
