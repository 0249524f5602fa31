import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PostalMime from 'postal-mime';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHttpServer } from '../../functions/adapters/local/http-server';
import { signLink, signUnsubscribe } from '../../functions/domain/links/token';
import { openLocalStack } from '../../functions/wiring';
import { fixtureBytes } from '../support/fixtures';

const dana = 'dana.whitfield@acme-sales.example';
const marcus = 'marcus.reid@acme-sales.example';
/** Mondays 23 and 30 Nov 2026, 08:00 in New York: when the default weekly schedule fires. */
const monday = new Date('2026-11-23T13:00:00Z');
const nextMonday = new Date('2026-11-30T13:00:00Z');

interface Answer {
  status: number;
  body: string;
}

/** A request with exactly these headers (fetch would add its own), as a mail provider's server sends it. */
function send(url: string, method: string, headers: Record<string, string> = {}, body = ''): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers: { ...headers, 'Content-Length': Buffer.byteLength(body) } });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const oneClick = { 'Content-Type': 'application/x-www-form-urlencoded' };

describe('one-click unsubscribe on the local stack', () => {
  let data: string;
  let stack: Awaited<ReturnType<typeof openLocalStack>>;
  let server: Awaited<ReturnType<typeof startHttpServer>>;

  /** The path of the List-Unsubscribe URL in the weekly digest last sent to this person. */
  const unsubscribePath = async (to: string): Promise<string> => {
    const weekly = (await stack.listOutbox()).filter((m) => m.kind === 'weekly' && m.to.includes(to)).at(-1);
    const email = await PostalMime.parse(await readFile(weekly?.file ?? ''));
    const header = email.headers.find((h) => h.key === 'list-unsubscribe')?.value.trim() ?? '';
    return new URL(/^<([^<>]+)>$/.exec(header)?.[1] ?? 'http://invalid/').pathname;
  };
  const weeklies = async (since: Date) =>
    (await stack.listOutbox())
      .filter((m) => m.kind === 'weekly' && m.sentAt >= since.toISOString())
      .flatMap((m) => m.to)
      .sort();
  const runWeekly = async (at: Date) => {
    stack.clock.set(at);
    for (const person of [dana, marcus]) await stack.runScheduledJob({ kind: 'weekly', person });
  };
  const optOut = async (address: string) => (await stack.store.getPerson(address))?.optOut ?? [];

  beforeEach(async () => {
    data = await mkdtemp(join(tmpdir(), 'followthrough-unsubscribe-'));
    stack = await openLocalStack(data, {});
    server = await startHttpServer(stack.app, { port: 0 });
    for (const [name, at] of [
      ['loop/01-dana-marcus-nov12.eml', '2026-11-12T21:00:00Z'],
      ['loop/02-dana-priya-nov17.eml', '2026-11-17T16:10:00Z'],
      ['loop/03-dana-marcus-nov19.eml', '2026-11-19T21:15:00Z'],
    ] as const) {
      stack.clock.set(new Date(at));
      await stack.ingestEmail(fixtureBytes(name));
    }
    await runWeekly(monday);
  });

  afterEach(async () => {
    await server.close();
    await stack.close();
    await rm(data, { recursive: true, force: true });
  });

  it('[R17] a one-click POST with no Origin stops the next weekly digest to that person; the other person’s still goes', async () => {
    const path = await unsubscribePath(marcus);

    const answer = await send(`${server.url}${path}`, 'POST', oneClick, 'List-Unsubscribe=One-Click');
    await runWeekly(nextMonday);

    expect(answer.status).toBe(200);
    expect(answer.body).toContain('Unsubscribed from the weekly digest');
    expect(await weeklies(nextMonday)).toEqual([dana]);
  });

  it('[R17] a one-click POST sent as multipart/form-data is honoured too', async () => {
    const path = await unsubscribePath(marcus);
    const boundary = '----provider0123456789';
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${boundary}--\r\n`;

    const answer = await send(
      `${server.url}${path}`,
      'POST',
      { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
      body,
    );

    expect(answer.status).toBe(200);
    expect(await optOut(marcus)).toEqual(['weekly']);
  });

  it('[R17] GET shows a confirm page whose button posts to the same link, and changes nothing', async () => {
    const path = await unsubscribePath(marcus);

    const answer = await send(`${server.url}${path}`, 'GET');
    await runWeekly(nextMonday);

    expect(answer.status).toBe(200);
    expect(answer.body).toContain('<form method="post" action="');
    expect(answer.body).toContain(path.replaceAll('/', '&#x2F;'));
    expect(await optOut(marcus)).toEqual([]);
    expect(await weeklies(nextMonday)).toEqual([dana, marcus]);
  });

  it('[R17] a POST from a page on another site is refused and changes nothing', async () => {
    const path = await unsubscribePath(marcus);

    const answer = await send(`${server.url}${path}`, 'POST', { ...oneClick, Origin: 'https://evil.example' });

    expect(answer.status).toBe(403);
    expect(await optOut(marcus)).toEqual([]);
  });

  it('[R17] the result page’s Resubscribe puts the weekly digest back', async () => {
    const path = await unsubscribePath(marcus);
    await send(`${server.url}${path}`, 'POST', oneClick, 'List-Unsubscribe=One-Click');

    const answer = await send(`${server.url}${path}`, 'POST', { ...oneClick, Origin: server.url }, 'resubscribe=1');
    await runWeekly(nextMonday);

    expect(answer.body).toContain('Subscribed again to the weekly digest');
    expect(await weeklies(nextMonday)).toEqual([dana, marcus]);
  });

  it('[R17] a tampered token gets a 400 page and changes nothing', async () => {
    const path = await unsubscribePath(marcus);
    const at = path.indexOf('.') + 1;
    const tampered = `${path.slice(0, at)}${path[at] === 'A' ? 'B' : 'A'}${path.slice(at + 1)}`;

    const answer = await send(`${server.url}${tampered}`, 'POST', oneClick, 'List-Unsubscribe=One-Click');

    expect(answer.status).toBe(400);
    expect(await optOut(marcus)).toEqual([]);
  });

  it('[R17] an expired token gets a 410 page and changes nothing', async () => {
    const [key] = stack.deps.signingKeys;
    if (key === undefined) throw new Error('the stack has no link key');
    const expired = signUnsubscribe({ kind: 'weekly', recipient: marcus, expiresAt: monday.getTime() / 1000 }, key);

    const answer = await send(`${server.url}/u/${expired}`, 'POST', oneClick, 'List-Unsubscribe=One-Click');

    expect(answer.status).toBe(410);
    expect(await optOut(marcus)).toEqual([]);
  });

  it('[R17] an action link’s token at /u gets a 400 page and changes nothing', async () => {
    const [key] = stack.deps.signingKeys;
    if (key === undefined) throw new Error('the stack has no link key');
    const meetingId = (await stack.store.listMeetings({ limit: 1 })).items[0]?.id ?? '';
    const action = signLink(
      { action: 'done', meetingId, seq: 1, recipient: marcus, expiresAt: nextMonday.getTime() / 1000 },
      key,
    );

    const answer = await send(`${server.url}/u/${action}`, 'POST', oneClick, 'List-Unsubscribe=One-Click');

    expect(answer.status).toBe(400);
    expect(await optOut(marcus)).toEqual([]);
    expect((await stack.store.getItem(meetingId, 1))?.status).toBe('open');
  });
});
