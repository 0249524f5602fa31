import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename } from 'node:path';
import { decodePathSegment, parseActionPath } from '../../domain/links/action-path';
import { parseUnsubscribePath, readUnsubscribeForm, UNSUBSCRIBE_MAX_BYTES } from '../../domain/links/unsubscribe';
import type { LinkAction } from '../../domain/render/inputs';
import {
  actionOutcomePage,
  damagedLinkPage,
  errorPage,
  foreignOriginPage,
  indexPage,
  isForeignPost,
  JSON_HEADERS,
  notFoundPage,
  outboxMessagePage,
  outboxPage,
  PAGE_HEADERS,
  type UnsubscribePageOutcome,
  unsubscribeOutcomePage,
  unsubscribeTooLargePage,
} from '../../domain/render/pages';
import { WEBHOOK_MAX_BYTES } from '../../use-cases/ingest-webhook';
import { tooLarge, type WebhookRequest, type WebhookResponse, webhookPreflight } from '../../use-cases/receive-webhook';
import type { OutboxEntry } from './outbox-mailer';

export interface ActionItemView {
  text: string;
  owner: string | null;
  /** Already formatted, e.g. "Fri 13 Nov". */
  due: string | null;
  /** "1:1 Dana / Marcus — Thu 12 Nov" */
  meetingName: string;
  /** "Wed 2 Dec" while the item is snoozed. */
  snoozedUntil?: string | null;
}

export type ActionOutcome =
  | {
      ok: true;
      state: 'confirm' | 'applied' | 'already' | 'undone';
      action: LinkAction;
      item: ActionItemView;
      token: string;
      undoable: boolean;
    }
  | { ok: false; status: 400 | 403 | 404 | 410; title: string; message: string };

/** What the local HTTP server needs from the application; the server itself knows no store and no token format. */
export interface LocalApp {
  /** The webhook's headers and raw body bytes → the answer to send (receiveWebhook: signature, replays, ingest). */
  receiveWebhook(request: WebhookRequest): Promise<WebhookResponse>;
  /** GET: shows a confirm page, changes nothing. */
  previewAction(token: string): Promise<ActionOutcome>;
  /** POST from the confirm page. */
  applyAction(token: string): Promise<ActionOutcome>;
  /** POST from the result page. */
  undoAction(token: string): Promise<ActionOutcome>;
  /** GET of an unsubscribe link: a confirm page, nothing changes. */
  previewUnsubscribe(token: string): Promise<UnsubscribePageOutcome>;
  /** POST: RFC 8058's one-click from a mail provider, the confirm page's button, or the result page's Resubscribe. */
  applyUnsubscribe(token: string, request: { resubscribe: boolean }): Promise<UnsubscribePageOutcome>;
  listOutbox(): Promise<OutboxEntry[]>;
  /** The sent message's HTML and text parts, or null for a file not in the outbox. */
  readOutboxMessage(name: string): Promise<{ entry: OutboxEntry; html: string | null; text: string | null } | null>;
}

export interface HttpServerOptions {
  port: number;
  host?: '127.0.0.1';
}

/** The same limit as the webhook Lambda's: the local server refuses a larger body before reading it whole. */
export const maxWebhookBytes = WEBHOOK_MAX_BYTES;

type Route =
  | { name: 'index' }
  | { name: 'webhook' }
  | { name: 'action'; token: string }
  | { name: 'undo'; token: string }
  | { name: 'unsubscribe'; token: string }
  | { name: 'outbox' }
  | { name: 'outbox-message'; file: string }
  | { name: 'bad-path' }
  | { name: 'not-found' };

/**
 * The local stack's web front: the notes webhook, the pages behind the links in every mail, and the outbox.
 * node:http only, bound to 127.0.0.1: this is a one-person tool on a laptop, never a public server.
 */
export function startHttpServer(
  app: LocalApp,
  options: HttpServerOptions,
): Promise<{ url: string; close(): Promise<void> }> {
  const host = options.host ?? '127.0.0.1';
  let port = options.port;
  const server = createServer((request, response) => {
    handle(app, port, request, response).catch((error: unknown) => {
      console.error('followthrough http: unhandled error', error);
      if (!response.headersSent) sendHtml(response, 500, internalErrorPage());
      else response.destroy();
    });
  });
  // A half-sent request must not hold a socket for Node's default five minutes.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      port = (server.address() as AddressInfo).port;
      resolve({
        url: `http://${host}:${port}`,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((error) => (error === undefined ? done() : fail(error)));
            server.closeAllConnections();
          }),
      });
    });
  });
}

