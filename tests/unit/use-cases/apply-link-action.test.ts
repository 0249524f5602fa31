import { readFile } from 'node:fs/promises';
import PostalMime from 'postal-mime';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type LinkAction, type SigningKey, signLink } from '../../../functions/domain/links/token';
import type { StoredItem } from '../../../functions/domain/model';
import { applyLinkAction, previewLinkAction, undoLinkAction } from '../../../functions/use-cases/apply-link-action';
import { ingestEmail } from '../../../functions/use-cases/ingest-email';
import { sendWrapup } from '../../../functions/use-cases/send-wrapup';
import { fixtureBytes } from '../../support/fixtures';
import { startWorlds, testSigningKeys, type UseCaseWorld } from '../../support/use-case-deps';

const dana = 'dana.whitfield@acme-sales.example';
const marcus = 'marcus.reid@acme-sales.example';
const priya = 'priya.natarajan@acme-sales.example';
const [currentKey, previousKey] = testSigningKeys as [SigningKey, SigningKey];

describe('action links from the emails', () => {
  let worlds: Awaited<ReturnType<typeof startWorlds>>;
  let world: UseCaseWorld;
  let meetingId: string;
  /** The Done links of Marcus's wrap-up, by item number. */
  let doneLinks: string[];

  const item = async (seq: number): Promise<StoredItem> => {
    const found = await world.store.getItem(meetingId, seq);
    if (found === null) throw new Error(`item ${seq} should exist`);
    return found;
  };
  /** A link as linksFor signs it, for the actions and people a wrap-up has no button for. */
  const link = (
    action: LinkAction,
    options: { seq?: number; recipient?: string; key?: SigningKey; meeting?: string } = {},
  ): string =>
    signLink(
      {
        action,
        meetingId: options.meeting ?? meetingId,
        seq: options.seq ?? 1,
        recipient: options.recipient ?? marcus,
        expiresAt: Math.floor(world.clock.now().getTime() / 1000) + 30 * 86_400,
      },
      options.key ?? currentKey,
    );

  beforeAll(async () => {
    worlds = await startWorlds();
  });
  afterAll(async () => {
    await worlds.close();
  });
  beforeEach(async () => {
    world = await worlds.world('2026-11-12T21:00:00Z');
    const ingested = await ingestEmail(world.deps, fixtureBytes('loop/01-dana-marcus-nov12.eml'));
    if (ingested.outcome !== 'ingested') throw new Error('the fixture should ingest');
    meetingId = ingested.meeting.id;
    world.clock.set('2026-11-12T21:30:00Z');
    await sendWrapup(world.deps, meetingId);
    const [wrapup] = (await world.outbox()).filter((m) => m.to.includes(marcus));
    const email = await PostalMime.parse(await readFile(wrapup?.file ?? ''));
    doneLinks = [...(email.text ?? '').matchAll(/Done: http:\/\/127\.0\.0\.1:8787\/a\/(\S+)/g)].map((m) => m[1] ?? '');
    world.clock.set('2026-11-12T22:00:00Z');
  });
  afterEach(async () => {
    await world.dispose();
  });

  describe('opening a link (GET)', () => {
    it('[R19] asks to confirm the action and changes nothing', async () => {
      const before = await item(1);

      const outcome = await previewLinkAction(world.deps, doneLinks[0] ?? '');

      expect(outcome).toMatchObject({
        ok: true,
        state: 'confirm',
        action: 'done',
        message: 'Mark this item done?',
        item: {
          text: 'Send Initech the revised renewal quote',
          owner: 'Marcus Reid',
          due: 'Mon 16 Nov',
          meetingName: '1:1 Dana Whitfield / Marcus Reid — Thu 12 Nov',
        },
      });
      expect(await item(1)).toEqual(before);
    });

    it('says the item is already done when it is', async () => {
      await applyLinkAction(world.deps, doneLinks[0] ?? '');

      const outcome = await previewLinkAction(world.deps, doneLinks[0] ?? '');

      expect(outcome).toMatchObject({ ok: true, state: 'already', message: 'Already done — nothing changed' });
    });
  });

  describe('confirming a link (POST)', () => {
    it('marks the item done and records the change for undo', async () => {
      const outcome = await applyLinkAction(world.deps, doneLinks[0] ?? '');

      expect(outcome).toMatchObject({ ok: true, state: 'applied', message: 'Marked done', undoable: true });
      expect(await item(1)).toMatchObject({
        status: 'done',
        updatedAt: '2026-11-12T22:00:00.000Z',
        lastChange: {
          action: 'done',
          by: marcus,
          at: '2026-11-12T22:00:00.000Z',
          previous: { status: 'open', due: '2026-11-16', owner: marcus, snoozedUntil: null },
        },
      });
      expect((await item(2)).status).toBe('open');
    });

    it('drops the item', async () => {
      const outcome = await applyLinkAction(world.deps, link('drop', { seq: 2 }));

      expect(outcome).toMatchObject({ ok: true, state: 'applied', message: 'Dropped' });
      expect(await item(2)).toMatchObject({ status: 'dropped', lastChange: { action: 'drop', by: marcus } });
    });

    it('snoozes the item for a week from today as the meeting’s people count days', async () => {
      // 03:00 UTC on the 13th is still the evening of the 12th in New York (UTC−5), where the 1:1 was held.
      world.clock.set('2026-11-13T03:00:00Z');

      const outcome = await applyLinkAction(world.deps, link('snooze'));

      expect(outcome).toMatchObject({ ok: true, state: 'applied', message: 'Snoozed until Thu 19 Nov' });
      expect(await item(1)).toMatchObject({ status: 'open', snoozedUntil: '2026-11-19' });
    });

    it('changes nothing the second time, and says so', async () => {
      await applyLinkAction(world.deps, doneLinks[0] ?? '');
      const first = await item(1);
      world.clock.set('2026-11-12T23:00:00Z');

      const again = await applyLinkAction(world.deps, doneLinks[0] ?? '');

      expect(again).toMatchObject({
        ok: true,
        state: 'already',
        message: 'Already done — nothing changed',
        // Still the same person's change: their second visit may undo it.
        undoable: true,
      });
      expect(await item(1)).toEqual(first);
      expect(first.updatedAt).toBe('2026-11-12T22:00:00.000Z');
    });

    it('refuses to snooze an item that is already closed', async () => {
      await applyLinkAction(world.deps, doneLinks[0] ?? '');

      const outcome = await applyLinkAction(world.deps, link('snooze'));

      expect(outcome).toMatchObject({ state: 'already', message: 'This item is already done: nothing to snooze.' });
      expect(await item(1)).toMatchObject({ status: 'done', snoozedUntil: null });
    });
  });

  describe('undo', () => {
    it('puts the item back as it was and forgets the change', async () => {
      const before = await item(1);
      await applyLinkAction(world.deps, doneLinks[0] ?? '');
      world.clock.set('2026-11-12T22:05:00Z');

      const outcome = await undoLinkAction(world.deps, doneLinks[0] ?? '');

      expect(outcome).toMatchObject({ ok: true, state: 'undone', undoable: false });
      expect(await item(1)).toEqual({ ...before, updatedAt: '2026-11-12T22:05:00.000Z' });
    });

    it('puts back a snooze', async () => {
      await applyLinkAction(world.deps, link('snooze', { seq: 2 }));

      await undoLinkAction(world.deps, link('snooze', { seq: 2 }));

      expect(await item(2)).toMatchObject({ status: 'open', snoozedUntil: null, lastChange: null });
    });

    it('does nothing the second time', async () => {
      await applyLinkAction(world.deps, doneLinks[0] ?? '');
      await undoLinkAction(world.deps, doneLinks[0] ?? '');
      const undone = await item(1);
      world.clock.set('2026-11-12T22:10:00Z');

      const again = await undoLinkAction(world.deps, doneLinks[0] ?? '');

      expect(again).toMatchObject({ ok: true, state: 'already', undoable: false });
      expect(await item(1)).toEqual(undone);
    });

    it('does not undo someone else’s change', async () => {
      await applyLinkAction(world.deps, doneLinks[0] ?? '');

      const outcome = await undoLinkAction(world.deps, link('done', { recipient: dana }));

      expect(outcome).toMatchObject({ ok: true, state: 'already' });
      expect(await item(1)).toMatchObject({ status: 'done', lastChange: { by: marcus } });
    });
  });

  describe('links that do not work', () => {
    it('[R18] refuses a token whose payload was altered, with 400, and changes no item', async () => {
      const [body = '', signature = ''] = (doneLinks[0] ?? '').split('.');
      const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { s: number };
      const forged = `${Buffer.from(JSON.stringify({ ...payload, s: 2 })).toString('base64url')}.${signature}`;

      const outcome = await applyLinkAction(world.deps, forged);

      expect(outcome).toMatchObject({ ok: false, status: 400 });
      expect([(await item(1)).status, (await item(2)).status]).toEqual(['open', 'open']);
    });

    it('[R18] refuses a token cut short on the way, with 400', async () => {
      const outcome = await applyLinkAction(world.deps, (doneLinks[0] ?? '').slice(0, -10));

      expect(outcome).toMatchObject({ ok: false, status: 400 });
      expect((await item(1)).status).toBe('open');
    });

    it('[R18] refuses a link more than 30 days old, with 410', async () => {
      world.clock.set('2026-12-13T22:00:00Z');

      const outcome = await applyLinkAction(world.deps, doneLinks[0] ?? '');

      expect(outcome).toMatchObject({ ok: false, status: 410, title: 'This link has expired' });
      expect((await item(1)).status).toBe('open');
    });

    it('still takes a link on its 29th day', async () => {
      world.clock.set('2026-12-11T21:00:00Z');

      expect(await applyLinkAction(world.deps, doneLinks[0] ?? '')).toMatchObject({ ok: true, state: 'applied' });
    });

    it('[R18] refuses a link signed for someone who was not at the 1:1, with 403', async () => {
      const outcome = await applyLinkAction(world.deps, link('done', { recipient: priya }));

      expect(outcome).toMatchObject({ ok: false, status: 403 });
      expect((await item(1)).status).toBe('open');
    });

    it('answers 404 for an item that does not exist', async () => {
      expect(await previewLinkAction(world.deps, link('done', { seq: 9 }))).toMatchObject({ ok: false, status: 404 });
      expect(await applyLinkAction(world.deps, link('done', { meeting: 'm-missing' }))).toMatchObject({
        ok: false,
        status: 404,
      });
    });

    it('[R18] takes a link signed with the previous key, which still verifies after a rotation', async () => {
      const outcome = await applyLinkAction(world.deps, link('done', { key: previousKey }));

      expect(outcome).toMatchObject({ ok: true, state: 'applied' });
      expect((await item(1)).status).toBe('done');
    });

    it('[R18] refuses a link whose key is no longer configured, with 400', async () => {
      const retired = { ...world.deps, signingKeys: [currentKey] };

      const outcome = await applyLinkAction(retired, link('done', { key: previousKey }));

      expect(outcome).toMatchObject({ ok: false, status: 400 });
      expect((await item(1)).status).toBe('open');
    });
  });
});
