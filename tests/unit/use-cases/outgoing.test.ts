import { readFile } from 'node:fs/promises';
import PostalMime from 'postal-mime';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OutboxRecord } from '../../../functions/domain/model';
import type { Mailer } from '../../../functions/ports/mailer';
import type { Store } from '../../../functions/ports/store';
import {
  mailRef,
  type OutgoingDeps,
  refInSubject,
  type Sending,
  sendOnce,
  subjectWithoutRef,
} from '../../../functions/use-cases/outgoing';
import { type AwsWorld, startAwsWorlds } from '../../support/aws-world';
import { startWorlds, type UseCaseWorld } from '../../support/use-case-deps';

const sam = { address: 'sam.whitfield@example.com', name: 'Sam Whitfield' };
const noticeKey = mailRef('notice', sam.address, '2026-07-14');

const noticeTo = (to: Sending['to']): Sending => ({
  key: mailRef('notice', to.address, '2026-07-14'),
  kind: 'notice',
  to,
  mail: {
    subject: 'We could not read your notes',
    html: '<p>No action items found.</p>',
    text: 'No action items found.',
  },
});

/** The store, except that `method` crashes once: before it writes anything, or right after its write. */
function crashingOnce(store: Store, method: keyof Store, when: 'before' | 'after'): Store {
  let crashed = false;
  return new Proxy<Store>(store, {
    get: (target, property) => {
      const value: unknown = target[property as keyof Store];
      if (typeof value !== 'function') return value;
      const real = (...args: unknown[]): Promise<unknown> => value.apply(target, args);
      if (property !== method) return real;
      return async (...args: unknown[]) => {
        if (crashed) return real(...args);
        crashed = true;
        if (when === 'after') await real(...args);
        throw new Error(`Lambda timed out ${when} ${method}`);
      };
    },
  });
}

describe('sending one mail', () => {
  let worlds: Awaited<ReturnType<typeof startWorlds>>;
  let world: UseCaseWorld;

  const parsedOutbox = async () =>
    Promise.all((await world.outbox()).map(async (m) => PostalMime.parse(await readFile(m.file))));

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
    const outbox = await world.store.getOutbox(noticeKey);
    expect(outbox).toMatchObject({ state: 'sent', sentAt: '2026-07-14T20:15:00.000Z' });
    expect(await world.store.getSentMail(outbox?.ref ?? '')).toMatchObject({ to: [sam.address] });
  });

  it('sends nothing to a suppressed address and records nothing', async () => {
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
    expect(await world.store.getOutbox(noticeKey)).toBeNull();
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

  it('[R21] writes the outbox record, pending, before the mailer is handed the mail', async () => {
    const seenByMailer: (OutboxRecord | null)[] = [];
    const watching: Mailer = {
      send: async (mail) => {
        seenByMailer.push(await world.store.getOutbox(noticeKey));
        return world.deps.mailer.send(mail);
      },
    };

    await sendOnce({ ...world.deps, mailer: watching }, noticeTo(sam));

    const [email] = await parsedOutbox();
    expect(seenByMailer).toEqual([
      expect.objectContaining({ state: 'pending', sentAt: null, messageId: email?.messageId, subject: email?.subject }),
    ]);
  });

  it('[R21] sends a mail once however often it is asked to', async () => {
    await sendOnce(world.deps, noticeTo(sam));

    const again = await sendOnce(world.deps, noticeTo(sam));

    expect(again).toBe('already-sent');
    expect(await world.outbox()).toHaveLength(1);
  });

  it('[R21] after a crash between the claim and the send, the re-run sends the mail once', async () => {
    const crashed = { ...world.deps, store: crashingOnce(world.store, 'claimOutbox', 'after') };
    await expect(sendOnce(crashed, noticeTo(sam))).rejects.toThrow('Lambda timed out');
    expect(await world.outbox()).toEqual([]);
    expect(await world.store.getOutbox(noticeKey)).toMatchObject({ state: 'pending' });
    world.clock.set('2026-07-14T20:16:30Z');

    const outcome = await sendOnce(world.deps, noticeTo(sam));

    expect(outcome).toBe('sent');
    expect(await world.outbox()).toHaveLength(1);
    expect(await world.store.getOutbox(noticeKey)).toMatchObject({ state: 'sent' });
  });

  it('[R21] after a crash between the send and its mark, the re-run writes no second .eml', async () => {
    const crashed = { ...world.deps, store: crashingOnce(world.store, 'markOutboxSent', 'before') };
    await expect(sendOnce(crashed, noticeTo(sam))).rejects.toThrow('Lambda timed out');
    expect(await world.outbox()).toHaveLength(1);
    expect(await world.store.getOutbox(noticeKey)).toMatchObject({ state: 'pending' });
    world.clock.set('2026-07-14T20:16:30Z');

    const outcome = await sendOnce(world.deps, noticeTo(sam));

    expect(outcome).toBe('sent');
    expect(await world.outbox()).toHaveLength(1);
    const [email] = await parsedOutbox();
    const record = await world.store.getOutbox(noticeKey);
    expect(record).toMatchObject({ state: 'sent', messageId: email?.messageId });
    expect(await world.store.findSentMailByMessageId(email?.messageId ?? '')).toMatchObject({ ref: record?.ref });
  });

  it('[R21] two attempts at the same mail at once write one .eml', async () => {
    const outcomes = await Promise.all([sendOnce(world.deps, noticeTo(sam)), sendOnce(world.deps, noticeTo(sam))]);

    expect(outcomes).toContain('sent');
    expect(await world.outbox()).toHaveLength(1);
    expect(await world.store.getOutbox(noticeKey)).toMatchObject({ state: 'sent' });
  });

  it('[R20] gives each mail a random ref of 16 base-32 characters, never its outbox key', async () => {
    const other = await worlds.world('2026-07-14T20:15:00Z');
    try {
      await sendOnce(world.deps, noticeTo(sam));
      await sendOnce(other.deps, noticeTo(sam));

      const refs = [
        (await world.store.getOutbox(noticeKey))?.ref ?? '',
        (await other.store.getOutbox(noticeKey))?.ref ?? '',
      ];
      expect(refs[0]).toMatch(/^[a-z2-7]{16}$/);
      expect(refs[1]).toMatch(/^[a-z2-7]{16}$/);
      // The same mail, to the same person, on the same day, in two stores: nothing about it predicts its ref.
      expect(refs[0]).not.toBe(refs[1]);
    } finally {
      await other.dispose();
    }
  });

  it('[R20] keeps the outbox key out of the message', async () => {
    await sendOnce(world.deps, noticeTo(sam));

    const [entry] = await world.outbox();
    const bytes = await readFile(entry?.file ?? '', 'latin1');
    expect(bytes).not.toContain(noticeKey);
    expect(bytes).toContain(`[ft-${(await world.store.getOutbox(noticeKey))?.ref}]`);
  });

  it('[R20] finds the sent mail by the ref in its subject and by its Message-ID, as a reply does', async () => {
    await sendOnce(world.deps, noticeTo(sam));

    const [email] = await parsedOutbox();
    const byRef = await world.store.getSentMail(refInSubject(email?.subject ?? '') ?? '');
    const byMessageId = await world.store.findSentMailByMessageId(email?.messageId ?? '');
    expect(byRef).toMatchObject({ kind: 'notice', to: [sam.address], subject: email?.subject });
    expect(byMessageId).toEqual(byRef);
    expect(subjectWithoutRef(email?.subject ?? '')).toBe('We could not read your notes');
  });

  it('[R20] finds nothing under the outbox key, the one name of a mail anyone could compute', async () => {
    await sendOnce(world.deps, noticeTo(sam));

    expect(await world.store.getSentMail(noticeKey)).toBeNull();
  });
});

