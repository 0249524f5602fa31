import { request as httpRequest } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { maxWebhookBytes, startHttpServer } from '../../../functions/adapters/local/http-server';
import { FakeApp, failures, marcusItem } from '../../support/fake-app';

const expectedCsp =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-src 'self'; base-uri 'none'; frame-ancestors 'self'";

let app: FakeApp;
let server: { url: string; close(): Promise<void> };

beforeEach(async () => {
  app = new FakeApp();
  server = await startHttpServer(app, { port: 0 });
});

afterEach(async () => {
  vi.restoreAllMocks();
  await server.close();
});

/** Mustache writes `/` and `=` as character references; undone here so assertions read like the page. */
function readable(html: string): string {
  return html.replace(/&#x2F;/g, '/').replace(/&#x3D;/g, '=');
}

function get(path: string): Promise<Response> {
  return fetch(`${server.url}${path}`);
}

function post(path: string, init: { headers?: Record<string, string>; body?: string | Uint8Array } = {}) {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...init.headers },
    body: init.body ?? '',
  });
}

function postJson(body: string | Uint8Array, contentType = 'application/json'): Promise<Response> {
  return fetch(`${server.url}/webhooks/notes`, { method: 'POST', headers: { 'Content-Type': contentType }, body });
}

/** A request as fetch will not send it: a Host header of our choosing, or a body streamed in chunks. */
function rawRequest(options: {
  method: string;
  path: string;
  headers: Record<string, string>;
  chunks?: Buffer[];
}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method: options.method, path: options.path, headers: options.headers },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (chunk: Buffer) => parts.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString('utf8') }),
        );
      },
    );
    req.on('error', reject);
    const write = async () => {
      for (const chunk of options.chunks ?? []) {
        if (req.destroyed) return;
        if (!req.write(chunk)) await new Promise((drained) => req.once('drain', drained));
      }
      req.end();
    };
    write().catch(() => undefined);
  });
}

