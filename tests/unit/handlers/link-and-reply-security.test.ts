import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type LinkAction, type SigningKey, signLink } from '../../../functions/domain/links/token';
import type { StoredItem } from '../../../functions/domain/model';
import { createActionLinksHandler } from '../../../functions/handlers/action-links';
import { ingestEmail } from '../../../functions/use-cases/ingest-email';
import { refInSubject } from '../../../functions/use-cases/outgoing';
import { sendWrapup } from '../../../functions/use-cases/send-wrapup';
import { type AwsWorld, fixtureEvent, startAwsWorlds } from '../../support/aws-world';
import { fixtureBytes } from '../../support/fixtures';
import { testSigningKeys } from '../../support/use-case-deps';

type HttpEvent = {
  rawPath: string;
  headers: Record<string, string>;
  requestContext: { http: { method: string; path: string } };
};

const sample = fixtureEvent<HttpEvent>('http-api-action-link.json');
const origin = 'https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com';
const dana = 'dana.whitfield@acme-sales.example';
const marcus = 'marcus.reid@acme-sales.example';
const priya = 'priya.natarajan@acme-sales.example';
const [currentKey, previousKey] = testSigningKeys as [SigningKey, SigningKey];
const strangerKey: SigningKey = { id: 'k9', secret: 'a-key-nobody-configured-0123456789abcdef' };

function request(method: string, path: string, headers: Record<string, string> = {}): HttpEvent {
  const event = structuredClone(sample);
  event.rawPath = path;
  event.requestContext.http = { ...event.requestContext.http, method, path };
  event.headers = { ...event.headers, ...headers };
  return event;
}

const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
const encode = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

/** The token with its payload edited and its signature kept, as someone editing a link by hand would send it. */
function edited(token: string, change: Record<string, unknown>): string {
  const [body = '', signature = ''] = token.split('.');
  return `${encode({ ...decode(body), ...change })}.${signature}`;
}

/**
 * Two series on the AWS side: A is Dana and Marcus's 1:1 (12 Nov), B is Dana and Priya's (17 Nov). Marcus was
 * never at B. The action-link handler runs as the HTTP API invokes it; the store is dynalite.
 */
