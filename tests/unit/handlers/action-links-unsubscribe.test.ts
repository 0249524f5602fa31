import { SendRawEmailCommand } from '@aws-sdk/client-ses';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signLink, signUnsubscribe } from '../../../functions/domain/links/token';
import { createActionLinksHandler } from '../../../functions/handlers/action-links';
import { ingestEmail } from '../../../functions/use-cases/ingest-email';
import { sendWeekly } from '../../../functions/use-cases/send-weekly';
import { type AwsWorld, fixtureEvent, startAwsWorlds } from '../../support/aws-world';
import { fixtureBytes } from '../../support/fixtures';
import { testSigningKeys } from '../../support/use-case-deps';

type HttpEvent = {
  rawPath: string;
  headers: Record<string, string>;
  requestContext: { http: { method: string; path: string } };
  pathParameters?: Record<string, string>;
  body?: string;
  isBase64Encoded: boolean;
};

const dana = 'dana.whitfield@acme-sales.example';
const marcus = 'marcus.reid@acme-sales.example';
const origin = 'https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com';
const monday = '2026-11-23T13:00:00Z';
const nextMonday = '2026-11-30T13:00:00Z';

/** A mail provider's RFC 8058 POST as API Gateway hands it over: form body base64-encoded, no Origin, no cookie. */
const oneClick = fixtureEvent<HttpEvent>('http-api-unsubscribe-one-click.json');

function request(
  method: string,
  path: string,
  changes: { headers?: Record<string, string>; body?: string; base64?: boolean } = {},
): HttpEvent {
  const event = structuredClone(oneClick);
  event.rawPath = path;
  event.requestContext.http = { ...event.requestContext.http, method, path };
  event.pathParameters = { token: path.split('/')[2] ?? '' };
  event.headers = { ...event.headers, ...changes.headers };
  if (method === 'GET') {
    delete event.body;
    delete event.headers['content-type'];
    delete event.headers['content-length'];
    event.isBase64Encoded = false;
  } else if (changes.body !== undefined) {
    event.isBase64Encoded = changes.base64 ?? false;
    event.body = event.isBase64Encoded ? Buffer.from(changes.body).toString('base64') : changes.body;
    event.headers['content-length'] = String(Buffer.byteLength(changes.body));
  }
  return event;
}

const key = testSigningKeys[0] ?? { id: 'none', secret: '' };
const inAYear = Math.floor(Date.parse(monday) / 1000) + 365 * 86_400;