describe('HTML responses', () => {
  it.each(['/', '/outbox', '/a/nothing-here', '/no/such/page'])('%s carries the security headers', async (path) => {
    // Act
    const response = await get(path);

    // Assess
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(expectedCsp);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('same-origin');
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('the index page shows how to post signed notes to this server', async () => {
    // Act
    const response = await get('/');

    // Assess
    expect(response.status).toBe(200);
    const html = readable(await response.text());
    expect(html).toContain(`npx followthrough post notes.json \\\n`);
    expect(html).toContain(`  --url ${server.url}/webhooks/notes</pre>`);
    expect(html).toContain('npx followthrough webhook-secret');
    expect(html).toContain('href="/outbox"');
  });

  it('answers an unknown path with a 404 page', async () => {
    // Act
    const response = await get('/wp-admin');

    // Assess
    expect(response.status).toBe(404);
    expect(await response.text()).toContain('There is no page at this address.');
  });

  it('answers a wrong method with 405 and the methods it allows', async () => {
    // Act
    const response = await fetch(`${server.url}/outbox`, { method: 'DELETE' });

    // Assess
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
  });

  it('refuses a Host header other than its own, so a rebound DNS name cannot read the outbox', async () => {
    // Prepare
    const port = new URL(server.url).port;

    // Act
    const response = await rawRequest({
      method: 'GET',
      path: '/outbox',
      headers: { Host: `attacker.example:${port}` },
    });

    // Assess
    expect(response.status).toBe(421);
    expect(response.body).not.toContain('Outbox');
  });

  it('answers at localhost as well as at 127.0.0.1', async () => {
    // Prepare
    const port = new URL(server.url).port;

    // Act
    const response = await rawRequest({ method: 'GET', path: '/outbox', headers: { Host: `localhost:${port}` } });

    // Assess
    expect(response.status).toBe(200);
  });
});

describe('POST /webhooks/notes', () => {
  it('passes the headers and body bytes to the app and sends its answer', async () => {
    // Prepare
    const body = JSON.stringify({ notes: 'Notes\n- Send the MAP\n- Book the QBR' });

    // Act
    const response = await fetch(`${server.url}/webhooks/notes`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Webhook-Id': 'msg_local_1' },
      body,
    });

    // Assess
    expect(response.status).toBe(202);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.json()).toEqual({
      outcome: 'ingested',
      meetingId: 'mtg_fake_0001',
      items: 2,
      wrapupAt: '2026-11-13T09:00:00.000Z',
    });
    expect(app.ingested.map((request) => new TextDecoder().decode(request.body))).toEqual([body]);
    expect(app.ingested[0]?.headers['webhook-id']).toBe('msg_local_1');
  });

  it('accepts a JSON Content-Type with a charset parameter', async () => {
    // Act
    const response = await postJson(JSON.stringify({ notes: '- one' }), 'Application/JSON; charset=utf-8');

    // Assess
    expect(response.status).toBe(202);
  });

  it('sends the status and body the app answers with, such as a replay’s 200', async () => {
    // Prepare
    app.webhookAnswer = { status: 200, body: { outcome: 'replay', meetingId: 'mtg_fake_0001' } };

    // Act
    const response = await postJson(JSON.stringify({ notes: '- Send the MAP' }));

    // Assess
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ outcome: 'replay', meetingId: 'mtg_fake_0001' });
  });

  it('[R3] refuses a body that is not JSON with 415 naming content-type, without reading it into the app', async () => {
    // Act
    const response = await postJson('notes=- Send the MAP', 'application/x-www-form-urlencoded');

    // Assess
    expect(response.status).toBe(415);
    expect(await response.json()).toEqual({ error: 'Content-Type must be application/json', field: 'content-type' });
    expect(app.ingested).toEqual([]);
  });

  it('[R3] refuses a body over 1 MB with 413 naming the body', async () => {
    // Prepare
    const body = JSON.stringify({ notes: `- ${'x'.repeat(maxWebhookBytes)}` });

    // Act
    const response = await postJson(body);

    // Assess
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ error: `The body is larger than ${maxWebhookBytes} bytes`, field: 'body' });
    expect(app.ingested).toEqual([]);
  });

  it('accepts a body of exactly 1 MB', async () => {
    // Prepare
    const prefix = '{"notes":"- ';
    const body = `${prefix}${'x'.repeat(maxWebhookBytes - prefix.length - 2)}"}`;

    // Act
    const response = await postJson(body);

    // Assess
    expect(Buffer.byteLength(body)).toBe(maxWebhookBytes);
    expect(response.status).toBe(202);
  });

  it('[R3] stops reading a chunked body as soon as it passes 1 MB', async () => {
    // Prepare: no Content-Length, so the size is only known by reading; 4 MB are offered.
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const chunks = Array.from({ length: 64 }, () => chunk);

    // Act
    const response = await rawRequest({
      method: 'POST',
      path: '/webhooks/notes',
      headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
      chunks,
    });

    // Assess
    expect(response.status).toBe(413);
    expect(response.headers.connection).toBe('close');
    expect(app.ingested).toEqual([]);
  });

  it('answers an internal failure with a generic 500 and logs the real error', async () => {
    // Prepare
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    app.crash = new Error('connect ECONNREFUSED 127.0.0.1:8000 at DynamoDbStore.claimMeeting');

    // Act
    const response = await postJson(JSON.stringify({ notes: '- one' }));

    // Assess
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ error: 'internal error' });
    expect(text).not.toContain('ECONNREFUSED');
    expect(log.mock.calls.flat()).toContain(app.crash);
  });

  it('answers GET with 405 and Allow: POST', async () => {
    // Act
    const response = await get('/webhooks/notes');

    // Assess
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });
});

