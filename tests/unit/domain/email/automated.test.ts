import { describe, expect, it } from 'vitest';
import { whyNeverAnswer } from '../../../../functions/domain/email/automated';
import type { Person } from '../../../../functions/domain/model';

const own = { fromAddress: 'Notes@Followthrough.example', inboxAddress: 'inbox@followthrough.example' };
const dana: Person = { address: 'dana.whitfield@acme-sales.example', name: 'Dana Whitfield' };

/** A message from Dana with these headers (names as written; the parser lower-cases them). */
const message = (headers: Record<string, string | string[]>, from: Person | null = dana) => ({
  from,
  headers: new Map(
    Object.entries(headers).map(([name, value]) => [name.toLowerCase(), Array.isArray(value) ? value : [value]]),
  ),
});

describe('whyNeverAnswer', () => {
  it('[R6] answers a person’s own mail', () => {
    expect(whyNeverAnswer(message({ 'Auto-Submitted': 'no', Precedence: 'first-class' }), own)).toBeNull();
  });

  it.each([
    'auto-replied',
    'auto-generated',
    'auto-notified',
    'Auto-Replied; owner-email="dana@acme-sales.example"',
    'AUTO-GENERATED',
  ])('[R6] never answers Auto-Submitted: %s', (value) => {
    expect(whyNeverAnswer(message({ 'Auto-Submitted': value }), own)).toBe(
      'it was sent automatically (Auto-Submitted)',
    );
  });

  it('[R6] answers Auto-Submitted: no, in any case and with parameters', () => {
    expect(whyNeverAnswer(message({ 'Auto-Submitted': ' No ; comment=x' }), own)).toBeNull();
  });

  it.each(['bulk', 'list', 'junk', 'BULK', ' List '])('[R6] never answers Precedence: %s', (value) => {
    expect(whyNeverAnswer(message({ Precedence: value }), own)).toBe('it is bulk or list mail (Precedence)');
  });

  it('[R6] never answers mail that came through a list (any List-Id)', () => {
    expect(whyNeverAnswer(message({ 'List-Id': 'Sales team <sales.acme-sales.example>' }), own)).toBe(
      'it came through a mailing list (List-Id)',
    );
  });

  it.each(['<>', '< >', ''])('[R6] never answers an empty Return-Path (%s)', (value) => {
    expect(whyNeverAnswer(message({ 'Return-Path': value }), own)).toBe(
      'it has an empty Return-Path (a bounce or other delivery report)',
    );
  });

  it('[R6] answers mail with a Return-Path that names a sender', () => {
    expect(whyNeverAnswer(message({ 'Return-Path': '<dana.whitfield@acme-sales.example>' }), own)).toBeNull();
  });

  it.each(['MAILER-DAEMON@mx.acme-sales.example', 'mailer-daemon@acme-sales.example', 'Postmaster@acme-sales.example'])(
    '[R6] never answers a mail system: %s',
    (address) => {
      expect(whyNeverAnswer(message({}, { address: address.toLowerCase(), name: null }), own)).toBe(
        'it is from a mail system (mailer-daemon, postmaster)',
      );
    },
  );

  it.each(['notes@followthrough.example', 'inbox@followthrough.example'])(
    '[R6] never answers mail from our own address %s',
    (address) => {
      expect(whyNeverAnswer(message({}, { address, name: 'followthrough' }), own)).toBe(
        'it is from followthrough’s own address',
      );
    },
  );

  it.each(['X-Followthrough-Ref', 'x-followthrough-kind'])(
    '[R6] never answers a message that carries our %s header',
    (name) => {
      expect(whyNeverAnswer(message({ [name]: 'ft-abcdefghij' }), own)).toBe('it is mail followthrough sent');
    },
  );
});
