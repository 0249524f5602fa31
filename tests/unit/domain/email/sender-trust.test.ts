import { describe, expect, it } from 'vitest';
import {
  aligned,
  dkimSigningDomain,
  type SenderEvidence,
  senderTrust,
  singleFromAddress,
} from '../../../../functions/domain/email/sender-trust';

const dkim = (domain: string) =>
  `v=1; a=rsa-sha256; c=relaxed/relaxed; d=${domain};\r\n\ts=s1; h=from:to:subject:date; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=dGVzdA==`;

/** Mail from dana@acme-sales.example that passed nothing, to be changed one field at a time. */
const evidence = (changes: Partial<SenderEvidence> = {}): SenderEvidence => ({
  from: 'dana.whitfield@acme-sales.example',
  envelopeFrom: 'prvs=144d0cba7=dana.whitfield@acme-sales.example',
  dkimSignatures: [dkim('acme-sales.example')],
  spf: 'FAIL',
  dkim: 'FAIL',
  dmarc: 'GRAY',
  ...changes,
});

describe('senderTrust', () => {
  it('[R4] verifies a sender whose DMARC verdict is PASS', async () => {
    expect(await senderTrust(evidence({ dmarc: 'PASS' }))).toEqual({ verified: true, by: 'dmarc' });
  });

  it('[R4] does not verify a sender whose DMARC verdict is FAIL, even when SPF and DKIM passed aligned', async () => {
    expect(await senderTrust(evidence({ dmarc: 'FAIL', spf: 'PASS', dkim: 'PASS' }))).toEqual({
      verified: false,
      reason: 'DMARC failed',
    });
  });

  it('[R4] verifies an SPF pass whose envelope sender is in From’s organisational domain', async () => {
    expect(
      await senderTrust(
        evidence({ spf: 'PASS', envelopeFrom: 'bounces+1234@mail.acme-sales.example', dkimSignatures: [] }),
      ),
    ).toEqual({ verified: true, by: 'spf' });
  });

  it('[R4] does not verify an SPF pass for an envelope sender of another domain', async () => {
    expect(
      await senderTrust(evidence({ spf: 'PASS', envelopeFrom: 'bounce@mailer.example', dkimSignatures: [] })),
    ).toMatchObject({ verified: false });
  });

  it('[R4] does not verify an SPF pass for the null envelope sender', async () => {
    expect(await senderTrust(evidence({ spf: 'PASS', envelopeFrom: '', dkimSignatures: [] }))).toMatchObject({
      verified: false,
    });
  });

  it('[R4] verifies a DKIM pass whose signing domain is in From’s organisational domain', async () => {
    expect(
      await senderTrust(evidence({ dkim: 'PASS', dkimSignatures: [dkim('eu.acme-sales.example')], envelopeFrom: '' })),
    ).toEqual({ verified: true, by: 'dkim' });
  });

  it('[R4] does not verify a DKIM pass signed by another domain', async () => {
    expect(await senderTrust(evidence({ dkim: 'PASS', dkimSignatures: [dkim('mailer.example')] }))).toMatchObject({
      verified: false,
    });
  });

  it('[R4] does not verify a DKIM pass when one of several signatures is of another domain, as SES does not say which passed', async () => {
    const forged = { dkim: 'PASS' as const, dkimSignatures: [dkim('acme-sales.example'), dkim('attacker.example')] };

    expect(await senderTrust(evidence(forged))).toMatchObject({ verified: false });
  });

  it('[R4] does not verify a DKIM pass with no DKIM-Signature in the headers to align', async () => {
    expect(await senderTrust(evidence({ dkim: 'PASS', dkimSignatures: [] }))).toMatchObject({ verified: false });
  });

  it.each(['GRAY', 'PROCESSING_FAILED'] as const)(
    '[R4] does not verify a sender whose checks came back %s',
    async (status) => {
      expect(await senderTrust(evidence({ spf: status, dkim: status, dmarc: status }))).toEqual({
        verified: false,
        reason: `no aligned pass (DMARC ${status}, SPF ${status}, DKIM ${status})`,
      });
    },
  );

  it('[R4] does not verify a message without a single From address, whatever its verdicts', async () => {
    expect(await senderTrust(evidence({ from: null, dmarc: 'PASS' }))).toEqual({
      verified: false,
      reason: 'the message has no single From address',
    });
  });

  it('[R4] names no domain or address in its reasons, which are logged', async () => {
    const evidences = [
      evidence({ dmarc: 'FAIL' }),
      evidence({ spf: 'PASS', envelopeFrom: 'x@mailer.example' }),
      evidence({ from: null }),
    ];
    const reasons = await Promise.all(evidences.map(async (e) => JSON.stringify(await senderTrust(e))));

    for (const reason of reasons) expect(reason).not.toMatch(/@|\.example/);
  });
});

describe('aligned', () => {
  it('[R4] aligns a subdomain with its organisational domain, relaxed', async () => {
    expect(await aligned('mail.acme-sales.example', 'acme-sales.example')).toBe(true);
  });

  it('[R4] aligns two names under the same registrable domain below a public suffix', async () => {
    expect(await aligned('mail.acme.co.uk', 'eu.acme.co.uk')).toBe(true);
  });

  it('[R4] does not align two organisations under one public suffix', async () => {
    expect(await aligned('acme.co.uk', 'attacker.co.uk')).toBe(false);
  });

  it('[R4] does not align two tenants of a private suffix such as github.io', async () => {
    expect(await aligned('acme.github.io', 'attacker.github.io')).toBe(false);
  });

  it('[R4] aligns a name the suffix list cannot place only with itself', async () => {
    expect([await aligned('localhost', 'localhost'), await aligned('a.localhost', 'localhost')]).toEqual([true, false]);
  });
});

describe('dkimSigningDomain', () => {
  it('[R4] reads the d= tag, lower-cased, with folding whitespace taken out', async () => {
    expect(dkimSigningDomain('v=1; a=rsa-sha256;\r\n\t d = Acme-Sales.\r\n example ; s=s1; b=abc')).toBe(
      'acme-sales.example',
    );
  });

  it('[R4] does not mistake a tag that ends in d for d=', async () => {
    expect(dkimSigningDomain('v=1; bd=attacker.example; s=s1')).toBeNull();
  });
});

describe('singleFromAddress', () => {
  it.each([
    ['Dana Whitfield <Dana.Whitfield@Acme-Sales.example>', 'dana.whitfield@acme-sales.example'],
    ['dana.whitfield@acme-sales.example', 'dana.whitfield@acme-sales.example'],
    ['"Whitfield, Dana (Sales)" <dana.whitfield@acme-sales.example>', 'dana.whitfield@acme-sales.example'],
    ['dana.whitfield@acme-sales.example (Dana Whitfield)', 'dana.whitfield@acme-sales.example'],
    ['=?utf-8?Q?Dana_Whitfield?= <dana.whitfield@acme-sales.example>', 'dana.whitfield@acme-sales.example'],
  ])('[R4] reads the address of the one From %s', (value, address) => {
    expect(singleFromAddress([value])).toBe(address);
  });

  it.each([
    ['two From headers', ['dana@acme-sales.example', 'ceo@acme-sales.example']],
    ['a From naming two people', ['Dana <dana@attacker.example>, CEO <ceo@acme-sales.example>']],
    ['a group', ['Sales: dana@acme-sales.example;']],
    ['no From', []],
    ['an unclosed angle address', ['Dana <dana@acme-sales.example']],
    ['no address at all', ['Dana Whitfield']],
  ])('[R4] reads no address from %s', (_name, values) => {
    expect(singleFromAddress(values)).toBeNull();
  });
});
