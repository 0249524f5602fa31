import { request as httpRequest } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHttpServer } from '../../../functions/adapters/local/http-server';
import { FakeApp } from '../../support/fake-app';

let app: FakeApp;
let server: { url: string; close(): Promise<void> };

beforeEach(async () => {
  app = new FakeApp();
  server = await startHttpServer(app, { port: 0 });
});

afterEach(async () => {
  await server.close();
});

/** A request with exactly these headers: fetch adds some of its own, a mail provider's server does not. */
function send(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body = '',
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${server.url}${path}`, {
      method,
      headers: { ...headers, 'Content-Length': Buffer.byteLength(body) },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

const form = { 'Content-Type': 'application/x-www-form-urlencoded' };

describe('the local server at /u/<token>', () => {
  it('[R17] GET and HEAD show the confirm page and change nothing', async () => {
    const subscriber = app.addSubscriber('u-marcus');

    const get = await send('GET', '/u/u-marcus');
    const head = await send('HEAD', '/u/u-marcus');

    expect(get.status).toBe(200);
    expect(get.body).toContain('Unsubscribe from the weekly digest?');
    expect(head.status).toBe(200);
    expect(subscriber.optedOut()).toBe(false);
  });

  it('[R17] a one-click POST with no Origin unsubscribes', async () => {
    const subscriber = app.addSubscriber('u-marcus');

    const answer = await send('POST', '/u/u-marcus', form, 'List-Unsubscribe=One-Click');

    expect(answer.status).toBe(200);
    expect(answer.body).toContain('Unsubscribed from the weekly digest');
    expect(subscriber.optedOut()).toBe(true);
  });

  it('[R17] the result page offers Resubscribe, posting resubscribe=1 to the same link', async () => {
    app.addSubscriber('u-marcus');

    const answer = await send('POST', '/u/u-marcus', form, 'List-Unsubscribe=One-Click');

    expect(answer.body).toContain('<form method="post" action="&#x2F;u&#x2F;u-marcus">');
    expect(answer.body).toContain('<input type="hidden" name="resubscribe" value="1">');
  });

  it('[R17] a POST whose Origin is another site is refused and changes nothing', async () => {
    const subscriber = app.addSubscriber('u-marcus');

    const answer = await send('POST', '/u/u-marcus', { ...form, Origin: 'https://evil.example' }, 'x=1');

    expect(answer.status).toBe(403);
    expect(subscriber.optedOut()).toBe(false);
  });

  it('[R17] a body larger than any unsubscribe request gets 413 and changes nothing', async () => {
    const subscriber = app.addSubscriber('u-marcus');

    const answer = await send('POST', '/u/u-marcus', form, `List-Unsubscribe=One-Click&${'x'.repeat(20_000)}`);

    expect(answer.status).toBe(413);
    expect(subscriber.optedOut()).toBe(false);
  });

  it('[R17] a PUT gets 405 with the methods the link takes', async () => {
    app.addSubscriber('u-marcus');

    const answer = await send('PUT', '/u/u-marcus');

    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe('GET, HEAD, POST');
  });

  it('[R17] a path whose escaping is broken gets 400', async () => {
    expect((await send('GET', '/u/%E0%A4%A')).status).toBe(400);
  });

  it('[R17] a token the app does not take gets its 4xx page', async () => {
    expect((await send('POST', '/u/unknown', form, 'List-Unsubscribe=One-Click')).status).toBe(400);
  });
});
