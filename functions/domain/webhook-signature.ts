import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks (standardwebhooks.com) signatures, checked here rather than by the `standardwebhooks` package's
 * `verify`, which the tests use as the reference signer: `verify` reads Date.now() (our clock is a port, moved by
 * tests and the local stack), decodes the body as UTF-8 before signing it (two bodies that differ only in invalid
 * bytes would share a signature) and reads the timestamp with parseInt ("1614265330abc" passes).
 */

/** The spec's tolerance: a captured request can be replayed for at most this long (and R2's record stops that). */
export const WEBHOOK_TOLERANCE_SECONDS = 5 * 60;

/** The three headers the spec names; HTTP API and node:http both hand them over lower-cased. */
export type WebhookHeader = 'webhook-id' | 'webhook-timestamp' | 'webhook-signature';

export type SignatureCheck =
  | { ok: true; webhookId: string; timestamp: number }
  | { ok: false; field: WebhookHeader; message: string };

// The id becomes part of a DynamoDB key (WEBHOOK#<id>), so it is bounded and printable before anything trusts it.
const WEBHOOK_ID = /^[\x21-\x7e]{1,256}$/;
const TIMESTAMP = /^\d{1,12}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const SECRET_PREFIX = 'whsec_';

/** The key bytes of a `whsec_<base64>` secret (the prefix is optional, as the spec's libraries take it). */
export function parseWebhookSecret(secret: string): Buffer {
  const encoded = secret.trim().startsWith(SECRET_PREFIX) ? secret.trim().slice(SECRET_PREFIX.length) : secret.trim();
  const key = BASE64.test(encoded) ? Buffer.from(encoded, 'base64') : Buffer.alloc(0);
  // The spec asks for 24 to 64 random bytes; fewer is a guessable key, not a configuration we should run with.
  if (key.length < 24 || key.length > 64) {
    throw new Error('The webhook secret must be whsec_ followed by the base64 of 24 to 64 random bytes.');
  }
  return key;
}

export const isWebhookSecret = (secret: string): boolean => {
  try {
    parseWebhookSecret(secret);
    return true;
  } catch {
    return false;
  }
};

/**
 * Checks a request's Standard Webhooks headers against its raw body: HMAC-SHA256 over `id.timestamp.body`, the
 * timestamp within ±5 minutes of `now`, and any one of the space-separated `v1,<base64>` signatures matching (a
 * sender rotating its key signs with both). Compared in constant time; other versions (v1a) are skipped.
 */
export function verifyWebhookSignature(
  key: Uint8Array,
  headers: Partial<Record<WebhookHeader, string>>,
  body: Uint8Array,
  now: Date,
): SignatureCheck {
  const webhookId = headers['webhook-id']?.trim() ?? '';
  const timestampText = headers['webhook-timestamp']?.trim() ?? '';
  const signatures = (headers['webhook-signature'] ?? '').trim();
  if (webhookId === '') return refused('webhook-id', 'is missing');
  if (!WEBHOOK_ID.test(webhookId)) return refused('webhook-id', 'must be 1 to 256 printable ASCII characters');
  if (timestampText === '') return refused('webhook-timestamp', 'is missing');
  if (!TIMESTAMP.test(timestampText)) return refused('webhook-timestamp', 'must be whole seconds since 1970');
  if (signatures === '') return refused('webhook-signature', 'is missing');
  const timestamp = Number(timestampText);
  const skew = Math.floor(now.getTime() / 1000) - timestamp;
  if (skew > WEBHOOK_TOLERANCE_SECONDS) return refused('webhook-timestamp', 'is more than 5 minutes old');
  if (skew < -WEBHOOK_TOLERANCE_SECONDS) return refused('webhook-timestamp', 'is more than 5 minutes ahead');
  const expected = Buffer.from(signWebhook(key, webhookId, timestamp, body), 'utf8');
  const matches = signatures
    .split(/ +/)
    .filter((candidate) => candidate.startsWith('v1,'))
    .map((candidate) => Buffer.from(candidate.slice(3), 'utf8'))
    // Lengths are public (a SHA-256 MAC is always 44 base64 characters); only equal-length bytes are compared.
    .some((candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected));
  return matches ? { ok: true, webhookId, timestamp } : refused('webhook-signature', 'matches none of ours');
}

/** The base64 HMAC-SHA256 of `id.timestamp.` and the body's bytes as they came. */
export function signWebhook(key: Uint8Array, webhookId: string, timestamp: number, body: Uint8Array): string {
  return createHmac('sha256', key).update(`${webhookId}.${timestamp}.`, 'utf8').update(body).digest('base64');
}

const refused = (field: WebhookHeader, problem: string): SignatureCheck => ({
  ok: false,
  field,
  message: `The ${field} header ${problem}.`,
});
