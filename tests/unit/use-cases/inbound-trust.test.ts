import { readFile } from 'node:fs/promises';
import PostalMime, { type Email } from 'postal-mime';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Extractor } from '../../../functions/ports/extractor';
import { ingestEmail, meetingIdOf } from '../../../functions/use-cases/ingest-email';
import { sendWrapup } from '../../../functions/use-cases/send-wrapup';
import { fixtureBytes } from '../../support/fixtures';
import { startWorlds, type UseCaseWorld } from '../../support/use-case-deps';

const demoMessageId = '<20261117214210.4471.demo@mail.northwind-sales.example>';
const demoMeetingId = meetingIdOf(demoMessageId);
const leo = 'leo.martins@northwind-sales.example';
const unverified = { senderVerified: false };

/** The demo notes with headers added after Return-Path and some of its lines replaced. */
function demoNotes(options: { add?: string[]; replace?: Array<[string, string]> } = {}): Uint8Array {
  let text = new TextDecoder().decode(fixtureBytes('demo-one-on-one.eml'));
  for (const [from, to] of options.replace ?? []) {
    if (!text.includes(from)) throw new Error(`the fixture has no ${from}`);
    text = text.replace(from, to);
  }
  const [first, ...rest] = text.split('\r\n');
  return new TextEncoder().encode([first, ...(options.add ?? []), ...rest].join('\r\n'));
}

/** Leo's reply to his wrap-up: `body` on top, threaded under it. */
function replyTo(wrapup: Email, body: string, headers: string[] = []): Uint8Array {
  return new TextEncoder().encode(
    [
      'From: Leo Martins <leo.martins@northwind-sales.example>',
      'To: followthrough <notes@followthrough.example>',
      `Subject: Re: ${wrapup.subject}`,
      'Date: Tue, 17 Nov 2026 18:00:00 -0500',
      'Message-ID: <reply-1@mail.northwind-sales.example>',
      `In-Reply-To: ${wrapup.messageId}`,
      `References: ${wrapup.messageId}`,
      ...headers,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset="utf-8"',
      '',
      body,
      '',
    ].join('\r\n'),
  );
}

