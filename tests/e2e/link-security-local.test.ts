import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PostalMime from 'postal-mime';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type LocalApp, startHttpServer } from '../../functions/adapters/local/http-server';
import { ENV } from '../../functions/config/env';
import { type LinkAction, type SigningKey, signLink } from '../../functions/domain/links/token';
import type { StoredItem } from '../../functions/domain/model';
import { type LocalStack, openLocalStack } from '../../functions/wiring';
import { fixtureBytes } from '../support/fixtures';
import { testSigningKeys } from '../support/use-case-deps';

const dana = 'dana.whitfield@acme-sales.example';
const marcus = 'marcus.reid@acme-sales.example';
const [currentKey, previousKey] = testSigningKeys as [SigningKey, SigningKey];
const keySpec = (keys: SigningKey[]) => keys.map((key) => `${key.id}:${key.secret}`).join(',');

/**
 * The local stack as `serve` runs it (real wiring: dynalite in the data dir, the outbox, the file scheduler) behind
 * the local HTTP server, with the links of a wrap-up really sent: the Done links of both attendees' mails.
 */
describe('action links on the local server', () => {
  let dir: string;
  let stack: LocalStack | undefined;
  let http: { url: string; close(): Promise<void> };
  let meetingId: string;
  /** Every action link of both wrap-ups (a Done link per item), as paths (`/a/<token>`). */
  let links: string[];

  const opened = (): LocalStack => {
    if (stack === undefined) throw new Error('the stack is not open');
    return stack;
  };
  const open = async (keys: SigningKey[]) => {
    stack = await openLocalStack(dir, {
      ...process.env,
      [ENV.baseUrl]: http.url,
      [ENV.linkKeys]: keySpec(keys),
    });
  };
  const items = async (): Promise<StoredItem[]> => opened().store.listMeetingItems(meetingId);
  const post = (path: string, headers: Record<string, string> = { Origin: http.url }) =>
    fetch(`${http.url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
      body: '',
    });
  const token = (options: { recipient?: string; key?: SigningKey; seq?: number; action?: LinkAction } = {}) =>
    signLink(
      {
        action: options.action ?? 'done',
        meetingId,
        seq: options.seq ?? 1,
        recipient: options.recipient ?? marcus,
        expiresAt: Math.floor(opened().clock.now().getTime() / 1000) + 30 * 86_400,
      },
      options.key ?? currentKey,
    );
  /** Marcus's Done link for item 1, from his wrap-up. */
  const doneLink = (): string => {
    const found = links.find((path) => {
      const body = path.slice('/a/'.length).split('.')[0] ?? '';
      const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
      return payload.a === 'done' && payload.s === 1 && payload.r === marcus;
    });
    if (found === undefined) throw new Error('Marcus’s wrap-up should carry a Done link for item 1');
    return found;
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'followthrough-links-'));
    // As `serve` does: the server listens first, so that the links in the mails name its port.
    const app = new Proxy({} as LocalApp, {
      get:
        (_app, method) =>
        (...args: unknown[]) =>
          (opened().app[method as keyof LocalApp] as (...given: unknown[]) => unknown)(...args),
    });
    http = await startHttpServer(app, { port: 0 });
    await open([currentKey, previousKey]);
    const local = opened();
    local.clock.set(new Date('2026-11-12T21:00:03Z'));
    const ingested = await local.ingestEmail(fixtureBytes('loop/01-dana-marcus-nov12.eml'));
    if (ingested.outcome !== 'ingested') throw new Error(`the fixture should ingest, not ${ingested.outcome}`);
    meetingId = ingested.meeting.id;
    local.clock.set(new Date('2026-11-12T21:31:00Z'));
    await local.scheduler.runDue(local.clock.now(), local.runScheduledJob);
    const mails = await Promise.all(
      (await local.listOutbox()).map(async (entry) => PostalMime.parse(await readFile(entry.file))),
    );
    links = [
      ...new Set(mails.flatMap((mail) => [...(mail.text ?? '').matchAll(/\/a\/[\w-]+\.[\w-]+/g)].map((m) => m[0]))),
    ];
    local.clock.set(new Date('2026-11-12T22:00:00Z'));
  });
  afterEach(async () => {
    await http.close();
    await stack?.close();
    stack = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('[R19] leaves every item as it was after a GET and a HEAD of every action link, of every action', async () => {
    const before = await items();
    // The wrap-ups' Done links, and the Drop and Snooze links digests carry, for every item and both attendees.
    const signed = before.flatMap((item) =>
      [dana, marcus].flatMap((recipient) =>
        (['drop', 'snooze'] as const).map((action) => `/a/${token({ recipient, seq: item.seq, action })}`),
      ),
    );

    const statuses: number[] = [];
    for (const path of [...links, ...signed]) {
      statuses.push((await fetch(`${http.url}${path}`)).status);
      statuses.push((await fetch(`${http.url}${path}`, { method: 'HEAD' })).status);
    }

    // One Done link per item in Dana's wrap-up and one in Marcus's.
    expect(links.length).toBe(before.length * 2);
    expect(new Set(statuses)).toEqual(new Set([200]));
    expect(await items()).toEqual(before);
  });

  it('[R19] refuses a POST whose Origin is another site with 403 and changes nothing', async () => {
    const before = await items();

    const response = await post(doneLink(), { Origin: 'https://evil.example' });

    expect(response.status).toBe(403);
    expect(await items()).toEqual(before);
  });

  it('[R19] refuses a POST whose Referer is another site, without an Origin, with 403 and changes nothing', async () => {
    const before = await items();

    const response = await post(doneLink(), { Referer: 'https://evil.example/page-that-learnt-the-link' });

    expect(response.status).toBe(403);
    expect(await items()).toEqual(before);
  });

  it('[R19] applies the POST of its own confirm page', async () => {
    const response = await post(doneLink(), { Origin: http.url });

    expect(response.status).toBe(200);
    expect((await items()).find((item) => item.seq === 1)).toMatchObject({
      status: 'done',
      lastChange: { by: marcus },
    });
  });

  it('[R18] refuses a link whose payload was edited to another item, with 400, and changes nothing', async () => {
    const [body = '', signature = ''] = doneLink().slice('/a/'.length).split('.');
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
    const forged = `${Buffer.from(JSON.stringify({ ...payload, s: 2 })).toString('base64url')}.${signature}`;
    const before = await items();

    const response = await post(`/a/${forged}`);

    expect(response.status).toBe(400);
    expect(await items()).toEqual(before);
  });

  it('[R18] refuses a link whose signature was altered, with 400, and changes nothing', async () => {
    const path = doneLink();
    const altered = `${path.slice(0, -1)}${path.endsWith('A') ? 'B' : 'A'}`;
    const before = await items();

    const response = await post(altered);

    expect(response.status).toBe(400);
    expect(await items()).toEqual(before);
  });

  it('[R18] refuses a link past its 30 days with 410 and changes nothing', async () => {
    opened().clock.set(new Date('2026-12-12T22:00:00Z'));
    const before = await items();

    const response = await post(doneLink());

    expect(response.status).toBe(410);
    expect(await items()).toEqual(before);
  });

  it('[R18] refuses a link signed with a key id that is not configured, with 400, and changes nothing', async () => {
    const before = await items();

    const response = await post(`/a/${token({ key: { id: 'k9', secret: 'a-key-nobody-configured-0123456789' } })}`);

    expect(response.status).toBe(400);
    expect(await items()).toEqual(before);
  });

  it('[R18] refuses a link signed for someone who was not at the 1:1, with 403, and changes nothing', async () => {
    const before = await items();

    const response = await post(`/a/${token({ recipient: 'priya.natarajan@acme-sales.example' })}`);

    expect(response.status).toBe(403);
    expect(await items()).toEqual(before);
  });

  it('[R18] refuses a link whose key was removed from the configuration after a rotation', async () => {
    const signedBefore = token({ key: previousKey, recipient: dana });
    await opened().close();
    await open([currentKey]);
    const before = await items();

    const response = await post(`/a/${signedBefore}`);

    expect(response.status).toBe(400);
    expect(await items()).toEqual(before);
  });
});