async function handle(app: LocalApp, port: number, request: IncomingMessage, response: ServerResponse): Promise<void> {
  // A page on another site can resolve its own name to 127.0.0.1 (DNS rebinding) and then read the outbox, signed
  // links and all, as same-origin; it cannot make the browser send a Host header naming this server.
  const origin = ownOrigin(request.headers.host, port);
  if (origin === null) {
    sendHtml(response, 421, errorPage({ status: 421, title: 'Wrong address', message: misdirected(port) }));
    return;
  }
  const method = request.method ?? 'GET';
  const route = routeOf(request.url ?? '/');
  switch (route.name) {
    case 'index':
      if (allowMethods(response, method, readOnly)) sendHtml(response, 200, indexPage({ origin }));
      return;
    case 'webhook':
      if (allowMethods(response, method, ['POST'], 'json')) await receiveWebhook(app, request, response);
      return;
    case 'action':
      if (method === 'GET' || method === 'HEAD') {
        sendOutcome(response, await app.previewAction(route.token));
      } else if (allowMethods(response, method, ['GET', 'HEAD', 'POST']) && checkOrigin(request, response, origin)) {
        sendOutcome(response, await app.applyAction(route.token));
      }
      return;
    case 'undo':
      if (allowMethods(response, method, ['POST']) && checkOrigin(request, response, origin)) {
        sendOutcome(response, await app.undoAction(route.token));
      }
      return;
    case 'unsubscribe':
      if (method === 'GET' || method === 'HEAD') {
        sendUnsubscribeOutcome(response, route.token, await app.previewUnsubscribe(route.token));
      } else if (allowMethods(response, method, ['GET', 'HEAD', 'POST']) && checkOrigin(request, response, origin)) {
        await unsubscribe(app, route.token, request, response);
      }
      return;
    case 'outbox':
      if (allowMethods(response, method, readOnly)) await showOutbox(app, response);
      return;
    case 'outbox-message':
      if (allowMethods(response, method, readOnly)) await showOutboxMessage(app, route.file, response);
      return;
    case 'bad-path':
      sendHtml(response, 400, damagedLinkPage());
      return;
    case 'not-found':
      sendHtml(response, 404, notFoundPage());
      return;
  }
}

const readOnly = ['GET', 'HEAD'];

function routeOf(target: string): Route {
  // The raw path, not `new URL(target, base)`: that would resolve `..` segments and read `//x` as a host.
  const path = target.split('?', 1)[0] ?? '';
  if (path === '/') return { name: 'index' };
  if (path === '/webhooks/notes') return { name: 'webhook' };
  if (path === '/outbox') return { name: 'outbox' };
  const action = parseActionPath(path);
  if (action === 'damaged') return { name: 'bad-path' };
  if (action !== null) return { name: action.undo ? 'undo' : 'action', token: action.token };
  const unsubscribeLink = parseUnsubscribePath(path);
  if (unsubscribeLink === 'damaged') return { name: 'bad-path' };
  if (unsubscribeLink !== null) return { name: 'unsubscribe', token: unsubscribeLink.token };
  const message = /^\/outbox\/([^/]+)$/.exec(path);
  if (message?.[1] !== undefined) {
    const file = decodePathSegment(message[1]);
    // Checked after decoding, so an encoded slash or dot-dot cannot name a file outside the outbox.
    return file !== null && /^[\w.-]+\.eml$/.test(file) ? { name: 'outbox-message', file } : { name: 'not-found' };
  }
  return { name: 'not-found' };
}

function ownOrigin(hostHeader: string | undefined, port: number): string | null {
  const host = hostHeader?.toLowerCase();
  return host === `127.0.0.1:${port}` || host === `localhost:${port}` ? `http://${host}` : null;
}

function misdirected(port: number): string {
  return `This server answers only at http://127.0.0.1:${port} and http://localhost:${port}.`;
}

function checkOrigin(request: IncomingMessage, response: ServerResponse, origin: string): boolean {
  if (!isForeignPost(request.headers, origin)) return true;
  sendHtml(response, 403, foreignOriginPage());
  return false;
}

function allowMethods(response: ServerResponse, method: string, allowed: string[], format: 'html' | 'json' = 'html') {
  if (allowed.includes(method)) return true;
  response.setHeader('Allow', allowed.join(', '));
  const message = `This address accepts ${allowed.join(' and ')} only.`;
  if (format === 'json') sendJson(response, 405, { error: message });
  else sendHtml(response, 405, errorPage({ status: 405, title: 'Method not allowed', message }));
  return false;
}

