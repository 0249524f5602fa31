import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { awsLinkDeps, once } from '../aws-wiring';
import { parseActionPath } from '../domain/links/action-path';
import { parseUnsubscribePath, readUnsubscribeForm, UNSUBSCRIBE_MAX_BYTES } from '../domain/links/unsubscribe';
import {
  actionOutcomePage,
  damagedLinkPage,
  errorPage,
  foreignOriginPage,
  isForeignPost,
  notFoundPage,
  unsubscribeOutcomePage,
  unsubscribeTooLargePage,
} from '../domain/render/pages';
import {
  applyLinkAction,
  type LinkActionDeps,
  type LinkActionOutcome,
  previewLinkAction,
  undoLinkAction,
} from '../use-cases/apply-link-action';
import { applyUnsubscribe, previewUnsubscribe, type UnsubscribeOutcome } from '../use-cases/apply-unsubscribe';
import { bodyBytes, type HttpApiRequest, html, mediaType, parseHttpApiEvent } from './http';
import { logger as defaultLogger } from './logger';

export interface ActionLinksDeps {
  links: LinkActionDeps;
  /** Where the links point (FOLLOWTHROUGH_BASE_URL): POSTs must come from a page of this origin. */
  baseUrl: string;
  logger?: Logger;
}

/**
 * `GET|POST /a/{token}` and `POST /a/{token}/undo` on the HTTP API → the same link use cases as the local server.
 * GET only shows what the link would do (mail scanners open links); the confirm page's POST applies it.
 * `GET|POST /u/{token}` is the digests' unsubscribe link (RFC 8058), in the same function: the same keys, table
 * and origin.
 */
export function createActionLinksHandler(deps: ActionLinksDeps) {
  const log = deps.logger ?? defaultLogger;
  const ownOrigin = new URL(deps.baseUrl).origin;
  return async (event: unknown): Promise<APIGatewayProxyStructuredResultV2> => {
    const request = parseHttpApiEvent(event);
    const method = request.requestContext.http.method.toUpperCase();
    const route = parseActionPath(request.rawPath);
    if (route === null) return unsubscribeRoute({ ...deps, log, ownOrigin }, request, method);
    if (route === 'damaged') return html(400, damagedLinkPage());
    const { token, undo } = route;
    const allowed = undo ? ['POST'] : ['GET', 'HEAD', 'POST'];
    if (!allowed.includes(method)) {
      const message = `This address accepts ${allowed.join(' and ')} only.`;
      return html(405, errorPage({ status: 405, title: 'Method not allowed', message }), { Allow: allowed.join(', ') });
    }
    if (method === 'POST' && isForeignPost(request.headers, ownOrigin)) return html(403, foreignOriginPage());
    const outcome: LinkActionOutcome = await (undo
      ? undoLinkAction(deps.links, token)
      : method === 'POST'
        ? applyLinkAction(deps.links, token)
        : previewLinkAction(deps.links, token));
    // The token is a capability: it is never logged, only what became of it.
    log.info('action link', {
      method,
      undo,
      ...(outcome.ok ? { state: outcome.state, action: outcome.action } : { status: outcome.status }),
    });
    const page = actionOutcomePage(outcome, `/a/${encodeURIComponent(token)}`);
    return html(page.status, page.html);
  };
}

/**
 * RFC 8058's one-click POST comes from the mail provider's servers: no cookie, no login, usually no Origin, which
 * isForeignPost lets through. A browser on another site always sends its Origin, and is refused.
 */
async function unsubscribeRoute(
  deps: ActionLinksDeps & { log: Logger; ownOrigin: string },
  request: HttpApiRequest,
  method: string,
): Promise<APIGatewayProxyStructuredResultV2> {
  const route = parseUnsubscribePath(request.rawPath);
  if (route === null) return html(404, notFoundPage());
  if (route === 'damaged') return html(400, damagedLinkPage());
  if (!['GET', 'HEAD', 'POST'].includes(method)) {
    const message = 'This address accepts GET, HEAD and POST only.';
    return html(405, errorPage({ status: 405, title: 'Method not allowed', message }), { Allow: 'GET, HEAD, POST' });
  }
  let outcome: UnsubscribeOutcome;
  if (method === 'POST') {
    if (isForeignPost(request.headers, deps.ownOrigin)) return html(403, foreignOriginPage());
    const body = bodyBytes(request);
    if (body.length > UNSUBSCRIBE_MAX_BYTES) return html(413, unsubscribeTooLargePage(UNSUBSCRIBE_MAX_BYTES));
    outcome = await applyUnsubscribe(deps.links, route.token, readUnsubscribeForm(mediaType(request.headers), body));
  } else {
    outcome = await previewUnsubscribe(deps.links, route.token);
  }
  // Neither the token nor the address is logged: what became of the request, and which kind of digest.
  deps.log.info('unsubscribe link', {
    method,
    ...(outcome.ok ? { state: outcome.state, kind: outcome.kind } : { status: outcome.status }),
  });
  const page = unsubscribeOutcomePage(outcome, `/u/${encodeURIComponent(route.token)}`);
  return html(page.status, page.html);
}

const live = once(async () => {
  const { baseUrl, ...links } = await awsLinkDeps(process.env);
  return createActionLinksHandler({ links, baseUrl });
});

export const handler = async (event: unknown): Promise<APIGatewayProxyStructuredResultV2> => (await live())(event);
