/**
 * Signed action links: the Done / Drop / Snooze buttons in our emails work without a login, so the URL itself
 * carries who may do what to which item, until when, signed with a server-side key.
 *
 * A token is base64url(JSON payload) + '.' + base64url(HMAC-SHA256 of the first part), URL-safe as it stands.
 * The payload names its key, so keys can rotate: the first key of the configured list signs, every listed key
 * verifies, and a key dropped from the list stops every link it signed.
 *
 * Two kinds of token share the keys: action links (one item, one action) and unsubscribe links (one person, one
 * kind of digest; RFC 8058). Each has its own payload shape and its own MAC input, so a token of one kind never
 * verifies as the other, even if someone edits the payload to look like it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod/mini';
import { FollowthroughError } from '../errors';
import type { OptOutKind } from '../model';
import type { LinkAction } from '../render/inputs';

export type { LinkAction };

export interface LinkClaims {
  action: LinkAction;
  meetingId: string;
  seq: number;
  /** Lower-cased address of the person the mail went to: the link acts on their behalf. */
  recipient: string;
  /** Epoch seconds. */
  expiresAt: number;
}

export interface SigningKey {
  id: string;
  secret: string;
}

/** An unsubscribe link: the person it was mailed to may stop one kind of digest, without a login. */
export interface UnsubscribeClaims {
  kind: OptOutKind;
  /** Lower-cased address the digest went to. */
  recipient: string;
  /** Epoch seconds. */
  expiresAt: number;
}

export type TokenFailure = { ok: false; reason: 'malformed' | 'unknown-key' | 'bad-signature' | 'expired' };

export type VerifyResult = { ok: true; claims: LinkClaims } | TokenFailure;

export type UnsubscribeVerifyResult = { ok: true; claims: UnsubscribeClaims } | TokenFailure;

/** Far above a real token (≈ 250 characters): anything longer is refused before it is decoded or hashed. */
const MAX_TOKEN_LENGTH = 2048;
const MIN_SECRET_LENGTH = 32;
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const SIGNATURE_BYTES = 32;

// Short field names keep the URL short: some mail apps cut long links.
const payloadSchema = z.strictObject({
  k: z.string().check(z.regex(KEY_ID)),
  a: z.enum(['done', 'drop', 'snooze']),
  m: z.string().check(z.minLength(1), z.maxLength(200)),
  s: z.int().check(z.positive()),
  r: z.string().check(z.minLength(3), z.maxLength(320), z.lowercase(), z.regex(/@/)),
  e: z.int().check(z.positive()),
});

type Payload = z.infer<typeof payloadSchema>;

// `t` names the purpose inside the payload; the action payload has no such field and, being strict, refuses one.
const unsubscribePayloadSchema = z.strictObject({
  k: z.string().check(z.regex(KEY_ID)),
  t: z.literal('u'),
  l: z.enum(['digest', 'weekly', 'rollup']),
  r: z.string().check(z.minLength(3), z.maxLength(320), z.lowercase(), z.regex(/@/)),
  e: z.int().check(z.positive()),
});

type UnsubscribePayload = z.infer<typeof unsubscribePayloadSchema>;

type Purpose = 'action' | 'unsubscribe';

/**
 * What the MAC covers before the body. Action links sign the body alone (links already in people's mail were
 * signed so); an unsubscribe link signs "unsubscribe." and the body. A body is base64url, which has no ".", so no
 * MAC input of one purpose is ever the MAC input of the other.
 */
const macPrefix: Record<Purpose, string> = { action: '', unsubscribe: 'unsubscribe.' };

/**
 * Reads the key list from configuration: "k2:secret2,k1:secret1", the first one signing. Throws on an empty or
 * malformed list, a repeated id, or a secret under 32 characters; the messages never repeat a secret.
 */
export function parseSigningKeys(spec: string): SigningKey[] {
  const entries = spec.split(',').map((entry) => entry.trim());
  if (entries.every((entry) => entry === '')) {
    throw new FollowthroughError('The link signing keys are empty: expected "id:secret[,id:secret…]".');
  }
  const keys: SigningKey[] = [];
  entries.forEach((entry, index) => {
    const colon = entry.indexOf(':');
    const id = colon < 0 ? '' : entry.slice(0, colon).trim();
    const secret = colon < 0 ? '' : entry.slice(colon + 1).trim();
    if (!KEY_ID.test(id)) {
      throw new FollowthroughError(
        `Link signing key ${index + 1} is not "id:secret" with an id of letters, digits, "-" or "_" (at most 32).`,
      );
    }
    if (secret.length < MIN_SECRET_LENGTH) {
      throw new FollowthroughError(
        `Link signing key "${id}" has a secret of ${secret.length} characters; at least ${MIN_SECRET_LENGTH} are needed.`,
      );
    }
    if (keys.some((key) => key.id === id)) {
      throw new FollowthroughError(`Link signing key "${id}" is listed twice.`);
    }
    keys.push({ id, secret });
  });
  return keys;
}