async function receiveWebhook(app: LocalApp, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const refused = webhookPreflight(request.headers);
  if (refused !== null) {
    sendJson(response, refused.status, refused.body);
    return;
  }
  const body = await readBody(request, maxWebhookBytes);
  if (body === null) {
    // The rest of the body is never read: answer, then close, rather than buffer what we will refuse anyway.
    response.setHeader('Connection', 'close');
    const answer = tooLarge();
    sendJson(response, answer.status, answer.body);
    return;
  }
  let answer: WebhookResponse;
  try {
    answer = await app.receiveWebhook({ headers: request.headers, body });
  } catch (error) {
    answer = { status: 500, body: { error: 'internal error' }, cause: error };
  }
  if (answer.status === 500) console.error('followthrough http: webhook failed', answer.cause);
  sendJson(response, answer.status, answer.body);
}

/** The body, or null as soon as it grows past `limit` (a declared Content-Length over it is refused unread). */
function readBody(request: IncomingMessage, limit: number): Promise<Uint8Array | null> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const onData = (chunk: Buffer) => {
      length += chunk.length;
      if (length > limit) {
        request.off('data', onData);
        request.off('end', onEnd);
        request.pause();
        resolve(null);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      const body = new Uint8Array(length);
      let offset = 0;
      for (const chunk of chunks) {
        body.set(chunk, offset);
        offset += chunk.length;
      }
      resolve(body);
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', reject);
  });
}

/**
 * RFC 8058's POST comes from the mail provider's servers with no Origin, which checkOrigin lets through (a browser
 * on another site always sends one, and is refused); the token is the proof.
 */
async function unsubscribe(
  app: LocalApp,
  token: string,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const body = await readBody(request, UNSUBSCRIBE_MAX_BYTES);
  if (body === null) {
    response.setHeader('Connection', 'close');
    sendHtml(response, 413, unsubscribeTooLargePage(UNSUBSCRIBE_MAX_BYTES));
    return;
  }
  const form = readUnsubscribeForm(request.headers['content-type'], body);
  sendUnsubscribeOutcome(response, token, await app.applyUnsubscribe(token, form));
}

function sendUnsubscribeOutcome(response: ServerResponse, token: string, outcome: UnsubscribePageOutcome): void {
  const page = unsubscribeOutcomePage(outcome, `/u/${encodeURIComponent(token)}`);
  sendHtml(response, page.status, page.html);
}

function sendOutcome(response: ServerResponse, outcome: ActionOutcome): void {
  const page = actionOutcomePage(outcome, `/a/${encodeURIComponent(outcome.ok ? outcome.token : '')}`);
  sendHtml(response, page.status, page.html);
}

async function showOutbox(app: LocalApp, response: ServerResponse): Promise<void> {
  const entries = await app.listOutbox();
  const newestFirst = [...entries].sort((a, b) => b.sentAt.localeCompare(a.sentAt) || b.file.localeCompare(a.file));
  sendHtml(
    response,
    200,
    outboxPage({
      messages: newestFirst.map((entry) => ({
        sentAt: entry.sentAt,
        kind: entry.kind,
        to: entry.to,
        subject: entry.subject,
        href: `/outbox/${encodeURIComponent(basename(entry.file))}`,
      })),
    }),
  );
}

async function showOutboxMessage(app: LocalApp, name: string, response: ServerResponse): Promise<void> {
  const message = await app.readOutboxMessage(name);
  if (message === null) {
    sendHtml(response, 404, notFoundPage());
    return;
  }
  const { entry, html, text } = message;
  sendHtml(
    response,
    200,
    outboxMessagePage({
      file: basename(entry.file),
      sentAt: entry.sentAt,
      kind: entry.kind,
      to: entry.to,
      subject: entry.subject,
      html,
      text,
    }),
  );
}

function internalErrorPage(): string {
  return errorPage({
    status: 500,
    title: 'Something went wrong on our side',
    message: 'Nothing you did caused this. Try again in a moment; the details are in the server log.',
  });
}

function sendHtml(response: ServerResponse, status: number, html: string): void {
  const body = Buffer.from(html, 'utf8');
  response.writeHead(status, { ...PAGE_HEADERS, 'Content-Length': body.length });
  response.end(body);
}

function sendJson(response: ServerResponse, status: number, value: object): void {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  response.writeHead(status, { ...JSON_HEADERS, 'Content-Length': body.length });
  response.end(body);
}
