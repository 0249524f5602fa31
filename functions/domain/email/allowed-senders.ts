import { domainOf } from './sender-trust';

/** In a list of allowed sender domains: any domain. The local stack's default only; on AWS the domains are named. */
export const ANY_SENDER_DOMAIN = '*';

/**
 * Whether mail from this address is ours to process (issue 7, R5): its domain is one listed, or a subdomain of one
 * (`acme.example` takes `eu.acme.example`). Mail from anywhere else is kept and dropped, unanswered: a reply to a
 * stranger's address is backscatter when the address was forged.
 */
export function senderDomainAllowed(address: string | null, allowed: readonly string[]): boolean {
  if (allowed.includes(ANY_SENDER_DOMAIN)) return true;
  const domain = address === null ? null : domainOf(address);
  if (domain === null) return false;
  return allowed.some((listed) => domain === listed || domain.endsWith(`.${listed}`));
}
