import { readFile } from 'node:fs/promises';
import PostalMime, { type Email } from 'postal-mime';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StoredItem } from '../../../functions/domain/model';
import { type IngestResult, ingestEmail } from '../../../functions/use-cases/ingest-email';
import { sendDigest } from '../../../functions/use-cases/send-digest';
import { sendWrapup } from '../../../functions/use-cases/send-wrapup';
import { fixtureBytes } from '../../support/fixtures';
import { startWorlds, type UseCaseWorld } from '../../support/use-case-deps';

const leo = 'leo.martins@northwind-sales.example';
const priya = 'priya.raman@northwind-sales.example';
const tomas = 'tomas.berg@northwind-sales.example';

interface ReplyOptions {
  body: string;
  /** The Message-ID of the reply, without brackets. */
  id: string;
  from?: { address: string; name: string };
  date?: string;
  /** Thread the reply by In-Reply-To and References; false leaves only the subject's [ft-…] ref to find it. */
  threaded?: boolean;
}

/** A reply as a mail app writes it: the new text on top, the mail it answers quoted below. */
function replyTo(original: Email, options: ReplyOptions): Uint8Array {
  const from = options.from ?? { address: leo, name: 'Leo Martins' };
  const quoted = (original.text ?? '')
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\r\n');
  return new TextEncoder().encode(
    [
      `From: ${from.name} <${from.address}>`,
      'To: followthrough <notes@followthrough.example>',
      `Subject: Re: ${original.subject}`,
      `Date: ${options.date ?? 'Tue, 17 Nov 2026 18:00:00 -0500'}`,
      `Message-ID: <${options.id}@mail.northwind-sales.example>`,
      ...(options.threaded === false
        ? []
        : [`In-Reply-To: ${original.messageId}`, `References: ${original.messageId}`]),
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset="utf-8"',
      '',
      options.body.replace(/\n/g, '\r\n'),
      '',
      'On Tue, Nov 17, 2026 at 5:13 PM followthrough <notes@followthrough.example> wrote:',
      quoted,
      '',
    ].join('\r\n'),
  );
}