describe('action links and replies: who may change which item', () => {
  let worlds: Awaited<ReturnType<typeof startAwsWorlds>>;
  let world: AwsWorld;
  let handler: ReturnType<typeof createActionLinksHandler>;
  let meetingA: string;
  let meetingB: string;

  /** Every item of both series, as stored: what a refused request must leave exactly as it was. */
  const everything = async (): Promise<StoredItem[]> => [
    ...(await world.store.listMeetingItems(meetingA)),
    ...(await world.store.listMeetingItems(meetingB)),
  ];
  const token = (
    options: { action?: LinkAction; meeting?: string; seq?: number; recipient?: string; key?: SigningKey } = {},
  ) =>
    signLink(
      {
        action: options.action ?? 'done',
        meetingId: options.meeting ?? meetingA,
        seq: options.seq ?? 1,
        recipient: options.recipient ?? marcus,
        expiresAt: Math.floor(world.clock.now().getTime() / 1000) + 30 * 86_400,
      },
      options.key ?? currentKey,
    );
  const post = (token: string, headers: Record<string, string> = { origin }) =>
    handler(request('POST', `/a/${token}`, headers));

  beforeAll(async () => {
    worlds = await startAwsWorlds();
  });
  afterAll(async () => {
    await worlds.close();
  });
  beforeEach(async () => {
    world = await worlds.world('2026-11-12T21:00:03Z');
    const a = await ingestEmail(world.deps, fixtureBytes('loop/01-dana-marcus-nov12.eml'));
    world.clock.set('2026-11-17T21:00:00Z');
    const b = await ingestEmail(world.deps, fixtureBytes('loop/02-dana-priya-nov17.eml'));
    if (a.outcome !== 'ingested' || b.outcome !== 'ingested') throw new Error('the fixtures should ingest');
    meetingA = a.meeting.id;
    meetingB = b.meeting.id;
    world.clock.set('2026-11-17T22:00:00Z');
    handler = createActionLinksHandler({ links: world.deps, baseUrl: origin });
  });

  describe('tokens (R18)', () => {
    it('[R18] refuses a token whose payload names another item, with 400, and changes nothing', async () => {
      const before = await everything();

      const result = await post(edited(token(), { s: 2 }));

      expect(result.statusCode).toBe(400);
      expect(await everything()).toEqual(before);
    });

    it('[R18] refuses a token whose payload names another action, with 400, and changes nothing', async () => {
      const before = await everything();

      const result = await post(edited(token({ action: 'snooze' }), { a: 'drop' }));

      expect(result.statusCode).toBe(400);
      expect(await everything()).toEqual(before);
    });

    it('[R18] refuses a token whose payload names another recipient, with 400, and changes nothing', async () => {
      const before = await everything();

      const result = await post(edited(token({ recipient: priya, meeting: meetingB }), { r: dana }));

      expect(result.statusCode).toBe(400);
      expect(await everything()).toEqual(before);
    });

    it('[R18] refuses a token whose payload moves its expiry, with 400, and changes nothing', async () => {
      const before = await everything();

      const result = await post(edited(token(), { e: Math.floor(Date.parse('2027-11-17T00:00:00Z') / 1000) }));

      expect(result.statusCode).toBe(400);
      expect(await everything()).toEqual(before);
    });

    it('[R18] refuses a token whose signature was altered, with 400, and changes nothing', async () => {
      const before = await everything();
      const [body, signature = ''] = token().split('.');
      const altered = `${body}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;

      const result = await post(altered);

      expect(result.statusCode).toBe(400);
      expect(await everything()).toEqual(before);
    });

    it('[R18] refuses an expired token with 410 and changes nothing', async () => {
      const link = token();
      world.clock.set('2026-12-17T22:00:00Z');
      const before = await everything();

      const result = await post(link);

      expect(result.statusCode).toBe(410);
      expect(await everything()).toEqual(before);
    });

    it('[R18] refuses a token signed with a key id that is not configured, with 400, and changes nothing', async () => {
      const before = await everything();

      const result = await post(token({ key: strangerKey }));

      expect(result.statusCode).toBe(400);
      expect(await everything()).toEqual(before);
    });

    it('[R18] refuses a token naming a configured key id but signed with another secret, with 400', async () => {
      const before = await everything();

      const result = await post(token({ key: { id: currentKey.id, secret: strangerKey.secret } }));

      expect(result.statusCode).toBe(400);
      expect(await everything()).toEqual(before);
    });

    it('[R18] refuses a token whose key was removed after a rotation, with 400, and changes nothing', async () => {
      const link = token({ key: previousKey });
      const rotated = createActionLinksHandler({
        links: { ...world.deps, signingKeys: [currentKey] },
        baseUrl: origin,
      });
      const before = await everything();

      const result = await rotated(request('POST', `/a/${link}`, { origin }));

      expect(result.statusCode).toBe(400);
      expect(await everything()).toEqual(before);
    });

    it('[R18] takes a token of the previous key while it is still listed', async () => {
      const result = await post(token({ key: previousKey }));

      expect(result.statusCode).toBe(200);
      expect((await world.store.getItem(meetingA, 1))?.status).toBe('done');
    });

    it('[R18] refuses the token of someone who was not at the meeting, with 403, and changes nothing', async () => {
      const before = await everything();

      const result = await post(token({ recipient: priya }));

      expect(result.statusCode).toBe(403);
      expect(await everything()).toEqual(before);
    });

    it('[R18] undoes nothing with another recipient’s token, and keeps the change', async () => {
      await post(token());
      const before = await everything();

      const result = await handler(request('POST', `/a/${token({ recipient: dana })}/undo`, { origin }));

      // Dana was at the 1:1, so her link works; it only undoes her own change, and this one is Marcus's.
      expect(result.statusCode).toBe(200);
      expect(await everything()).toEqual(before);
    });
  });

  describe('GET and cross-site POST (R19)', () => {
    /** Every action link of every wrap-up SES was handed, as the path the HTTP API routes. */
    const actionPaths = async (): Promise<string[]> => {
      await sendWrapup(world.deps, meetingA);
      await sendWrapup(world.deps, meetingB);
      const mails = await world.sentMail();
      const paths = mails.flatMap(({ email }) =>
        [...`${email.text ?? ''} ${email.html ?? ''}`.matchAll(/https:\/\/[\w.-]+(\/a\/[\w-]+\.[\w-]+)/g)].map(
          (m) => m[1] ?? '',
        ),
      );
      return [...new Set(paths)];
    };

    it('[R19] leaves every item as it was after a GET and a HEAD of every action link, of every action', async () => {
      const before = await everything();
      // The wrap-ups' Done links, and the Drop and Snooze links digests carry, for every item and attendee.
      const signed = before.flatMap((item) =>
        (item.meetingId === meetingA ? [dana, marcus] : [dana, priya]).flatMap((recipient) =>
          (['drop', 'snooze'] as const).map(
            (action) => `/a/${token({ action, meeting: item.meetingId, seq: item.seq, recipient })}`,
          ),
        ),
      );
      const paths = [...(await actionPaths()), ...signed];

      const statuses: number[] = [];
      for (const path of paths) {
        statuses.push((await handler(request('GET', path))).statusCode ?? 0);
        statuses.push((await handler(request('HEAD', path))).statusCode ?? 0);
      }

      expect(paths.length).toBe(before.length * 2 * 3);
      expect(new Set(statuses)).toEqual(new Set([200]));
      expect(await everything()).toEqual(before);
    });

    it('[R19] refuses a POST whose Origin is another site with 403 and changes nothing', async () => {
      const before = await everything();

      const result = await post(token(), { origin: 'https://evil.example' });

      expect(result.statusCode).toBe(403);
      expect(await everything()).toEqual(before);
    });

    it('[R19] refuses a POST whose Referer is another site, without an Origin, with 403 and changes nothing', async () => {
      const before = await everything();

      const result = await post(token(), { referer: 'https://evil.example/page-that-learnt-the-link' });

      expect(result.statusCode).toBe(403);
      expect(await everything()).toEqual(before);
    });

    it('[R19] refuses an undo from another site with 403 and keeps the change', async () => {
      await post(token());
      const before = await everything();

      const result = await handler(request('POST', `/a/${token()}/undo`, { origin: 'https://evil.example' }));

      expect(result.statusCode).toBe(403);
      expect(await everything()).toEqual(before);
    });

    it('[R19] applies a POST from its own confirm page', async () => {
      const result = await post(token(), { origin, referer: `${origin}/a/${token()}` });

      expect(result.statusCode).toBe(200);
      expect((await world.store.getItem(meetingA, 1))?.status).toBe('done');
    });
  });

  describe('one series’ links and replies cannot touch another’s items (R20)', () => {
    it('[R20] refuses a token of series A edited to name series B’s meeting, with 400, and B is unchanged', async () => {
      const before = await world.store.listMeetingItems(meetingB);

      const result = await post(edited(token({ recipient: dana }), { m: meetingB }));

      expect(result.statusCode).toBe(400);
      expect(await world.store.listMeetingItems(meetingB)).toEqual(before);
    });

    it('[R20] refuses a validly signed token naming B’s item for someone who was only at A, with 403', async () => {
      const before = await world.store.listMeetingItems(meetingB);

      const result = await post(token({ meeting: meetingB, recipient: marcus }));

      expect(result.statusCode).toBe(403);
      expect(await world.store.listMeetingItems(meetingB)).toEqual(before);
    });

    /** B's wrap-up to Priya as SES was handed it, and its record (with the Message-ID SES gave it). */
    const wrapupOfB = async () => {
      await sendWrapup(world.deps, meetingB);
      const mail = (await world.sentMail()).find((m) => m.input.Destinations?.includes(priya));
      const record = await world.store.getSentMail(refInSubject(mail?.email.subject ?? '') ?? '');
      if (mail === undefined || record === null) throw new Error('B’s wrap-up to Priya should be sent and recorded');
      return { subject: mail.email.subject ?? '', messageId: record.messageId };
    };
    /** A reply from Marcus, who was at A only, with `done 1, 2` on top. */
    const marcusReplies = (subject: string, headers: string[] = []) =>
      new TextEncoder().encode(
        [
          'From: Marcus Reid <marcus.reid@acme-sales.example>',
          'To: followthrough <notes@followthrough.example>',
          `Subject: Re: ${subject}`,
          'Date: Tue, 17 Nov 2026 18:30:00 -0500',
          'Message-ID: <r20-marcus@mail.acme-sales.example>',
          ...headers,
          'MIME-Version: 1.0',
          'Content-Type: text/plain; charset="utf-8"',
          '',
          'done 1, 2',
          '',
        ].join('\r\n'),
      );

    it('[R20] ignores a reply from an attendee of A that quotes the [ft-ref] of B’s mail: B is unchanged', async () => {
      const { subject } = await wrapupOfB();
      const before = await world.store.listMeetingItems(meetingB);

      const result = await ingestEmail(world.deps, marcusReplies(subject));

      expect(result).toMatchObject({ outcome: 'reply-refused' });
      expect(await world.store.listMeetingItems(meetingB)).toEqual(before);
      expect((await world.sentMail()).filter((m) => m.input.Destinations?.includes(marcus))).toEqual([]);
    });

    it('[R20] ignores a reply from an attendee of A threaded under B’s mail by In-Reply-To: B is unchanged', async () => {
      const { messageId } = await wrapupOfB();
      const before = await world.store.listMeetingItems(meetingB);

      const result = await ingestEmail(
        world.deps,
        marcusReplies('Our 1:1', [`In-Reply-To: ${messageId}`, `References: ${messageId}`]),
      );

      expect(result).toMatchObject({ outcome: 'reply-refused' });
      expect(await world.store.listMeetingItems(meetingB)).toEqual(before);
      expect((await world.sentMail()).filter((m) => m.input.Destinations?.includes(marcus))).toEqual([]);
    });

    it('[R20] changes only A’s item when a valid token of A is used, never B’s item of the same number', async () => {
      const before = await world.store.listMeetingItems(meetingB);

      const result = await post(token({ recipient: dana }));

      expect(result.statusCode).toBe(200);
      expect((await world.store.getItem(meetingA, 1))?.status).toBe('done');
      expect(await world.store.listMeetingItems(meetingB)).toEqual(before);
    });
  });
});