/** The key new links are signed with: the first of the configured list. */
export function signingKeyOf(keys: SigningKey[]): SigningKey {
  const [key] = keys;
  if (key === undefined) throw new FollowthroughError('No link signing key is configured');
  return key;
}

/** Signs the claims with the key; the recipient is lower-cased. Throws when the claims could never verify. */
export function signLink(claims: LinkClaims, key: SigningKey): string {
  const payload = payloadSchema.safeParse({
    k: key.id,
    a: claims.action,
    m: claims.meetingId,
    s: claims.seq,
    r: claims.recipient.trim().toLowerCase(),
    e: claims.expiresAt,
  } satisfies Payload);
  if (!payload.success) {
    throw new FollowthroughError(`These link claims cannot be signed: ${z.prettifyError(payload.error)}`);
  }
  return seal(payload.data, key, 'action');
}

/** Signs an unsubscribe link for one person and one kind of digest; the recipient is lower-cased. */
export function signUnsubscribe(claims: UnsubscribeClaims, key: SigningKey): string {
  const payload = unsubscribePayloadSchema.safeParse({
    k: key.id,
    t: 'u',
    l: claims.kind,
    r: claims.recipient.trim().toLowerCase(),
    e: claims.expiresAt,
  } satisfies UnsubscribePayload);
  if (!payload.success) {
    throw new FollowthroughError(`These unsubscribe claims cannot be signed: ${z.prettifyError(payload.error)}`);
  }
  return seal(payload.data, key, 'unsubscribe');
}

/** Checks an unsubscribe token as verifyLink checks an action token; an action token here is malformed. */
export function verifyUnsubscribe(token: string, keys: SigningKey[], now: Date): UnsubscribeVerifyResult {
  const opened = open(token, keys, now, unsubscribePayloadSchema, 'unsubscribe');
  if (!opened.ok) return opened;
  const { l, r, e } = opened.payload;
  return { ok: true, claims: { kind: l, recipient: r, expiresAt: e } };
}

function seal(payload: object, key: SigningKey, purpose: Purpose): string {
  const body = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
  return `${body}.${mac(body, key, purpose).toString('base64url')}`;
}

/**
 * Checks a token from a URL. The signature is checked before the expiry, so a forged token never learns more than
 * "bad-signature"; the comparison takes the same time wherever the bytes differ.
 */
export function verifyLink(token: string, keys: SigningKey[], now: Date): VerifyResult {
  const opened = open(token, keys, now, payloadSchema, 'action');
  if (!opened.ok) return opened;
  const { a, m, s, r, e } = opened.payload;
  return { ok: true, claims: { action: a, meetingId: m, seq: s, recipient: r, expiresAt: e } };
}

/** The payload of a token of this purpose, once its shape, key, signature and expiry are checked. */
function open<T extends { k: string; e: number }>(
  token: string,
  keys: SigningKey[],
  now: Date,
  schema: z.ZodMiniType<T>,
  purpose: Purpose,
): { ok: true; payload: T } | TokenFailure {
  if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) return malformed;
  const dot = token.indexOf('.');
  const body = token.slice(0, dot);
  const signature = token.slice(dot + 1);
  if (dot < 0 || !BASE64URL.test(body) || !BASE64URL.test(signature)) return malformed;
  const signatureBytes = canonicalBase64url(signature);
  const bodyBytes = canonicalBase64url(body);
  if (signatureBytes === null || signatureBytes.length !== SIGNATURE_BYTES || bodyBytes === null) return malformed;

  let json: unknown;
  try {
    json = JSON.parse(bodyBytes.toString('utf8'));
  } catch {
    return malformed;
  }
  const payload = schema.safeParse(json);
  if (!payload.success) return malformed;

  const key = keys.find((k) => k.id === payload.data.k);
  if (key === undefined) return { ok: false, reason: 'unknown-key' };
  if (!timingSafeEqual(mac(body, key, purpose), signatureBytes)) return { ok: false, reason: 'bad-signature' };
  if (now.getTime() / 1000 >= payload.data.e) return { ok: false, reason: 'expired' };
  return { ok: true, payload: payload.data };
}

const malformed: TokenFailure = { ok: false, reason: 'malformed' };

function mac(body: string, key: SigningKey, purpose: Purpose): Buffer {
  return createHmac('sha256', key.secret).update(`${macPrefix[purpose]}${body}`, 'ascii').digest();
}

/** Node's decoder ignores stray bits and characters; a token whose text is not exactly what we wrote is refused. */
function canonicalBase64url(text: string): Buffer | null {
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : null;
}
