import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDeliveryFeedbackHandler } from '../../../functions/handlers/delivery-feedback';
import { type AwsWorld, fixtureEvent, startAwsWorlds } from '../../support/aws-world';

type SnsEvent = { Records: Array<{ Sns: { Message: string; MessageId: string } }> };

const bounceEvent = fixtureEvent<SnsEvent>('sns-ses-feedback-bounce.json');

/** The sample SNS delivery carrying other SES records. */
function carrying(...messages: string[]): SnsEvent {
  const [record] = structuredClone(bounceEvent).Records;
  if (record === undefined) throw new Error('the sample has no record');
  return {
    Records: messages.map((Message, i) => ({ ...record, Sns: { ...record.Sns, Message, MessageId: `m-${i}` } })),
  };
}

describe('the delivery-feedback handler', () => {
  let worlds: Awaited<ReturnType<typeof startAwsWorlds>>;
  let world: AwsWorld;
  let handler: ReturnType<typeof createDeliveryFeedbackHandler>;

  beforeAll(async () => {
    worlds = await startAwsWorlds();
  });
  afterAll(async () => {
    await worlds.close();
  });
  beforeEach(async () => {
    world = await worlds.world('2026-07-14T18:42:08Z');
    handler = createDeliveryFeedbackHandler({ feedback: { store: world.store, clock: world.clock } });
  });

  it('[R16] suppresses the address of a permanent bounce delivered by SNS', async () => {
    expect(await handler(bounceEvent)).toEqual({ suppressed: 1, skipped: 0 });

    expect(await world.store.getSuppression('jordan.lee@example.com')).toMatchObject({
      reason: 'bounce',
      at: '2026-07-14T18:42:08.000Z',
    });
  });

  it('[R16] suppresses a complaint and leaves a transient bounce alone', async () => {
    const complaint = JSON.stringify(fixtureEvent('ses-feedback-complaint.json'));
    const transient = JSON.stringify(fixtureEvent('ses-feedback-transient-bounce.json'));

    expect(await handler(carrying(complaint, transient))).toEqual({ suppressed: 1, skipped: 0 });
  });

  it('[R16] skips a message it cannot read, without failing the others in the delivery', async () => {
    const bounce = bounceEvent.Records[0]?.Sns.Message ?? '';

    expect(await handler(carrying('not json', '{"eventType":"Bounce"}', bounce))).toEqual({
      suppressed: 1,
      skipped: 2,
    });
    expect(await world.store.getSuppression('jordan.lee@example.com')).not.toBeNull();
  });

  it('refuses an event that is not an SNS delivery', async () => {
    await expect(handler({ Records: [{ eventSource: 'aws:ses' }] })).rejects.toThrow();
  });
});