describe('action links', () => {
  it('GET shows the confirm page and changes nothing', async () => {
    // Prepare
    const item = app.addItem('item1');

    // Act
    const response = await get(`/a/${item.done}`);

    // Assess
    expect(response.status).toBe(200);
    const html = readable(await response.text());
    expect(html).toContain('Mark this item done?');
    expect(html).toContain(marcusItem.text);
    expect(html).toContain(`<form method="post" action="/a/${item.done}">`);
    expect(item.state()).toBe('open');
  });

  it('GET twice, as a mail scanner and then a person would, still changes nothing', async () => {
    // Prepare
    const item = app.addItem('item1');
    await get(`/a/${item.drop}`);

    // Act
    const response = await get(`/a/${item.drop}`);

    // Assess
    expect(await response.text()).toContain('Drop this item?');
    expect(item.state()).toBe('open');
  });

  it('HEAD changes nothing either', async () => {
    // Prepare
    const item = app.addItem('item1');

    // Act
    const response = await fetch(`${server.url}/a/${item.done}`, { method: 'HEAD' });

    // Assess
    expect(response.status).toBe(200);
    expect(item.state()).toBe('open');
  });

  it('POST applies the action and shows the result with an Undo form', async () => {
    // Prepare
    const item = app.addItem('item1');

    // Act
    const response = await post(`/a/${item.done}`, { headers: { Origin: server.url } });

    // Assess
    expect(response.status).toBe(200);
    const html = readable(await response.text());
    expect(html).toContain(`Done: ${marcusItem.text}`);
    expect(html).toContain(`<form method="post" action="/a/${item.done}/undo">`);
    expect(item.state()).toBe('done');
  });

  it('POST on an item already done says nothing changed and offers no Undo', async () => {
    // Prepare
    const item = app.addItem('item1');
    await post(`/a/${item.done}`);

    // Act
    const response = await post(`/a/${item.done}`);

    // Assess
    const html = await response.text();
    expect(html).toContain('Already done — nothing changed');
    expect(html).not.toContain('/undo');
    expect(item.state()).toBe('done');
  });

  it('POST to /undo reopens the item', async () => {
    // Prepare
    const item = app.addItem('item1');
    await post(`/a/${item.snooze}`);

    // Act
    const response = await post(`/a/${item.snooze}/undo`, { headers: { Origin: server.url } });

    // Assess
    expect(response.status).toBe(200);
    expect(await response.text()).toContain(`Open again: ${marcusItem.text}`);
    expect(item.state()).toBe('open');
  });

  it('POST with a form body is accepted as well as an empty one', async () => {
    // Prepare
    const item = app.addItem('item1');

    // Act
    const response = await post(`/a/${item.drop}`, { body: 'confirm=1' });

    // Assess
    expect(response.status).toBe(200);
    expect(item.state()).toBe('dropped');
  });

  it('refuses a POST whose Origin is another site, and changes nothing', async () => {
    // Prepare
    const item = app.addItem('item1');

    // Act
    const response = await post(`/a/${item.done}`, { headers: { Origin: 'https://attacker.example' } });

    // Assess
    expect(response.status).toBe(403);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(item.state()).toBe('open');
  });

  it('refuses a POST with an opaque Origin (a sandboxed frame or a data: page)', async () => {
    // Prepare
    const item = app.addItem('item1');

    // Act
    const response = await post(`/a/${item.done}`, { headers: { Origin: 'null' } });

    // Assess
    expect(response.status).toBe(403);
    expect(item.state()).toBe('open');
  });

  it('refuses an undo whose Referer is another site when there is no Origin', async () => {
    // Prepare
    const item = app.addItem('item1');
    await post(`/a/${item.done}`);

    // Act
    const response = await post(`/a/${item.done}/undo`, { headers: { Referer: 'https://attacker.example/page' } });

    // Assess
    expect(response.status).toBe(403);
    expect(item.state()).toBe('done');
  });

  it('accepts a POST whose Referer is one of its own pages', async () => {
    // Prepare
    const item = app.addItem('item1');

    // Act
    const response = await post(`/a/${item.done}`, { headers: { Referer: `${server.url}/a/${item.done}` } });

    // Assess
    expect(response.status).toBe(200);
    expect(item.state()).toBe('done');
  });

  it.each([
    ['tampered', 400],
    ['not-yours', 403],
    ['unknown', 404],
    ['expired', 410],
  ] as const)('a %s link shows an error page with status %i', async (kind, status) => {
    // Prepare
    app.addFailure(`bad-${kind}`, failures[kind]);

    // Act
    const response = await get(`/a/bad-${kind}`);

    // Assess
    expect(response.status).toBe(status);
    const html = await response.text();
    expect(html).toContain(failures[kind].message);
    expect(html).toContain(failures[kind].title);
    expect(response.headers.get('content-security-policy')).toBe(expectedCsp);
  });

  it('passes the token to the app decoded, and writes it back encoded', async () => {
    // Prepare
    const item = app.addItem('a b/c');

    // Act
    const response = await get(`/a/${encodeURIComponent(item.done)}`);

    // Assess
    expect(response.status).toBe(200);
    expect(readable(await response.text())).toContain('action="/a/a%20b%2Fc.done"');
  });

  it('answers a token that is not valid percent-encoding with a 400 page', async () => {
    // Act
    const response = await get('/a/%E0%A4%A');

    // Assess
    expect(response.status).toBe(400);
  });

  it('answers PUT on an action link with 405', async () => {
    // Act
    const response = await fetch(`${server.url}/a/x.done`, { method: 'PUT' });

    // Assess
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD, POST');
  });

  it('answers GET on an undo link with 405: undo is only ever a POST', async () => {
    // Prepare
    const item = app.addItem('item1');
    await post(`/a/${item.done}`);

    // Act
    const response = await get(`/a/${item.done}/undo`);

    // Assess
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(item.state()).toBe('done');
  });

  it('shows a 500 page without the error when the app fails', async () => {
    // Prepare
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    app.crash = new Error('secret stack detail');

    // Act
    const response = await get('/a/anything');

    // Assess
    expect(response.status).toBe(500);
    const html = await response.text();
    expect(html).toContain('Something went wrong on our side');
    expect(html).not.toContain('secret stack detail');
    expect(log).toHaveBeenCalled();
  });

  it('escapes item text in the page', async () => {
    // Prepare
    const item = app.addItem('item1', { ...marcusItem, text: 'Check the export <img src=x onerror=alert(1)>' });

    // Act
    const html = await (await get(`/a/${item.done}`)).text();

    // Assess
    expect(html).not.toContain('<img');
    expect(html).toContain('Check the export &lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
  });
});

describe('the outbox pages', () => {
  const older = {
    to: ['dana.whitfield@acme.example', 'marcus.reid@acme.example'],
    subject: 'Wrap-up: 1:1 Dana / Marcus — Thu 12 Nov',
    kind: 'wrapup',
    file: '/data/outbox/20261113T090000000Z-wrapup-1a2b3c4d.eml',
    sentAt: '2026-11-13T09:00:00.000Z',
  };
  const newer = {
    to: ['marcus.reid@acme.example'],
    subject: 'Your open items <this week>',
    kind: 'weekly',
    file: '/data/outbox/20261116T080000000Z-weekly-5e6f7a8b.eml',
    sentAt: '2026-11-16T08:00:00.000Z',
  };

  it('lists sent emails newest first, each linking to its page', async () => {
    // Prepare
    app.addMessage(older, { html: null, text: 'older' });
    app.addMessage(newer, { html: null, text: 'newer' });

    // Act
    const html = readable(await (await get('/outbox')).text());

    // Assess
    const newerAt = html.indexOf('href="/outbox/20261116T080000000Z-weekly-5e6f7a8b.eml"');
    const olderAt = html.indexOf('href="/outbox/20261113T090000000Z-wrapup-1a2b3c4d.eml"');
    expect(newerAt).toBeGreaterThan(-1);
    expect(olderAt).toBeGreaterThan(newerAt);
    expect(html).toContain('Your open items &lt;this week&gt;');
    expect(html).toContain('Mon 16 Nov 2026, 08:00 UTC');
    expect(html).not.toContain('/data/outbox');
  });

  it('says so when nothing has been sent', async () => {
    // Act
    const html = await (await get('/outbox')).text();

    // Assess
    expect(html).toContain('Nothing has been sent yet.');
  });

  it('shows a message with its HTML part escaped into a sandboxed srcdoc and its text part in a pre', async () => {
    // Prepare
    app.addMessage(older, {
      html: '<html><head><title>t</title></head><body><p class="x">Tom &amp; "Jerry"</p></body></html>',
      text: 'Wrap-up\n1. <b>not bold</b>',
    });

    // Act
    const response = await get('/outbox/20261113T090000000Z-wrapup-1a2b3c4d.eml');

    // Assess
    expect(response.status).toBe(200);
    const html = await response.text();
    const srcdoc = /<iframe [^>]*sandbox="allow-top-navigation-by-user-activation" srcdoc="([^"]*)"/.exec(html)?.[1];
    expect(srcdoc).toBeDefined();
    expect(srcdoc).not.toMatch(/[<>"]/);
    expect(srcdoc).toContain('&lt;p class&#x3D;&quot;x&quot;&gt;Tom &amp;amp; &quot;Jerry&quot;&lt;&#x2F;p&gt;');
    expect(srcdoc).toContain('&lt;head&gt;&lt;base target&#x3D;&quot;_top&quot;&gt;');
    expect(html).toContain('<pre>Wrap-up\n1. &lt;b&gt;not bold&lt;&#x2F;b&gt;</pre>');
    expect(app.outboxReads).toEqual(['20261113T090000000Z-wrapup-1a2b3c4d.eml']);
  });

  it('answers a name not in the outbox with a 404 page', async () => {
    // Act
    const response = await get('/outbox/20991231T000000000Z-wrapup-00000000.eml');

    // Assess
    expect(response.status).toBe(404);
  });

  it.each([
    '/outbox/..%2F..%2Fetc%2Fpasswd.eml',
    '/outbox/..%2Fconfig.eml',
    '/outbox/%2Fetc%2Fhosts.eml',
    '/outbox/../secret.eml',
    '/outbox/message.txt',
    '/outbox/a%00b.eml',
    '/outbox/.%2E%2Fx.eml',
  ])('answers %s with 404 without asking the app', async (path) => {
    // Act: sent as written, since fetch would resolve the dot segments before they reach the server.
    const response = await rawRequest({ method: 'GET', path, headers: {} });

    // Assess
    expect(response.status).toBe(404);
    expect(app.outboxReads).toEqual([]);
  });
});
