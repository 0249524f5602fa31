import type { Logger } from '@aws-lambda-powertools/logger';
import { APIGatewayProxyEventV2Schema } from '@aws-lambda-powertools/parser/schemas/api-gatewayv2';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { awsIngestDeps, once, readWebhookSecret } from '../aws-wiring';
import { loadAwsConfig } from '../config/aws-env';
import { InvalidInputError } from '../domain/errors';
import type { IngestDeps } from '../use-cases/ingest-email';
import { ingestWebhookNotes, WEBHOOK_MAX_BYTES, webhookAnswer } from '../use-cases/ingest-webhook';
import { bodyBytes, json, mediaType } from './http';
import { logger as defaultLogger, errorFields } from './logger';

export interface WebhookDeps {
  ingest: IngestDeps;
  /** The Standard Webhooks secret (`whsec_…`) the sender signs with. */
  secret: string;
  logger?: Logger;
}

/**
 * `POST /webhooks/notes` on the HTTP API → the same ingestWebhookNotes as the local server.
 *
 * 1. JSON only (415), at most 1 MB (413): checked before anything is read or stored.
 * 2. The Standard Webhooks signature over the raw body (HMAC-SHA256 of id.timestamp.body, ±5 minutes): 401 when it
 *    does not verify, so that a stranger who finds the URL can put nothing in anyone's inbox.
 * 3. Ingest: 202 with the meeting and item count; 400 naming the field at fault; anything of ours is a bare 500.
 */
export function createWebhookHandler(deps: WebhookDeps) {
  const log = deps.logger ?? defaultLogger;
  const verifier = new Webhook(deps.secret);
  return async (event: unknown): Promise<APIGatewayProxyStructuredResultV2> => {
    const request = APIGatewayProxyEventV2Schema.parse(event);
    if (mediaType(request.headers) !== 'application/json') {
      return json(415, { error: 'Content-Type must be application/json', field: 'content-type' });
    }
    const body = bodyBytes(request);
    if (body.length > WEBHOOK_MAX_BYTES) {
      return json(413, { error: `The body is larger than ${WEBHOOK_MAX_BYTES} bytes`, field: 'body' });
    }
    try {
      verifier.verify(body.toString('utf8'), signatureHeaders(request.headers), { jsonParse: false });
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      log.warn('webhook signature refused', { requestId: request.requestContext.requestId, ...errorFields(error) });
      return json(401, {
        error: `The webhook signature does not verify: ${error.message}`,
        field: 'webhook-signature',
      });
    }
    try {
      const answer = webhookAnswer(await ingestWebhookNotes(deps.ingest, body));
      log.info('webhook notes processed', { requestId: request.requestContext.requestId, ...answer });
      return json(202, answer);
    } catch (error) {
      if (error instanceof InvalidInputError) return json(400, { error: error.message, field: error.field });
      log.error('webhook failed', { requestId: request.requestContext.requestId, ...errorFields(error) });
      return json(500, { error: 'internal error' });
    }
  };
}

function signatureHeaders(headers: Record<string, string | undefined>): Record<string, string> {
  return {
    'webhook-id': headers['webhook-id'] ?? '',
    'webhook-timestamp': headers['webhook-timestamp'] ?? '',
    'webhook-signature': headers['webhook-signature'] ?? '',
  };
}

const live = once(async () =>
  createWebhookHandler({
    ingest: await awsIngestDeps(process.env),
    secret: await readWebhookSecret(loadAwsConfig(process.env, ['webhookSecret']).webhookSecret),
  }),
);

export const handler = async (event: unknown): Promise<APIGatewayProxyStructuredResultV2> => (await live())(event);
