import { InvalidInputError } from '../domain/errors';
import { parseWebhookSecret, verifyWebhookSignature, type WebhookHeader } from '../domain/webhook-signature';
import type { Clock } from '../ports/clock';
import type { IngestDeps } from './ingest-email';
import { ingestWebhookNotes, WEBHOOK_MAX_BYTES, type WebhookAnswer, webhookAnswer } from './ingest-webhook';

export interface ReceiveWebhookDeps extends IngestDeps {
  /** The Standard Webhooks secret (`whsec_` + base64) the sender signs with. */
  webhookSecret: string;
  /**
   * What the signature's timestamp is held against; `clock` unless given. The local stack's clock can be moved
   * ahead of the wall clock (`tick`), while a sender signs with the time it is.
   */
  signatureClock?: Clock;
}

/** A request as it reached us: header names lower-cased (HTTP API and node:http both do), the body's bytes. */
export interface WebhookRequest {
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: Uint8Array;
}

export type WebhookReply =
  | WebhookAnswer
  /** The webhook-id was delivered and ingested before: nothing was stored again. */
  | { outcome: 'replay'; meetingId: string | null }
  | { error: string; field?: string };

export interface WebhookResponse {
  status: 200 | 202 | 400 | 401 | 413 | 415 | 500;
  /** JSON-safe: no note text, no addresses, never an internal error's message. */
  body: WebhookReply;
  /** Behind a 500: our own failure, for the log only. */
  cause?: unknown;
}

/**
 * `POST /webhooks/notes`, on AWS (handlers/webhook.ts) and on the local server alike.
 *
 * 1. JSON only (415, field content-type), at most 1 MB (413, field body): checked before anything is verified,
 *    kept or stored.
 * 2. The Standard Webhooks signature over the raw body, its timestamp within ±5 minutes (401 naming the header
 *    at fault): a stranger who finds the URL can put nothing in anyone's inbox.
 * 3. The webhook-id is claimed with a conditional write: a replay of a delivery that was ingested answers 200 and
 *    stores nothing; one whose first attempt did not finish (a crash, or a concurrent delivery) ingests again,
 *    which the meeting's own claim makes safe.
 * 4. Ingest: 202 with the meeting and its item count, then the delivery is marked complete; 400 naming the field
 *    at fault; anything of ours is a bare 500 (the cause goes to the log, not to the caller).
 */
export async function receiveWebhook(deps: ReceiveWebhookDeps, request: WebhookRequest): Promise<WebhookResponse> {
  const refused = webhookPreflight(request.headers) ?? (request.body.length > WEBHOOK_MAX_BYTES ? tooLarge() : null);
  if (refused !== null) return refused;
  try {
    const check = verifyWebhookSignature(
      parseWebhookSecret(deps.webhookSecret),
      signatureHeaders(request.headers),
      request.body,
      (deps.signatureClock ?? deps.clock).now(),
    );
    if (!check.ok) return { status: 401, body: { error: check.message, field: check.field } };

    const claim = await deps.store.claimWebhookDelivery(check.webhookId, deps.clock.now().toISOString());
    if (claim.outcome === 'seen' && claim.delivery.state === 'complete') {
      return { status: 200, body: { outcome: 'replay', meetingId: claim.delivery.meetingId } };
    }
    const answer = webhookAnswer(await ingestWebhookNotes(deps, request.body));
    await deps.store.completeWebhookDelivery(check.webhookId, answer.meetingId, deps.clock.now().toISOString());
    return { status: 202, body: answer };
  } catch (error) {
    // The delivery stays pending: the sender's retry of a 400 is refused the same way, of a 500 is ingested.
    if (error instanceof InvalidInputError) return { status: 400, body: { error: error.message, field: error.field } };
    return { status: 500, body: { error: 'internal error' }, cause: error };
  }
}

/**
 * What can be refused from the headers alone (415), so that the local server answers before reading a body it
 * would refuse anyway. Null when the request may go on.
 */
export function webhookPreflight(headers: WebhookRequest['headers']): WebhookResponse | null {
  const mediaType = header(headers, 'content-type')?.split(';', 1)[0]?.trim().toLowerCase();
  if (mediaType === 'application/json') return null;
  return { status: 415, body: { error: 'Content-Type must be application/json', field: 'content-type' } };
}

/** The 413, also given by the local server when it stops reading a body as soon as it passes the limit. */
export function tooLarge(): WebhookResponse {
  return { status: 413, body: { error: `The body is larger than ${WEBHOOK_MAX_BYTES} bytes`, field: 'body' } };
}

const signatureHeaders = (headers: WebhookRequest['headers']): Partial<Record<WebhookHeader, string>> => {
  const out: Partial<Record<WebhookHeader, string>> = {};
  for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const) {
    const value = header(headers, name);
    if (value !== undefined) out[name] = value;
  }
  return out;
};

/** One header's value, whatever the case of its name; a repeated header is read as node:http folds it. */
function header(headers: WebhookRequest['headers'], name: string): string | undefined {
  const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name);
  const value = key === undefined ? undefined : headers[key];
  return Array.isArray(value) ? value.join(', ') : value;
}