describe('sending one mail through SES', () => {
  let worlds: Awaited<ReturnType<typeof startAwsWorlds>>;
  let world: AwsWorld;
  let deps: OutgoingDeps;

  beforeAll(async () => {
    worlds = await startAwsWorlds();
  });
  afterAll(async () => {
    await worlds.close();
  });
  beforeEach(async () => {
    world = await worlds.world('2026-07-14T20:15:00Z');
    deps = world.deps;
  });

  /** Every SendRawEmail as SES received it: the command's fields and the headers a recipient would see. */
  const commands = async () =>
    (await world.sentMail()).map(({ input, email }) => ({
      Source: input.Source,
      Destinations: input.Destinations,
      ConfigurationSetName: input.ConfigurationSetName,
      subject: email.subject,
      messageId: email.messageId,
      ref: email.headers.find((h) => h.key === 'x-followthrough-ref')?.value,
    }));

  it('[R21] after a crash between the claim and the send, the retry calls SendRawEmail once', async () => {
    await expect(
      sendOnce({ ...deps, store: crashingOnce(world.store, 'claimOutbox', 'after') }, noticeTo(sam)),
    ).rejects.toThrow('Lambda timed out');

    await sendOnce(deps, noticeTo(sam));

    const record = await world.store.getOutbox(noticeKey);
    expect(await commands()).toEqual([
      {
        Source: 'notes@followthrough.example',
        Destinations: [sam.address],
        ConfigurationSetName: 'followthrough',
        subject: `We could not read your notes [ft-${record?.ref}]`,
        messageId: record?.messageId,
        ref: record?.ref,
      },
    ]);
  });

  it('[R21] after a crash between SES accepting and the mark, the retry sends the same ref and Message-ID again', async () => {
    // The window SES leaves open: SendRawEmail takes no idempotency token, so the retry is a second message. It
    // carries the same subject, ref and Message-ID header as written (SES then replaces the Message-ID).
    await expect(
      sendOnce({ ...deps, store: crashingOnce(world.store, 'markOutboxSent', 'before') }, noticeTo(sam)),
    ).rejects.toThrow('Lambda timed out');

    await sendOnce(deps, noticeTo(sam));
    await sendOnce(deps, noticeTo(sam));

    const record = await world.store.getOutbox(noticeKey);
    const expected = {
      Source: 'notes@followthrough.example',
      Destinations: [sam.address],
      ConfigurationSetName: 'followthrough',
      subject: `We could not read your notes [ft-${record?.ref}]`,
      messageId: record?.messageId,
      ref: record?.ref,
    };
    expect(await commands()).toEqual([expected, expected]);
    expect(record).toMatchObject({ state: 'sent' });
  });

  it('[R21] records the Message-ID SES gave the message that was marked sent', async () => {
    await sendOnce(deps, noticeTo(sam));

    const record = await world.store.getOutbox(noticeKey);
    const sent = await world.store.getSentMail(record?.ref ?? '');
    expect(sent?.messageId).toBe('<0102019a-test-1-000000@eu-west-1.amazonses.com>');
    expect(await world.store.findSentMailByMessageId(sent?.messageId ?? '')).toEqual(sent);
  });
});
