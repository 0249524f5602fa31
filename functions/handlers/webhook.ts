import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { awsIngestDeps, once, readWebhookSecret } from '../aws-wiring';
import { loadAwsConfig } from '../config/aws-env';
import { parseWebhookSecret } from '../domain/webhook-signature';
import type { IngestDeps } from '../use-cases/ingest-email';
import { receiveWebhook } from '../use-cases/receive-webhook';
import { bodyBytes, json, parseHttpApiEvent } from './http';
import { logger as defaultLogger, errorFields } from './logger';

export interface WebhookDeps {
  ingest: IngestDeps;
  /** The Standard Webhooks secret (`whsec_…`) the sender signs with. */
  secret: string;
  logger?: Logger;
}

/**
 * `POST /webhooks/notes` on the HTTP API: the request's headers and raw bytes to receiveWebhook, the same use case
 * the local server calls (415, 413, 401, a replay's 200, 202, 400 naming the field, a bare 500).
 */
export function createWebhookHandler(deps: WebhookDeps) {
  const log = deps.logger ?? defaultLogger;
  // A secret that cannot sign anything fails the cold start, not every request after it.
  parseWebhookSecret(deps.secret);
  const receive = { ...deps.ingest, webhookSecret: deps.secret };
  return async (event: unknown): Promise<APIGatewayProxyStructuredResultV2> => {
    const request = parseHttpApiEvent(event);
    const { requestId } = request.requestContext;
    const answer = await receiveWebhook(receive, { headers: request.headers, body: bodyBytes(request) });
    if (answer.status === 500) log.error('webhook failed', { requestId, ...errorFields(answer.cause) });
    else if (answer.status === 401) log.warn('webhook signature refused', { requestId, ...answer.body });
    else log.info('webhook answered', { requestId, status: answer.status, ...answer.body });
    return json(answer.status, answer.body);
  };
}

const live = once(async () =>
  createWebhookHandler({
    ingest: await awsIngestDeps(process.env),
    secret: await readWebhookSecret(loadAwsConfig(process.env, ['webhookSecret']).webhookSecret),
  }),
);

export const handler = async (event: unknown): Promise<APIGatewayProxyStructuredResultV2> => (await live())(event);
