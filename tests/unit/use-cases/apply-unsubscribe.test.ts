import { readFile } from 'node:fs/promises';
import PostalMime, { type Email } from 'postal-mime';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signLink, signUnsubscribe, verifyUnsubscribe } from '../../../functions/domain/links/token';
import type { OptOutKind } from '../../../functions/domain/model';
import {
  applyUnsubscribe,
  previewUnsubscribe,
  UNSUBSCRIBE_LIFETIME_DAYS,
} from '../../../functions/use-cases/apply-unsubscribe';
import { ingestEmail } from '../../../functions/use-cases/ingest-email';
import { mailRef } from '../../../functions/use-cases/outgoing';
import { sendDigest } from '../../../functions/use-cases/send-digest';
import { sendWeekly } from '../../../functions/use-cases/send-weekly';
import { sendWrapup } from '../../../functions/use-cases/send-wrapup';
import { fixtureBytes } from '../../support/fixtures';
import { startWorlds, testSigningKeys, type UseCaseWorld } from '../../support/use-case-deps';

const dana = 'dana.whitfield@acme-sales.example';
const marcus = 'marcus.reid@acme-sales.example';

/** Monday 23 Nov 2026, 08:00 in New York: when the default weekly schedule fires. */
const monday = '2026-11-23T13:00:00Z';
const nextMonday = '2026-11-30T13:00:00Z';
/** Thursday 26 Nov, 08:00 in New York: the digest before Dana and Marcus's next 1:1. */
const digestMorning = '2026-11-26T13:00:00Z';

const key = testSigningKeys[0] ?? { id: 'none', secret: '' };
const epoch = (iso: string) => Math.floor(Date.parse(iso) / 1000);
const unsubscribeToken = (kind: OptOutKind, recipient = marcus, expiresAt = epoch('2027-11-01T00:00:00Z')) =>
  signUnsubscribe({ kind, recipient, expiresAt }, key);

/** The List-Unsubscribe headers of a parsed mail, as a recipient's client reads them. */
function unsubscribeHeaders(email: Email): { url: string | undefined; post: string | undefined } {
  const header = (name: string) => email.headers.find((h) => h.key === name)?.value.trim();
  return { url: /^<([^<>]+)>$/.exec(header('list-unsubscribe') ?? '')?.[1], post: header('list-unsubscribe-post') };
}

