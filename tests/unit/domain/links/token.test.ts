import { describe, expect, it } from 'vitest';
import {
  type LinkClaims,
  parseSigningKeys,
  type SigningKey,
  signLink,
  verifyLink,
} from '../../../../functions/domain/links/token';

const K1: SigningKey = { id: 'k1', secret: 'first-secret-0123456789abcdefghijklmnop' };
const K2: SigningKey = { id: 'k2', secret: 'second-secret-0123456789abcdefghijklmno' };

const NOW = new Date('2026-11-13T09:00:00Z');
const IN_30_DAYS = Math.floor(NOW.getTime() / 1000) + 30 * 86_400;

const claims: LinkClaims = {
  action: 'done',
  meetingId: 'm3f9a0c1d2e4b5a6978c1',
  seq: 2,
  recipient: 'marcus.lee@northwind.example',
  expiresAt: IN_30_DAYS,
};

function decodePart(part: string): unknown {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
}

function encodePart(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** Replaces one character of the text at the index with another from the base64url alphabet. */
function flipChar(text: string, index: number): string {
  const c = text[index];
  return `${text.slice(0, index)}${c === 'A' ? 'B' : 'A'}${text.slice(index + 1)}`;
}

describe('signLink and verifyLink', () => {
  it('round-trips the claims', () => {
    const token = signLink(claims, K1);

    expect(verifyLink(token, [K1], NOW)).toEqual({ ok: true, claims });
  });

  it('writes only URL-safe characters', () => {
    const token = signLink({ ...claims, meetingId: 'm/+?=&#%ü' }, K1);

    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  });

  it('signs each action differently', () => {
    const tokens = (['done', 'drop', 'snooze'] as const).map((action) => signLink({ ...claims, action }, K1));

    expect(new Set(tokens).size).toBe(3);
    expect(tokens.map((t) => verifyLink(t, [K1], NOW)).map((r) => r.ok && r.claims.action)).toEqual([
      'done',
      'drop',
      'snooze',
    ]);
  });

  it('lower-cases the recipient it signs', () => {
    const token = signLink({ ...claims, recipient: 'Marcus.Lee@Northwind.Example' }, K1);

    expect(verifyLink(token, [K1], NOW)).toEqual({ ok: true, claims });
  });

  it('names the signing key in the payload', () => {
    const [body] = signLink(claims, K2).split('.');

    expect(decodePart(body ?? '')).toMatchObject({ k: 'k2' });
  });

  it('refuses to sign claims that could never verify', () => {
    expect(() => signLink({ ...claims, seq: 0 }, K1)).toThrow(/cannot be signed/);
    expect(() => signLink({ ...claims, seq: 1.5 }, K1)).toThrow(/cannot be signed/);
    expect(() => signLink({ ...claims, meetingId: '' }, K1)).toThrow(/cannot be signed/);
    expect(() => signLink({ ...claims, recipient: 'nobody' }, K1)).toThrow(/cannot be signed/);
  });
});

describe('verifyLink: key rotation', () => {
  it('accepts a link signed with an older key while that key is still listed', () => {
    const token = signLink(claims, K1);

    expect(verifyLink(token, [K2, K1], NOW)).toEqual({ ok: true, claims });
  });

  it('[R18] refuses a link whose key is no longer listed', () => {
    const token = signLink(claims, K1);

    expect(verifyLink(token, [K2], NOW)).toEqual({ ok: false, reason: 'unknown-key' });
  });

  it('[R18] refuses a link that names a listed key but was signed with another secret', () => {
    const token = signLink(claims, { id: 'k2', secret: K1.secret });

    expect(verifyLink(token, [K2], NOW)).toEqual({ ok: false, reason: 'bad-signature' });
  });
});

describe('verifyLink: tampering', () => {
  it('[R18] refuses a payload edited to another item, keeping the old signature', () => {
    const [, signature] = signLink(claims, K1).split('.');
    const forged = encodePart({ k: 'k1', a: 'done', m: claims.meetingId, s: 3, r: claims.recipient, e: IN_30_DAYS });

    expect(verifyLink(`${forged}.${signature}`, [K1], NOW)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('[R18] refuses a payload edited to a later expiry', () => {
    const [body, signature] = signLink({ ...claims, expiresAt: IN_30_DAYS }, K1).split('.');
    const payload = decodePart(body ?? '') as Record<string, unknown>;
    const forged = encodePart({ ...payload, e: IN_30_DAYS + 365 * 86_400 });

    expect(verifyLink(`${forged}.${signature}`, [K1], NOW)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('[R18] refuses a payload edited to another recipient, keeping the old signature', () => {
    const [body, signature] = signLink(claims, K1).split('.');
    const forged = encodePart({ ...(decodePart(body ?? '') as object), r: 'dana.whitfield@northwind.example' });

    expect(verifyLink(`${forged}.${signature}`, [K1], NOW)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('[R18] refuses a payload edited to another action, keeping the old signature', () => {
    const [body, signature] = signLink(claims, K1).split('.');
    const forged = encodePart({ ...(decodePart(body ?? '') as object), a: 'drop' });

    expect(verifyLink(`${forged}.${signature}`, [K1], NOW)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('[R18] refuses a payload edited to name another listed key', () => {
    const [body, signature] = signLink(claims, K1).split('.');
    const forged = encodePart({ ...(decodePart(body ?? '') as object), k: 'k2' });

    expect(verifyLink(`${forged}.${signature}`, [K1, K2], NOW)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('[R18] refuses a signature with one character changed', () => {
    const [body, signature = ''] = signLink(claims, K1).split('.');

    expect(verifyLink(`${body}.${flipChar(signature, 5)}`, [K1], NOW)).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
  });

  it('[R18] refuses the signature of another link', () => {
    const [body] = signLink(claims, K1).split('.');
    const [, other] = signLink({ ...claims, action: 'drop' }, K1).split('.');

    expect(verifyLink(`${body}.${other}`, [K1], NOW)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses a signature whose last character only changes unused bits', () => {
    const [body, signature = ''] = signLink(claims, K1).split('.');
    // 32 bytes are 43 base64url characters whose last one carries 2 unused bits: Node decodes both spellings alike.
    const last = signature.at(-1) ?? '';
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const twin = alphabet[alphabet.indexOf(last) ^ 1] ?? '';
    const sloppy = `${signature.slice(0, -1)}${twin}`;
    expect(Buffer.from(sloppy, 'base64url')).toEqual(Buffer.from(signature, 'base64url'));

    expect(verifyLink(`${body}.${sloppy}`, [K1], NOW)).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('verifyLink: expiry', () => {
  it('accepts a link one second before it expires', () => {
    const token = signLink(claims, K1);

    expect(verifyLink(token, [K1], new Date((IN_30_DAYS - 1) * 1000)).ok).toBe(true);
  });

  it('[R18] refuses a link at the second it expires', () => {
    const token = signLink(claims, K1);

    expect(verifyLink(token, [K1], new Date(IN_30_DAYS * 1000))).toEqual({ ok: false, reason: 'expired' });
  });

  it('[R18] says bad-signature rather than expired for a forged expired link', () => {
    const [, signature] = signLink(claims, K1).split('.');
    const forged = encodePart({ k: 'k1', a: 'drop', m: claims.meetingId, s: 2, r: claims.recipient, e: 1 });

    expect(verifyLink(`${forged}.${signature}`, [K1], NOW)).toEqual({ ok: false, reason: 'bad-signature' });
  });
});

describe('verifyLink: malformed tokens', () => {
  const valid = signLink(claims, K1);
  const [validBody = '', validSignature = ''] = valid.split('.');
  const signed = (body: string) => `${body}.${signLink(claims, K1).split('.')[1]}`;

  it.each([
    ['empty', ''],
    ['no dot', validBody],
    ['only a dot', '.'],
    ['an empty payload', `.${validSignature}`],
    ['an empty signature', `${validBody}.`],
    ['three parts', `${valid}.${validSignature}`],
    ['characters outside base64url', `${validBody}+.${validSignature}`],
    ['padding', `${validBody}=.${validSignature}`],
    ['spaces', ` ${valid}`],
    ['a short signature', `${validBody}.${validSignature.slice(0, 20)}`],
    ['a long signature', `${validBody}.${validSignature}${validSignature}`],
    ['a payload that is not JSON', signed(Buffer.from('not json').toString('base64url'))],
    ['a payload that is a JSON string', signed(encodePart('done'))],
    ['a payload that is null', signed(encodePart(null))],
    ['a payload with an unknown action', signed(encodePart({ ...(decodePart(validBody) as object), a: 'delete' }))],
    ['a payload with a negative seq', signed(encodePart({ ...(decodePart(validBody) as object), s: -1 }))],
    ['a payload with a string seq', signed(encodePart({ ...(decodePart(validBody) as object), s: '2' }))],
    [
      'a payload with an upper-case recipient',
      signed(encodePart({ ...(decodePart(validBody) as object), r: 'A@B.C' })),
    ],
    ['a payload missing its expiry', signed(encodePart({ k: 'k1', a: 'done', m: 'm1', s: 1, r: 'a@b.c' }))],
    ['a payload with an extra field', signed(encodePart({ ...(decodePart(validBody) as object), admin: true }))],
    ['a payload whose key id is not a string', signed(encodePart({ ...(decodePart(validBody) as object), k: 1 }))],
  ])('refuses %s', (_name, token) => {
    expect(verifyLink(token, [K1], NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses a token over 2 KB before decoding it', () => {
    const huge = `${'A'.repeat(4000)}.${validSignature}`;

    expect(verifyLink(huge, [K1], NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses a megabyte of dots quickly', () => {
    const started = performance.now();

    expect(verifyLink('.'.repeat(1_000_000), [K1], NOW)).toEqual({ ok: false, reason: 'malformed' });
    expect(performance.now() - started).toBeLessThan(50);
  });

  it('refuses a value that is not a string', () => {
    expect(verifyLink(undefined as unknown as string, [K1], NOW)).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('parseSigningKeys', () => {
  const secret1 = 'a'.repeat(32);
  const secret2 = 'b:c'.repeat(12);

  it('reads the keys in order, the first being the one that signs', () => {
    expect(parseSigningKeys(`k2:${secret2},k1:${secret1}`)).toEqual([
      { id: 'k2', secret: secret2 },
      { id: 'k1', secret: secret1 },
    ]);
  });

  it('ignores spaces around entries', () => {
    expect(parseSigningKeys(` k1 : ${secret1} `)).toEqual([{ id: 'k1', secret: secret1 }]);
  });

  it.each([
    ['an empty spec', ''],
    ['a blank spec', ' , '],
    ['an entry without a colon', `k1${secret1}`],
    ['an entry without an id', `:${secret1}`],
    ['an id with a space', `key one:${secret1}`],
    ['an empty entry', `k1:${secret1},`],
  ])('throws on %s', (_name, spec) => {
    expect(() => parseSigningKeys(spec)).toThrow(/link signing key/i);
  });

  it('throws on a secret shorter than 32 characters, naming the key but not the secret', () => {
    const short = 'tooshort-secret-value';

    expect(() => parseSigningKeys(`k1:${short}`)).toThrow(/"k1".*21 characters.*at least 32/);
    expect(() => parseSigningKeys(`k1:${short}`)).not.toThrow(new RegExp(short));
  });

  it('throws on an id listed twice', () => {
    expect(() => parseSigningKeys(`k1:${secret1},k1:${secret2}`)).toThrow(/listed twice/);
  });

  it('gives keys that sign and verify', () => {
    const keys = parseSigningKeys(`k2:${secret2},k1:${secret1}`);
    const [signing] = keys;
    if (signing === undefined) throw new Error('no key');

    expect(verifyLink(signLink(claims, signing), keys, NOW)).toEqual({ ok: true, claims });
  });
});
