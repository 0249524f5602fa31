import type { Logger } from '@aws-lambda-powertools/logger';
import { APIGatewayProxyEventV2Schema } from '@aws-lambda-powertools/parser/schemas/api-gatewayv2';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { awsLinkDeps, once } from '../aws-wiring';
import { actionOutcomePage, errorPage, foreignOriginPage, isForeignPost } from '../domain/render/pages';
import {
  applyLinkAction,
  type LinkActionDeps,
  type LinkActionOutcome,
  previewLinkAction,
  undoLinkAction,
} from '../use-cases/apply-link-action';
import { html } from './http';
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
 */
export function createActionLinksHandler(deps: ActionLinksDeps) {
  const log = deps.logger ?? defaultLogger;
  const ownOrigin = new URL(deps.baseUrl).origin;
  return async (event: unknown): Promise<APIGatewayProxyStructuredResultV2> => {
    const request = APIGatewayProxyEventV2Schema.parse(event);
    const method = request.requestContext.http.method.toUpperCase();
    const route = /^\/a\/([^/]+)(\/undo)?$/.exec(request.rawPath);
    if (route?.[1] === undefined) return html(404, notFound());
    const token = decodeSegment(route[1]);
    if (token === null) return html(400, errorPage({ status: 400, title: 'This link is damaged', message: damaged }));
    const undo = route?.[2] !== undefined;
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

function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

const damaged =
  'The address is not one followthrough wrote. If you copied it from an email, copy the whole link, or use the button in the email instead.';

const notFound = () => errorPage({ status: 404, title: 'Nothing here', message: 'There is no page at this address.' });

const live = once(async () => {
  const { baseUrl, ...links } = await awsLinkDeps(process.env);
  return createActionLinksHandler({ links, baseUrl });
});

export const handler = async (event: unknown): Promise<APIGatewayProxyStructuredResultV2> => (await live())(event);
