/** The statuses SES gives each of its receipt verdicts. */
export type VerdictStatus = 'PASS' | 'FAIL' | 'GRAY' | 'PROCESSING_FAILED';

/** What the receiving server knew about a message's sender. */
export interface SenderEvidence {
  /** The one From address (see singleFromAddress); null when the message has none, or several. */
  from: string | null;
  /** The envelope sender (SMTP MAIL FROM, SES `mail.source`, the Return-Path); '' or null for the null sender. */
  envelopeFrom: string | null;
  /** The value of every DKIM-Signature header. */
  dkimSignatures: readonly string[];
  spf: VerdictStatus;
  dkim: VerdictStatus;
  dmarc: VerdictStatus;
}

export type SenderTrust =
  | { verified: true; by: 'dmarc' | 'spf' | 'dkim' }
  /** The reason names no domain or address: it is logged. */
  | { verified: false; reason: string };

/**
 * Whether the From identity is the sender's own — the only identity we act on (issue 7, R4). DMARC's verdict is
 * the domain owner's own rule and settles it either way. Without one (GRAY: the domain publishes no DMARC record;
 * PROCESSING_FAILED), SPF or DKIM must pass for a domain aligned with From's, DMARC's relaxed alignment: the same
 * organisational domain. Anything else is unverified: a spoofed From then changes nothing and is mailed nothing.
 * Asynchronous because alignment reads the Public Suffix List, which is loaded only when DMARC leaves it open.
 */
export async function senderTrust(evidence: SenderEvidence): Promise<SenderTrust> {
  const fromDomain = evidence.from === null ? null : domainOf(evidence.from);
  if (fromDomain === null) return { verified: false, reason: 'the message has no single From address' };
  if (evidence.dmarc === 'PASS') return { verified: true, by: 'dmarc' };
  // A FAIL under a published policy is final: our relaxed check must not overrule a domain that asked for strict
  // alignment (adkim=s, aspf=s), which is the one way SPF or DKIM can pass aligned here and DMARC still fail.
  if (evidence.dmarc === 'FAIL') return { verified: false, reason: 'DMARC failed' };

  const envelopeDomain = evidence.envelopeFrom === null ? null : domainOf(evidence.envelopeFrom);
  if (evidence.spf === 'PASS' && envelopeDomain !== null && (await aligned(envelopeDomain, fromDomain))) {
    return { verified: true, by: 'spf' };
  }
  // SES's DKIM verdict says that a signature verified, not which one. A message may carry several (its author's,
  // a mailing list's, an attacker's own valid one beside a forged one for the From domain), so the verdict speaks
  // for From only when every signature on the message is aligned with it.
  const signers = evidence.dkimSignatures.map(dkimSigningDomain);
  if (evidence.dkim === 'PASS' && signers.length > 0 && (await allAligned(signers, fromDomain))) {
    return { verified: true, by: 'dkim' };
  }
  return {
    verified: false,
    reason: `no aligned pass (DMARC ${evidence.dmarc}, SPF ${evidence.spf}, DKIM ${evidence.dkim})`,
  };
}

/**
 * DMARC's relaxed alignment: both domains under the same organisational domain (the Public Suffix List, private
 * suffixes included, so that two tenants of github.io are two organisations). A name the list cannot place
 * (localhost, a bare IP) aligns only with itself.
 */
export async function aligned(a: string, b: string): Promise<boolean> {
  if (a === b) return true;
  const orgA = await organisationalDomain(a);
  return orgA !== null && orgA === (await organisationalDomain(b));
}

async function allAligned(domains: readonly (string | null)[], fromDomain: string): Promise<boolean> {
  for (const domain of domains) if (domain === null || !(await aligned(domain, fromDomain))) return false;
  return true;
}

/**
 * tldts is imported on the first call: its Public Suffix List is ≈ 130 KB of bundle, and most mail is settled by
 * SES's DMARC verdict before anyone asks.
 */
export async function organisationalDomain(domain: string): Promise<string | null> {
  const { getDomain } = await import('tldts');
  return getDomain(domain, { allowPrivateDomains: true });
}

/** The lower-cased domain of an address (the part after its last @), or null when it has none. */
export function domainOf(address: string): string | null {
  const at = address.lastIndexOf('@');
  const domain = address
    .slice(at + 1)
    .trim()
    .replace(/\.$/, '')
    .toLowerCase();
  return at < 0 || domain === '' ? null : domain;
}

/** The `d=` tag of a DKIM-Signature header (RFC 6376 §3.5); whitespace may fold anywhere in a tag's value. */
export function dkimSigningDomain(signature: string): string | null {
  for (const tag of signature.split(';')) {
    const eq = tag.indexOf('=');
    if (eq < 0 || tag.slice(0, eq).trim().toLowerCase() !== 'd') continue;
    const domain = tag
      .slice(eq + 1)
      .replace(/\s+/g, '')
      .toLowerCase();
    return domain === '' ? null : domain;
  }
  return null;
}

// No backslash escapes inside quotes: `(?:[^"\\]|\\.)*` backtracks polynomially, and a display name with an
// escaped quote only makes the From unreadable here (unverified), never another address.
const QUOTED = /"[^"]*"/g;
const COMMENT = /\([^()]*\)/g;
const ADDRESS = /^[^\s@<>",;:]+@[^\s@<>",;:]+$/;

/**
 * The address of a From header when the message has exactly one From header naming exactly one address; null
 * otherwise. Two Froms, or one listing several people, leave open which of them a check spoke for — and a parser
 * may pick another one than the check did — so such a message names no one we would act for.
 */
export function singleFromAddress(values: readonly string[]): string | null {
  const [value] = values;
  if (value === undefined || values.length !== 1) return null;
  const bare = value.replace(QUOTED, '""').replace(COMMENT, ' ');
  // Outside quotes and comments, a comma separates mailboxes and a colon or semicolon makes a group.
  if (/[,;:]/.test(bare)) return null;
  const open = bare.lastIndexOf('<');
  const close = bare.indexOf('>', open);
  if (open >= 0 && close < 0) return null;
  const address = (open < 0 ? bare : bare.slice(open + 1, close)).trim();
  return ADDRESS.test(address) ? address.toLowerCase() : null;
}