describe('unsubscribing from digests (RFC 8058)', () => {
  let worlds: Awaited<ReturnType<typeof startWorlds>>;
  let world: UseCaseWorld;
  let seriesId: string;
  let wrapupMeeting: string;

  /** Dana's 1:1s with Marcus (12 and 19 Nov) and Priya (17 Nov): she manages both, and all three own items. */
  const ingestLoop = async () => {
    const ingest = async (name: string, at: string) => {
      world.clock.set(at);
      const result = await ingestEmail(world.deps, fixtureBytes(name));
      if (result.outcome !== 'ingested') throw new Error(`${name} should ingest`);
      return result;
    };
    await ingest('loop/01-dana-marcus-nov12.eml', '2026-11-12T21:00:00Z');
    await ingest('loop/02-dana-priya-nov17.eml', '2026-11-17T16:10:00Z');
    const latest = await ingest('loop/03-dana-marcus-nov19.eml', '2026-11-19T21:15:00Z');
    seriesId = latest.series.id;
    wrapupMeeting = latest.meeting.id;
  };
  const sent = async (kind: string, to: string): Promise<Email[]> => {
    const entries = (await world.outbox()).filter((m) => m.kind === kind && m.to.includes(to));
    return Promise.all(entries.map(async (m) => PostalMime.parse(await readFile(m.file))));
  };
  const onlyMail = async (kind: string, to: string): Promise<Email> => {
    const [only, ...more] = await sent(kind, to);
    expect(more, `one ${kind} to ${to}`).toEqual([]);
    if (only === undefined) throw new Error(`no ${kind} to ${to}`);
    return only;
  };
  const optOut = async (address: string) => (await world.store.getPerson(address))?.optOut ?? [];

  beforeAll(async () => {
    worlds = await startWorlds();
  });
  afterAll(async () => {
    await worlds.close();
  });
  beforeEach(async () => {
    world = await worlds.world('2026-11-12T21:00:00Z');
    await ingestLoop();
    world.clock.set(monday);
  });
  afterEach(async () => {
    await world.dispose();
  });

  describe('the headers and the footer', () => {
    it.each([
      ['weekly', dana, () => sendWeekly(world.deps, dana)],
      ['rollup', dana, () => sendWeekly(world.deps, dana)],
      [
        'digest',
        marcus,
        async () => {
          world.clock.set(digestMorning);
          return sendDigest(world.deps, { seriesId, recipient: marcus, meetingDate: '2026-11-26' });
        },
      ],
    ] as const)(
      '[R17] the %s .eml carries List-Unsubscribe with a valid token and List-Unsubscribe-Post',
      async (kind, to, send) => {
        await send();

        const email = await onlyMail(kind, to);
        const { url, post } = unsubscribeHeaders(email);
        expect(post).toBe('List-Unsubscribe=One-Click');
        expect(url).toMatch(/^http:\/\/127\.0\.0\.1:8787\/u\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
        const token = url?.split('/u/')[1] ?? '';
        expect(verifyUnsubscribe(token, testSigningKeys, world.clock.now())).toEqual({
          ok: true,
          claims: {
            kind,
            recipient: to,
            expiresAt: epoch(world.clock.now().toISOString()) + UNSUBSCRIBE_LIFETIME_DAYS * 86_400,
          },
        });
        // The footer link is the same URL, in both parts.
        expect(email.text).toContain(`: ${url}\n`);
        expect(email.html).toContain(`href="${url?.replaceAll('/', '&#x2F;')}"`);
      },
    );

    it('[R17] the wrap-up carries no List-Unsubscribe: it is transactional', async () => {
      await sendWrapup(world.deps, wrapupMeeting);

      const email = await onlyMail('wrapup', marcus);
      expect(unsubscribeHeaders(email)).toEqual({ url: undefined, post: undefined });
      expect(email.text).not.toMatch(/unsubscribe/i);
    });
  });

  describe('the link', () => {
    it('[R17] GET shows what it would do and changes nothing', async () => {
      const outcome = await previewUnsubscribe(world.deps, unsubscribeToken('weekly'));

      expect(outcome).toEqual({ ok: true, state: 'confirm', kind: 'weekly', address: marcus });
      expect(await optOut(marcus)).toEqual([]);
    });

    it('[R17] POST stores the opt-out for that person and that kind only', async () => {
      const outcome = await applyUnsubscribe(world.deps, unsubscribeToken('weekly'), { resubscribe: false });

      expect(outcome).toEqual({ ok: true, state: 'unsubscribed', kind: 'weekly', address: marcus });
      expect(await optOut(marcus)).toEqual(['weekly']);
      expect(await optOut(dana)).toEqual([]);
    });

    it('[R17] a second POST (a provider retrying) says so and changes nothing', async () => {
      await applyUnsubscribe(world.deps, unsubscribeToken('weekly'), { resubscribe: false });
      const before = await world.store.getPerson(marcus);
      world.clock.set('2026-11-23T14:00:00Z');

      const outcome = await applyUnsubscribe(world.deps, unsubscribeToken('weekly'), { resubscribe: false });

      expect(outcome).toMatchObject({ ok: true, state: 'already-unsubscribed' });
      expect(await world.store.getPerson(marcus)).toStrictEqual(before);
    });

    it('[R17] GET after unsubscribing says it is done already', async () => {
      await applyUnsubscribe(world.deps, unsubscribeToken('weekly'), { resubscribe: false });

      expect(await previewUnsubscribe(world.deps, unsubscribeToken('weekly'))).toMatchObject({
        state: 'already-unsubscribed',
      });
    });

    it('[R17] resubscribing from the result page removes the opt-out', async () => {
      await applyUnsubscribe(world.deps, unsubscribeToken('weekly'), { resubscribe: false });

      const outcome = await applyUnsubscribe(world.deps, unsubscribeToken('weekly'), { resubscribe: true });

      expect(outcome).toMatchObject({ ok: true, state: 'resubscribed' });
      expect(await optOut(marcus)).toEqual([]);
    });

    it('[R17] a tampered token is refused with a 400 and changes nothing', async () => {
      const [body = '', signature = ''] = unsubscribeToken('weekly').split('.');
      const tampered = `${body}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;

      const outcome = await applyUnsubscribe(world.deps, tampered, { resubscribe: false });

      expect(outcome).toMatchObject({ ok: false, status: 400 });
      expect(await optOut(marcus)).toEqual([]);
    });

    it('[R17] an expired token is refused with a 410 and changes nothing', async () => {
      const expired = unsubscribeToken('weekly', marcus, epoch('2026-11-23T12:59:59Z'));

      const outcome = await applyUnsubscribe(world.deps, expired, { resubscribe: false });

      expect(outcome).toMatchObject({ ok: false, status: 410 });
      expect(await optOut(marcus)).toEqual([]);
    });

    it('[R17] an action link’s token is refused with a 400 and changes nothing', async () => {
      const action = signLink(
        { action: 'done', meetingId: wrapupMeeting, seq: 1, recipient: marcus, expiresAt: epoch(nextMonday) },
        key,
      );

      const outcome = await applyUnsubscribe(world.deps, action, { resubscribe: false });

      expect(outcome).toMatchObject({ ok: false, status: 400 });
      expect(await optOut(marcus)).toEqual([]);
      expect((await world.store.getItem(wrapupMeeting, 1))?.status).toBe('open');
    });

    it('[R17] a token for someone we have no record of is a 404', async () => {
      const outcome = await applyUnsubscribe(world.deps, unsubscribeToken('weekly', 'nobody@acme-sales.example'), {
        resubscribe: false,
      });

      expect(outcome).toMatchObject({ ok: false, status: 404 });
      expect(await world.store.getPerson('nobody@acme-sales.example')).toBeNull();
    });
  });

  describe('the senders', () => {
    it('[R17] the weekly digest is not sent to someone who unsubscribed from it, and nothing is recorded', async () => {
      await applyUnsubscribe(world.deps, unsubscribeToken('weekly'), { resubscribe: false });

      const result = await sendWeekly(world.deps, marcus);

      expect(result.weekly).toBe('opted-out');
      expect(await sent('weekly', marcus)).toEqual([]);
      expect(await world.store.getOutbox(mailRef('weekly', marcus, '2026-11-23'))).toBeNull();
    });

    it('[R17] the others still get their weekly digest', async () => {
      await applyUnsubscribe(world.deps, unsubscribeToken('weekly'), { resubscribe: false });

      await sendWeekly(world.deps, marcus);
      await sendWeekly(world.deps, dana);

      // Sent within the same millisecond of the test clock: the outbox's order between them is a coin toss.
      expect((await world.outbox()).map((m) => `${m.kind} to ${m.to.join()}`).sort()).toEqual([
        `rollup to ${dana}`,
        `weekly to ${dana}`,
      ]);
    });

    it('[R17] the roll-up stops on its own: unsubscribing from it leaves the weekly digest', async () => {
      await applyUnsubscribe(world.deps, unsubscribeToken('rollup', dana), { resubscribe: false });

      const result = await sendWeekly(world.deps, dana);

      expect(result).toEqual({ weekly: 'sent', rollup: 'opted-out' });
      expect((await world.outbox()).map((m) => m.kind)).toEqual(['weekly']);
      expect(await world.store.getOutbox(mailRef('rollup', dana, '2026-11-23'))).toBeNull();
    });

    it('[R17] the pre-meeting digest is not sent to someone who unsubscribed from it; the other attendee gets theirs', async () => {
      await applyUnsubscribe(world.deps, unsubscribeToken('digest'), { resubscribe: false });
      world.clock.set(digestMorning);

      const toMarcus = await sendDigest(world.deps, { seriesId, recipient: marcus, meetingDate: '2026-11-26' });
      await sendDigest(world.deps, { seriesId, recipient: dana, meetingDate: '2026-11-26' });

      expect(toMarcus).toEqual({ outcome: 'opted-out' });
      expect((await world.outbox()).map((m) => [m.kind, m.to])).toEqual([['digest', [dana]]]);
      expect(await world.store.getOutbox(mailRef('digest', seriesId, marcus, '2026-11-26'))).toBeNull();
    });

    it('[R17] unsubscribing from digests leaves the wrap-up, which is transactional', async () => {
      await applyUnsubscribe(world.deps, unsubscribeToken('digest'), { resubscribe: false });
      await applyUnsubscribe(world.deps, unsubscribeToken('weekly'), { resubscribe: false });

      await sendWrapup(world.deps, wrapupMeeting);

      expect((await sent('wrapup', marcus)).length).toBe(1);
    });

    it('[R17] a resubscribed person gets the next weekly digest again', async () => {
      await applyUnsubscribe(world.deps, unsubscribeToken('weekly'), { resubscribe: false });
      await sendWeekly(world.deps, marcus);
      await applyUnsubscribe(world.deps, unsubscribeToken('weekly'), { resubscribe: true });
      world.clock.set(nextMonday);

      await sendWeekly(world.deps, marcus);

      expect((await world.outbox()).map((m) => [m.kind, m.to])).toEqual([['weekly', [marcus]]]);
    });
  });
});
