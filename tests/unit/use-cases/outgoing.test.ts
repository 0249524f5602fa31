import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mailRef, type Sending, sendOnce } from '../../../functions/use-cases/outgoing';
import { startWorlds, type UseCaseWorld } from '../../support/use-case-deps';

const sam = { address: 'sam.whitfield@example.com', name: 'Sam Whitfield' };

const noticeTo = (to: Sending['to']): Sending => ({
  ref: mailRef('notice', to.address, '2026-07-14'),
  kind: 'notice',
  to,
  mail: {
    subject: 'We could not read your notes',
    html: '<p>No action items found.</p>',
    text: 'No action items found.',
  },
});

describe('sending one mail', () => {
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

  it('sends a mail to an address that is not suppressed, and records it', async () => {
    const outcome = await sendOnce(world.deps, noticeTo(sam));

    expect(outcome).toBe('sent');
    expect((await world.outbox()).map((m) => m.to)).toStrictEqual([[sam.address]]);
    expect(await world.store.getSentMail(noticeTo(sam).ref)).toMatchObject({ to: [sam.address] });
  });

  it('sends nothing to a suppressed address and records nothing as sent', async () => {
    await world.store.suppressAddress({
      address: sam.address,
      reason: 'complaint',
      detail: 'abuse',
      feedbackId: '0100019a1f5e8d02-7c1b3a49-6f2e-4d8a-b5c7-0e9f2d6a4b13-000000',
      at: '2026-07-14T19:05:40.000Z',
    });

    const outcome = await sendOnce(world.deps, noticeTo(sam));

    expect(outcome).toBe('suppressed');
    expect(await world.outbox()).toStrictEqual([]);
    expect(await world.store.getSentMail(noticeTo(sam).ref)).toBeNull();
  });

  it('sends nothing to a suppressed address written in another case', async () => {
    await world.store.suppressAddress({
      address: sam.address,
      reason: 'bounce',
      detail: 'Permanent/General',
      feedbackId: '0100019a1f3c2b7e-4d5a9e61-8c2f-4b7e-9a13-5e0c7d2f1b84-000000',
      at: '2026-07-14T19:05:40.000Z',
    });

    const outcome = await sendOnce(world.deps, noticeTo({ ...sam, address: 'Sam.Whitfield@Example.com' }));

    expect(outcome).toBe('suppressed');
    expect(await world.outbox()).toStrictEqual([]);
  });
});