describe('the action-link handler at /u/{token} (RFC 8058 unsubscribe on AWS)', () => {
  let worlds: Awaited<ReturnType<typeof startAwsWorlds>>;
  let world: AwsWorld;
  let handler: ReturnType<typeof createActionLinksHandler>;

  /** The path of List-Unsubscribe in the weekly digest SES was asked to send to this person. */
  const unsubscribePath = async (to: string): Promise<string> => {
    const mail = (await world.sentMail()).find(
      ({ email }) =>
        email.headers.find((h) => h.key === 'x-followthrough-kind')?.value === 'weekly' &&
        email.to?.some((a) => a.address === to),
    );
    const header = mail?.email.headers.find((h) => h.key === 'list-unsubscribe')?.value.trim() ?? '';
    return new URL(/^<([^<>]+)>$/.exec(header)?.[1] ?? 'http://invalid/').pathname;
  };
  const optOut = async (address: string) => (await world.store.getPerson(address))?.optOut ?? [];
  /** Who SES was asked to send a weekly digest to, from the n-th SendRawEmail on. */
  const weekliesFrom = async (first: number) =>
    (await world.sentMail())
      .slice(first)
      .filter(({ email }) => email.headers.find((h) => h.key === 'x-followthrough-kind')?.value === 'weekly')
      .flatMap(({ input }) => input.Destinations ?? [])
      .sort();

  beforeAll(async () => {
    worlds = await startAwsWorlds();
  });
  afterAll(async () => {
    await worlds.close();
  });
  beforeEach(async () => {
    world = await worlds.world('2026-11-12T21:00:00Z');
    for (const [name, at] of [
      ['loop/01-dana-marcus-nov12.eml', '2026-11-12T21:00:00Z'],
      ['loop/02-dana-priya-nov17.eml', '2026-11-17T16:10:00Z'],
      ['loop/03-dana-marcus-nov19.eml', '2026-11-19T21:15:00Z'],
    ] as const) {
      world.clock.set(at);
      await ingestEmail(world.deps, fixtureBytes(name));
    }
    world.clock.set(monday);
    await sendWeekly(world.deps, marcus);
    await sendWeekly(world.deps, dana);
    handler = createActionLinksHandler({ links: world.deps, baseUrl: origin });
  });

  it('[R17] the weekly digest SES sends carries both RFC 8058 headers, pointing at this API', async () => {
    const [mail] = await world.sentMail();

    expect(mail?.email.headers.find((h) => h.key === 'list-unsubscribe-post')?.value).toBe(
      'List-Unsubscribe=One-Click',
    );
    expect(mail?.email.headers.find((h) => h.key === 'list-unsubscribe')?.value.trim()).toMatch(
      new RegExp(`^<${origin}/u/[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+>$`),
    );
  });

  it('[R17] a provider’s one-click POST (base64 form body, no Origin) stores the opt-out', async () => {
    const path = await unsubscribePath(marcus);

    const result = await handler(request('POST', path, { body: 'List-Unsubscribe=One-Click', base64: true }));

    expect(result.statusCode).toBe(200);
    expect(await optOut(marcus)).toEqual(['weekly']);
    expect(await optOut(dana)).toEqual([]);
  });

  it('[R17] after it, the next weekly goes to the other person only', async () => {
    await handler(request('POST', await unsubscribePath(marcus), { body: 'List-Unsubscribe=One-Click' }));
    const before = world.sesMock.commandCalls(SendRawEmailCommand).length;
    world.clock.set(nextMonday);

    await sendWeekly(world.deps, marcus);
    await sendWeekly(world.deps, dana);

    expect(await weekliesFrom(before)).toEqual([dana]);
  });

  it('[R17] GET shows the confirm page and changes nothing', async () => {
    const path = await unsubscribePath(marcus);

    const result = await handler(request('GET', path));

    expect(result.statusCode).toBe(200);
    expect(result.body).toContain('Unsubscribe from the weekly digest?');
    expect(result.headers?.['Content-Security-Policy']).toContain("form-action 'self'");
    expect(await optOut(marcus)).toEqual([]);
  });

  it('[R17] a POST from a page on another site gets 403 and changes nothing', async () => {
    const path = await unsubscribePath(marcus);

    const result = await handler(
      request('POST', path, { body: 'List-Unsubscribe=One-Click', headers: { origin: 'https://evil.example' } }),
    );

    expect(result.statusCode).toBe(403);
    expect(await optOut(marcus)).toEqual([]);
  });

  it('[R17] the result page’s Resubscribe (same origin, resubscribe=1) removes the opt-out', async () => {
    const path = await unsubscribePath(marcus);
    await handler(request('POST', path, { body: 'List-Unsubscribe=One-Click' }));

    const result = await handler(
      request('POST', path, {
        body: 'resubscribe=1',
        headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
      }),
    );

    expect(result.statusCode).toBe(200);
    expect(await optOut(marcus)).toEqual([]);
  });

  it('[R17] a tampered token gets 400 and changes nothing', async () => {
    const path = await unsubscribePath(marcus);
    const at = path.indexOf('.') + 1;
    const tampered = `${path.slice(0, at)}${path[at] === 'A' ? 'B' : 'A'}${path.slice(at + 1)}`;

    const result = await handler(request('POST', tampered, { body: 'List-Unsubscribe=One-Click' }));

    expect(result.statusCode).toBe(400);
    expect(await optOut(marcus)).toEqual([]);
  });

  it('[R17] an expired token gets 410 and changes nothing', async () => {
    const expired = signUnsubscribe({ kind: 'weekly', recipient: marcus, expiresAt: Date.parse(monday) / 1000 }, key);

    const result = await handler(request('POST', `/u/${expired}`, { body: 'List-Unsubscribe=One-Click' }));

    expect(result.statusCode).toBe(410);
    expect(await optOut(marcus)).toEqual([]);
  });

  it('[R17] an action link’s token at /u gets 400 and changes nothing', async () => {
    const meetingId = (await world.store.listMeetings({ limit: 1 })).items[0]?.id ?? '';
    const action = signLink({ action: 'done', meetingId, seq: 1, recipient: marcus, expiresAt: inAYear }, key);

    const result = await handler(request('POST', `/u/${action}`, { body: 'List-Unsubscribe=One-Click' }));

    expect(result.statusCode).toBe(400);
    expect(await optOut(marcus)).toEqual([]);
    expect((await world.store.getItem(meetingId, 1))?.status).toBe('open');
  });

  it('[R17] an unsubscribe token at /a gets 400 and changes nothing', async () => {
    const unsubscribe = signUnsubscribe({ kind: 'weekly', recipient: marcus, expiresAt: inAYear }, key);

    const result = await handler(request('POST', `/a/${unsubscribe}`, { headers: { origin } }));

    expect(result.statusCode).toBe(400);
    expect(await optOut(marcus)).toEqual([]);
  });

  it('[R17] a body larger than any unsubscribe request gets 413 and changes nothing', async () => {
    const path = await unsubscribePath(marcus);

    const result = await handler(request('POST', path, { body: `List-Unsubscribe=One-Click&${'x'.repeat(20_000)}` }));

    expect(result.statusCode).toBe(413);
    expect(await optOut(marcus)).toEqual([]);
  });

  it('[R17] a PUT gets 405 with the methods the link takes', async () => {
    const result = await handler(request('PUT', await unsubscribePath(marcus), { body: '' }));

    expect(result.statusCode).toBe(405);
    expect(result.headers?.Allow).toBe('GET, HEAD, POST');
  });
});
