import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../functions/domain/errors';
import { ingestWebhookNotes } from '../../../functions/use-cases/ingest-webhook';
import { recordDeliveryFeedback } from '../../../functions/use-cases/record-delivery-feedback';
import { sendWrapup } from '../../../functions/use-cases/send-wrapup';
import { startWorlds, type UseCaseWorld } from '../../support/use-case-deps';

/** An SES feedback record as SNS carries it in Message: the text of the file, parsed. */
const feedbackFixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'events', name), 'utf8'));

const bounce = () => feedbackFixture('ses-feedback-bounce.json');
const complaint = () => feedbackFixture('ses-feedback-complaint.json');
const transientBounce = () => feedbackFixture('ses-feedback-transient-bounce.json');

/** The fixture with one nested field replaced, for the variations SES sends. */
const withField = (record: Record<string, unknown>, path: (string | number)[], value: unknown) => {
  const copy = structuredClone(record);
  let target: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) target = target[key] as Record<string | number, unknown>;
  const last = path.at(-1);
  if (last === undefined) throw new Error('withField needs a path');
  if (value === undefined) delete target[last];
  else target[last] = value;
  return copy;
};

const jordan = 'jordan.lee@example.com';
const sam = 'sam.whitfield@example.com';
const dana = 'dana.okafor@example.com';