describe('ingestEmail: whom it trusts and whom it never answers', () => {
  let worlds: Awaited<ReturnType<typeof startWorlds>>;
  let world: UseCaseWorld;

  const meetings = async () => (await world.store.listMeetings()).items;
  const kept = async (rawKey: string) => world.deps.archive.get(rawKey);

  beforeAll(async () => {
    worlds = await startWorlds();
  });
  afterAll(async () => {
    await worlds.close();
  });
  beforeEach(async () => {
    world = await worlds.world('2026-11-17T21:43:00Z');
  });
  afterEach(async () => {
    await world.dispose();
  });

  describe('notes', () => {
    it('[R4] keeps notes from an unverified sender as one unverified meeting: no items, no schedules, no mail', async () => {
      const raw = demoNotes();

      const result = await ingestEmail(world.deps, raw, unverified);

      expect(result).toMatchObject({ outcome: 'unverified', reason: 'the sender could not be verified' });
      const stored = await meetings();
      expect(stored).toEqual([
        expect.objectContaining({ state: 'unverified', itemCount: 0, messageId: demoMessageId, date: '2026-11-17' }),
      ]);
      expect(await world.store.listMeetingItems(stored[0]?.id ?? '')).toEqual([]);
      expect(world.deps.scheduler.list()).toEqual([]);
      expect(await world.outbox()).toEqual([]);
      expect(await kept(stored[0]?.rawKey ?? '')).toEqual(raw);
    });

    it('[R4] keeps the same unverified notes delivered twice as one meeting', async () => {
      await ingestEmail(world.deps, demoNotes(), unverified);

      const again = await ingestEmail(world.deps, demoNotes(), unverified);

      expect(again.outcome).toBe('unverified');
      expect(await meetings()).toHaveLength(1);
    });

    it('[R4] stores the real notes in full when a spoofed copy with their Message-ID came first', async () => {
      await ingestEmail(world.deps, demoNotes(), unverified);

      const real = await ingestEmail(world.deps, demoNotes());

      expect(real.outcome).toBe('ingested');
      expect(await world.store.getMeeting(demoMeetingId)).toMatchObject({ state: 'complete', itemCount: 5 });
      expect((await meetings()).map((m) => m.state).sort()).toEqual(['complete', 'unverified']);
    });

    it('[R4] reads unverified notes with the rules, never with the configured extractor', async () => {
      const model: Extractor = {
        extract: () => Promise.reject(new Error('the model was asked about an unverified sender’s notes')),
      };

      const result = await ingestEmail({ ...world.deps, extractor: model }, demoNotes(), unverified);

      expect(result.outcome).toBe('unverified');
      expect(await meetings()).toHaveLength(1);
    });

    it('[R4] treats a message with two From headers as unverified, even where mail counts as verified', async () => {
      const raw = demoNotes({ add: ['From: Leo Martins <leo.martins@northwind-sales.example>'] });

      const result = await ingestEmail(world.deps, raw);

      expect(result.outcome).toBe('unverified');
      expect(world.deps.scheduler.list()).toEqual([]);
      expect(await world.outbox()).toEqual([]);
    });

    it('[R5] drops notes from a domain that is not an allowed sender domain, keeping the raw mail and answering nothing', async () => {
      const deps = { ...world.deps, config: { ...world.deps.config, allowedSenderDomains: ['acme-sales.example'] } };
      const raw = demoNotes();

      const result = await ingestEmail(deps, raw);

      expect(result).toMatchObject({
        outcome: 'dropped',
        reason: 'the sender’s domain is not an allowed sender domain',
      });
      expect(await meetings()).toEqual([]);
      expect(world.deps.scheduler.list()).toEqual([]);
      expect(await world.outbox()).toEqual([]);
      expect(result.outcome === 'dropped' && (await kept(result.rawKey))).toEqual(raw);
    });

    it('[R5] takes notes from a subdomain of an allowed sender domain', async () => {
      const deps = {
        ...world.deps,
        config: { ...world.deps.config, allowedSenderDomains: ['northwind-sales.example'] },
      };
      const raw = demoNotes({
        replace: [['<priya.raman@northwind-sales.example>\r\nTo:', '<priya.raman@eu.northwind-sales.example>\r\nTo:']],
      });

      expect((await ingestEmail(deps, raw)).outcome).toBe('ingested');
    });

    it('[R5] drops an unverified message from a foreign domain before anything else is stored', async () => {
      const deps = { ...world.deps, config: { ...world.deps.config, allowedSenderDomains: ['acme-sales.example'] } };

      expect((await ingestEmail(deps, demoNotes(), unverified)).outcome).toBe('dropped');
      expect(await meetings()).toEqual([]);
    });

    it.each([
      ['an auto-reply', ['Auto-Submitted: auto-replied']],
      ['bulk mail', ['Precedence: bulk']],
      ['mail from a list', ['List-Id: <sales.northwind-sales.example>']],
      ['mail followthrough sent', ['X-Followthrough-Ref: abcdefghijklmnop', 'X-Followthrough-Kind: wrapup']],
    ])('[R6] keeps %s and acts on none of it: no meeting, no schedule, an empty outbox', async (_name, headers) => {
      const raw = demoNotes({ add: headers });

      const result = await ingestEmail(world.deps, raw);

      expect(result.outcome).toBe('ignored');
      expect(await meetings()).toEqual([]);
      expect(world.deps.scheduler.list()).toEqual([]);
      expect(await world.outbox()).toEqual([]);
      expect(result.outcome === 'ignored' && (await kept(result.rawKey))).toEqual(raw);
    });

    it('[R6] ignores a bounce: an empty Return-Path from MAILER-DAEMON', async () => {
      const raw = demoNotes({
        replace: [
          ['Return-Path: <priya.raman@northwind-sales.example>', 'Return-Path: <>'],
          [
            'From: Priya Raman <priya.raman@northwind-sales.example>',
            'From: Mail Delivery Subsystem <MAILER-DAEMON@mx.northwind-sales.example>',
          ],
        ],
      });

      expect(await ingestEmail(world.deps, raw)).toMatchObject({ outcome: 'ignored' });
      expect(await meetings()).toEqual([]);
      expect(await world.outbox()).toEqual([]);
    });

    it('[R6] ignores mail from a mail system before asking whether its domain is allowed', async () => {
      const deps = { ...world.deps, config: { ...world.deps.config, allowedSenderDomains: ['acme-sales.example'] } };
      const raw = demoNotes({
        replace: [['Priya Raman <priya.raman@northwind-sales.example>', 'postmaster@northwind-sales.example']],
      });

      expect(await ingestEmail(deps, raw)).toMatchObject({
        outcome: 'ignored',
        reason: 'it is from a mail system (mailer-daemon, postmaster)',
      });
    });
  });

  describe('replies', () => {
    let wrapup: Email;
    const statuses = async () => (await world.store.listMeetingItems(demoMeetingId)).map((i) => i.status);
    const sentAfterWrapups = async () => (await world.outbox()).filter((m) => m.kind !== 'wrapup');

    beforeEach(async () => {
      await ingestEmail(world.deps, fixtureBytes('demo-one-on-one.eml'));
      world.clock.set('2026-11-17T22:13:00Z');
      await sendWrapup(world.deps, demoMeetingId);
      const [toLeo] = (await world.outbox()).filter((m) => m.to.includes(leo));
      wrapup = await PostalMime.parse(await readFile(toLeo?.file ?? ''));
      world.clock.set('2026-11-17T23:00:00Z');
    });

    it('[R4] refuses a reply from an unverified sender: nothing changes and nothing is sent', async () => {
      const result = await ingestEmail(world.deps, replyTo(wrapup, 'done 1, 2'), unverified);

      expect(result).toMatchObject({ outcome: 'reply-refused', reason: 'the sender could not be verified' });
      expect(await statuses()).toEqual(['open', 'open', 'open', 'open', 'open']);
      expect(await sentAfterWrapups()).toEqual([]);
    });

    it('[R6] ignores an out-of-office reply to a wrap-up: nothing changes and nothing is sent', async () => {
      const result = await ingestEmail(
        world.deps,
        replyTo(wrapup, 'I am out of the office until Monday. 1 and 2 will wait.', ['Auto-Submitted: auto-replied']),
      );

      expect(result.outcome).toBe('ignored');
      expect(await statuses()).toEqual(['open', 'open', 'open', 'open', 'open']);
      expect(await sentAfterWrapups()).toEqual([]);
    });

    it('[R5] drops a reply from a domain that is no longer allowed: nothing changes and nothing is sent', async () => {
      const deps = { ...world.deps, config: { ...world.deps.config, allowedSenderDomains: ['acme-sales.example'] } };

      const result = await ingestEmail(deps, replyTo(wrapup, 'done 1'));

      expect(result.outcome).toBe('dropped');
      expect(await statuses()).toEqual(['open', 'open', 'open', 'open', 'open']);
      expect(await sentAfterWrapups()).toEqual([]);
    });

    it('[R7] applies a reply from a verified attendee and confirms it to them', async () => {
      const result = await ingestEmail(world.deps, replyTo(wrapup, 'done 1'), { senderVerified: true });

      expect(result.outcome).toBe('reply');
      expect(await statuses()).toEqual(['done', 'open', 'open', 'open', 'open']);
      expect((await sentAfterWrapups()).map((m) => [m.kind, m.to])).toEqual([['confirmation', [leo]]]);
    });
  });
});
