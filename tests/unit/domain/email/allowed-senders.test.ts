import { describe, expect, it } from 'vitest';
import { parseSenderDomains } from '../../../../functions/config/env';
import { senderDomainAllowed } from '../../../../functions/domain/email/allowed-senders';

const allowed = ['acme-sales.example', 'northwind.example'];

describe('senderDomainAllowed', () => {
  it('[R5] takes mail from a listed domain', () => {
    expect(senderDomainAllowed('dana@acme-sales.example', allowed)).toBe(true);
  });

  it('[R5] takes mail from a subdomain of a listed domain', () => {
    expect(senderDomainAllowed('dana@eu.acme-sales.example', allowed)).toBe(true);
  });

  it('[R5] refuses a domain that only ends in the same letters as a listed one', () => {
    expect(senderDomainAllowed('dana@evilacme-sales.example', allowed)).toBe(false);
  });

  it('[R5] refuses a domain that has a listed one as a label', () => {
    expect(senderDomainAllowed('dana@acme-sales.example.attacker.example', allowed)).toBe(false);
  });

  it('[R5] refuses mail without a From address unless any domain is allowed', () => {
    expect([senderDomainAllowed(null, allowed), senderDomainAllowed(null, ['*'])]).toEqual([false, true]);
  });

  it('[R5] takes any domain when the list is *', () => {
    expect(senderDomainAllowed('anyone@anywhere.example', ['*'])).toBe(true);
  });
});

describe('parseSenderDomains', () => {
  it('[R5] reads a comma-separated list, trimmed and lower-cased', () => {
    expect(parseSenderDomains(' Acme-Sales.example, northwind.example ,')).toEqual([
      'acme-sales.example',
      'northwind.example',
    ]);
  });

  it('[R5] reads * alone as any domain', () => {
    expect(parseSenderDomains('*')).toEqual(['*']);
  });

  it.each(['', 'acme', 'acme.example, *', 'dana@acme.example', 'acme .example'])('[R5] refuses %j', (text) => {
    expect(parseSenderDomains(text)).toBeNull();
  });
});
