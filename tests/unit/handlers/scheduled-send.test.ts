import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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

  it('sends once when Scheduler delivers the same firing twice', async () => {
    await handler(wrapupFiring, lambdaContext());
    await handler(wrapupFiring, lambdaContext());

    expect(await world.sentMail()).toHaveLength(2);
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
  ])('throws on %s, so that Lambda retries it and then hands it to the on-failure queue', async (_name, invocation) => {
    await expect(handler(invocation, lambdaContext())).rejects.toThrow();
    expect(await world.sentMail()).toHaveLength(0);
  });
});