describe('recording delivery feedback from SES', () => {
  let worlds: Awaited<ReturnType<typeof startWorlds>>;
  let world: UseCaseWorld;

  beforeAll(async () => {
    worlds = await startWorlds();
  });
  afterAll(async () => {
    await worlds.close();
  });
  beforeEach(async () => {
    world = await worlds.world('2026-07-14T20:15:00Z');
  });
  afterEach(async () => {
    await world.dispose();
  });

  it('[R16] suppresses each recipient of a permanent bounce', async () => {
    const result = await recordDeliveryFeedback(world.deps, bounce());

    expect(result).toStrictEqual({ suppressed: [jordan] });
    expect(await world.store.getSuppression(jordan)).toStrictEqual({
      address: jordan,
      reason: 'bounce',
      detail: 'Permanent/General',
      feedbackId: '0100019a1f3c2b7e-4d5a9e61-8c2f-4b7e-9a13-5e0c7d2f1b84-000000',
      at: '2026-07-14T20:15:00.000Z',
    });
  });

  it('[R16] suppresses the complained recipient, with the feedback type as the detail', async () => {
    const result = await recordDeliveryFeedback(world.deps, complaint());

    expect(result).toStrictEqual({ suppressed: [sam] });
    expect(await world.store.getSuppression(sam)).toStrictEqual({
      address: sam,
      reason: 'complaint',
      detail: 'abuse',
      feedbackId: '0100019a1f5e8d02-7c1b3a49-6f2e-4d8a-b5c7-0e9f2d6a4b13-000000',
      at: '2026-07-14T20:15:00.000Z',
    });
  });

  it('[R16] suppresses a complaint that names no feedback type, as unspecified', async () => {
    await recordDeliveryFeedback(world.deps, withField(complaint(), ['complaint', 'complaintFeedbackType'], undefined));

    expect(await world.store.getSuppression(sam)).toMatchObject({ reason: 'complaint', detail: 'unspecified' });
  });

  it('[R16] suppresses nothing for a transient bounce, and says why', async () => {
    const result = await recordDeliveryFeedback(world.deps, transientBounce());

    expect(result).toStrictEqual({ suppressed: [], ignored: 'transient bounce' });
    expect(await world.store.getSuppression(dana)).toBeNull();
  });

  it('[R16] suppresses nothing for a bounce SES could not classify', async () => {
    const result = await recordDeliveryFeedback(
      world.deps,
      withField(transientBounce(), ['bounce', 'bounceType'], 'Undetermined'),
    );

    expect(result).toStrictEqual({ suppressed: [], ignored: 'undetermined bounce' });
    expect(await world.store.getSuppression(dana)).toBeNull();
  });

  it('ignores a delivery event, naming its type', async () => {
    const delivery = withField(withField(bounce(), ['bounce'], undefined), ['eventType'], 'Delivery');

    const result = await recordDeliveryFeedback(world.deps, delivery);

    expect(result).toStrictEqual({ suppressed: [], ignored: 'Delivery event' });
    expect(await world.store.getSuppression(jordan)).toBeNull();
  });

  it('[R16] reads an identity notification, which names its type notificationType', async () => {
    const { eventType: _, ...record } = bounce();

    await recordDeliveryFeedback(world.deps, { notificationType: 'Bounce', ...record });

    expect(await world.store.getSuppression(jordan)).toMatchObject({ reason: 'bounce' });
  });

  it('reads the record from the SNS Message as it arrives, a JSON string', async () => {
    await recordDeliveryFeedback(world.deps, JSON.stringify(complaint()));

    expect(await world.store.getSuppression(sam)).toMatchObject({ reason: 'complaint' });
  });

  it('[R16] suppresses the bare address, in lower case, when the recipient carries a display name', async () => {
    const named = withField(
      bounce(),
      ['bounce', 'bouncedRecipients', 0, 'emailAddress'],
      ' "Lee, Jordan" <Jordan.Lee@Example.COM> ',
    );

    const result = await recordDeliveryFeedback(world.deps, named);

    expect(result.suppressed).toStrictEqual([jordan]);
    expect(await world.store.getSuppression(jordan)).toMatchObject({ address: jordan });
  });

  it('[R16] keeps the first suppression when SNS delivers the same record again', async () => {
    await recordDeliveryFeedback(world.deps, bounce());
    world.clock.set('2026-07-14T20:16:00Z');

    await recordDeliveryFeedback(world.deps, bounce());

    expect(await world.store.getSuppression(jordan)).toMatchObject({ at: '2026-07-14T20:15:00.000Z' });
  });

  it.each([
    ['no event type', withField(bounce(), ['eventType'], undefined), 'eventType'],
    ['a bounce without its bounce object', withField(bounce(), ['bounce'], undefined), 'bounce'],
    ['a complaint without its complaint object', withField(complaint(), ['complaint'], undefined), 'complaint'],
    ['an unknown bounce type', withField(bounce(), ['bounce', 'bounceType'], 'Soft'), 'bounce.bounceType'],
    ['no feedback id', withField(bounce(), ['bounce', 'feedbackId'], undefined), 'bounce.feedbackId'],
    [
      'a recipient that is not an address',
      withField(complaint(), ['complaint', 'complainedRecipients', 0, 'emailAddress'], 'Sam Whitfield'),
      'complaint.complainedRecipients[0].emailAddress',
    ],
    ['no mail object', withField(bounce(), ['mail'], undefined), 'mail'],
    ['a mail without its Message-ID', withField(bounce(), ['mail', 'messageId'], undefined), 'mail.messageId'],
    ['a Message that is not JSON', '{"eventType":"Bounce",', 'Message'],
    ['something that is not a record', 42, 'record'],
  ])('refuses %s, naming the field', async (_, record, field) => {
    const error = await recordDeliveryFeedback(world.deps, record).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({ field });
  });

  it('stores nothing for a record it refuses', async () => {
    const invalid = withField(bounce(), ['bounce', 'bouncedRecipients', 0, 'emailAddress'], 'Jordan Lee');

    await expect(recordDeliveryFeedback(world.deps, invalid)).rejects.toBeInstanceOf(InvalidInputError);

    expect(await world.store.getSuppression(jordan)).toBeNull();
  });

  describe('after a complaint from one attendee', () => {
    let meetingId: string;

    beforeEach(async () => {
      world.clock.set('2026-07-14T18:00:00Z');
      const notes = {
        id: 'notes-2026-07-14-dana-sam',
        subject: '1:1 Dana / Sam',
        date: '2026-07-14',
        timeZone: 'America/Los_Angeles',
        attendees: [
          { email: dana, name: 'Dana Okafor' },
          { email: sam, name: 'Sam Whitfield' },
        ],
        author: dana,
        notes: ['Action items', '- Sam: send the Q3 pipeline review by Friday', '- Dana: book the QBR room'].join('\n'),
      };
      const ingested = await ingestWebhookNotes(world.deps, new TextEncoder().encode(JSON.stringify(notes)));
      if (ingested.outcome !== 'ingested') throw new Error('the notes should ingest');
      meetingId = ingested.meeting.id;
      await recordDeliveryFeedback(world.deps, complaint());
      world.clock.set('2026-07-14T18:30:00Z');
    });

    it('[R16] sends the wrap-up to the other attendee only', async () => {
      const result = await sendWrapup(world.deps, meetingId);

      expect((await world.outbox()).map((m) => [m.kind, m.to])).toStrictEqual([['wrapup', [dana]]]);
      expect(result).toMatchObject({ outcome: 'sent', to: [dana] });
    });

    it('[R16] sends the complainant nothing', async () => {
      await sendWrapup(world.deps, meetingId);

      expect((await world.outbox()).filter((m) => m.to.includes(sam))).toStrictEqual([]);
    });
  });
});
