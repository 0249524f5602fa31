import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signLink } from '../../../functions/domain/links/token';
import type { LinkAction } from '../../../functions/domain/render/inputs';
import { createActionLinksHandler } from '../../../functions/handlers/action-links';
import { ingestEmail, meetingIdOf } from '../../../functions/use-cases/ingest-email';
import { type AwsWorld, fixtureEvent, startAwsWorlds } from '../../support/aws-world';
import { testSigningKeys } from '../../support/use-case-deps';

type HttpEvent = {
  rawPath: string;
  headers: Record<string, string>;
  requestContext: { http: { method: string; path: string } };
  pathParameters?: Record<string, string>;
};

const sample = fixtureEvent<HttpEvent>('http-api-action-link.json');
const loop = join(import.meta.dirname, '../../fixtures/emails/loop');
const meetingId = meetingIdOf('<20261112205012.1001.loop@mail.acme-sales.example>');
const marcus = 'marcus.reid@acme-sales.example';
const origin = 'https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com';

/** The sample request for `path`, as a browser sends it. */
function request(method: string, path: string, headers: Record<string, string> = {}): HttpEvent {
  const event = structuredClone(sample);
  event.rawPath = path;
  event.requestContext.http = { ...event.requestContext.http, method, path };
  event.headers = { ...event.headers, ...headers };
  return event;
}

const token = (action: LinkAction = 'done', seq = 1, recipient = marcus, key = testSigningKeys[0]) => {
  if (key === undefined) throw new Error('no test key');
  return signLink({ action, meetingId, seq, recipient, expiresAt: Math.floor(Date.now() / 1000) + 86_400 }, key);
};

describe('the action-link handler', () => {
  let worlds: Awaited<ReturnType<typeof startAwsWorlds>>;
  let world: AwsWorld;
  let handler: ReturnType<typeof createActionLinksHandler>;
  const status = async () => (await world.store.getItem(meetingId, 1))?.status;

  beforeAll(async () => {
    worlds = await startAwsWorlds();
  });
  afterAll(async () => {
    await worlds.close();
  });
  beforeEach(async () => {
    world = await worlds.world('2026-11-12T21:00:03Z');
    await ingestEmail(world.deps, readFileSync(join(loop, '01-dana-marcus-nov12.eml')));
    world.clock.set(new Date());
    handler = createActionLinksHandler({ links: world.deps, baseUrl: origin });
  });

  it('shows a confirm page on GET and changes nothing (mail scanners open links)', async () => {
    const result = await handler(request('GET', `/a/${token()}`));

    expect(result.statusCode).toBe(200);
    expect(result.headers?.['Content-Security-Policy']).toContain("default-src 'none'");
    expect(result.body).toContain(`action="&#x2F;a&#x2F;${token()}"`);
    expect(await status()).toBe('open');
  });

  it('applies the action on the confirm page’s POST', async () => {
    const result = await handler(request('POST', `/a/${token()}`, { origin }));

    expect(result.statusCode).toBe(200);
    expect(result.body).toContain('Done');
    expect(await status()).toBe('done');
  });

  it('undoes it from the result page', async () => {
    await handler(request('POST', `/a/${token()}`, { origin }));

    const result = await handler(request('POST', `/a/${token()}/undo`, { origin }));

    expect(result.statusCode).toBe(200);
    expect(await status()).toBe('open');
  });

  it('refuses a POST from another site with 403, changing nothing', async () => {
    const result = await handler(request('POST', `/a/${token()}`, { origin: 'https://evil.example' }));

    expect(result.statusCode).toBe(403);
    expect(await status()).toBe('open');
  });

  it('answers a tampered link with 400 and a page in plain words', async () => {
    const tampered = `${token().slice(0, -4)}AAAA`;

    const result = await handler(request('POST', `/a/${tampered}`, { origin }));

    expect(result.statusCode).toBe(400);
    expect(result.headers?.['Content-Type']).toBe('text/html; charset=utf-8');
    expect(await status()).toBe('open');
  });

  it('answers a link signed for someone who was not at the meeting with 403', async () => {
    const result = await handler(request('POST', `/a/${token('done', 1, 'stranger@example.com')}`, { origin }));

    expect(result.statusCode).toBe(403);
    expect(await status()).toBe('open');
  });

  it('answers a GET on the undo address with 405 and the methods it takes', async () => {
    const result = await handler(request('GET', `/a/${token()}/undo`));

    expect(result.statusCode).toBe(405);
    expect(result.headers?.Allow).toBe('POST');
  });

  it('answers an address that is not a link with 404', async () => {
    expect((await handler(request('GET', '/a/'))).statusCode).toBe(404);
  });

  it('answers a path whose escaping is broken with 400', async () => {
    expect((await handler(request('GET', '/a/%E0%A4%A'))).statusCode).toBe(400);
  });
});
