import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError } from '../../../functions/domain/errors';
import { createScheduledSendHandler } from '../../../functions/handlers/scheduled-send';
import type { Mailer } from '../../../functions/ports/mailer';
import { ingestEmail } from '../../../functions/use-cases/ingest-email';
import { fixtureBytes } from '../../support/fixtures';
import { startWorlds, type UseCaseWorld } from '../../support/use-case-deps';

const leo = 'leo.martins@northwind-sales.example';
const priya = 'priya.raman@northwind-sales.example';

describe('the scheduled wrap-up', () => {
  let worlds: Awaited<ReturnType<typeof startWorlds>>;
  let world: UseCaseWorld;
  let handler: (event: unknown) => Promise<void>;
  let meetingId: string;

  beforeAll(async () => {
    worlds = await startWorlds();
  });
  afterAll(async () => {
    await worlds.close();
  });
  beforeEach(async () => {
    world = await worlds.world('2026-11-17T21:43:00Z');
    const ingested = await ingestEmail(world.deps, fixtureBytes('demo-one-on-one.eml'));
    if (ingested.outcome !== 'ingested') throw new Error('the fixture should ingest');
    meetingId = ingested.meeting.id;
    world.clock.set('2026-11-17T22:13:00Z');
    handler = createScheduledSendHandler(world.deps);
  });
  afterEach(async () => {
    await world.dispose();
  });

  it('sends each attendee their own wrap-up and records when it went', async () => {
    await handler({ kind: 'wrapup', meetingId });

    const sent = await world.outbox();
    expect(sent.map((m) => [m.kind, m.to]).sort()).toEqual([
      ['wrapup', [leo]],
      ['wrapup', [priya]],
    ]);
    expect(await world.store.getMeeting(meetingId)).toMatchObject({ wrapupSentAt: '2026-11-17T22:13:00.000Z' });
  });

  it('records each wrap-up under a ref that its subject carries, with the numbers it shows', async () => {
    await handler({ kind: 'wrapup', meetingId });

    const [first] = (await world.outbox()).filter((m) => m.to.includes(leo));
    const ref = /\[ft-([a-z2-7]{16})\]$/.exec(first?.subject ?? '')?.[1] ?? '';
    const record = await world.store.getSentMail(ref);
    expect(record).toMatchObject({ kind: 'wrapup', meetingId, to: [leo] });
    expect(record?.items.map((r) => [r.number, r.seq])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 4],
      [5, 5],
    ]);
  });

  it('[R22] sends nothing more when the schedule fires a second time', async () => {
    await handler({ kind: 'wrapup', meetingId });
    await handler({ kind: 'wrapup', meetingId });

    expect((await world.outbox()).map((m) => m.to).sort()).toEqual([[leo], [priya]]);
  });

  it('[R22] sends one wrap-up per attendee when two ticks run the same due schedule at once', async () => {
    const now = world.clock.now();

    const [first, second] = await Promise.all([
      world.deps.scheduler.runDue(now, handler),
      world.deps.scheduler.runDue(now, handler),
    ]);

    // Both ticks found the schedule due and ran it: the outbox record and the mailer keep it to one mail each.
    expect([first, second].map((ran) => ran.map((s) => s.name))).toEqual([
      [`wrapup-${meetingId}`],
      [`wrapup-${meetingId}`],
    ]);
    expect((await world.outbox()).map((m) => m.to).sort()).toEqual([[leo], [priya]]);
  });

  it('[R22] sends one wrap-up per attendee when the schedules are run again after they ran', async () => {
    await world.deps.scheduler.runDue(world.clock.now(), handler);
    world.clock.set('2026-11-17T22:20:00Z');

    await world.deps.scheduler.runDue(world.clock.now(), handler);
    await handler({ kind: 'wrapup', meetingId });

    expect((await world.outbox()).map((m) => m.to).sort()).toEqual([[leo], [priya]]);
  });

  it('sends only the missing one when a first run stopped after the first attendee', async () => {
    let calls = 0;
    const failingSecond: Mailer = {
      send: (mail) => {
        calls += 1;
        return calls === 2 ? Promise.reject(new Error('SES throttled')) : world.deps.mailer.send(mail);
      },
    };
    await expect(
      createScheduledSendHandler({ ...world.deps, mailer: failingSecond })({ kind: 'wrapup', meetingId }),
    ).rejects.toThrow('SES throttled');

    await handler({ kind: 'wrapup', meetingId });

    expect((await world.outbox()).map((m) => m.to).sort()).toEqual([[leo], [priya]]);
  });

  it('refuses a payload that is not a job, and sends nothing', async () => {
    await expect(handler({ kind: 'wrapup' })).rejects.toThrow(/meetingId/);
    await expect(handler({ kind: 'birthday', meetingId })).rejects.toThrow();
    await expect(
      handler({ kind: 'digest', seriesId: 's1', recipient: 'not-an-address', meetingDate: '2026-11-24' }),
    ).rejects.toThrow(/recipient/);

    expect(await world.outbox()).toEqual([]);
  });

  it('fails with NotFoundError for a meeting that does not exist', async () => {
    await expect(handler({ kind: 'wrapup', meetingId: 'm-missing' })).rejects.toBeInstanceOf(NotFoundError);
  });
});
