import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type LinkClaims,
  type SigningKey,
  signLink,
  signUnsubscribe,
  type UnsubscribeClaims,
  verifyLink,
  verifyUnsubscribe,
} from '../../../../functions/domain/links/token';
import type { OptOutKind } from '../../../../functions/domain/model';

const K1: SigningKey = { id: 'k1', secret: 'first-secret-0123456789abcdefghijklmnop' };
const K2: SigningKey = { id: 'k2', secret: 'second-secret-0123456789abcdefghijklmno' };

const NOW = new Date('2026-11-23T13:00:00Z');
const IN_A_YEAR = Math.floor(NOW.getTime() / 1000) + 365 * 86_400;

const unsubscribe: UnsubscribeClaims = {
  kind: 'weekly',
  recipient: 'dana.whitfield@acme-sales.example',
  expiresAt: IN_A_YEAR,
};

const action: LinkClaims = {
  action: 'done',
  meetingId: 'm3f9a0c1d2e4b5a6978c1',
  seq: 2,
  recipient: 'dana.whitfield@acme-sales.example',
  expiresAt: IN_A_YEAR,
};

const decode = (part: string): Record<string, unknown> => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
const encode = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
/** A signature over the body alone, as an action link's is: what a forger holding the key's MAC of it would have. */
const bareMac = (body: string, key: SigningKey): string =>
  createHmac('sha256', key.secret).update(body, 'ascii').digest('base64url');
const prefixedMac = (body: string, key: SigningKey): string =>
  createHmac('sha256', key.secret).update(`unsubscribe.${body}`, 'ascii').digest('base64url');

describe('unsubscribe tokens', () => {
  it.each(['digest', 'weekly', 'rollup'] as const)('[R17] round-trips a %s unsubscribe', (kind: OptOutKind) => {
    const token = signUnsubscribe({ ...unsubscribe, kind }, K1);

    expect(verifyUnsubscribe(token, [K1], NOW)).toEqual({ ok: true, claims: { ...unsubscribe, kind } });
  });

  it('[R17] binds the recipient in lower case, the kind, the expiry and the key id, and says what it is for', () => {
    const [body = ''] = signUnsubscribe({ ...unsubscribe, recipient: 'Dana.Whitfield@ACME-sales.example' }, K2).split(
      '.',
    );

    expect(decode(body)).toEqual({
      k: 'k2',
      t: 'u',
      l: 'weekly',
      r: 'dana.whitfield@acme-sales.example',
      e: IN_A_YEAR,
    });
  });

  it('[R17] writes only URL-safe characters', () => {
    expect(signUnsubscribe(unsubscribe, K1)).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  });

  it('[R17] refuses to sign an unsubscribe from mail that has none, such as the wrap-up', () => {
    expect(() => signUnsubscribe({ ...unsubscribe, kind: 'wrapup' as OptOutKind }, K1)).toThrow(/cannot be signed/);
  });

  it('[R17] refuses an action link as an unsubscribe link', () => {
    expect(verifyUnsubscribe(signLink(action, K1), [K1], NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('[R17] refuses an unsubscribe link as an action link', () => {
    expect(verifyLink(signUnsubscribe(unsubscribe, K1), [K1], NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('[R17] refuses an unsubscribe payload carrying an action link’s kind of signature', () => {
    const body = encode({ k: 'k1', t: 'u', l: 'weekly', r: unsubscribe.recipient, e: IN_A_YEAR });

    expect(verifyUnsubscribe(`${body}.${bareMac(body, K1)}`, [K1], NOW)).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
  });

  it('[R17] refuses an action payload carrying an unsubscribe link’s kind of signature', () => {
    const body = encode({ k: 'k1', a: 'done', m: action.meetingId, s: 2, r: action.recipient, e: IN_A_YEAR });

    expect(verifyLink(`${body}.${prefixedMac(body, K1)}`, [K1], NOW)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('[R17] refuses a token whose kind was edited, keeping the old signature', () => {
    const [body = '', signature] = signUnsubscribe(unsubscribe, K1).split('.');

    const edited = `${encode({ ...decode(body), l: 'digest' })}.${signature}`;

    expect(verifyUnsubscribe(edited, [K1], NOW)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('[R17] refuses a token whose recipient was edited, keeping the old signature', () => {
    const [body = '', signature] = signUnsubscribe(unsubscribe, K1).split('.');

    const edited = `${encode({ ...decode(body), r: 'marcus.reid@acme-sales.example' })}.${signature}`;

    expect(verifyUnsubscribe(edited, [K1], NOW)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('[R17] refuses a token at the second it expires, and takes it one second before', () => {
    const token = signUnsubscribe({ ...unsubscribe, expiresAt: Math.floor(NOW.getTime() / 1000) }, K1);

    expect(verifyUnsubscribe(token, [K1], NOW)).toEqual({ ok: false, reason: 'expired' });
    expect(verifyUnsubscribe(token, [K1], new Date(NOW.getTime() - 1000)).ok).toBe(true);
  });

  it('[R17] refuses a token whose key is no longer listed, and takes one whose older key still is', () => {
    const token = signUnsubscribe(unsubscribe, K1);

    expect(verifyUnsubscribe(token, [K2], NOW)).toEqual({ ok: false, reason: 'unknown-key' });
    expect(verifyUnsubscribe(token, [K2, K1], NOW).ok).toBe(true);
  });
});