describe('replies with commands', () => {
  let worlds: Awaited<ReturnType<typeof startWorlds>>;
  let world: UseCaseWorld;
  let meetingId: string;
  let seriesId: string;
  /** Leo's wrap-up, as his mail app shows it. */
  let wrapup: Email;

  const item = async (seq: number): Promise<StoredItem> => {
    const found = await world.store.getItem(meetingId, seq);
    if (found === null) throw new Error(`item ${seq} should exist`);
    return found;
  };
  /** The meeting's item that matches, wherever the wrap-up numbered it. */
  const itemWhose = async (matches: (item: StoredItem) => boolean): Promise<StoredItem> => {
    const found = (await world.store.listMeetingItems(meetingId)).find(matches);
    if (found === undefined) throw new Error('the fixture should hold the item');
    return found;
  };
  const statuses = async () => (await world.store.listMeetingItems(meetingId)).map((i) => i.status);
  /** The mails sent since the wrap-ups, parsed. */
  const sentAfterWrapups = async (): Promise<Email[]> => {
    const later = (await world.outbox()).filter((m) => m.kind !== 'wrapup');
    return Promise.all(later.map(async (m) => PostalMime.parse(await readFile(m.file))));
  };
  const ingest = (raw: Uint8Array) => ingestEmail(world.deps, raw);
  const asReply = (result: IngestResult) => {
    if (result.outcome !== 'reply') throw new Error(`expected a reply, got ${result.outcome}`);
    return result;
  };

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
    seriesId = ingested.series.id;
    world.clock.set('2026-11-17T22:13:00Z');
    await sendWrapup(world.deps, meetingId);
    const [toLeo] = (await world.outbox()).filter((m) => m.to.includes(leo));
    wrapup = await PostalMime.parse(await readFile(toLeo?.file ?? ''));
    world.clock.set('2026-11-17T23:00:00Z');
  });
  afterEach(async () => {
    await world.dispose();
  });

  it('marks the items done that `done 1, 2` names, and only those', async () => {
    const result = asReply(await ingest(replyTo(wrapup, { body: 'done 1, 2\n\nThanks,\nLeo', id: 'r-done' })));

    expect(result.applied.map((a) => [a.number, a.change])).toEqual([
      [1, 'marked done'],
      [2, 'marked done'],
    ]);
    expect(await statuses()).toEqual(['done', 'done', 'open', 'open', 'open']);
    expect(await item(1)).toMatchObject({ lastChange: { action: 'done', by: leo, at: '2026-11-17T23:00:00.000Z' } });
  });

  it('drops the item that `drop 3` names', async () => {
    await ingest(replyTo(wrapup, { body: 'drop 3', id: 'r-drop' }));

    expect(await statuses()).toEqual(['open', 'open', 'dropped', 'open', 'open']);
  });

  it('moves a due date to the Friday after the day the reply was written', async () => {
    await ingest(replyTo(wrapup, { body: '2 due friday', id: 'r-due' }));

    expect(await item(2)).toMatchObject({ due: '2026-11-20', lastChange: { previous: { due: '2026-11-24' } } });
  });

  it('snoozes an item to the date `snooze 3 to 12/1` gives', async () => {
    await ingest(replyTo(wrapup, { body: 'snooze 3 to 12/1', id: 'r-snooze' }));

    expect(await item(3)).toMatchObject({ status: 'open', snoozedUntil: '2026-12-01' });
  });

  it('gives an item to the attendee `2 owner priya` names, by address', async () => {
    const result = asReply(await ingest(replyTo(wrapup, { body: '2 owner priya', id: 'r-owner' })));

    expect(await item(2)).toMatchObject({ owner: priya, ownerName: 'Priya Raman' });
    expect(result.applied).toEqual([expect.objectContaining({ number: 2, change: 'owner now Priya Raman' })]);
  });

  it('keeps an owner who was not at the 1:1 as written', async () => {
    await ingest(replyTo(wrapup, { body: '2 owner Jordan', id: 'r-owner-jordan' }));

    expect(await item(2)).toMatchObject({ owner: 'Jordan', ownerName: 'Jordan' });
  });

  it('stores the date a reply gives an item that had none, and clears its no-date flag', async () => {
    // Prepare
    const undated = await itemWhose((i) => i.text === 'Find a new champion at Larkspur Media and book a meeting');

    // Act
    await ingest(replyTo(wrapup, { body: `${undated.seq} due friday`, id: 'r-due-undated' }));

    // Assess
    expect(undated).toMatchObject({ due: null, flags: ['no-date'] });
    expect(await item(undated.seq)).toMatchObject({
      due: '2026-11-20',
      flags: [],
      lastChange: { action: 'due', by: leo, previous: { due: null, flags: ['no-date'] } },
    });
  });

  it('clears the owner-not-attendee flag when a reply gives the item to an attendee', async () => {
    // Prepare
    const outsiders = await itemWhose((i) => i.owner === 'Tomas');

    // Act
    await ingest(replyTo(wrapup, { body: `${outsiders.seq} owner priya`, id: 'r-owner-attendee' }));

    // Assess
    expect(outsiders.flags).toEqual(['owner-not-attendee']);
    expect(await item(outsiders.seq)).toMatchObject({
      owner: priya,
      flags: [],
      lastChange: { action: 'owner', previous: { owner: 'Tomas', flags: ['owner-not-attendee'] } },
    });
  });

  it('lists a number the mail did not show as not changed, with the reason', async () => {
    const result = asReply(await ingest(replyTo(wrapup, { body: 'done 1\ndone 9', id: 'r-nine' })));

    expect(result.refused).toEqual([{ line: 'done 9', reason: 'there is no item 9 in that email' }]);
    expect(await statuses()).toEqual(['done', 'open', 'open', 'open', 'open']);
    const [confirmation] = await sentAfterWrapups();
    expect(confirmation?.text).toMatch(/Not changed\n-+\n\n> done 9\n {2}there is no item 9 in that email/);
  });

  it('reports a line it cannot read as not understood, and still applies the rest', async () => {
    const result = asReply(
      await ingest(replyTo(wrapup, { body: 'done 4\nplease call Osprey before Friday', id: 'r-unknown' })),
    );

    expect(result.notUnderstood).toEqual(['please call Osprey before Friday']);
    expect((await item(4)).status).toBe('done');
    const [confirmation] = await sentAfterWrapups();
    expect(confirmation?.text).toMatch(/Not understood\n-+\n\n> please call Osprey before Friday/);
  });

  it('[R7] refuses a reply from someone who was not at the 1:1: nothing changes and nothing is sent', async () => {
    const result = await ingest(
      replyTo(wrapup, { body: 'done 1, 2', id: 'r-stranger', from: { address: tomas, name: 'Tomas Berg' } }),
    );

    expect(result).toMatchObject({ outcome: 'reply-refused' });
    expect(await statuses()).toEqual(['open', 'open', 'open', 'open', 'open']);
    expect(await sentAfterWrapups()).toEqual([]);
  });

  it('[R7] refuses a reply in an attendee’s name from an unverified sender: nothing changes and nothing is sent', async () => {
    const result = await ingestEmail(world.deps, replyTo(wrapup, { body: 'done 1, 2', id: 'r-spoofed' }), {
      senderVerified: false,
    });

    expect(result).toMatchObject({ outcome: 'reply-refused' });
    expect(await statuses()).toEqual(['open', 'open', 'open', 'open', 'open']);
    expect(await sentAfterWrapups()).toEqual([]);
  });

  it('[R7] changes only the items of the 1:1s the verified sender attended, when a mail lists items of others', async () => {
    // A mail whose numbers stand for an item of Leo's 1:1 and one of Dana and Marcus's, which Leo was not at.
    const other = await ingestEmail(world.deps, fixtureBytes('loop/01-dana-marcus-nov12.eml'));
    if (other.outcome !== 'ingested') throw new Error('the second fixture should ingest');
    await world.store.recordSentMail({
      ref: 'mixedmixedmixedm',
      kind: 'digest',
      messageId: '<mixed-digest@followthrough.example>',
      to: [leo],
      subject: 'Before your 1:1 [ft-mixedmixedmixedm]',
      sentAt: '2026-11-17T22:30:00.000Z',
      meetingId: null,
      seriesId: null,
      items: [
        { number: 1, meetingId, seq: 1 },
        { number: 2, meetingId: other.meeting.id, seq: 1 },
      ],
    });
    const digest = { ...wrapup, subject: 'Before your 1:1', messageId: '<mixed-digest@followthrough.example>' };

    const result = asReply(await ingest(replyTo(digest, { body: 'done 1, 2', id: 'r-mixed' })));

    expect(result.refused).toEqual([{ line: 'done 1, 2', reason: 'item 2 is from a 1:1 you did not attend' }]);
    expect((await item(1)).status).toBe('done');
    expect((await world.store.listMeetingItems(other.meeting.id)).map((i) => i.status)).toEqual(
      other.items.map(() => 'open'),
    );
  });

  it('finds the replied mail by the ref in its subject when the reply carries no In-Reply-To', async () => {
    const result = asReply(await ingest(replyTo(wrapup, { body: 'done 5', id: 'r-subject', threaded: false })));

    expect(result.repliedRef).toBe(/\[ft-([a-z2-7]{16})\]/.exec(wrapup.subject ?? '')?.[1]);
    expect((await item(5)).status).toBe('done');
  });

  it('applies a reply delivered twice once, and confirms it once', async () => {
    const raw = replyTo(wrapup, { body: 'done 1', id: 'r-twice' });
    await ingest(raw);
    const first = await item(1);
    world.clock.set('2026-11-17T23:30:00Z');

    const again = asReply(await ingest(raw));

    expect(again.confirmation).toBe('already-sent');
    expect(await item(1)).toEqual(first);
    expect(await sentAfterWrapups()).toHaveLength(1);
  });

  it('does not undo a later change when an earlier reply is delivered again', async () => {
    const earlier = replyTo(wrapup, { body: '2 due friday', id: 'r-earlier' });
    await ingest(earlier);
    await ingest(replyTo(wrapup, { body: '2 due 12/1', id: 'r-later', date: 'Tue, 17 Nov 2026 18:20:00 -0500' }));

    await ingest(earlier);

    expect((await item(2)).due).toBe('2026-12-01');
    expect(await sentAfterWrapups()).toHaveLength(2);
  });

  it('threads the confirmation under the reply, and says what changed under the wrap-up’s subject', async () => {
    await ingest(replyTo(wrapup, { body: 'done 1', id: 'r-thread' }));

    const [confirmation] = await sentAfterWrapups();
    expect(confirmation?.inReplyTo).toBe('<r-thread@mail.northwind-sales.example>');
    expect(confirmation?.to?.map((t) => t.address)).toEqual([leo]);
    expect(confirmation?.subject).toMatch(/^Updated: Wrap-up: 1:1 Priya \/ Leo — Tue 17 Nov \[ft-/);
    expect(confirmation?.text).toMatch(/1\. Send Bramble & Finch the redlined MSA\n {3}marked done/);
  });

  it('takes commands in a reply to the confirmation, with the wrap-up’s numbers', async () => {
    await ingest(replyTo(wrapup, { body: 'done 1', id: 'r-first' }));
    const [confirmation] = await sentAfterWrapups();
    if (confirmation === undefined) throw new Error('expected a confirmation');
    world.clock.set('2026-11-17T23:30:00Z');

    const result = asReply(
      await ingest(replyTo(confirmation, { body: 'done 4', id: 'r-second', date: 'Tue, 17 Nov 2026 18:30:00 -0500' })),
    );

    expect(result.applied.map((a) => a.number)).toEqual([4]);
    expect(await statuses()).toEqual(['done', 'open', 'open', 'done', 'open']);
    const [, second] = await sentAfterWrapups();
    expect(second?.inReplyTo).toBe('<r-second@mail.northwind-sales.example>');
    // Under the wrap-up's own words, not "Updated: Updated: …".
    expect(second?.subject).toMatch(/^Updated: Wrap-up: 1:1 Priya \/ Leo — Tue 17 Nov \[ft-/);
  });

  it('reads the numbers of a reply to a digest as the digest numbered its items', async () => {
    world.clock.set('2026-11-24T13:00:00Z');
    await sendDigest(world.deps, { seriesId, recipient: leo, meetingDate: '2026-11-24' });
    const [digest] = (await sentAfterWrapups()).filter((m) => m.subject?.startsWith('Before your 1:1'));
    if (digest === undefined) throw new Error('expected a digest');
    const first = /^1\. (.+)$/m.exec(digest.text ?? '')?.[1];
    // The most overdue item leads the digest: the sandbox, due the day after the 1:1, not item 1 of the wrap-up.
    expect(first).toBe('Set up the Bramble & Finch sandbox');

    await ingest(replyTo(digest, { body: 'done 1', id: 'r-digest', date: 'Tue, 24 Nov 2026 08:30:00 -0500' }));

    const items = await world.store.listMeetingItems(meetingId);
    expect(items.filter((i) => i.status === 'done').map((i) => i.text)).toEqual([first]);
  });
});
